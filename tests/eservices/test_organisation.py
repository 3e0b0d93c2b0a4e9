"""Applying online for an organisation the citizen is authorised to act for (issue 4, Identity)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from egov.accounts.models import OrganisationAuthorisation, User
from egov.core import clock
from egov.core.models import AuditEvent
from egov.dossiers.models import Applicant, Dossier
from egov.eservices import services
from egov.eservices.models import ApplicationDraft
from tests.dossiers.conftest import applicant, record
from tests.eservices.conftest import ANSWERS, citizen, upload

TAX_CODE = "0312345678"
OTHER_TAX_CODE = "0109876543"


def authorise(
    user: User, tax_code: str = TAX_CODE, name: str = "Công ty TNHH Hạc Thành"
) -> OrganisationAuthorisation:
    now = clock.now()
    return OrganisationAuthorisation.objects.create(
        user=user,
        tax_code=tax_code,
        organisation_name=name,
        basis=OrganisationAuthorisation.Basis.LEGAL_REPRESENTATIVE,
        granted_via=OrganisationAuthorisation.GrantedVia.DESK,
        valid_from=now - timedelta(days=10),
        recorded_at=now - timedelta(days=10),
    )


def ready_draft(world, user):  # type: ignore[no-untyped-def]
    draft = services.start_draft(user=user, procedure=world.procedure)
    services.save_page(draft=draft, user=user, number=1, typed={}, cleaned=ANSWERS)
    required = world.procedure.documents.get(order=1)
    services.add_upload(draft=draft, user=user, upload=upload("to-khai.pdf"), required_document=required)
    return draft


@pytest.fixture
def representative(db):  # type: ignore[no-untyped-def]
    user = citizen()
    authorise(user)
    return user


# --- Services --------------------------------------------------------------------------------


def test_a_dossier_for_an_organisation_has_the_organisation_as_applicant(oworld, representative):
    draft = ready_draft(oworld, representative)
    services.choose_applicant(draft=draft, user=representative, choice=TAX_CODE)
    dossier, created = services.declare_and_submit(draft=draft, user=representative, declared=True)
    person = Applicant.objects.get(pk=dossier.applicant_id)
    assert created and person.kind == Applicant.Kind.ORGANISATION
    assert (person.tax_code, person.name, person.national_id) == (TAX_CODE, "Công ty TNHH Hạc Thành", "")
    assert (person.phone, person.email, person.user) == (
        representative.phone or "",
        representative.email or "",
        representative,
    )
    event = AuditEvent.objects.get(action="dossier.submit_for_organisation")
    assert event.details["tax_code"] == TAX_CODE


def test_choosing_oneself_gives_a_personal_applicant(oworld, representative):
    draft = ready_draft(oworld, representative)
    services.choose_applicant(draft=draft, user=representative, choice=services.MYSELF)
    dossier, _ = services.declare_and_submit(draft=draft, user=representative, declared=True)
    assert dossier.applicant.kind == Applicant.Kind.PERSON
    assert dossier.applicant.national_id == representative.national_id


def test_a_representative_must_say_for_whom_before_submitting(oworld, representative):
    draft = ready_draft(oworld, representative)
    assert services.readiness(draft, representative).needs_applicant
    with pytest.raises(ValidationError):
        services.declare_and_submit(draft=draft, user=representative, declared=True)
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("ending", ["revoked", "expired"])
def test_an_authorisation_ended_between_choice_and_submission_refuses_and_keeps_the_draft(
    oworld, representative, ending
):
    draft = ready_draft(oworld, representative)
    services.choose_applicant(draft=draft, user=representative, choice=TAX_CODE)
    grant = OrganisationAuthorisation.objects.get(user=representative)
    if ending == "revoked":
        grant.revoked_at = clock.now()
        grant.save(update_fields=["revoked_at"])
    else:
        grant.valid_until = clock.now() - timedelta(minutes=1)
        grant.save(update_fields=["valid_until"])
    assert services.readiness(draft, representative).organisation_lapsed
    with pytest.raises(ValidationError) as refused:
        services.declare_and_submit(draft=draft, user=representative, declared=True)
    assert refused.value.code == "authorisation_lapsed" and TAX_CODE in refused.value.messages[0]
    draft.refresh_from_db()
    assert not Dossier.objects.exists() and draft.dossier is None
    assert draft.answers == ANSWERS and draft.files.count() == 1 and draft.organisation_tax_code == TAX_CODE
    services.choose_applicant(draft=draft, user=representative, choice=services.MYSELF)
    dossier, _ = services.declare_and_submit(draft=draft, user=representative, declared=True)
    assert dossier.applicant.kind == Applicant.Kind.PERSON


def test_someone_elses_tax_code_is_refused(oworld, representative):
    authorise(citizen(), OTHER_TAX_CODE, "Công ty của người khác")
    draft = ready_draft(oworld, representative)
    for forged in (OTHER_TAX_CODE, "0000000000", ""):
        with pytest.raises(PermissionDenied):
            services.choose_applicant(draft=draft, user=representative, choice=forged)
    draft.refresh_from_db()
    assert draft.organisation_tax_code == "" and services.STEP_APPLICANT not in draft.completed_steps


def test_a_self_declared_account_cannot_act_for_an_organisation(oworld):
    user = citizen(verified=False)
    authorise(user)
    draft = ready_draft(oworld, user)
    with pytest.raises(PermissionDenied):
        services.choose_applicant(draft=draft, user=user, choice=TAX_CODE)


def test_a_forged_tax_code_written_on_the_draft_is_refused_at_submission(oworld, representative):
    draft = ready_draft(oworld, representative)
    services.choose_applicant(draft=draft, user=representative, choice=TAX_CODE)
    ApplicationDraft.objects.filter(pk=draft.pk).update(organisation_tax_code=OTHER_TAX_CODE)
    draft.refresh_from_db()
    with pytest.raises(ValidationError):
        services.declare_and_submit(draft=draft, user=representative, declared=True)
    assert not Dossier.objects.exists()


# --- Screens ---------------------------------------------------------------------------------


def start(client, world) -> ApplicationDraft:  # type: ignore[no-untyped-def]
    response = client.post(
        reverse("eservices:start", args=[world.procedure.code]), {"token": str(uuid.uuid4())}
    )
    return ApplicationDraft.objects.get(public_id=response.url.rstrip("/").rsplit("/", 1)[-1])


def fill(client, draft, world):  # type: ignore[no-untyped-def]
    client.post(
        reverse("eservices:draft_page", args=[draft.public_id, 1]),
        {"muc_dich": "Xin việc", "ho_ten": "Nguyễn Thị Nộp", "ho_dien_thoai": "0912345678"},
    )
    client.post(reverse("eservices:draft_page", args=[draft.public_id, 2]), {"nhan_ket_qua": "truc_tuyen"})
    files = reverse("eservices:draft_files", args=[draft.public_id])
    required = world.procedure.documents.get(order=1)
    client.post(files, {"action": "upload", "requirement": required.pk, "file": upload()})
    client.post(files, {"action": "done"})


def test_the_wizard_asks_for_whom_first_and_submits_for_the_organisation(client, oworld, representative):
    client.force_login(representative)
    draft = start(client, oworld)
    tasks = client.get(reverse("eservices:draft", args=[draft.public_id])).content.decode()
    assert "Nộp cho ai" in tasks
    step = reverse("eservices:draft_applicant", args=[draft.public_id])
    page = client.get(step).content.decode()
    assert "Nộp cho ai?" in page and "Công ty TNHH Hạc Thành" in page and TAX_CODE in page
    response = client.post(step, {"applicant": TAX_CODE})
    assert response.url == reverse("eservices:draft_page", args=[draft.public_id, 1])
    fill(client, draft, oworld)
    check = client.get(reverse("eservices:draft_check", args=[draft.public_id])).content.decode()
    assert "Nộp cho" in check and f"{step}?quay-lai=1" in check and "Công ty TNHH Hạc Thành" in check
    client.post(reverse("eservices:draft_submit", args=[draft.public_id]), {"declared": "on"})
    dossier = Dossier.objects.select_related("applicant").get()
    assert dossier.applicant.kind == Applicant.Kind.ORGANISATION and dossier.applicant.tax_code == TAX_CODE


def test_the_choice_lists_every_organisation_in_a_bounded_number_of_queries(
    client, oworld, representative, django_assert_max_num_queries
):
    for n in range(5):
        authorise(representative, f"040000000{n}", f"Hợp tác xã số {n}")
    client.force_login(representative)
    draft = start(client, oworld)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("eservices:draft_applicant", args=[draft.public_id])).content.decode()
    assert page.count('name="applicant"') == 7 and "Hợp tác xã số 4" in page


def test_the_change_link_returns_to_the_check_page(client, oworld, representative):
    client.force_login(representative)
    draft = start(client, oworld)
    step = reverse("eservices:draft_applicant", args=[draft.public_id])
    response = client.post(step, {"applicant": services.MYSELF, "quay-lai": "1"})
    assert response.url == reverse("eservices:draft_check", args=[draft.public_id])


def test_a_forged_tax_code_in_the_post_is_refused_on_the_page(client, oworld, representative):
    authorise(citizen(), OTHER_TAX_CODE, "Công ty của người khác")
    client.force_login(representative)
    draft = start(client, oworld)
    step = reverse("eservices:draft_applicant", args=[draft.public_id])
    response = client.post(step, {"applicant": OTHER_TAX_CODE})
    assert response.status_code == 200
    assert "không được ủy quyền" in response.content.decode()
    assert "Công ty của người khác" not in response.content.decode()
    draft.refresh_from_db()
    assert draft.organisation_tax_code == ""
    empty = client.post(step, {})
    assert "Hãy chọn nộp hồ sơ cho bản thân hay cho một tổ chức." in empty.content.decode()


def test_a_revoked_authorisation_is_explained_on_the_check_page_and_nothing_is_lost(
    client, oworld, representative
):
    client.force_login(representative)
    draft = start(client, oworld)
    client.post(reverse("eservices:draft_applicant", args=[draft.public_id]), {"applicant": TAX_CODE})
    fill(client, draft, oworld)
    OrganisationAuthorisation.objects.filter(user=representative).update(revoked_at=clock.now())
    response = client.post(
        reverse("eservices:draft_submit", args=[draft.public_id]), {"declared": "on"}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("eservices:draft_check", args=[draft.public_id])
    assert "không còn được ủy quyền" in page and "đã bị thu hồi" in page
    assert not Dossier.objects.exists()
    draft.refresh_from_db()
    assert draft.answers and draft.files.count() == 1


def test_a_citizen_without_organisations_never_sees_the_question(client, oworld, person):
    client.force_login(person)
    draft = start(client, oworld)
    tasks = client.get(reverse("eservices:draft", args=[draft.public_id])).content.decode()
    assert "Nộp cho ai" not in tasks
    step = client.get(reverse("eservices:draft_applicant", args=[draft.public_id]))
    assert step.status_code == 302


def test_my_dossiers_lists_the_organisations_dossiers_in_a_bounded_number_of_queries(
    client, oworld, representative, django_assert_max_num_queries
):
    at_desk = [
        record(
            oworld,
            applicant=applicant(
                kind=Applicant.Kind.ORGANISATION,
                name="Công ty TNHH Hạc Thành",
                national_id="",
                tax_code=TAX_CODE,
            ),
            answers=ANSWERS,
        )
        for _ in range(3)
    ]
    others = record(
        oworld,
        applicant=applicant(
            kind=Applicant.Kind.ORGANISATION, name="Công ty khác", national_id="", tax_code=OTHER_TAX_CODE
        ),
        answers=ANSWERS,
    )
    client.force_login(representative)
    draft = ready_draft(oworld, representative)
    services.choose_applicant(draft=draft, user=representative, choice=TAX_CODE)
    online, _ = services.declare_and_submit(draft=draft, user=representative, declared=True)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("eservices:mine")).content.decode()
    assert all(d.code in page for d in [*at_desk, online]) and others.code not in page
    assert "Nộp cho: Công ty TNHH Hạc Thành" in page
    OrganisationAuthorisation.objects.filter(user=representative).update(revoked_at=clock.now())
    page = client.get(reverse("eservices:mine")).content.decode()
    assert online.code in page  # submitted by this account
    assert not any(d.code in page for d in at_desk)
