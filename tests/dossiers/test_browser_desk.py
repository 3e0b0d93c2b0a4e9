"""The desk reception journey in real Chromium, each page checked with axe-core."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import formats
from playwright.sync_api import Page, expect

from egov.core import calendar, clock
from egov.dossiers.models import Dossier
from tests.dossiers.browser_support import downloaded_pdf_text, printed_appointment
from tests.dossiers.conftest import APPLICANT_ID, VN, World
from tests.dossiers.test_views_desk import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECEIVED = datetime(2027, 1, 29, 10, 0, tzinfo=VN)  # the Friday before Tết 2027 (04–10/02)


def test_an_officer_receives_a_dossier_whose_appointment_skips_tet_and_prints_the_receipt(
    page: Page, live_server, axe_violations, world: World, tmp_path
):
    world.procedure.processing_amount = 15
    world.procedure.save(update_fields=["processing_amount"])
    client = signed_in(Client(), world.desk)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )

    def check() -> None:
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        assert axe_violations(page) == []

    with clock.frozen_everywhere(RECEIVED):
        expected_due = calendar.add_working_time(
            RECEIVED, calendar.ProcessingTime.working_days(15), cal=calendar.current()
        )
        page.goto(live_server.url + "/dossiers/quay/tiep-nhan/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Tiếp nhận hồ sơ")
        check()
        page.get_by_label("Thủ tục hành chính").select_option(
            label="Cấp phiếu lý lịch tư pháp (1.001193) — Sở Tư pháp Thử"
        )
        page.get_by_role("button", name="Tiếp tục").click()
        expect(page.get_by_text("15 ngày làm việc")).to_be_visible()
        check()

        page.get_by_label("Họ tên người nộp hoặc tên tổ chức").fill("Phạm Thị Tết")
        page.get_by_label("Số định danh cá nhân (cá nhân)").fill("12345")  # a typo first
        page.get_by_label("Số điện thoại").fill("0912345678")
        page.get_by_label("Mục đích sử dụng").fill("Xin việc")
        page.get_by_label("Tờ khai (Bản chính, 1 bản)").check()
        page.get_by_label("Tiếp nhận hồ sơ (in Giấy tiếp nhận và hẹn trả kết quả)").check()
        page.get_by_role("button", name="Hoàn tất").click()
        expect(page.get_by_role("alert")).to_contain_text("12 chữ số")
        expect(page.get_by_label("Họ tên người nộp hoặc tên tổ chức")).to_have_value("Phạm Thị Tết")
        check()

        page.get_by_label("Số định danh cá nhân (cá nhân)").fill(APPLICANT_ID)
        page.get_by_label("Tờ khai (Bản chính, 1 bản)").check()
        page.get_by_label("Tiếp nhận hồ sơ (in Giấy tiếp nhận và hẹn trả kết quả)").check()
        page.get_by_role("button", name="Hoàn tất").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Đã tiếp nhận hồ sơ")
        check()

    dossier = Dossier.objects.get()
    assert dossier.received_at == RECEIVED and dossier.due_at == expected_due
    assert expected_due.astimezone(VN).date() > datetime(2027, 2, 10).date()  # Tết was skipped
    due_text = formats.date_format(expected_due.astimezone(VN), "H:i d/m/Y")
    expect(page.get_by_role("main")).to_contain_text(dossier.code)
    expect(page.get_by_role("main")).to_contain_text(due_text)

    link = page.get_by_role("link", name="In phiếu (mẫu 01, PDF)")
    printed = downloaded_pdf_text(page, live_server.url + link.get_attribute("href"), tmp_path)
    assert dossier.code in printed
    assert printed_appointment(expected_due) in printed
