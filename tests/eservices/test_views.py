"""The online services' screens through the test client: finder, wizard, my dossiers."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.core.files import DOCUMENTS_AND_IMAGES, check_upload, store
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Dossier
from egov.dossiers.rules import Status
from egov.dossiers.selectors import desk_queue
from egov.eservices.models import ApplicationDraft, WalletItem
from tests.dossiers.conftest import applicant, walk
from tests.eservices.conftest import ANSWERS, citizen, pdf_bytes, upload

PAGE_LIMIT_BYTES = 100 * 1024


@pytest.fixture
def signed_in(client, person):  # type: ignore[no-untyped-def]
    client.force_login(person)
    return client


def start(client, world) -> ApplicationDraft:  # type: ignore[no-untyped-def]
    response = client.post(
        reverse("eservices:start", args=[world.procedure.code]), {"token": str(uuid.uuid4())}
    )
    assert response.status_code == 302
    return ApplicationDraft.objects.get(public_id=response.url.rstrip("/").rsplit("/", 1)[-1])


def fill(client, draft, world):  # type: ignore[no-untyped-def]
    page1 = reverse("eservices:draft_page", args=[draft.public_id, 1])
    client.post(page1, {"muc_dich": "Xin việc", "ho_ten": "Nguyễn Thị Nộp", "ho_dien_thoai": "0912345678"})
    client.post(reverse("eservices:draft_page", args=[draft.public_id, 2]), {"nhan_ket_qua": "truc_tuyen"})
    files = reverse("eservices:draft_files", args=[draft.public_id])
    required = world.procedure.documents.get(order=1)
    client.post(files, {"action": "upload", "requirement": required.pk, "file": upload()})
    client.post(files, {"action": "done"})


def test_the_finder_answers_an_unaccented_query(client, oworld):
    response = client.get(reverse("eservices:finder"), {"q": "phieu ly lich tu phap"})
    assert response.status_code == 200
    assert oworld.procedure.name in response.content.decode()


def test_the_procedure_page_offers_online_submission(client, oworld):
    response = client.get(reverse("eservices:procedure", args=[oworld.procedure.code]))
    page = response.content.decode()
    assert "Nộp trực tuyến" in page and "Tờ khai" in page and "dung lượng tối đa 10 MB" in page


def test_a_double_click_on_start_opens_one_draft(signed_in, oworld):
    token = str(uuid.uuid4())
    url = reverse("eservices:start", args=[oworld.procedure.code])
    first = signed_in.post(url, {"token": token})
    second = signed_in.post(url, {"token": token})
    assert first.url == second.url and ApplicationDraft.objects.count() == 1


def test_a_validation_error_keeps_what_was_typed(signed_in, oworld):
    draft = start(signed_in, oworld)
    page1 = reverse("eservices:draft_page", args=[draft.public_id, 1])
    response = signed_in.post(page1, {"muc_dich": "Xin việc", "ho_ten": "Nguyễn 123", "ho_dien_thoai": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "Có lỗi cần sửa" in page and 'value="Nguyễn 123"' in page
    again = signed_in.get(page1).content.decode()
    assert 'value="Xin việc"' in again  # saved in the draft, shown on return


def test_an_expired_session_returns_to_the_same_step_after_signing_in(client, oworld, person):
    client.force_login(person)
    draft = start(client, oworld)
    client.logout()
    page = reverse("eservices:draft_page", args=[draft.public_id, 2])
    response = client.get(page)
    assert response.status_code == 302 and f"next={page}" in response.url.replace("%2F", "/")


def test_another_citizens_draft_is_not_found(client, oworld, person):
    client.force_login(person)
    draft = start(client, oworld)
    client.force_login(citizen())
    assert client.get(reverse("eservices:draft", args=[draft.public_id])).status_code == 404


def test_the_whole_wizard_submits_once_and_confirms_with_the_code(signed_in, oworld):
    draft = start(signed_in, oworld)
    fill(signed_in, draft, oworld)
    check = signed_in.get(reverse("eservices:draft_check", args=[draft.public_id])).content.decode()
    assert check.count("Thay đổi") >= 4 and "Nộp hồ sơ" in check
    submit = reverse("eservices:draft_submit", args=[draft.public_id])
    first = signed_in.post(submit, {"declared": "on"})
    second = signed_in.post(submit, {"declared": "on"})
    dossier = Dossier.objects.get()
    assert first.url == second.url == reverse("eservices:confirmation", args=[dossier.code])
    confirmation = signed_in.get(first.url).content.decode()
    assert dossier.code in confirmation and "thư xác nhận" in confirmation


def test_the_desk_sees_the_online_dossier_in_its_queue_in_status_1(signed_in, oworld):
    draft = start(signed_in, oworld)
    fill(signed_in, draft, oworld)
    signed_in.post(reverse("eservices:draft_submit", args=[draft.public_id]), {"declared": "on"})
    dossier = Dossier.objects.get()
    assert dossier.status == Status.SUBMITTED
    assert dossier in desk_queue(actor=oworld.desk, desk=oworld.agency)
    page = official(oworld.desk).get(reverse("dossiers:desk_list")).content.decode()
    assert dossier.code in page and "Trực tuyến" in page


def test_a_corrupt_upload_is_refused_with_its_reason_on_the_page(signed_in, oworld):
    draft = start(signed_in, oworld)
    files = reverse("eservices:draft_files", args=[draft.public_id])
    response = signed_in.post(
        files, {"action": "upload", "file": upload("hong.pdf", b"%PDF-1.4 broken")}, follow=True
    )
    assert "hong.pdf" in response.content.decode() and not draft.files.exists()


def test_my_dossiers_lists_drafts_and_dossiers_in_a_bounded_number_of_queries(
    signed_in, oworld, person, django_assert_max_num_queries
):
    for _ in range(3):
        draft = start(signed_in, oworld)
        fill(signed_in, draft, oworld)
        signed_in.post(reverse("eservices:draft_submit", args=[draft.public_id]), {"declared": "on"})
    start(signed_in, oworld)
    with django_assert_max_num_queries(8):
        response = signed_in.get(reverse("eservices:mine"))
    page = response.content.decode()
    assert page.count("/dich-vu-cong/ho-so/") == 3 and "Đang soạn" in page


def test_supplement_result_and_rating_online(signed_in, oworld):
    draft = start(signed_in, oworld)
    fill(signed_in, draft, oworld)
    signed_in.post(reverse("eservices:draft_submit", args=[draft.public_id]), {"declared": "on"})
    dossier = walk(oworld, Dossier.objects.get(), "request_supplement")
    detail = signed_in.get(reverse("eservices:dossier", args=[dossier.code])).content.decode()
    assert "Bản sao căn cước" in detail and "Bổ sung trực tuyến" in detail
    supplement = reverse("eservices:supplement", args=[dossier.code])
    signed_in.post(supplement, {"file-0": upload("cccd.pdf", pdf_bytes()), "document-0": ""})
    dossier = walk(oworld, Dossier.objects.get(), "accept", "start_processing")
    content = pdf_bytes()
    checked = check_upload(content, allowed=DOCUMENTS_AND_IMAGES, max_bytes=10**6, name="ket-qua.pdf")
    stored = store(checked, content, folder="dossiers/results")
    dossier_services.finish(dossier=dossier, leader=oworld.leader, result_file=stored)
    download = signed_in.get(reverse("eservices:result", args=[dossier.code]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert Dossier.objects.get().status == Status.RETURNED
    signed_in.post(reverse("eservices:rate", args=[dossier.code]), {"score": "5", "comment": "Nhanh"})
    assert Dossier.objects.get().rating.score == 5


def test_every_wizard_page_weighs_less_than_100_kb(signed_in, oworld):
    draft = start(signed_in, oworld)
    urls = [
        reverse("eservices:finder"),
        reverse("eservices:procedure", args=[oworld.procedure.code]),
        reverse("eservices:draft", args=[draft.public_id]),
        reverse("eservices:draft_page", args=[draft.public_id, 1]),
        reverse("eservices:draft_files", args=[draft.public_id]),
        reverse("eservices:draft_check", args=[draft.public_id]),
    ]
    for url in urls:
        html = signed_in.get(url).content
        linked = re.findall(rb'(?:href|src)="/static/([^"]+)"', html)
        assets = sum(Path(finders.find(name.decode())).stat().st_size for name in linked)
        assert linked and len(html) + assets < PAGE_LIMIT_BYTES, url


def official(user) -> Client:  # type: ignore[no-untyped-def]
    """An official signed in and past the second factor."""
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def submitted(client, world) -> Dossier:  # type: ignore[no-untyped-def]
    draft = start(client, world)
    fill(client, draft, world)
    client.post(reverse("eservices:draft_submit", args=[draft.public_id]), {"declared": "on"})
    return Dossier.objects.get()


def test_the_desk_downloads_the_scan_of_an_online_dossier_and_outsiders_cannot(signed_in, oworld, client):
    dossier = submitted(signed_in, oworld)
    row = dossier.documents.get(order=1)
    url = reverse("dossiers:document_file", args=[dossier.pk, row.pk])
    assert b"".join(signed_in.get(url).streaming_content).startswith(b"%PDF")  # the applicant
    assert official(oworld.desk).get(url).status_code == 200
    assert official(oworld.outsider).get(url).status_code == 404
    stranger = Client()
    stranger.force_login(citizen())
    assert stranger.get(url).status_code == 404


def test_the_electronic_receipt_is_downloadable_once_accepted(signed_in, oworld):
    dossier = submitted(signed_in, oworld)
    url = reverse("eservices:receipt", args=[dossier.code])
    assert signed_in.get(url).status_code == 404
    walk(oworld, dossier, "accept")
    response = signed_in.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "mẫu 01" in signed_in.get(reverse("eservices:dossier", args=[dossier.code])).content.decode()


def test_an_anonymous_visitor_is_sent_to_sign_in_and_back_to_the_procedure(client, oworld):
    page = reverse("eservices:procedure", args=[oworld.procedure.code])
    html = client.get(page).content.decode()
    assert f'href="{reverse("accounts:login")}?next={page}"' in html
    client.force_login(citizen())
    assert client.get(reverse("eservices:start", args=[oworld.procedure.code])).url == page
    assert not ApplicationDraft.objects.exists()


def test_a_dossier_received_at_the_desk_for_a_verified_id_appears_in_my_dossiers(client, oworld):
    from tests.dossiers.conftest import record

    verified, unverified = citizen(), citizen(verified=False)
    mine = reverse("eservices:mine")
    for user, shown in ((verified, True), (unverified, False)):
        dossier = record(oworld, applicant=applicant(national_id=user.national_id), answers=ANSWERS)
        client.force_login(user)
        assert (dossier.code in client.get(mine).content.decode()) is shown


def test_a_procedure_not_offered_online_has_no_online_button(signed_in, oworld):
    oworld.procedure.online_level = "none"
    oworld.procedure.save()
    page = signed_in.get(reverse("eservices:procedure", args=[oworld.procedure.code])).content.decode()
    assert "Nộp trực tuyến" not in page and "Tờ khai" in page
    assert signed_in.post(reverse("eservices:start", args=[oworld.procedure.code])).status_code == 404


def test_a_refusal_shows_its_reason_in_my_dossier(signed_in, oworld):
    dossier = walk(oworld, submitted(signed_in, oworld), "refuse")
    page = signed_in.get(reverse("eservices:dossier", args=[dossier.code])).content.decode()
    assert "Từ chối tiếp nhận" in page and "Không thuộc thẩm quyền" in page


def test_an_officials_my_dossiers_page_does_not_list_the_agencys_work(signed_in, oworld):
    dossier = submitted(signed_in, oworld)
    desk = official(oworld.desk)
    assert dossier.code not in desk.get(reverse("eservices:mine")).content.decode()
    assert desk.get(reverse("eservices:dossier", args=[dossier.code])).status_code == 404


def test_a_procedure_without_a_form_goes_straight_to_the_documents(signed_in, oworld):
    from egov.procedures.models import FormSchema

    FormSchema.objects.filter(procedure=oworld.procedure).delete()
    draft = start(signed_in, oworld)
    tasks = signed_in.get(reverse("eservices:draft", args=[draft.public_id])).content.decode()
    assert "Tờ khai, phần" not in tasks and "Tải lên giấy tờ" in tasks
    files = reverse("eservices:draft_files", args=[draft.public_id])
    signed_in.post(
        files,
        {"action": "upload", "requirement": oworld.procedure.documents.get(order=1).pk, "file": upload()},
    )
    signed_in.post(files, {"action": "done"})
    signed_in.post(reverse("eservices:draft_submit", args=[draft.public_id]), {"declared": "on"})
    assert Dossier.objects.get().answers == {}


def test_a_citizen_opens_own_draft_and_wallet_files_and_nobody_elses(signed_in, oworld, person, client):
    draft = start(signed_in, oworld)
    fill(signed_in, draft, oworld)
    row = draft.files.get()
    url = reverse("eservices:draft_file", args=[draft.public_id, row.pk])
    assert b"".join(signed_in.get(url).streaming_content).startswith(b"%PDF")
    signed_in.post(reverse("eservices:draft_submit", args=[draft.public_id]), {"declared": "on"})
    item = WalletItem.objects.get(user=person)
    wallet_url = reverse("eservices:wallet_file", args=[item.pk])
    assert signed_in.get(wallet_url).status_code == 200
    client.force_login(citizen())
    assert client.get(url).status_code == 404 and client.get(wallet_url).status_code == 404


def test_the_postal_delivery_form_records_the_address(signed_in, oworld):
    dossier = walk(oworld, submitted(signed_in, oworld), "accept", "start_processing")
    content = pdf_bytes()
    checked = check_upload(content, allowed=DOCUMENTS_AND_IMAGES, max_bytes=10**6, name="ket-qua.pdf")
    dossier_services.finish(
        dossier=dossier, leader=oworld.leader, result_file=store(checked, content, folder="r")
    )
    page = reverse("eservices:dossier", args=[dossier.code])
    assert "Nhận kết quả qua bưu chính" in signed_in.get(page).content.decode()
    signed_in.post(
        reverse("eservices:postal", args=[dossier.code]), {"address": "Thôn 2, xã A", "phone": "0912345678"}
    )
    html = signed_in.get(page).content.decode()
    assert "Kết quả sẽ được gửi qua bưu chính đến: Thôn 2, xã A." in html and "Tải kết quả" not in html


def test_a_fixed_fee_becomes_one_order_linked_from_the_confirmation_and_my_dossier(signed_in, oworld, person):
    from egov.payments.models import FeeOrder
    from egov.procedures.models import Fee

    Fee.objects.create(procedure=oworld.procedure, order=1, name="Lệ phí cấp phiếu", amount=200_000)
    Fee.objects.create(
        procedure=oworld.procedure, order=2, name="Phí theo biểu", amount=None, schedule="Theo biểu"
    )
    draft = start(signed_in, oworld)
    fill(signed_in, draft, oworld)
    submit = reverse("eservices:draft_submit", args=[draft.public_id])
    first = signed_in.post(submit, {"declared": "on"})
    signed_in.post(submit, {"declared": "on"})  # a double click orders nothing twice
    order = FeeOrder.objects.get()  # the scheduled fee is set later by an officer
    assert (order.amount, order.description, order.payer) == (200_000, "Lệ phí cấp phiếu", person)
    pay_url = reverse("payments:pay", args=[order.token])
    assert pay_url in signed_in.get(first.url).content.decode()
    dossier = Dossier.objects.get()
    assert pay_url in signed_in.get(reverse("eservices:dossier", args=[dossier.code])).content.decode()
    FeeOrder.objects.filter(pk=order.pk).update(settled_at=dossier.submitted_at)  # paid
    assert pay_url not in signed_in.get(reverse("eservices:dossier", args=[dossier.code])).content.decode()
