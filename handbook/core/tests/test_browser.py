"""End-to-end in Debian's Chromium (headless) against a demo server on 127.0.0.1.

Skipped where /usr/bin/chromium is absent (a newcomer's machine); `.ci/run` installs it on CI.
"""

from pathlib import Path

import pytest

from handbook.devserver import CHROMIUM, CHROMIUM_ARGS, demo_server

PASSWORD = "browser-pass-1"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def server():
    with demo_server(password=PASSWORD, members=300) as base:
        yield base


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def login(page, base, who):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", who)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_a_member_signs_in_by_phone_on_a_small_phone_and_sees_their_cell(server, chromium):
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    login(page, server, "0912345678")
    body = page.inner_text("body")
    assert "Xin chào" in body and "Chi bộ của tôi" in body and "Chi bộ thôn Đông" in body
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert float(page.evaluate("getComputedStyle(document.body).fontSize").rstrip("px")) >= 18
    page.click("text=Xem hồ sơ của tôi")
    assert "Số CCCD" in page.inner_text("body")
    page.close()


def test_a_commune_official_merges_two_cells_and_sees_it_in_the_history(server, chromium):
    page = chromium.new_page(viewport={"width": 390, "height": 844})
    login(page, server, "xa")
    page.click("text=Đảng bộ xã Yên Mô")
    page.click("text=Chi bộ thôn Tây")
    page.click("a:has-text('Hợp nhất')")
    page.select_option("select[name=target]", label="Chi bộ thôn Đông")
    page.click("text=Xem ảnh hưởng")
    impact = page.inner_text(".impact")
    assert "Hợp nhất này chuyển" in impact and "đảng viên" in impact
    page.click("text=Xác nhận")
    assert "Đã hợp nhất “Chi bộ thôn Tây” vào “Chi bộ thôn Đông”" in page.inner_text(".messages")
    page.click("text=Toàn bộ lịch sử")
    assert "nhận hợp nhất tổ chức" in page.inner_text("body")
    page.close()


def test_the_app_is_installable_and_shows_an_offline_page(server, chromium):
    page = chromium.new_page()
    page.goto(f"{server}/accounts/login/")
    manifest = page.evaluate("fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())")
    assert manifest["display"] == "standalone" and any(i["sizes"] == "512x512" for i in manifest["icons"])
    page.wait_for_function("navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready")
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.active !== null)")
    page.reload()
    page.context.set_offline(True)
    page.goto(f"{server}/org/", wait_until="load")
    assert "Không có kết nối mạng" in page.inner_text("body")
    page.context.set_offline(False)
    page.close()


def test_a_member_checks_in_to_a_meeting_from_the_phone(server, chromium):
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    login(page, server, "dangvien")
    page.click("nav.bottom >> text=Sinh hoạt")
    page.click("text=Sinh hoạt chuyên đề: học tập Nghị quyết")
    page.click("text=Tôi có mặt")
    assert "Bạn đã điểm danh" in page.inner_text(".messages")
    assert "Có mặt" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.close()
