"""The online channel: submit (idempotent by key), supplement and take the result as the applicant."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from egov.accounts.models import AssuranceLevel
from egov.core.files import FileKind, StoredFile
from egov.core.models import AuditEvent
from egov.dossiers import services
from egov.dossiers.models import Channel, DeliveryMethod, Dossier, StatusChange
from egov.dossiers.rules import IllegalTransition, Status
from tests.dossiers.conftest import RESULT_FILE, World, applicant, build_world, walk
from tests.eservices.racing import race
from tests.factories import UserFactory

SCAN = StoredFile(
    name="eservices/uploads/2026/02/abc-ban-sao.pdf",
    size=999,
    sha256="b" * 64,
    kind=FileKind.PDF,
    content_type="application/pdf",
)


def citizen(verified: bool = True):  # type: ignore[no-untyped-def]
    return UserFactory(assurance_level=AssuranceLevel.VERIFIED if verified else AssuranceLevel.SELF_DECLARED)


def submit(world: World, user, key: str | None = None, **overrides):  # type: ignore[no-untyped-def]
    arguments = {
        "citizen": user,
        "procedure": world.procedure,
        "agency": world.agency,
        "applicant": applicant(national_id=user.national_id, email=user.email),
        "answers": {"muc_dich": "Xin việc"},
        "documents": [
            services.ReceivedDocument(required_document=d) for d in world.procedure.documents.all()
        ],
        "submission_key": key or str(uuid.uuid4()),
    }
    return services.submit_online(**(arguments | overrides))


@pytest.fixture
def user(db):  # type: ignore[no-untyped-def]
    return citizen()


def test_online_submission_is_status_1_on_the_online_channel_with_a_code(world, user):
    dossier, created = submit(world, user)
    assert created
    assert (dossier.status, dossier.channel) == (Status.SUBMITTED, Channel.ONLINE)
    assert dossier.code.startswith(world.agency.code + "-")
    assert dossier.applicant.user == user
    assert AuditEvent.objects.filter(action="dossier.submit_online", object_id=str(dossier.pk)).exists()


def test_a_repeated_submission_with_the_same_key_returns_the_first_dossier(world, user):
    first, _ = submit(world, user, key="draft-1")
    again, created = submit(world, user, key="draft-1")
    assert (again.pk, created) == (first.pk, False)
    assert Dossier.objects.count() == 1
    assert services.submitted_with_key("draft-1") == first


def test_another_account_cannot_take_over_a_submission_key(world, user):
    submit(world, user, key="draft-2")
    with pytest.raises(PermissionDenied):
        submit(world, citizen(), key="draft-2")


def test_a_failed_submission_leaves_its_key_free(world, user):
    with pytest.raises(ValidationError):
        submit(world, user, key="draft-3", answers={})
    dossier, created = submit(world, user, key="draft-3")
    assert created and dossier.code.endswith("-0001")


def test_an_official_cannot_submit_online(world):
    with pytest.raises(PermissionDenied):
        submit(world, world.desk)


def test_a_procedure_needing_a_verified_identity_refuses_a_self_declared_account(world):
    world.procedure.requires_verified_identity = True
    world.procedure.save()
    with pytest.raises(PermissionDenied):
        submit(world, citizen(verified=False))


def test_the_online_dossier_waits_in_the_competent_agencys_desk_queue(world, user):
    from egov.dossiers.selectors import desk_queue

    dossier, _ = submit(world, user)
    assert list(desk_queue(actor=world.desk, desk=world.agency)) == [dossier]


def test_the_applicant_resubmits_online_before_acceptance(world, user):
    dossier, _ = submit(world, user)
    dossier = walk(world, dossier, "request_supplement")
    document = dossier.documents.get(name="Giấy ủy quyền")
    services.resubmit_online(
        dossier=dossier,
        citizen=user,
        files=[
            services.SupplementFile(file=SCAN, name="Giấy ủy quyền", document_id=document.pk),
            services.SupplementFile(file=SCAN, name="Bản sao căn cước"),
        ],
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    document.refresh_from_db()
    assert document.received and document.file_sha256 == SCAN.sha256
    assert dossier.documents.filter(name="Bản sao căn cước", received=True).exists()
    last = StatusChange.objects.filter(dossier=dossier).order_by("-pk").first()
    assert last is not None and last.actor == user and last.details["online"] is True


def test_the_applicant_resubmits_online_during_processing_and_the_clock_resumes(world, user):
    dossier, _ = submit(world, user)
    dossier = walk(world, dossier, "accept", "start_processing", "request_supplement")
    services.resubmit_online(
        dossier=dossier, citizen=user, files=[services.SupplementFile(file=SCAN, name="Bản sao")]
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.IN_PROGRESS and dossier.paused_since is None


def test_someone_else_cannot_resubmit(world, user):
    dossier, _ = submit(world, user)
    dossier = walk(world, dossier, "request_supplement")
    with pytest.raises(PermissionDenied):
        services.resubmit_online(
            dossier=dossier, citizen=citizen(), files=[services.SupplementFile(file=SCAN, name="x")]
        )


def test_resubmitting_outside_a_supplement_request_is_illegal(world, user):
    dossier, _ = submit(world, user)
    with pytest.raises(IllegalTransition):
        services.resubmit_online(
            dossier=dossier, citizen=user, files=[services.SupplementFile(file=SCAN, name="x")]
        )


def test_taking_the_result_online_returns_the_dossier_once(world, user):
    dossier, _ = submit(world, user)
    dossier = walk(world, dossier, "accept", "start_processing", "finish")
    result = services.deliver_online(dossier=dossier, citizen=user)
    assert result.delivery == DeliveryMethod.ONLINE and result.file_sha256 == RESULT_FILE.sha256
    services.deliver_online(dossier=dossier, citizen=user)  # a second download changes nothing
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    assert dossier.status_changes.filter(target=Status.RETURNED).count() == 1


def test_the_result_cannot_be_taken_before_it_is_finished(world, user):
    dossier, _ = submit(world, user)
    dossier = walk(world, dossier, "accept", "start_processing")
    with pytest.raises(Exception):  # noqa: B017 - no result row yet, or an illegal move
        services.deliver_online(dossier=dossier, citizen=user)
    dossier.refresh_from_db()
    assert dossier.status == Status.IN_PROGRESS


RACERS = 12
DEADLINE_SECONDS = 120


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_repeats_of_one_submission_create_one_dossier():
    world = build_world()
    user = citizen()

    def click() -> tuple[int, bool]:
        dossier, created = submit(world, user, key="same-draft")
        return dossier.pk, created

    results, errors = race(click, RACERS, DEADLINE_SECONDS)
    assert errors == []
    assert Dossier.objects.count() == 1
    assert len({pk for pk, _ in results}) == 1
    assert sum(created for _, created in results) == 1
