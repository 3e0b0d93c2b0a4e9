"""The dossier's page for officials and its actions, through the test client."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.models import User
from egov.core import clock
from egov.dossiers import services
from egov.dossiers.models import Dossier, Handover, HandoverAttachment
from egov.dossiers.rules import Status
from tests.core.test_files import image_bytes, pdf_bytes
from tests.dossiers.conftest import World, dossier_in, local, record
from tests.dossiers.test_printing import flat, pdf_text

pytestmark = pytest.mark.django_db

PDF = pdf_bytes()
QUERIES = 18  # session, user, device, scope, dossier, its history lists (attachments too), the pickers
NOW = local(2026, 3, 9, 9, 0)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with clock.frozen(NOW):
        yield


def signed_in(user: User) -> Client:
    """A client past the password and the second factor, as the official's browser would be."""
    client = Client()
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def detail(dossier: Dossier) -> str:
    return reverse("dossiers:detail", args=[dossier.pk])


def act(dossier: Dossier, action: str) -> str:
    return reverse("dossiers:act", args=[dossier.pk, action])


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def state_of(client: Client, dossier: Dossier, action: str) -> str:
    """The hidden fingerprint the page gives the action's form."""
    form = client.get(detail(dossier)).context["actions"]
    return next(item["form"]["state"].value() for item in form if item["action"].slug == action)


# --- the page ---------------------------------------------------------------------------------


