"""The documents screens: scoped by the actor (404 outside), each action one POST, lists bounded in
queries, search with highlighted matches, 20 per page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.models import User
from egov.documents import rules, services
from egov.documents.models import IncomingDocument, OutgoingDocument
from tests.documents.conftest import (
    assigned,
    composed_draft,
    doc_type,
    pdf_bytes,
    register,
    signed_stand_in,
    walk_to_signed,
)
from tests.factories import UserFactory


def signed_in(user: User) -> Client:
    client = Client()
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_a_clerk_registers_a_scan_on_the_form(world):
    client = signed_in(world.clerk)
    response = client.post(
        reverse("documents:incoming_register"),
        {
            "agency": world.agency.pk,
            "issuer_name": "UBND tỉnh Cà Mau",
            "notation": "125/KH-UBND",
            "issued_on": "2026-11-20",
            "document_type": doc_type("ke-hoach").pk,
            "summary": "Kế hoạch chuyển đổi số",
            "urgency": "urgent",
            "secrecy": "none",
            "deadline": "2026-12-10",
            "scan": SimpleUploadedFile("scan.pdf", pdf_bytes("ke hoach"), content_type="application/pdf"),
        },
    )
    document = IncomingDocument.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("documents:incoming_detail", args=[document.pk])
    assert document.urgency == "urgent"
    page = client.get(response.url)
    assert "Kế hoạch chuyển đổi số" in page.content.decode()
    assert client.get(reverse("documents:incoming_file", args=[document.pk])).status_code == 200


def test_a_duplicate_is_shown_to_the_clerk_who_may_confirm(world):
    register(world)
    client = signed_in(world.clerk)
    data = {
        "agency": world.agency.pk,
        "issuer_name": "Ủy ban nhân dân tỉnh Cà Mau",
        "notation": "125/KH-UBND",
        "issued_on": "2026-11-20",
        "document_type": doc_type("ke-hoach").pk,
        "summary": "x",
        "urgency": "normal",
        "secrecy": "none",
    }
    response = client.post(reverse("documents:incoming_register"), data)
    assert response.status_code == 200
    assert "Có thể trùng văn bản đã vào sổ" in response.content.decode()
    response = client.post(reverse("documents:incoming_register"), {**data, "acknowledge_duplicate": "on"})
    assert response.status_code == 302
    assert IncomingDocument.objects.count() == 2


def test_a_specialist_cannot_open_the_register_form(world):
    assert signed_in(world.specialist).get(reverse("documents:incoming_register")).status_code == 403


def test_the_leader_instructs_on_the_page(world):
    document = register(world)
    services.submit_to_leader(clerk=world.clerk, document=document, leader=world.leader)
    client = signed_in(world.leader)
    page = client.get(reverse("documents:incoming_detail", args=[document.pk]))
    assert "Giao xử lý" in page.content.decode()
    response = client.post(
        reverse("documents:incoming_instruct", args=[document.pk]),
        {
            "instruction": "Phòng HCTP chủ trì",
            "lead": f"d:{world.division.pk}",
            "cooperate": [f"u:{world.colleague.pk}"],
            "deadline": "2026-12-10",
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == rules.IncomingStatus.ASSIGNED


def test_documents_of_another_agency_and_unassigned_ones_answer_not_found(world):
    document = register(world)
    assert (
        signed_in(world.outsider).get(reverse("documents:incoming_detail", args=[document.pk])).status_code
        == 404
    )
    assert (
        signed_in(world.specialist).get(reverse("documents:incoming_detail", args=[document.pk])).status_code
        == 404
    )
    assert (
        signed_in(world.clerk).get(reverse("documents:incoming_detail", args=[document.pk])).status_code
        == 200
    )


def test_a_secret_document_is_seen_only_by_people_named_on_it(world):
    document = register(world, secrecy=rules.Secrecy.SECRET, notation="01/M")
    services.submit_to_leader(clerk=world.clerk, document=document, leader=world.leader)
    services.instruct(
        leader=world.leader,
        document=document,
        instruction="x",
        assignments=[services.AssignmentData(role="lead", assignee=world.specialist)],
    )
    url = reverse("documents:incoming_detail", args=[document.pk])
    assert signed_in(world.specialist).get(url).status_code == 200
    assert signed_in(world.colleague).get(url).status_code == 404
    assert signed_in(world.deputy).get(url).status_code == 404
    assert signed_in(world.head).get(url).status_code == 404


def test_citizens_are_refused(world):
    client = Client()
    client.force_login(UserFactory())
    assert client.get(reverse("documents:home")).status_code == 403


def test_a_specialist_processes_and_completes_on_the_page(world):
    document = assigned(world)
    client = signed_in(world.specialist)
    response = client.post(
        reverse("documents:incoming_opinion", args=[document.pk]), {"text": "Đã dự thảo trả lời."}
    )
    assert response.status_code == 302
    response = client.post(reverse("documents:incoming_complete", args=[document.pk]), {"note": "Xong"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == rules.IncomingStatus.COMPLETED


def test_my_work_lists_have_counts_and_bounded_queries(world, django_assert_max_num_queries: Any):
    for n in range(25):
        assigned(world, notation=f"{n + 1}/KH-UBND")
    client = signed_in(world.specialist)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("documents:home") + "?tab=to_process")
    body = response.content.decode()
    assert 'Văn bản cần xử lý <span class="count">25</span>' in body
    assert len(re.findall(r'href="/van-ban/den/\d+/"', body)) == 20  # 20 per page


def test_search_finds_accent_free_words_and_highlights_them(world, django_assert_max_num_queries: Any):
    register(world, summary="Kế hoạch chuyển đổi số năm 2027")
    register(world, notation="2/BC-UBND", summary="Báo cáo đầu tư công", document_type=doc_type("bao-cao"))
    client = signed_in(world.clerk)
    with django_assert_max_num_queries(15):
        response = client.get(
            reverse("documents:search"), {"q": "ke hoach chuyen doi so", "kind": "incoming"}
        )
    body = response.content.decode()
    assert "<mark>Kế</mark> <mark>hoạch</mark> <mark>chuyển</mark> <mark>đổi</mark> <mark>số</mark>" in body
    assert "Báo cáo đầu tư công" not in body
    relevance = client.get(reverse("documents:search"), {"q": "dau tu", "order": "relevance"})
    assert "<mark>đầu</mark> <mark>tư</mark>" in relevance.content.decode()


def test_the_outgoing_path_on_screens_from_draft_to_issue(world):
    drafter = signed_in(world.specialist)
    response = drafter.post(
        reverse("documents:outgoing_create"),
        {
            "division": world.division.pk,
            "document_type": doc_type("cong-van").pk,
            "summary": "Trả lời kế hoạch chuyển đổi số",
            "mode": "compose",
            "place": "Cà Mau",
            "addressees": "Sở Nội vụ",
            "body": "Sở Tư pháp thống nhất.",
            "recipient_agencies": [world.other.pk],
            "external_recipients": "Bộ Tư pháp",
            "urgency": "normal",
        },
    )
    document = OutgoingDocument.objects.get()
    assert response.status_code == 302
    assert drafter.post(reverse("documents:outgoing_action", args=[document.pk, "submit"])).status_code == 302
    head = signed_in(world.head)
    assert (
        head.post(
            reverse("documents:outgoing_action", args=[document.pk, "approve"]), {"comment": ""}
        ).status_code
        == 302
    )
    clerk = signed_in(world.clerk)
    clerk.post(
        reverse("documents:outgoing_action", args=[document.pk, "to-signer"]), {"signer": world.leader.pk}
    )
    document.refresh_from_db()
    assert document.status == rules.OutgoingStatus.AWAITING_SIGNATURE
    services.record_signed_version(
        document=document, signed_pdf=signed_stand_in(document), signer=world.leader
    )
    clerk.post(reverse("documents:outgoing_action", args=[document.pk, "issue"]))
    document.refresh_from_db()
    assert document.notation == "01/STP-HCTP"
    page = clerk.get(reverse("documents:outgoing_detail", args=[document.pk]))
    assert "đã nhận, số đến 01" in page.content.decode()
    other_clerk = signed_in(world.other_clerk)
    incoming = IncomingDocument.objects.get(agency=world.other)
    assert other_clerk.get(reverse("documents:incoming_detail", args=[incoming.pk])).status_code == 200


def test_a_refused_move_shows_the_reason(world):
    document = walk_to_signed(world, composed_draft(world))
    client = signed_in(world.specialist)
    response = client.post(reverse("documents:outgoing_action", args=[document.pk, "submit"]), follow=True)
    assert "Không thể chuyển văn bản" in response.content.decode()


def test_the_division_head_reassigns_on_the_page(world):
    assigned(world)
    client = signed_in(world.head)
    response = client.post(
        reverse("documents:reassign"), {"absent": world.specialist.pk, "to": world.colleague.pk}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("name", ["documents:home", "documents:search", "documents:outgoing_create"])
def test_pages_render_for_a_specialist(world, name):
    assert signed_in(world.specialist).get(reverse(name)).status_code == 200


def test_registers_on_screen_and_as_excel_in_decree_30_order(world, django_assert_max_num_queries: Any):
    from io import BytesIO

    from openpyxl import load_workbook

    for n in range(3):
        assigned(world, notation=f"{n + 1}/KH-UBND", summary="=HYPERLINK(1)" if n == 0 else "Kế hoạch")
    document = IncomingDocument.objects.order_by("pk").first()
    client = signed_in(world.clerk)
    url = reverse("documents:register", args=[document.register_id, document.year])
    with django_assert_max_num_queries(20):
        page = client.get(url)
    assert "Số đến" in page.content.decode()
    book = load_workbook(BytesIO(client.get(url + "?xlsx=1").content))
    sheet = book.active
    assert [c.value for c in sheet[2]][:4] == ["Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu"]
    assert sheet["B3"].value == "01"
    assert sheet["G3"].value == world.specialist.display_name
    assert sheet["F3"].data_type != "f"
    assert signed_in(world.specialist).get(url).status_code == 404


def test_search_counts_only_up_to_the_limit_and_says_so(world, monkeypatch):
    from egov.documents import selectors

    monkeypatch.setattr(selectors, "COUNT_LIMIT", 3)
    for n in range(5):
        register(world, notation=f"{n + 1}/KH-UBND")
    response = signed_in(world.clerk).get(reverse("documents:search"), {"q": "ke hoach"})
    assert "Hơn 3 văn bản" in response.content.decode()
    assert selectors.bounded_count(IncomingDocument.objects.all()) == 4


def test_the_specialist_drafts_a_reply_prefilled_from_the_incoming_page(world):
    document = assigned(world, issuer_name="Sở Nội vụ", issuer_agency=world.other)
    client = signed_in(world.specialist)
    page = client.get(reverse("documents:incoming_detail", args=[document.pk])).content.decode()
    assert f"?reply_to={document.pk}" in page
    form = client.get(reverse("documents:outgoing_create") + f"?reply_to={document.pk}").content.decode()
    assert "Trả lời văn bản số 125/KH-UBND" in form
    assert signed_in(world.outsider).get(
        reverse("documents:outgoing_create") + f"?reply_to={document.pk}"
    ).status_code in (403, 404)


def test_search_filters_by_the_person_assigned(world):
    assigned(world, notation="1/KH-UBND")
    register(world, notation="2/KH-UBND")
    response = signed_in(world.clerk).get(reverse("documents:search"), {"person": world.specialist.pk})
    body = response.content.decode()
    assert "1/KH-UBND" in body and "2/KH-UBND" not in body


def test_the_clerks_home_links_the_registers_of_the_year(world):
    register(world)
    body = signed_in(world.clerk).get(reverse("documents:home")).content.decode()
    assert "Sổ văn bản đến" in body and "/van-ban/so/" in body


def test_the_clerk_records_a_secret_paper_document_on_its_form(world):
    client = signed_in(world.clerk)
    response = client.post(
        reverse("documents:outgoing_secret"),
        {
            "division": world.division.pk,
            "document_type": doc_type("cong-van").pk,
            "summary": "Về bảo vệ bí mật nhà nước",
            "secrecy": "secret",
            "signer": world.leader.pk,
            "recipient_agencies": [world.other.pk],
        },
    )
    assert response.status_code == 302
    document = OutgoingDocument.objects.get()
    assert (document.notation, document.register.is_secret) == ("01/STP-HCTP", True)
    assert signed_in(world.specialist).get(reverse("documents:outgoing_secret")).status_code == 403
