"""The main path in real Chromium, each page checked with axe-core: a clerk registers a scanned
incoming document, the leader assigns it, the specialist drafts the reply from the structured
form, the division head approves it, the clerk submits it for signature and, once signed, issues
it to another agency of the instance, whose clerk sees it as incoming; search finds it accent-free."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from egov.documents import services
from egov.documents.models import OutgoingDocument
from tests.documents.conftest import build_world, pdf_bytes, signed_stand_in
from tests.dossiers.browser_support import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_incoming_to_reply_issued_to_another_agency(
    page: Page, live_server: Any, axe_violations: Any
) -> None:
    world = build_world()
    base = live_server.url

    # The clerk registers the paper document with its scan.
    sign_in_as(page, live_server, world.clerk)
    page.goto(base + reverse("documents:incoming_register"))
    assert axe_violations(page) == []
    page.get_by_label("Cơ quan ban hành").fill("Ủy ban nhân dân tỉnh Cà Mau")
    page.get_by_label("Số, ký hiệu").fill("118/KH-UBND")
    page.get_by_label("Ngày văn bản").fill("2026-11-20")
    page.get_by_label("Loại văn bản").select_option(label="Kế hoạch (KH)")
    page.get_by_label("Trích yếu").fill("Kế hoạch chuyển đổi số năm 2027")
    page.get_by_label("Độ khẩn").select_option(label="Khẩn")
    page.get_by_label("Hạn xử lý").fill("2026-12-20")
    page.get_by_label("Bản quét (PDF)").set_input_files(
        files=[{"name": "scan.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Ke hoach 118")}]
    )
    page.get_by_role("button", name="Vào sổ").click()
    expect(page.get_by_role("status")).to_contain_text("Đã vào sổ văn bản đến số 01")
    assert axe_violations(page) == []
    detail_url = page.url
    form = page.get_by_role("form", name="Trình lãnh đạo")
    form.get_by_label("Trình lãnh đạo").select_option(label=world.leader.display_name)
    form.get_by_role("button", name="Trình").click()
    expect(page.get_by_role("status")).to_contain_text("Đã trình lãnh đạo.")

    # The leader assigns the Division as lead with a deadline.
    sign_in_as(page, live_server, world.leader)
    page.goto(base + reverse("documents:home"))
    assert axe_violations(page) == []
    page.goto(detail_url)
    form = page.get_by_role("form", name="Cho ý kiến chỉ đạo, giao xử lý")
    form.get_by_label("Ý kiến chỉ đạo").fill("Giao chuyên viên chủ trì tham mưu trả lời.")
    form.get_by_label("Chủ trì xử lý").select_option(label=world.specialist.display_name)
    form.get_by_label("Hạn xử lý").fill("2026-12-15")
    assert axe_violations(page) == []
    form.get_by_role("button", name="Giao xử lý").click()
    expect(page.get_by_role("status")).to_contain_text("Đã giao xử lý văn bản.")

    # The specialist finds it in their work and drafts the reply from the structured form.
    sign_in_as(page, live_server, world.specialist)
    page.goto(base + reverse("documents:home") + "?tab=to_process")
    expect(page.get_by_role("link", name="118/KH-UBND")).to_be_visible()
    page.goto(base + reverse("documents:outgoing_create"))
    assert axe_violations(page) == []
    page.get_by_label("Loại văn bản").select_option(label="Kế hoạch (KH)")
    page.get_by_label("Trích yếu").fill("Kế hoạch chuyển đổi số của Sở Tư pháp")
    page.get_by_label("Địa danh").fill("Cà Mau")
    page.get_by_label("Tên văn bản").fill("Chuyển đổi số của Sở Tư pháp năm 2027")
    page.get_by_label("Nội dung").fill("Thực hiện Kế hoạch số 118/KH-UBND.\nMục tiêu: số hóa hồ sơ hộ tịch.")
    page.get_by_role("checkbox", name="Sở Nội vụ").check()
    page.get_by_role("button", name="Tạo dự thảo").click()
    expect(page.get_by_role("status")).to_contain_text("Đã tạo dự thảo.")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Trình duyệt nội dung").click()
    draft_url = page.url

    # The division head approves the content; the clerk checks the form and submits for signature.
    sign_in_as(page, live_server, world.head)
    page.goto(draft_url)
    page.get_by_role("button", name="Duyệt nội dung").click()
    expect(page.get_by_role("status")).to_contain_text("Đã duyệt nội dung")
    sign_in_as(page, live_server, world.clerk)
    page.goto(draft_url)
    form = page.get_by_role("form", name="Kiểm tra thể thức và trình ký")
    form.get_by_label("Người ký").select_option(label=world.leader.display_name)
    assert axe_violations(page) == []
    form.get_by_role("button", name="Trình ký").click()
    expect(page.get_by_role("status")).to_contain_text("Đã trình ký.")

    # The signatures app signs (its own tests); here the signed version is recorded as it would be.
    document = OutgoingDocument.objects.get()
    services.record_signed_version(
        document=document, signed_pdf=signed_stand_in(document), signer=world.leader
    )
    page.reload()
    page.get_by_role("button", name="Cấp số và phát hành").click()
    expect(page.get_by_role("status")).to_contain_text("Đã phát hành văn bản số 01/KH-STP")

    # The other agency's clerk sees it as incoming, found by an accent-free search.
    sign_in_as(page, live_server, world.other_clerk)
    page.goto(base + reverse("documents:search") + "?q=ke+hoach+chuyen+doi+so&kind=incoming")
    assert axe_violations(page) == []
    page.get_by_role("link", name="01/KH-STP").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Văn bản đến 01/KH-STP")
