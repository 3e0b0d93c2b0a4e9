"""The citizen's lookup journeys and the kiosk in real Chromium, every page checked with axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import Page, expect

from egov.dossiers.models import Dossier
from egov.dossiers.rules import Status
from tests.dossiers.conftest import APPLICANT_PHONE, build_world, dossier_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECOND_FACTOR = "4 chữ số cuối của số điện thoại hoặc số định danh cá nhân"


@pytest.fixture
def dossier() -> Dossier:
    cache.clear()
    return dossier_in(build_world(), Status.IN_PROGRESS, True)


@pytest.fixture
def check(page: Page, axe_violations: Any) -> Any:
    def run() -> None:
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        assert axe_violations(page) == []
        # Nothing wider than the screen (a 360-px phone, a kiosk in portrait).
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    return run


def test_a_citizen_finds_the_dossier_by_code_and_phone_digits_on_a_phone(
    page: Page, live_server: Any, check: Any, dossier: Dossier
):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/tra-cuu/")
    check()
    page.get_by_label("Mã hồ sơ").fill(dossier.code)
    page.get_by_label(SECOND_FACTOR).fill("0000")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_role("alert")).to_contain_text("Không tìm thấy hồ sơ khớp với mã hồ sơ")
    check()

    page.get_by_label(SECOND_FACTOR).fill(APPLICANT_PHONE[-4:])
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tình trạng hồ sơ")
    expect(page.get_by_text(dossier.code)).to_be_visible()
    expect(page.get_by_text("Đang giải quyết", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Sở Tư pháp Thử"))).to_be_visible()
    check()


def test_a_citizen_opens_the_tracking_page_from_the_receipts_qr(
    page: Page, live_server: Any, check: Any, dossier: Dossier
):
    page.goto(live_server.url + reverse("lookup:qr", args=[dossier.tracking_token]))
    expect(page.get_by_text(dossier.code)).to_be_visible()
    check()
    page.goto(live_server.url + reverse("lookup:qr", args=["ma-khong-ton-tai-1234567890"]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy hồ sơ")
    check()


def test_the_kiosk_finds_a_dossier_by_scan_or_by_pickers_and_resets_when_left_alone(
    page: Page, live_server: Any, check: Any, dossier: Dossier, settings: Any
):
    settings.EGOV_KIOSK_TIMEOUT_SECONDS = 6  # long enough for axe to finish first
    page.set_viewport_size({"width": 1080, "height": 1920})
    kiosk = live_server.url + reverse("lookup:kiosk")
    page.goto(kiosk)
    check()
    scan = page.get_by_role("textbox", name="Mã QR trên giấy hẹn")
    expect(scan).to_be_focused()
    for button in page.get_by_role("button").all() + page.locator(".kiosk-option").all():
        box = button.bounding_box()
        assert box is not None and box["height"] >= 48, button

    # A scanner gun types the receipt's URL into the focused field and presses Enter.
    scan.press_sequentially(live_server.url + reverse("lookup:qr", args=[dossier.tracking_token]))
    scan.press("Enter")
    expect(page.get_by_text(dossier.code)).to_be_visible()
    expect(page.get_by_role("paragraph").filter(has_text="Màn hình sẽ trở về trang đầu sau")).to_be_visible()
    check()
    # Left alone, the screen goes back to the start (and the dossier is gone from it).
    expect(page.get_by_role("heading", name="Cách 1: Quét mã QR trên giấy hẹn")).to_be_visible(timeout=15_000)
    assert page.url == kiosk
    expect(page.get_by_text(dossier.code)).to_have_count(0)

    _agency, day, sequence = dossier.code.rsplit("-", 2)
    page.get_by_label("Sở Tư pháp Thử").check()
    page.get_by_label("Ngày nộp hồ sơ").fill(f"{day[4:]}/{day[2:4]}/20{day[:2]}")
    page.get_by_role("textbox", name="Số thứ tự").fill(sequence)
    page.get_by_label(SECOND_FACTOR).fill(APPLICANT_PHONE[-4:])
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_text("Đang giải quyết", exact=True)).to_be_visible()
    check()
    page.get_by_role("link", name="Tra cứu hồ sơ khác").click()
    expect(page.get_by_role("heading", name="Cách 2: Chọn cơ quan, ngày nộp và số thứ tự")).to_be_visible()


def test_the_applicant_rates_satisfaction_from_the_qr_page(page: Page, live_server: Any, check: Any):
    cache.clear()
    returned = dossier_in(build_world(), Status.RETURNED, True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + reverse("lookup:qr", args=[returned.tracking_token]))
    expect(page.get_by_role("heading", name="Đánh giá mức độ hài lòng")).to_be_visible()
    check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("alert")).to_contain_text("Hãy chọn mức độ hài lòng.")
    check()
    page.get_by_role("radio", name="Hài lòng", exact=True).check()
    page.get_by_label("Ý kiến góp ý (không bắt buộc)").fill("Cán bộ hướng dẫn tận tình")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("status")).to_contain_text("Cảm ơn bạn đã đánh giá.")
    expect(page.get_by_text("Đã đánh giá: Hài lòng (4/5).")).to_be_visible()
    expect(page.get_by_role("radio")).to_have_count(0)
    check()
