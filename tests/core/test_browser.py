"""The UI shell in real Chromium: accessibility, language switching, a 360-px phone."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_has_no_serious_accessibility_violations(page: Page, live_server, axe_violations):
    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert axe_violations(page) == []


def test_a_visitor_switches_the_shell_to_english_and_back(page: Page, live_server, axe_violations):
    page.goto(live_server.url)
    page.get_by_label("Ngôn ngữ").select_option("en")
    page.get_by_role("button", name="Đổi").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Language").select_option("vi")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("banner").get_by_role("link", name="Đăng nhập")).to_be_visible()


def test_the_shell_fits_a_360_pixel_phone_without_sideways_scrolling(page: Page, live_server):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    expect(page.get_by_role("banner").get_by_role("link", name="Đăng nhập")).to_be_visible()


def test_the_skip_link_moves_keyboard_focus_to_the_main_content(page: Page, live_server):
    page.goto(live_server.url)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_the_page_runs_under_the_csp_without_violations(page: Page, live_server):
    violations: list[str] = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    page.goto(live_server.url)
    page.wait_for_load_state("networkidle")
    assert violations == []
