"""Screenshots of the main pages for docs/screenshots/, taken in Debian's Chromium from a fresh demo.

.venv/bin/python scripts/screenshots.py
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handbook.devserver import CHROMIUM, CHROMIUM_ARGS, demo_server  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PASSWORD = "screens-pass-1"  # noqa: S105


def main() -> None:
    with demo_server(password=PASSWORD) as base:
        take(base)
    print("\n".join(sorted(str(p.relative_to(ROOT)) for p in OUT.glob("*.png"))))


def take(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def session(who: str, width: int, height: int):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{base}/accounts/login/")
            if who:
                page.fill("input[name=login]", who)
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(f"{base}/")
            return page

        page = session("", 390, 700)
        page.screenshot(path=OUT / "login-phone.png", full_page=True)
        page = session("dangvien", 390, 844)
        page.screenshot(path=OUT / "home-member-phone.png", full_page=True)
        page.click("text=Xem hồ sơ của tôi")
        page.screenshot(path=OUT / "my-record-phone.png", full_page=True)
        page.click("nav.bottom >> text=Sinh hoạt")
        page.click("text=Sinh hoạt chuyên đề: học tập Nghị quyết")
        page.screenshot(path=OUT / "meeting-member-phone.png", full_page=True)
        page.goto(f"{base}/documents/")
        page.screenshot(path=OUT / "documents-inbox-phone.png", full_page=True)
        page.click("text=Nghị quyết về đẩy mạnh chuyển đổi số trong công tác đảng")
        page.screenshot(path=OUT / "document-reading-phone.png", full_page=True)
        page.goto(f"{base}/notifications/")
        page.screenshot(path=OUT / "notifications-phone.png", full_page=True)
        page = session("xa", 390, 844)
        page.click("text=Đảng bộ xã Yên Mô")
        page.screenshot(path=OUT / "commune-phone.png", full_page=True)
        commune = page.url.rstrip("/").split("/")[-1]
        for name, path in (
            ("admissions-pipeline", f"/admissions/org/{commune}/"),
            ("admissions-progress", f"/admissions/org/{commune}/progress/"),
            ("reviews", f"/reviews/org/{commune}/"),
            ("transfers", f"/transfers/org/{commune}/"),
            ("probation-due", f"/probation/org/{commune}/"),
        ):
            page.goto(f"{base}{path}")
            page.screenshot(path=OUT / f"{name}-phone.png", full_page=True)
        page.goto(f"{base}/org/{commune}/")
        page.click("text=Chi bộ thôn Tây")
        page.click("a:has-text('Hợp nhất')")
        page.select_option("select[name=target]", label="Chi bộ thôn Đông")
        page.click("text=Xem ảnh hưởng")
        page.screenshot(path=OUT / "merge-preview-phone.png", full_page=True)
        page.click("text=Xác nhận")
        page.click("text=Toàn bộ lịch sử")
        page.set_viewport_size({"width": 1024, "height": 768})
        page.screenshot(path=OUT / "history-tablet.png", full_page=True)
        page = session("tinh", 1024, 768)
        page.goto(f"{base}/org/")
        page.fill("#q", "yen mo")
        page.press("#q", "Enter")
        page.screenshot(path=OUT / "browser-search-tablet.png", full_page=True)
        page.goto(f"{base}/members/?q=nguyen+van")
        page.screenshot(path=OUT / "members-tablet.png")
        page.goto(f"{base}/members/import/")
        page.screenshot(path=OUT / "import-tablet.png")
        page.goto(f"{base}/documents/sent/")
        page.click("text=Nghị quyết về đẩy mạnh chuyển đổi số trong công tác đảng")
        page.click("text=Tình hình đọc văn bản")
        page.screenshot(path=OUT / "document-read-rates-tablet.png", full_page=True)
        page.goto(f"{base}/reports/")
        page.screenshot(path=OUT / "reports-tablet.png", full_page=True)
        page = session("admin", 1280, 800)
        page.goto(f"{base}/audit/")
        page.screenshot(path=OUT / "audit-desktop.png")
        browser.close()


if __name__ == "__main__":
    main()
