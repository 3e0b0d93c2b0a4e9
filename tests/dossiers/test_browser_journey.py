"""The one-stop shop's whole "done when" journey in one browser session, on dates set through the
clock: reception before Tết (with a mistyped ID number first), the receipt, the hand-overs, the
leader's approval, the return, and the citizen's lookup by code and by QR. Every page is checked
with axe-core; the desk and processing screens have no separate browser walk (this one covers
them), only their view tests."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import formats
from playwright.sync_api import Page, expect

from egov.core import calendar, clock
from egov.dossiers.models import Dossier
from egov.dossiers.rules import Status
from tests.core.test_files import pdf_bytes
from tests.dossiers.browser_support import downloaded_pdf_text, open_action, printed_appointment, sign_in_as
from tests.dossiers.conftest import APPLICANT_ID, APPLICANT_PHONE, VN, build_world
from tests.dossiers.test_browser_public import SECOND_FACTOR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECEIVED = datetime(2027, 1, 29, 10, 0, tzinfo=VN)  # the Friday before Tết 2027 (04–10/02)
TAKEN = datetime(2027, 2, 1, 8, 30, tzinfo=VN)
TO_HEAD = datetime(2027, 2, 1, 15, 0, tzinfo=VN)
TO_LEADER = datetime(2027, 2, 2, 9, 15, tzinfo=VN)
APPROVED = datetime(2027, 2, 3, 10, 45, tzinfo=VN)
RETURNED = datetime(2027, 2, 11, 8, 0, tzinfo=VN)  # the first working day after Tết
LOOKED_UP = datetime(2027, 2, 11, 19, 30, tzinfo=VN)


def shown(instant: datetime) -> str:
    return formats.date_format(instant.astimezone(VN), "d/m/Y H:i")


def test_a_dossier_goes_from_the_desk_before_tet_to_the_citizens_lookup(
    page: Page, new_context: Any, live_server: Any, axe_violations: Any, tmp_path: Path
) -> None:
    cache.clear()  # lookup throttling and submission keys live in the cache
    world = build_world()
    world.procedure.processing_amount = 15
    world.procedure.save(update_fields=["processing_amount"])

    def check(on: Page = page) -> None:
        expect(on.get_by_role("heading", level=1)).to_have_count(1)
        assert axe_violations(on) == []

    with ExitStack() as frozen:
        # Each step moves the clock on, stacked on the instants before it.
        frozen.enter_context(clock.frozen_everywhere(RECEIVED))
        cal = calendar.current()
        assert not any(cal.is_working_day(date(2027, 2, day)) for day in range(4, 11))  # Tết 2027
        expected_due = calendar.add_working_time(RECEIVED, calendar.ProcessingTime.working_days(15), cal=cal)

        # The one-stop officer receives the dossier at the counter.
        sign_in_as(page, live_server, world.desk)
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
        page.get_by_label("Số điện thoại").fill(APPLICANT_PHONE)
        page.get_by_label("Mục đích sử dụng").fill("Xin việc")
        page.get_by_label("Tờ khai (Bản chính, 1 bản)").check()
        page.get_by_label("Tiếp nhận hồ sơ (in Giấy tiếp nhận và hẹn trả kết quả)").check()
        page.get_by_role("button", name="Hoàn tất").click()
        # The error is named and nothing typed is lost.
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
        assert dossier.applicant.phone == APPLICANT_PHONE
        assert expected_due.astimezone(VN).date() > date(2027, 2, 10)  # Tết was skipped
        expect(page.get_by_role("main")).to_contain_text(dossier.code)
        expect(page.get_by_role("main")).to_contain_text(
            formats.date_format(expected_due.astimezone(VN), "H:i d/m/Y")
        )

        # The receipt (form 01) prints the same appointment.
        link = page.get_by_role("link", name="In phiếu (mẫu 01, PDF)")
        printed = downloaded_pdf_text(page, live_server.url + link.get_attribute("href"), tmp_path)
        assert dossier.code in printed
        assert printed_appointment(expected_due) in printed

        url = live_server.url + reverse("dossiers:detail", args=[dossier.pk])

        def check_detail(status: str) -> None:
            expect(page.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ {dossier.code}")
            expect(page.get_by_role("definition").filter(has_text=status).first).to_be_visible()
            assert axe_violations(page) == []

        # The specialist takes it into their inbox on Monday…
        frozen.enter_context(clock.frozen_everywhere(TAKEN))
        sign_in_as(page, live_server, world.specialist)
        page.goto(url)
        check_detail("Đã tiếp nhận")
        open_action(page, "Nhận xử lý").get_by_role("button", name="Nhận xử lý").click()
        expect(page.get_by_role("status")).to_contain_text("Đã nhận hồ sơ vào hộp việc của bạn.")
        check_detail("Đang giải quyết")

        # … and hands it to the division head in the afternoon.
        frozen.enter_context(clock.frozen_everywhere(TO_HEAD))
        form = open_action(page, "Chuyển xử lý")
        form.get_by_label("Bước xử lý").select_option(label="1. Thẩm định")
        form.get_by_label("Người nhận").select_option(label=world.head.display_name)
        form.get_by_label("Ý kiến, ghi chú khi chuyển").fill("Hồ sơ đủ điều kiện, đề nghị xem xét.")
        assert axe_violations(page) == []
        form.get_by_role("button", name="Chuyển xử lý").click()
        expect(page.get_by_role("status")).to_contain_text(world.head.display_name)
        check_detail("Đang giải quyết")

        # The division head passes it to the leader the next morning.
        frozen.enter_context(clock.frozen_everywhere(TO_LEADER))
        sign_in_as(page, live_server, world.head)
        page.goto(url)
        check_detail("Đang giải quyết")
        form = open_action(page, "Chuyển xử lý")
        form.get_by_label("Bước xử lý").select_option(label="2. Phê duyệt")
        form.get_by_label("Người nhận").select_option(label=world.leader.display_name)
        form.get_by_role("button", name="Chuyển xử lý").click()
        expect(page.get_by_role("status")).to_contain_text(world.leader.display_name)
        check_detail("Đang giải quyết")

        # The leader approves with the result, the day before Tết.
        frozen.enter_context(clock.frozen_everywhere(APPROVED))
        sign_in_as(page, live_server, world.leader)
        page.goto(url)
        check_detail("Đang giải quyết")
        form = open_action(page, "Phê duyệt kết quả")
        form.get_by_label("Tệp kết quả giải quyết (PDF)").set_input_files(
            files=[{"name": "ket-qua.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
        )
        form.get_by_label("Ý kiến phê duyệt").fill("Đồng ý.")
        assert axe_violations(page) == []
        form.get_by_role("button", name="Phê duyệt kết quả").click()
        expect(page.get_by_role("status")).to_contain_text("Đã phê duyệt kết quả")
        check_detail("Đã giải quyết xong")

        # The desk returns the result on the first working day after Tết.
        frozen.enter_context(clock.frozen_everywhere(RETURNED))
        sign_in_as(page, live_server, world.desk)
        page.goto(url)
        check_detail("Đã giải quyết xong")
        form = open_action(page, "Trả kết quả")
        form.get_by_label("Hình thức trả kết quả").select_option(label="Trả trực tiếp tại bộ phận một cửa")
        form.get_by_label("Họ tên người nhận kết quả").fill("Phạm Thị Tết")
        form.get_by_role("button", name="Trả kết quả").click()
        expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận trả kết quả.")
        check_detail("Đã trả kết quả")
        expect(page.get_by_role("table", name="Các lần bàn giao hồ sơ")).to_contain_text("Phê duyệt")

        # On a 360-px phone the page scrolls down, never sideways (wide tables scroll in their box).
        page.set_viewport_size({"width": 360, "height": 740})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.set_viewport_size({"width": 1280, "height": 720})

    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.status == Status.RETURNED
    handovers = list(dossier.handovers.order_by("handed_at", "pk"))
    assert [h.handed_at for h in handovers] == [TAKEN, TO_HEAD, TO_LEADER]
    assert [h.step_name for h in handovers] == ["Thẩm định", "Thẩm định", "Phê duyệt"]

    # An anonymous citizen, in a browser of their own, finds every step by code and by QR.
    citizen = new_context().new_page()
    with clock.frozen_everywhere(LOOKED_UP):

        def check_tracking() -> None:
            expect(citizen.get_by_role("heading", level=1)).to_have_text("Tình trạng hồ sơ")
            expect(citizen.get_by_text(dossier.code)).to_be_visible()
            expect(citizen.get_by_text("Đã trả kết quả", exact=True)).to_be_visible()
            history = citizen.get_by_role("listitem").filter(has_text="Đã trả kết quả")
            expect(history).to_contain_text(shown(RETURNED))
            steps = citizen.get_by_role("listitem").filter(has=citizen.get_by_role("heading", level=3))
            expect(steps).to_have_count(len(handovers))
            for step, handover in zip(steps.all(), handovers, strict=True):
                expect(step).to_contain_text(shown(handover.handed_at))
                expect(step).to_contain_text(handover.step_name)
                if handover.completed_at:
                    expect(step).to_contain_text(shown(handover.completed_at))
            check(citizen)

        citizen.goto(live_server.url + "/tra-cuu/")
        check(citizen)
        citizen.get_by_label("Mã hồ sơ").fill(dossier.code)
        citizen.get_by_label(SECOND_FACTOR).fill(APPLICANT_PHONE[-4:])
        citizen.get_by_role("button", name="Tra cứu").click()
        check_tracking()

        citizen.goto(live_server.url + reverse("lookup:qr", args=[dossier.tracking_token]))
        check_tracking()
