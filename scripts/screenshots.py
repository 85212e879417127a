"""Screenshots of the main pages for docs/screenshots/, taken in Debian's Chromium from a fresh demo.

.venv/bin/python scripts/screenshots.py
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "screens-pass-1"  # noqa: S105
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def main() -> None:
    data = tempfile.mkdtemp()
    env = {**os.environ, "HANDBOOK_DATA_DIR": data, "DJANGO_SETTINGS_MODULE": "handbook.settings.base"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "demo", "--no-serve", "--password", PASSWORD],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    time.sleep(3)
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)

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
            page = session("xa", 390, 844)
            page.click("text=Đảng bộ xã Yên Mô")
            page.screenshot(path=OUT / "commune-phone.png", full_page=True)
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
            page = session("admin", 1280, 800)
            page.goto(f"{base}/audit/")
            page.screenshot(path=OUT / "audit-desktop.png")
            browser.close()
    finally:
        server.terminate()
    print("\n".join(sorted(str(p.relative_to(ROOT)) for p in OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