def test_the_page_shows_summary_answers_documents_and_timeline(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    html = signed_in(world.specialist).get(detail(dossier)).content.decode()
    assert dossier.code in html and "Cấp phiếu lý lịch tư pháp" in html and "Nguyễn Thị Nộp" in html
    assert "Đang giải quyết" in html
    assert "Mục đích sử dụng" in html and "Xin việc" in html  # the declaration's answers, labelled
    assert "Tờ khai" in html and "Giấy ủy quyền" in html  # documents
    assert "Thẩm định" in html and "Đang xử lý" in html  # the open control slip row
    assert fresh(dossier).due_at.astimezone(local(2026, 1, 1).tzinfo).strftime("%d/%m/%Y %H:%M") in html


def test_a_specialist_sees_only_the_actions_a_specialist_may_take(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    response = signed_in(world.specialist).get(detail(dossier))
    slugs = {item["action"].slug for item in response.context["actions"]}
    assert {"chuyen-xu-ly", "yeu-cau-bo-sung", "nghia-vu-tai-chinh"} <= slugs
    assert not slugs & {"phe-duyet", "dung", "xin-loi", "rut-ho-so", "tra-ket-qua"}


def test_a_leader_sees_approve_stop_and_apology(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    slugs = {item["action"].slug for item in signed_in(world.leader).get(detail(dossier)).context["actions"]}
    assert {"phe-duyet", "dung", "xin-loi", "chuyen-xu-ly"} <= slugs
    assert "nghia-vu-tai-chinh" not in slugs


def test_a_late_dossier_carries_the_late_badge(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    with clock.frozen(NOW + timedelta(days=20)):
        response = signed_in(world.specialist).get(detail(dossier))
    assert response.context["lateness"]["kind"] == "late"
    assert "Quá hạn" in response.content.decode()


def test_the_page_is_read_in_a_fixed_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    client = signed_in(world.leader)
    client.get(detail(dossier))  # warm the working calendar's cache
    with django_assert_num_queries(QUERIES):
        assert client.get(detail(dossier)).status_code == 200
    for _ in range(3):  # more history must not mean more queries
        services.hand_over(
            dossier=dossier, officer=world.specialist, to_step=world.steps[0], to_user=world.head
        )
    with django_assert_num_queries(QUERIES):
        assert client.get(detail(dossier)).status_code == 200


def test_another_agencys_official_gets_not_found(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    client = signed_in(world.outsider)
    assert client.get(detail(dossier)).status_code == 404
    assert client.post(act(dossier, "dung"), {"dung-reason": "x"}).status_code == 404
    assert client.get(reverse("dossiers:control_slip", args=[dossier.pk])).status_code == 404
    assert fresh(dossier).status == Status.IN_PROGRESS


def test_citizens_are_refused(world: World) -> None:
    from tests.factories import UserFactory

    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    client = Client()
    client.force_login(UserFactory())
    assert client.get(detail(dossier)).status_code == 403


# --- actions -------------------------------------------------------------------------------------


def test_a_specialist_takes_an_accepted_dossier_into_their_inbox(world: World) -> None:
    dossier = dossier_in(world, Status.ACCEPTED, True)
    client = signed_in(world.specialist)
    response = client.post(
        act(dossier, "nhan-xu-ly"), {"nhan-xu-ly-state": state_of(client, dossier, "nhan-xu-ly")}
    )
    assert response.status_code == 302
    dossier = fresh(dossier)
    assert dossier.status == Status.IN_PROGRESS and dossier.current_assignee == world.specialist
    assert "Đã nhận hồ sơ" in client.get(detail(dossier)).content.decode()


def test_a_double_submit_is_harmless(world: World) -> None:
    dossier = dossier_in(world, Status.ACCEPTED, True)
    client = signed_in(world.specialist)
    data = {"nhan-xu-ly-state": state_of(client, dossier, "nhan-xu-ly")}
    client.post(act(dossier, "nhan-xu-ly"), data)
    second = client.post(act(dossier, "nhan-xu-ly"), data, follow=True)
    assert second.status_code == 200
    assert "bấm hai lần" in second.content.decode()
    assert Handover.objects.filter(dossier=dossier).count() == 1


def test_a_repeated_move_without_the_fingerprint_gets_a_clear_message(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    client = signed_in(world.leader)
    assert client.post(act(dossier, "dung"), {"dung-reason": "Có tranh chấp"}).status_code == 302
    again = client.post(act(dossier, "dung"), {"dung-reason": "Có tranh chấp"})
    assert again.status_code == 409
    assert "Không thể chuyển hồ sơ" in again.content.decode()
    assert fresh(dossier).status == Status.STOPPED


def test_the_specialist_hands_over_to_the_division_head_then_to_the_leader(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    client = signed_in(world.specialist)
    response = client.post(
        act(dossier, "chuyen-xu-ly"),
        {
            "chuyen-xu-ly-step": world.steps[0].pk,
            "chuyen-xu-ly-to_user": world.head.pk,
            "chuyen-xu-ly-note": "Đủ điều kiện",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert fresh(dossier).current_assignee == world.head
    head = signed_in(world.head)
    response = head.post(
        act(dossier, "chuyen-xu-ly"),
        {
            "chuyen-xu-ly-step": world.steps[1].pk,
            "chuyen-xu-ly-to_user": world.leader.pk,
            "chuyen-xu-ly-note": "",
        },
    )
    assert response.status_code == 302
    dossier = fresh(dossier)
    assert dossier.current_assignee == world.leader and dossier.current_step == world.steps[1]


def test_a_hand_over_to_someone_without_the_right_keeps_what_was_typed(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    client = signed_in(world.specialist)
    response = client.post(
        act(dossier, "chuyen-xu-ly"),
        {
            "chuyen-xu-ly-step": world.steps[0].pk,
            "chuyen-xu-ly-to_user": world.desk.pk,
            "chuyen-xu-ly-note": "Ghi chú dài",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ghi chú dài" in html and "Có lỗi cần sửa" in html


def test_a_desk_officer_cannot_stop_a_dossier(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    response = signed_in(world.desk).post(act(dossier, "dung"), {"dung-reason": "Lý do"})
    assert response.status_code == 403
    assert "không có quyền" in response.content.decode()
    assert fresh(dossier).status == Status.IN_PROGRESS


def test_a_specialist_cannot_approve(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    upload = SimpleUploadedFile("ket-qua.pdf", PDF, content_type="application/pdf")
    response = signed_in(world.specialist).post(act(dossier, "phe-duyet"), {"phe-duyet-result_file": upload})
    assert response.status_code == 403
    assert fresh(dossier).status == Status.IN_PROGRESS


def test_stop_without_a_reason_is_refused_in_vietnamese(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    response = signed_in(world.leader).post(act(dossier, "dung"), {"dung-reason": ""})
    assert response.status_code == 400
    assert "Trường này là bắt buộc" in response.content.decode() or "bắt buộc" in response.content.decode()


def test_pauses_and_resumptions(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    specialist, leader = signed_in(world.specialist), signed_in(world.leader)
    specialist.post(act(dossier, "nghia-vu-tai-chinh"), {"nghia-vu-tai-chinh-note": "Lệ phí 200.000 đ"})
    assert fresh(dossier).status == Status.OBLIGATION_REQUESTED
    specialist.post(act(dossier, "da-thuc-hien-nghia-vu"), {"da-thuc-hien-nghia-vu-note": ""})
    assert fresh(dossier).status == Status.IN_PROGRESS
    leader.post(act(dossier, "dung"), {"dung-reason": "Có tranh chấp"})
    assert fresh(dossier).status == Status.STOPPED
    leader.post(act(dossier, "tiep-tuc"), {"tiep-tuc-note": ""})
    assert fresh(dossier).status == Status.IN_PROGRESS
    response = specialist.post(
        act(dossier, "yeu-cau-bo-sung"),
        {"yeu-cau-bo-sung-reason": "Thiếu giấy", "yeu-cau-bo-sung-missing": "Bản sao căn cước\n\nSổ hộ khẩu"},
    )
    assert response.status_code == 302
    assert fresh(dossier).status == Status.SUPPLEMENT_REQUESTED


def test_an_obligation_with_an_amount_opens_an_online_fee_order_and_a_bad_amount_is_named(
    world: World,
) -> None:
    from egov.dossiers.services.fees import PURPOSE_OBLIGATION, dossier_orders

    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    specialist = signed_in(world.specialist)
    note = {"nghia-vu-tai-chinh-note": "Lệ phí trước bạ"}
    response = specialist.post(act(dossier, "nghia-vu-tai-chinh"), note | {"nghia-vu-tai-chinh-amount": "-5"})
    assert response.status_code == 400 and "lớn hơn 0 đồng" in response.content.decode()
    assert fresh(dossier).status == Status.IN_PROGRESS and not dossier_orders(dossier)
    specialist.post(act(dossier, "nghia-vu-tai-chinh"), note | {"nghia-vu-tai-chinh-amount": "500000"})
    assert fresh(dossier).status == Status.OBLIGATION_REQUESTED
    [order] = dossier_orders(dossier)
    assert (order.amount, order.purpose, order.description) == (
        500_000,
        PURPOSE_OBLIGATION,
        "Lệ phí trước bạ",
    )


def test_the_leader_approves_with_a_pdf_and_the_desk_returns_it(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    upload = SimpleUploadedFile("ket-qua.pdf", PDF, content_type="application/pdf")
    response = signed_in(world.leader).post(act(dossier, "phe-duyet"), {"phe-duyet-result_file": upload})
    assert response.status_code == 302, response.content.decode()
    assert fresh(dossier).status == Status.FINISHED
    desk = signed_in(world.desk)
    refused = desk.post(
        act(dossier, "tra-ket-qua"), {"tra-ket-qua-delivery": "desk", "tra-ket-qua-returned_to": ""}
    )
    assert refused.status_code == 400 and "Hãy ghi họ tên người nhận kết quả." in refused.content.decode()
    desk.post(
        act(dossier, "tra-ket-qua"),
        {"tra-ket-qua-delivery": "desk", "tra-ket-qua-returned_to": "Nguyễn Thị Nộp"},
    )
    dossier = fresh(dossier)
    assert dossier.status == Status.RETURNED and dossier.result.returned_to == "Nguyễn Thị Nộp"


def test_a_result_that_is_not_a_pdf_is_refused_by_its_content(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    upload = SimpleUploadedFile("ket-qua.pdf", b"not a pdf at all", content_type="application/pdf")
    response = signed_in(world.leader).post(act(dossier, "phe-duyet"), {"phe-duyet-result_file": upload})
    assert response.status_code == 400
    assert "ket-qua.pdf" in response.content.decode()
    assert fresh(dossier).status == Status.IN_PROGRESS


def test_the_desk_records_a_withdrawal(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    response = signed_in(world.desk).post(
        act(dossier, "rut-ho-so"), {"rut-ho-so-reason": "Người nộp đề nghị"}
    )
    assert response.status_code == 302
    assert fresh(dossier).status == Status.WITHDRAWN


def test_an_apology_keeps_the_legal_due_date(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    due = dossier.due_at
    client = signed_in(world.leader)
    bad = client.post(
        act(dossier, "xin-loi"),
        {
            "xin-loi-promised_on": "31/02/2026",
            "xin-loi-promised_time": "17:00",
            "xin-loi-reason": "Chờ xác minh",
        },
    )
    assert bad.status_code == 400 and "ngày/tháng/năm" in bad.content.decode()
    assert "Chờ xác minh" in bad.content.decode()  # nothing typed is lost
    ok = client.post(
        act(dossier, "xin-loi"),
        {
            "xin-loi-promised_on": "20/03/2026",
            "xin-loi-promised_time": "16:30",
            "xin-loi-reason": "Chờ xác minh",
        },
    )
    assert ok.status_code == 302
    assert fresh(dossier).due_at == due
    html = client.get(detail(dossier)).content.decode()
    assert "20/03/2026 16:30" in html and "Chờ xác minh" in html


def test_the_control_slip_downloads_as_a_pdf(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    response = signed_in(world.specialist).get(reverse("dossiers:control_slip", args=[dossier.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert dossier.code in response["Content-Disposition"]


def test_a_dossier_not_yet_accepted_has_no_control_slip(world: World) -> None:
    dossier = record(world)
    assert signed_in(world.desk).get(reverse("dossiers:control_slip", args=[dossier.pk])).status_code == 404


# --- reassignment ------------------------------------------------------------------------------


def test_a_division_head_moves_all_open_work_of_a_person_in_one_action(world: World) -> None:
    first = dossier_in(world, Status.IN_PROGRESS, True)
    second = dossier_in(world, Status.IN_PROGRESS, True)
    for dossier in (first, second):
        services.take_dossier(dossier=dossier, officer=world.specialist)
    client = signed_in(world.head)
    page = client.get(reverse("dossiers:reassign"))
    assert page.status_code == 200
    response = client.post(
        reverse("dossiers:reassign"),
        {
            "agency": world.agency.pk,
            "from_user": world.specialist.pk,
            "to_user": world.colleague.pk,
            "note": "Nghỉ phép",
        },
        follow=True,
    )
    assert "Đã chuyển 2 hồ sơ" in response.content.decode()
    assert (
        fresh(first).current_assignee == world.colleague and fresh(second).current_assignee == world.colleague
    )


def test_reassigning_to_the_same_person_is_refused(world: World) -> None:
    client = signed_in(world.head)
    response = client.post(
        reverse("dossiers:reassign"),
        {
            "agency": world.agency.pk,
            "from_user": world.specialist.pk,
            "to_user": world.specialist.pk,
            "note": "x",
        },
    )
    assert response.status_code == 400
    assert "Hãy chọn một cán bộ khác" in response.content.decode()


def test_a_specialist_cannot_reassign_work(world: World) -> None:
    assert signed_in(world.specialist).get(reverse("dossiers:reassign")).status_code == 403


# --- hand-over attachments ---------------------------------------------------------------------


def hand_over_with(
    client: Client, dossier: Dossier, world: World, *files: Any, note: str = "Kèm dự thảo"
) -> Any:
    return client.post(
        act(dossier, "chuyen-xu-ly"),
        {
            "chuyen-xu-ly-step": world.steps[0].pk,
            "chuyen-xu-ly-to_user": world.head.pk,
            "chuyen-xu-ly-note": note,
            "chuyen-xu-ly-attachments": list(files),
        },
    )


def test_files_handed_over_are_stored_and_listed_with_a_download_link(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    client = signed_in(world.specialist)
    response = hand_over_with(
        client,
        dossier,
        world,
        SimpleUploadedFile("Dự thảo quyết định.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("ảnh hiện trạng.png", image_bytes("PNG"), content_type="image/png"),
    )
    assert response.status_code == 302, response.content.decode()
    files = list(HandoverAttachment.objects.filter(handover__dossier=dossier).order_by("pk"))
    assert [f.original_name for f in files] == ["Dự thảo quyết định.pdf", "ảnh hiện trạng.png"]
    assert [f.file_content_type for f in files] == ["application/pdf", "image/png"]
    assert files[0].handover == Handover.objects.get(dossier=dossier, completed_at__isnull=True)
    assert files[0].file_name.startswith("handovers/") and default_storage.exists(files[0].file_name)
    html = client.get(detail(dossier)).content.decode()
    link = reverse("dossiers:handover_attachment", args=[dossier.pk, files[0].pk])
    assert link in html and "Dự thảo quyết định.pdf" in html
    download = client.get(link)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF


def test_a_refused_attachment_is_named_in_vietnamese_and_the_note_is_kept(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    response = hand_over_with(
        signed_in(world.specialist),
        dossier,
        world,
        SimpleUploadedFile("bien-ban.pdf", b"not a pdf at all", content_type="application/pdf"),
        note="Ý kiến thẩm định dài",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tệp “bien-ban.pdf” không phải là PDF hợp lệ" in html
    assert "Ý kiến thẩm định dài" in html
    assert fresh(dossier).current_assignee is None  # nothing handed over
    assert not HandoverAttachment.objects.exists()


def test_more_than_five_attachments_are_refused(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    files = [SimpleUploadedFile(f"tep-{i}.pdf", PDF, content_type="application/pdf") for i in range(6)]
    response = hand_over_with(signed_in(world.specialist), dossier, world, *files)
    assert response.status_code == 400
    assert "tối đa 5 tệp" in response.content.decode()
    assert not HandoverAttachment.objects.exists()


def test_an_attachment_is_not_found_for_another_agency_or_another_dossier(world: World) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    other = dossier_in(world, Status.IN_PROGRESS, True)
    hand_over_with(
        signed_in(world.specialist),
        dossier,
        world,
        SimpleUploadedFile("du-thao.pdf", PDF, content_type="application/pdf"),
    )
    attachment = HandoverAttachment.objects.get()
    link = reverse("dossiers:handover_attachment", args=[dossier.pk, attachment.pk])
    assert signed_in(world.outsider).get(link).status_code == 404
    wrong_dossier = reverse("dossiers:handover_attachment", args=[other.pk, attachment.pk])
    assert signed_in(world.specialist).get(wrong_dossier).status_code == 404
    assert signed_in(world.leader).get(link).status_code == 200


# --- letters: apology (form 04) and stop notice (form 05) --------------------------------------


def test_the_apology_letter_prints_with_its_reason_and_the_dossier_code(world: World, tmp_path: Path) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    apology = services.issue_apology(
        dossier=dossier, officer=world.leader, promised_at=local(2026, 3, 20, 16, 30), reason="Chờ xác minh"
    )
    client = signed_in(world.specialist)
    link = reverse("dossiers:apology_pdf", args=[dossier.pk, apology.pk])
    assert link in client.get(detail(dossier)).content.decode()
    assert "In thư xin lỗi (mẫu 04)" in client.get(detail(dossier)).content.decode()
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content, tmp_path))
    assert "PHIẾU XIN LỖI" in text and dossier.code in text
    assert "Lý do: Chờ xác minh" in text and "16 giờ 30 phút, ngày 20 tháng" in text
    assert world.leader.display_name in text
    assert signed_in(world.outsider).get(link).status_code == 404


def test_the_stop_notice_prints_for_a_stopped_dossier(world: World, tmp_path: Path) -> None:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    link = reverse("dossiers:stop_notice_pdf", args=[dossier.pk])
    client = signed_in(world.leader)
    assert link not in client.get(detail(dossier)).content.decode()
    assert client.get(link).status_code == 404  # never stopped: nothing to print
    services.stop(dossier=dossier, leader=world.leader, reason="Có tranh chấp về quyền sử dụng")
    html = client.get(detail(dossier)).content.decode()
    assert link in html and "In thông báo dừng (mẫu 05)" in html
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content, tmp_path))
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and dossier.code in text
    assert "Lý do: Có tranh chấp về quyền sử dụng" in text
    assert signed_in(world.outsider).get(link).status_code == 404


def test_an_exemption_is_recorded_with_its_ground_and_a_bad_one_is_named(world: World) -> None:
    from egov.dossiers.services.fees import dossier_orders

    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    specialist = signed_in(world.specialist)
    base = {"nghia-vu-tai-chinh-note": "Lệ phí cấp phiếu", "nghia-vu-tai-chinh-amount": "200000"}
    too_much = base | {"nghia-vu-tai-chinh-exempt_amount": "300000", "nghia-vu-tai-chinh-exempt_ground": "x"}
    response = specialist.post(act(dossier, "nghia-vu-tai-chinh"), too_much)
    assert response.status_code == 400 and "không được lớn hơn số tiền phải nộp" in response.content.decode()
    no_ground = base | {"nghia-vu-tai-chinh-exempt_amount": "100000"}
    response = specialist.post(act(dossier, "nghia-vu-tai-chinh"), no_ground)
    assert response.status_code == 400 and "căn cứ miễn, giảm" in response.content.decode()
    assert not dossier_orders(dossier) and fresh(dossier).status == Status.IN_PROGRESS
    halved = base | {
        "nghia-vu-tai-chinh-exempt_amount": "100000",
        "nghia-vu-tai-chinh-exempt_ground": "Người có công với cách mạng, giảm 50 %",
    }
    specialist.post(act(dossier, "nghia-vu-tai-chinh"), halved)
    [order] = dossier_orders(dossier)
    assert (order.amount, order.amount_due) == (200_000, 100_000)
    assert order.exemption.ground == "Người có công với cách mạng, giảm 50 %"
    assert fresh(dossier).status == Status.OBLIGATION_REQUESTED  # half is still to pay
