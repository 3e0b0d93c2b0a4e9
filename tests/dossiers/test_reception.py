"""Recording a dossier: its code, the applicant's data, notifications and audit after commit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from egov.accounts.models import AssuranceLevel
from egov.core import clock
from egov.core.models import AuditEvent
from egov.dossiers import services
from egov.dossiers.models import Channel, Dossier, StatusChange
from egov.dossiers.rules import Status
from tests.dossiers.conftest import AGENCY_CODE, World, applicant, local, record
from tests.factories import UserFactory


class PlannedRollbackError(Exception):
    pass


def test_the_code_is_agency_date_and_a_four_digit_sequence(world: World):
    with clock.frozen(local(2026, 2, 13, 9, 40)):
        first, second = record(world), record(world)
    assert first.code == f"{AGENCY_CODE}-260213-0001"
    assert second.code == f"{AGENCY_CODE}-260213-0002"


def test_the_sequence_restarts_at_local_midnight_in_ho_chi_minh_city(world: World):
    with clock.frozen(local(2026, 2, 13, 23, 59)):
        late_evening = record(world, channel=Channel.POST)
    with clock.frozen(local(2026, 2, 14, 0, 1)):  # still 13/02 in UTC
        after_midnight = record(world, channel=Channel.POST)
    assert late_evening.code == f"{AGENCY_CODE}-260213-0001"
    assert after_midnight.code == f"{AGENCY_CODE}-260214-0001"


def test_each_agency_has_its_own_series(world: World):
    world.procedure.offered_by.add(world.other_agency)
    with clock.frozen(local(2026, 2, 13, 9, 0)):
        ours = record(world)
        theirs = record(world, actor=world.outsider, agency=world.other_agency, receiving_division=None)
    assert ours.code.endswith("-0001") and theirs.code == f"{world.other_agency.code}-260213-0001"


def test_a_rolled_back_reception_gives_its_number_back(world: World):
    with clock.frozen(local(2026, 2, 13, 9, 0)):
        with pytest.raises(PlannedRollbackError), transaction.atomic():
            record(world)
            raise PlannedRollbackError
        assert record(world).code.endswith("-0001")


def test_reception_writes_the_first_status_change_and_an_audit_event(world: World):
    dossier = record(world)
    change = StatusChange.objects.get(dossier=dossier)
    assert (change.source, change.target, change.actor) == (None, Status.SUBMITTED, world.desk)
    event = AuditEvent.objects.get(action="dossier.record")
    assert event.object_id == str(dossier.pk) and event.actor_id == str(world.desk.pk)
    assert dossier.documents.count() == 2 and dossier.answers == {"muc_dich": "Xin việc"}
    assert len(dossier.tracking_token) >= 32


def sms_outbox(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path / "sms" / "outbox.jsonl"


def test_the_applicant_is_notified_by_mail_and_sms_after_the_commit(
    world: World, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
):
    outbox = sms_outbox(settings, tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = record(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_dossier(dossier=dossier, officer=world.desk)
    assert [m.to for m in mail.outbox] == [["nop@example.vn"], ["nop@example.vn"]]
    assert dossier.code in mail.outbox[1].subject and "Hẹn trả kết quả" in mail.outbox[1].body
    texts = [json.loads(line)["text"] for line in outbox.read_text().splitlines()]
    assert len(texts) == 2 and dossier.code in texts[1]


def test_nothing_is_sent_when_the_transaction_rolls_back(
    world: World, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
):
    outbox = sms_outbox(settings, tmp_path)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(PlannedRollbackError),
        transaction.atomic(),
    ):
        record(world)
        raise PlannedRollbackError
    assert callbacks == [] and mail.outbox == [] and not outbox.exists()
    assert not Dossier.objects.exists()


def test_a_bad_personal_id_is_refused_in_vietnamese(world: World):
    with pytest.raises(ValidationError) as refused:
        record(world, applicant=applicant(national_id="12345"))
    assert "12 chữ số" in str(refused.value.message_dict["national_id"])


def test_an_organisation_applies_with_its_tax_code(world: World):
    dossier = record(
        world,
        applicant=applicant(kind="organisation", national_id="", tax_code="0101234567", name="Công ty A"),
    )
    assert dossier.applicant.tax_code == "0101234567"
    with pytest.raises(ValidationError):
        record(world, applicant=applicant(kind="organisation", national_id="", tax_code="12"))


def test_the_form_is_checked_against_its_schema(world: World):
    with pytest.raises(ValidationError) as refused:
        record(world, answers={})
    assert "muc_dich" in refused.value.message_dict


def test_only_an_agency_offering_the_procedure_receives_it(world: World):
    with pytest.raises(ValidationError, match="không giải quyết"):
        record(world, actor=world.outsider, agency=world.other_agency, receiving_division=None)


def test_an_officer_without_the_desk_role_cannot_record(world: World):
    with pytest.raises(PermissionDenied):
        record(world, actor=world.specialist)


def test_a_citizen_submits_online_and_is_linked_to_the_applicant(world: World):
    citizen = UserFactory(assurance_level=AssuranceLevel.VERIFIED)
    dossier = record(world, actor=citizen, channel=Channel.ONLINE, receiving_division=None)
    assert dossier.applicant.user == citizen and dossier.channel == Channel.ONLINE
    with pytest.raises(PermissionDenied):
        record(world, actor=world.desk, channel=Channel.ONLINE)
