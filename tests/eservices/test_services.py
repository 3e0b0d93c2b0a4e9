"""Drafts, uploads, submission, wallet reuse, supplement and result: the services against the database."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from egov.core.files import FileRejected
from egov.core.models import AuditEvent
from egov.dossiers.models import Dossier, DossierDocument
from egov.dossiers.rules import Status
from egov.eservices import services
from egov.eservices.models import ApplicationDraft, DraftFile, WalletItem, WalletReuse
from egov.procedures.models import OnlineLevel, RequiredDocument
from tests.dossiers.conftest import walk
from tests.eservices.conftest import ANSWERS, citizen, pdf_bytes, png_bytes, upload


def ready_draft(world, user):  # type: ignore[no-untyped-def]
    draft = services.start_draft(user=user, procedure=world.procedure)
    services.save_page(draft=draft, user=user, number=1, typed={}, cleaned=ANSWERS)
    required = world.procedure.documents.get(order=1)
    services.add_upload(draft=draft, user=user, upload=upload("to-khai.pdf"), required_document=required)
    return draft


def test_a_new_draft_has_the_only_competent_agency_and_the_current_form(oworld, person):
    draft = services.start_draft(user=person, procedure=oworld.procedure)
    assert draft.agency == oworld.agency
    assert draft.form_schema is not None and draft.form_schema.is_current
    assert draft.dossier is None


def test_a_procedure_not_offered_online_cannot_be_started(oworld, person):
    oworld.procedure.online_level = OnlineLevel.NONE
    oworld.procedure.save()
    with pytest.raises(ValidationError):
        services.start_draft(user=person, procedure=oworld.procedure)


def test_an_official_cannot_start_an_online_application(oworld):
    with pytest.raises(PermissionDenied):
        services.start_draft(user=oworld.desk, procedure=oworld.procedure)


def test_a_page_that_fails_its_checks_keeps_what_was_typed_and_stays_unfinished(oworld, person):
    draft = services.start_draft(user=person, procedure=oworld.procedure)
    services.save_page(
        draft=draft, user=person, number=1, typed={"ho_ten": "Nguyễn 123", "muc_dich": ""}, cleaned=None
    )
    draft.refresh_from_db()
    assert draft.answers == {"ho_ten": "Nguyễn 123"}
    assert "trang-1" not in draft.completed_steps


def test_uploads_are_checked_by_content_and_say_why_they_are_refused(oworld, person):
    draft = services.start_draft(user=person, procedure=oworld.procedure)
    cases = {
        "hong.pdf": b"%PDF-1.7 this is not a PDF",
        "mat-khau.pdf": pdf_bytes(password="123"),
        "van-ban.txt": b"just text",
    }
    for name, content in cases.items():
        with pytest.raises(FileRejected) as refused:
            services.add_upload(
                draft=draft, user=person, upload=upload(name, content), required_document=None
            )
        assert name in str(refused.value.messages[0])
    assert not DraftFile.objects.exists()


def test_docx_is_accepted_only_where_the_procedure_allows_it(oworld, person):
    assert services.upload_hint(oworld.procedure).startswith("Chấp nhận tệp PDF, JPG, PNG;")
    oworld.procedure.accepts_docx = True
    assert "DOCX" in services.upload_hint(oworld.procedure)


def test_a_new_upload_for_a_document_replaces_the_previous_one_and_a_repeat_changes_nothing(oworld, person):
    draft = services.start_draft(user=person, procedure=oworld.procedure)
    required = oworld.procedure.documents.get(order=1)
    services.add_upload(draft=draft, user=person, upload=upload("a.pdf"), required_document=required)
    second = services.add_upload(
        draft=draft, user=person, upload=upload("b.png", png_bytes()), required_document=required
    )
    again = services.add_upload(
        draft=draft, user=person, upload=upload("b.png", png_bytes()), required_document=required
    )
    assert again.pk == second.pk
    assert list(draft.files.values_list("original_name", flat=True)) == ["b.png"]
    assert AuditEvent.objects.filter(action="draft.add_file").count() == 2


def test_a_missing_required_document_blocks_submission(oworld, person):
    draft = services.start_draft(user=person, procedure=oworld.procedure)
    services.save_page(draft=draft, user=person, number=1, typed={}, cleaned=ANSWERS)
    assert [r.name for r in services.readiness(draft, person).missing] == ["Tờ khai"]
    with pytest.raises(ValidationError):
        services.declare_and_submit(draft=draft, user=person, declared=True)
    assert not Dossier.objects.exists()


def test_a_document_replaced_by_the_electronic_form_is_never_missing(oworld, person):
    RequiredDocument.objects.filter(procedure=oworld.procedure, order=1).update(filled_online=True)
    draft = services.start_draft(user=person, procedure=oworld.procedure)
    services.save_page(draft=draft, user=person, number=1, typed={}, cleaned=ANSWERS)
    dossier, _ = services.declare_and_submit(draft=draft, user=person, declared=True)
    assert dossier.documents.get(order=1).received


def test_submission_needs_the_declaration(oworld, person):
    draft = ready_draft(oworld, person)
    with pytest.raises(ValidationError):
        services.declare_and_submit(draft=draft, user=person, declared=False)


def test_submitting_twice_gives_one_dossier_with_the_files_and_fills_the_wallet(oworld, person):
    draft = ready_draft(oworld, person)
    dossier, created = services.declare_and_submit(draft=draft, user=person, declared=True)
    again, created_again = services.declare_and_submit(
        draft=ApplicationDraft.objects.get(pk=draft.pk), user=person, declared=True
    )
    assert (created, created_again, again.pk) == (True, False, dossier.pk)
    assert Dossier.objects.count() == 1
    row = DossierDocument.objects.get(dossier=dossier, order=1)
    assert row.received and row.file_sha256 == draft.files.get().sha256
    assert dossier.answers == ANSWERS
    assert WalletItem.objects.filter(user=person, source=WalletItem.Source.SUBMITTED).count() == 1


def test_a_self_declared_account_cannot_submit_a_procedure_needing_verification(oworld):
    oworld.procedure.requires_verified_identity = True
    oworld.procedure.save()
    user = citizen(verified=False)
    draft = ready_draft(oworld, user)  # preparing is allowed
    with pytest.raises(PermissionDenied):
        services.declare_and_submit(draft=draft, user=user, declared=True)


def test_someone_elses_draft_is_refused(oworld, person):
    draft = services.start_draft(user=person, procedure=oworld.procedure)
    with pytest.raises(PermissionDenied):
        services.save_page(draft=draft, user=citizen(), number=1, typed={}, cleaned=ANSWERS)


def test_a_wallet_file_is_reused_with_one_click_and_counted_as_reuse(oworld, person):
    first = ready_draft(oworld, person)
    services.declare_and_submit(draft=first, user=person, declared=True)
    item = WalletItem.objects.get(user=person)
    second = services.start_draft(user=person, procedure=oworld.procedure)
    services.save_page(draft=second, user=person, number=1, typed={}, cleaned=ANSWERS)
    services.reuse_from_wallet(
        draft=second, user=person, item=item, required_document=oworld.procedure.documents.get(order=1)
    )
    dossier, _ = services.declare_and_submit(draft=second, user=person, declared=True)
    reuse = WalletReuse.objects.get()
    assert (reuse.item, reuse.dossier) == (item, dossier)
    assert WalletItem.objects.filter(user=person).count() == 1  # not copied into the wallet again


def test_another_citizens_wallet_item_cannot_be_reused(oworld, person):
    first = ready_draft(oworld, person)
    services.declare_and_submit(draft=first, user=person, declared=True)
    item = WalletItem.objects.get(user=person)
    other = citizen()
    draft = services.start_draft(user=other, procedure=oworld.procedure)
    with pytest.raises(PermissionDenied):
        services.reuse_from_wallet(draft=draft, user=other, item=item, required_document=None)


def test_the_citizen_fixes_a_supplement_request_online(oworld, person):
    dossier, _ = services.declare_and_submit(draft=ready_draft(oworld, person), user=person, declared=True)
    dossier = walk(oworld, dossier, "request_supplement")
    services.supplement_online(
        dossier=dossier,
        user=person,
        uploads=[
            services.SupplementUpload(name="Bản sao căn cước", document_id=None, upload=upload("cccd.pdf"))
        ],
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert dossier.documents.filter(name="Bản sao căn cước", received=True).exists()


def test_a_corrupt_supplement_file_is_refused_and_nothing_changes(oworld, person):
    dossier, _ = services.declare_and_submit(draft=ready_draft(oworld, person), user=person, declared=True)
    dossier = walk(oworld, dossier, "request_supplement")
    with pytest.raises(FileRejected):
        services.supplement_online(
            dossier=dossier,
            user=person,
            uploads=[
                services.SupplementUpload(name="x", document_id=None, upload=upload("x.pdf", b"%PDF-broken"))
            ],
        )
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED


def test_taking_the_result_returns_it_online_and_keeps_it_in_the_wallet(oworld, person):
    dossier, _ = services.declare_and_submit(draft=ready_draft(oworld, person), user=person, declared=True)
    dossier = walk(oworld, dossier, "accept", "start_processing", "finish")
    stored = services.take_result(dossier=dossier, user=person)
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    assert WalletItem.objects.filter(
        user=person, source=WalletItem.Source.RESULT, sha256=stored.sha256
    ).exists()


def test_a_self_declared_account_cannot_download_a_result_issued_to_a_person(oworld):
    user = citizen(verified=False)
    dossier, _ = services.declare_and_submit(draft=ready_draft(oworld, user), user=user, declared=True)
    dossier = walk(oworld, dossier, "accept", "start_processing", "finish")
    with pytest.raises(PermissionDenied):
        services.take_result(dossier=dossier, user=user)
    dossier.refresh_from_db()
    assert dossier.status == Status.FINISHED


def test_a_draft_started_with_a_page_token_keeps_that_id(oworld, person):
    token = uuid.uuid4()
    draft = services.start_draft(user=person, procedure=oworld.procedure, public_id=token)
    assert draft.public_id == token


def test_abandoned_drafts_are_purged_with_files_nothing_else_uses(
    oworld, person, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.core.management import call_command

    from egov.core import clock

    old = services.start_draft(user=person, procedure=oworld.procedure)
    lone = services.add_upload(draft=old, user=person, upload=upload("rieng.pdf"), required_document=None)
    shared = ready_draft(oworld, person)
    services.declare_and_submit(draft=shared, user=person, declared=True)
    kept = shared.files.get()
    reused = services.reuse_from_wallet(
        draft=old,
        user=person,
        item=WalletItem.objects.get(),
        required_document=oworld.procedure.documents.get(order=1),
    )
    assert reused.stored_name == kept.stored_name
    recent = services.start_draft(user=person, procedure=oworld.procedure)
    ApplicationDraft.objects.filter(pk=old.pk).update(updated_at=clock.now() - timedelta(days=200))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_drafts", "--days", "180", stdout=io.StringIO())
    assert set(ApplicationDraft.objects.values_list("pk", flat=True)) == {shared.pk, recent.pk}
    assert not default_storage.exists(lone.stored_name)
    assert default_storage.exists(kept.stored_name)  # the submitted dossier's and the wallet's file
    assert AuditEvent.objects.filter(action="draft.purge").exists()


def test_a_form_published_while_a_draft_is_open_is_the_one_submitted(oworld, person):
    from egov.procedures.models import FormSchema

    draft = ready_draft(oworld, person)
    FormSchema.objects.filter(procedure=oworld.procedure).update(is_current=False)
    new_fields = [f for f in draft.form_schema.fields if f["key"] != "ho_dien_thoai"]
    FormSchema.objects.create(procedure=oworld.procedure, version=2, title="Tờ khai", fields=new_fields)
    dossier, _ = services.declare_and_submit(draft=draft, user=person, declared=True)
    assert dossier.form_schema.version == 2
    assert "ho_dien_thoai" not in dossier.answers and dossier.answers["muc_dich"] == "Xin việc"


def test_the_place_of_submission_must_be_a_competent_agency(oworld, person):
    oworld.procedure.offered_by.add(oworld.centre)  # now two agencies: the citizen chooses
    draft = services.start_draft(user=person, procedure=oworld.procedure)
    assert draft.agency is None and services.readiness(draft, person).needs_agency
    with pytest.raises(ValidationError):
        services.choose_agency(draft=draft, user=person, agency=oworld.other_agency)
    services.choose_agency(draft=draft, user=person, agency=oworld.agency)
    assert ApplicationDraft.objects.get(pk=draft.pk).agency == oworld.agency


def test_the_applicant_asks_for_the_result_by_post_and_then_cannot_take_it_online(oworld, person):
    dossier, _ = services.declare_and_submit(draft=ready_draft(oworld, person), user=person, declared=True)
    with pytest.raises(ValidationError):  # no result yet
        services.request_postal_delivery(dossier=dossier, user=person, address="Số 1", phone="0912345678")
    dossier = walk(oworld, dossier, "accept", "start_processing", "finish")
    with pytest.raises(ValidationError) as invalid:
        services.request_postal_delivery(dossier=dossier, user=person, address=" ", phone="12")
    assert set(invalid.value.message_dict) == {"address", "phone"}
    with pytest.raises(PermissionDenied):
        services.request_postal_delivery(dossier=dossier, user=citizen(), address="Số 1", phone="0912345678")
    request = services.request_postal_delivery(
        dossier=dossier, user=person, address="Số 1  đường Lê Lợi", phone="0912 345 678"
    )
    assert (request.address, request.phone) == ("Số 1 đường Lê Lợi", "0912345678")
    assert dossier.postal_request == request
    with pytest.raises(PermissionDenied):
        services.take_result(dossier=dossier, user=person)
    # The desk sends it and records the return by post, with the recorded address.
    from egov.dossiers import services as dossier_services
    from egov.dossiers.models import DeliveryMethod

    dossier_services.return_result(
        dossier=dossier, officer=oworld.desk, delivery=DeliveryMethod.POST, returned_to=request.address
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
