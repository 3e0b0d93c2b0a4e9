"""A dossier walked from accepted to returned in real Chromium by the officials who handle it,
each page checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from egov.dossiers.models import Dossier
from egov.dossiers.rules import Status
from tests.core.test_files import pdf_bytes
from tests.dossiers.browser_support import open_action, sign_in_as
from tests.dossiers.conftest import build_world, dossier_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_dossier_goes_from_accepted_to_returned(page: Page, live_server: Any, axe_violations: Any) -> None:
    world = build_world()
    dossier = dossier_in(world, Status.ACCEPTED, True)
    url = live_server.url + reverse("dossiers:detail", args=[dossier.pk])

    def check(status: str) -> None:
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ {dossier.code}")
        expect(page.get_by_role("definition").filter(has_text=status).first).to_be_visible()
        assert axe_violations(page) == []

    # The specialist takes the accepted dossier into their inbox.
    sign_in_as(page, live_server, world.specialist)
    page.goto(url)
    check("Đã tiếp nhận")
    open_action(page, "Nhận xử lý").get_by_role("button", name="Nhận xử lý").click()
    expect(page.get_by_role("status")).to_contain_text("Đã nhận hồ sơ vào hộp việc của bạn.")
    check("Đang giải quyết")

    # … and hands it to the division head for review, with a note.
    form = open_action(page, "Chuyển xử lý")
    form.get_by_label("Bước xử lý").select_option(label="1. Thẩm định")
    form.get_by_label("Người nhận").select_option(label=world.head.display_name)
    form.get_by_label("Ý kiến, ghi chú khi chuyển").fill("Hồ sơ đủ điều kiện, đề nghị xem xét.")
    assert axe_violations(page) == []
    form.get_by_role("button", name="Chuyển xử lý").click()
    expect(page.get_by_role("status")).to_contain_text(world.head.display_name)
    check("Đang giải quyết")

    # The division head passes it to the leader for approval.
    sign_in_as(page, live_server, world.head)
    page.goto(url)
    check("Đang giải quyết")
    form = open_action(page, "Chuyển xử lý")
    form.get_by_label("Bước xử lý").select_option(label="2. Phê duyệt")
    form.get_by_label("Người nhận").select_option(label=world.leader.display_name)
    form.get_by_role("button", name="Chuyển xử lý").click()
    expect(page.get_by_role("status")).to_contain_text(world.leader.display_name)

    # The leader approves with the result file.
    sign_in_as(page, live_server, world.leader)
    page.goto(url)
    check("Đang giải quyết")
    form = open_action(page, "Phê duyệt kết quả")
    form.get_by_label("Tệp kết quả giải quyết (PDF)").set_input_files(
        files=[{"name": "ket-qua.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    form.get_by_label("Ý kiến phê duyệt").fill("Đồng ý.")
    assert axe_violations(page) == []
    form.get_by_role("button", name="Phê duyệt kết quả").click()
    expect(page.get_by_role("status")).to_contain_text("Đã phê duyệt kết quả")
    check("Đã giải quyết xong")

    # The desk officer returns it to the applicant at the counter.
    sign_in_as(page, live_server, world.desk)
    page.goto(url)
    check("Đã giải quyết xong")
    form = open_action(page, "Trả kết quả")
    form.get_by_label("Hình thức trả kết quả").select_option(label="Trả trực tiếp tại bộ phận một cửa")
    form.get_by_label("Họ tên người nhận kết quả").fill("Nguyễn Thị Nộp")
    form.get_by_role("button", name="Trả kết quả").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận trả kết quả.")
    check("Đã trả kết quả")
    expect(page.get_by_role("table", name="Các lần bàn giao hồ sơ")).to_contain_text("Thẩm định")

    # On a 360-px phone the page scrolls down, never sideways (wide tables scroll in their box).
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.status == Status.RETURNED
    assert dossier.handovers.count() == 3
