"""The one-stop desk's screens, through Django's test client: reception, the queue, a dossier's
desk view and the printed slips."""

from __future__ import annotations

import io
import subprocess
import unicodedata
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfWriter

from egov.accounts.models import User
from egov.dossiers.models import Dossier
from egov.dossiers.rules import Status
from egov.organizations.models import Role
from egov.procedures.models import FormSchema
from tests.dossiers.conftest import APPLICANT_ID, World, dossier_in, member, record

RECEIVE = reverse("dossiers:desk_receive")
LIST = reverse("dossiers:desk_list")


def signed_in(client: Client, user: User) -> Client:
    """The official signed in and past the second factor."""
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Submission keys live in the cache; ids repeat between rolled-back tests."""
    cache.clear()


@pytest.fixture
def desk(client: Client, world: World) -> Client:
    return signed_in(client, world.desk)


def offer(world: World) -> str:
    return f"{world.procedure.pk}-{world.agency.pk}"


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def reception(world: World, key: str = "a" * 32, **overrides: Any) -> dict[str, Any]:
    first = world.procedure.documents.order_by("order").first()
    data: dict[str, Any] = {
        "desk": world.agency.pk,
        "offer": offer(world),
        "submission_key": key,
        "applicant-kind": "person",
        "applicant-name": "Trần Văn Quầy",
        "applicant-national_id": APPLICANT_ID,
        "applicant-phone": "0912345678",
        "applicant-email": "quay@example.vn",
        "applicant-address": "Số 2, phường Hạc Thành",
        "answers-muc_dich": "Xin việc",
        f"documents-received_{first.pk}": "on",
        "decision-decision": "accept",
        "decision-reason": "",
        "decision-missing": "",
    }
    return data | overrides


def pdf_text(content: bytes, tmp_path: Any) -> str:
    path = tmp_path / "slip.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return " ".join(unicodedata.normalize("NFC", out.stdout.decode()).split())


# --- Who may use the desk ------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(client, world):
    response = client.get(RECEIVE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_official_without_a_desk_role_is_refused(client, world):
    signed_in(client, world.specialist)
    assert client.get(RECEIVE).status_code == 403
    assert client.get(LIST).status_code == 403


def test_the_picker_offers_the_procedures_of_the_officers_agency(desk, world):
    response = desk.get(RECEIVE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cấp phiếu lý lịch tư pháp (1.001193)" in html
    assert f'value="{offer(world)}"' in html


def test_a_public_service_centre_desk_receives_for_the_competent_agency(client, world):
    officer = member(world.centre, Role.ONE_STOP_OFFICER)
    signed_in(client, officer)
    response = client.post(RECEIVE, reception(world, desk=world.centre.pk))
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert (dossier.agency, dossier.receiving_agency) == (world.agency, world.centre)
    assert dossier.code.startswith(world.agency.code)


def test_the_reception_form_shows_the_applicant_declaration_documents_and_size_limit(desk, world):
    html = desk.get(RECEIVE, {"offer": offer(world), "desk": world.agency.pk}).content.decode()
    for text in ("Số định danh cá nhân", "Mục đích sử dụng", "Bản quét: Tờ khai", "dung lượng tối đa 10 MB"):
        assert text in html
    assert 'name="submission_key"' in html


# --- Receiving ------------------------------------------------------------------------------------


def test_accepting_records_the_dossier_and_shows_its_code_and_appointment(desk, world):
    response = desk.post(RECEIVE, reception(world))
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:desk_result", args=[dossier.pk])
    assert dossier.status == Status.ACCEPTED and dossier.due_at is not None
    assert dossier.receiving_division == world.desk_division
    html = desk.get(response["Location"]).content.decode()
    assert "Đã tiếp nhận hồ sơ" in html and dossier.code in html
    assert reverse("dossiers:desk_print", args=[dossier.pk]) in html
    assert "In phiếu (mẫu 01, PDF)" in html


def test_a_wrong_personal_id_is_explained_and_nothing_typed_is_lost(desk, world):
    response = desk.post(RECEIVE, reception(world, **{"applicant-national_id": "12345"}))
    html = response.content.decode()
    assert response.status_code == 400
    assert "12 chữ số" in html
    assert 'value="Trần Văn Quầy"' in html and "Xin việc" in html
    assert not Dossier.objects.exists()


def test_an_organisation_needs_a_valid_tax_code(desk, world):
    data = reception(world, **{"applicant-kind": "organisation", "applicant-tax_code": "12-AB"})
    response = desk.post(RECEIVE, data)
    assert response.status_code == 400
    assert "Mã số thuế gồm 10 chữ số" in response.content.decode()
    ok = desk.post(RECEIVE, data | {"applicant-tax_code": "0101234567", "submission_key": "b" * 32})
    assert ok.status_code == 302
    assert Dossier.objects.get().applicant.tax_code == "0101234567"


def test_a_missing_declaration_answer_is_shown_on_its_field(desk, world):
    response = desk.post(RECEIVE, reception(world, **{"answers-muc_dich": ""}))
    assert response.status_code == 400
    assert "Mục đích sử dụng" in response.content.decode()
    assert not Dossier.objects.exists()


def test_accepting_without_the_required_documents_asks_for_them_or_a_supplement(desk, world):
    first = world.procedure.documents.order_by("order").first()
    data = reception(world)
    del data[f"documents-received_{first.pk}"]
    response = desk.post(RECEIVE, data)
    assert response.status_code == 400
    assert "Chưa nhận đủ giấy tờ bắt buộc: Tờ khai" in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_double_submit_records_one_dossier_and_shows_the_same_result(desk, world):
    first = desk.post(RECEIVE, reception(world))
    second = desk.post(RECEIVE, reception(world))
    assert Dossier.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_refused_form_keeps_its_key_so_the_corrected_submit_goes_through(desk, world):
    desk.post(RECEIVE, reception(world, **{"applicant-national_id": "1"}))
    assert desk.post(RECEIVE, reception(world)).status_code == 302
    assert Dossier.objects.count() == 1


def test_a_file_that_is_not_a_real_pdf_is_refused_and_the_rest_is_kept(desk, world):
    first = world.procedure.documents.order_by("order").first()
    fake = SimpleUploadedFile("to-khai.pdf", b"not a pdf at all", content_type="application/pdf")
    response = desk.post(RECEIVE, reception(world, **{f"documents-file_{first.pk}": fake}))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Tệp “to-khai.pdf” không phải là PDF hợp lệ" in html
    assert 'value="Trần Văn Quầy"' in html and 'value="quay@example.vn"' in html
    assert not Dossier.objects.exists()


def test_a_scan_is_stored_and_ticks_its_document(desk, world):
    second = world.procedure.documents.order_by("order").last()
    scan = SimpleUploadedFile("uy-quyen.pdf", pdf_bytes(), content_type="application/pdf")
    desk.post(RECEIVE, reception(world, **{f"documents-file_{second.pk}": scan}))
    row = Dossier.objects.get().documents.get(required_document=second)
    assert row.received and row.file_name.startswith("dossiers/scans/")
    assert row.file_content_type == "application/pdf"


def test_asking_for_a_supplement_lists_the_unticked_documents_and_prints_form_02(desk, world, tmp_path):
    first = world.procedure.documents.order_by("order").first()
    data = reception(world, **{"decision-decision": "supplement", "decision-reason": "Thiếu tờ khai"})
    del data[f"documents-received_{first.pk}"]
    response = desk.post(RECEIVE, data)
    dossier = Dossier.objects.get()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    change = dossier.status_changes.get(target=Status.SUPPLEMENT_REQUESTED)
    assert change.details["missing"] == ["Tờ khai", "Giấy ủy quyền"]
    assert "In phiếu (mẫu 02, PDF)" in desk.get(response["Location"]).content.decode()
    slip = desk.get(reverse("dossiers:desk_print", args=[dossier.pk]))
    assert slip["Content-Type"] == "application/pdf"
    assert dossier.code in pdf_text(slip.content, tmp_path)


def test_refusing_needs_a_reason_and_prints_form_03(desk, world, tmp_path):
    data = reception(world, **{"decision-decision": "refuse"})
    response = desk.post(RECEIVE, data)
    assert response.status_code == 400
    assert "Hãy ghi lý do từ chối tiếp nhận." in response.content.decode()
    desk.post(RECEIVE, data | {"decision-reason": "Không thuộc thẩm quyền"})
    dossier = Dossier.objects.get()
    assert dossier.status == Status.REFUSED
    slip = desk.get(reverse("dossiers:desk_print", args=[dossier.pk]))
    text = pdf_text(slip.content, tmp_path)
    assert dossier.code in text and "Không thuộc thẩm quyền" in text


def test_the_receipt_downloads_as_a_pdf_with_the_code(desk, world, tmp_path):
    desk.post(RECEIVE, reception(world))
    dossier = Dossier.objects.get()
    slip = desk.get(reverse("dossiers:desk_print", args=[dossier.pk]))
    assert slip.status_code == 200
    assert slip["Content-Type"] == "application/pdf"
    assert slip["Cache-Control"] == "private, no-store"
    text = pdf_text(slip.content, tmp_path)
    assert dossier.code in text and "Trần Văn Quầy" in text


# --- The queue and a dossier's desk view -----------------------------------------------------------


def test_the_queue_lists_new_and_supplement_dossiers_only_in_few_queries(
    desk, world, django_assert_max_num_queries
):
    new = record(world)
    waiting = dossier_in(world, Status.SUPPLEMENT_REQUESTED, False)
    accepted = dossier_in(world, Status.ACCEPTED, True)
    for _ in range(3):
        record(world)
    with django_assert_max_num_queries(12):
        html = desk.get(LIST).content.decode()
    assert new.code in html and waiting.code in html
    assert accepted.code not in html
    assert "5 hồ sơ đang chờ" in html


def test_the_queue_is_paginated(desk, world, monkeypatch):
    monkeypatch.setattr("egov.dossiers.views.desk.PAGE_SIZE", 2)
    for _ in range(3):
        record(world)
    first = desk.get(LIST).content.decode()
    assert "Trang 1/2" in first and "page=2" in first
    assert "Trang 2/2" in desk.get(LIST, {"page": 2}).content.decode()


def test_another_agencys_dossier_answers_404_everywhere(client, world):
    dossier = dossier_in(world, Status.ACCEPTED, True)
    signed_in(client, world.outsider)
    for name in ("desk_detail", "desk_result", "desk_print"):
        assert client.get(reverse(f"dossiers:{name}", args=[dossier.pk])).status_code == 404
    response = client.post(
        reverse("dossiers:desk_detail", args=[dossier.pk]),
        {"action": "decide", "decision-decision": "accept"},
    )
    assert response.status_code == 404


def test_a_submitted_dossier_is_accepted_from_its_desk_view(desk, world):
    dossier = record(world)
    url = reverse("dossiers:desk_detail", args=[dossier.pk])
    assert "Kiểm tra và quyết định" in desk.get(url).content.decode()
    response = desk.post(url, {"action": "decide", "decision-decision": "accept"})
    assert response["Location"] == reverse("dossiers:desk_result", args=[dossier.pk])
    dossier.refresh_from_db()
    assert dossier.status == Status.ACCEPTED
    again = desk.post(url, {"action": "decide", "decision-decision": "accept"})  # a second click
    assert again.status_code == 302
    assert dossier.status_changes.filter(target=Status.ACCEPTED).count() == 1


def test_a_supplement_is_recorded_from_the_desk_view(desk, world):
    dossier = dossier_in(world, Status.SUPPLEMENT_REQUESTED, False, documents=None)
    pending = dossier.documents.get(name="Tờ khai")
    url = reverse("dossiers:desk_detail", args=[dossier.pk])
    assert "Ghi nhận hồ sơ bổ sung" in desk.get(url).content.decode()
    response = desk.post(
        url, {"action": "resubmit", f"resubmit-received_{pending.pk}": "on", "resubmit-note": "Đã nộp đủ"}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    pending.refresh_from_db()
    assert dossier.status == Status.SUBMITTED and pending.received


def test_a_refused_supplement_scan_is_explained(desk, world):
    dossier = dossier_in(world, Status.SUPPLEMENT_REQUESTED, False, documents=None)
    pending = dossier.documents.filter(received=False).first()
    assert pending is not None
    fake = SimpleUploadedFile("bo-sung.png", b"nope", content_type="image/png")
    response = desk.post(
        reverse("dossiers:desk_detail", args=[dossier.pk]),
        {"action": "resubmit", f"resubmit-file_{pending.pk}": fake, "resubmit-note": "Ghi chú giữ lại"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "bo-sung.png" in html and "Ghi chú giữ lại" in html
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED


# --- The declaration (tờ khai) -------------------------------------------------------------------

DECLARATION_FIELDS = [
    {"key": "muc_dich", "label": "Mục đích sử dụng", "type": "text", "required": True},
    {
        "key": "nhan_ket_qua",
        "label": "Hình thức nhận kết quả",
        "type": "choice",
        "required": True,
        "choices": [
            {"value": "truc_tiep", "label": "Nhận trực tiếp"},
            {"value": "buu_chinh", "label": "Qua dịch vụ bưu chính"},
        ],
    },
    {
        "key": "dia_chi_nhan",
        "label": "Địa chỉ nhận qua bưu chính",
        "type": "address",
        "show_if": {"field": "nhan_ket_qua", "equals": "buu_chinh"},
    },
]


def with_declaration(world: World, **answers: str) -> Dossier:
    world.procedure.form_schemas.update(is_current=False)
    FormSchema.objects.create(
        procedure=world.procedure, version=2, title="Tờ khai", fields=DECLARATION_FIELDS
    )
    return record(world, answers=answers)


def test_the_declaration_prints_the_shown_answers_as_a_pdf(desk, world, tmp_path):
    dossier = with_declaration(world, muc_dich="Bổ sung hồ sơ xin việc", nhan_ket_qua="truc_tiep")
    url = reverse("dossiers:desk_declaration", args=[dossier.pk])
    assert url.endswith(f"/quay/ho-so/{dossier.pk}/to-khai.pdf")
    for page in ("desk_result", "desk_detail"):
        html = desk.get(reverse(f"dossiers:{page}", args=[dossier.pk])).content.decode()
        assert url in html and "In tờ khai (PDF)" in html
    response = desk.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content, tmp_path)
    assert "TỜ KHAI" in text and "Cấp phiếu lý lịch tư pháp" in text and dossier.code in text
    assert "Mục đích sử dụng Bổ sung hồ sơ xin việc" in text
    assert "Hình thức nhận kết quả Nhận trực tiếp" in text
    assert "Địa chỉ nhận qua bưu chính" not in text  # hidden by its condition
    assert "Nguyễn Thị Nộp" in text and "Tôi cam đoan nội dung khai trên là đúng sự thật" in text


def test_another_agencys_declaration_answers_404(client, world):
    dossier = record(world)
    signed_in(client, world.outsider)
    assert client.get(reverse("dossiers:desk_declaration", args=[dossier.pk])).status_code == 404


def test_a_dossier_without_a_form_schema_has_no_declaration_to_print(desk, world):
    dossier = record(world)
    Dossier.objects.filter(pk=dossier.pk).update(form_schema=None, answers={})
    assert desk.get(reverse("dossiers:desk_declaration", args=[dossier.pk])).status_code == 404
    html = desk.get(reverse("dossiers:desk_detail", args=[dossier.pk])).content.decode()
    assert reverse("dossiers:desk_declaration", args=[dossier.pk]) not in html


# --- Illustrative catalogue data --------------------------------------------------------------------

ILLUSTRATIVE = "Dữ liệu minh họa"


def test_an_illustrative_procedure_says_so_on_the_reception_page(desk, world):
    page = {"offer": offer(world), "desk": world.agency.pk}
    with CaptureQueriesContext(connection) as confirmed:
        html = desk.get(RECEIVE, page).content.decode()
    assert ILLUSTRATIVE not in html  # confirmed against a published source: no notice
    world.procedure.is_illustrative = True
    world.procedure.save(update_fields=["is_illustrative"])
    with CaptureQueriesContext(connection) as illustrative:
        response = desk.get(RECEIVE, page)
    html = response.content.decode()
    assert response.status_code == 200 and ILLUSTRATIVE in html and 'role="note"' in html
    assert len(illustrative) == len(confirmed)  # the notice reads the procedure already loaded
    # Shown beside the procedure, before the form is filled in.
    assert html.index(world.procedure.name) < html.index(ILLUSTRATIVE) < html.index('name="submission_key"')
