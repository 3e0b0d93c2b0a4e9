"""Incoming documents: register from paper, duplicates, leader's instruction, processing, completion,
secret documents, reassignment of an absent person's work, reminders."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from egov.core import clock
from egov.core.models import AuditEvent
from egov.documents import reminders, rules, services
from egov.documents.models import Assignment, IncomingDocument
from egov.organizations.models import Role
from tests.documents.conftest import (
    assigned,
    assigned_to_unit,
    incoming_data,
    local,
    member,
    pdf_bytes,
    register,
)


def test_a_clerk_registers_a_scan_with_the_next_incoming_number_and_its_text(world):
    with clock.frozen(local(2026, 11, 30, 8, 15)):
        first = register(world, scan=pdf_bytes("Ke hoach chuyen doi so tinh Ca Mau"))
        second = register(world, notation="126/KH-UBND")
    assert (first.incoming_number, second.incoming_number) == (1, 2)
    assert first.year == 2026
    assert first.pages == 1
    assert default_storage.exists(first.file_name)
    assert "chuyen doi so" in first.text.lower()
    assert "ke hoach chuyen doi so" in first.search_text
    event = AuditEvent.objects.get(action="documents.incoming.register", object_id=str(first.pk))
    assert event.details["sha256"] == first.file_sha256


def test_only_a_clerk_of_the_agency_registers(world):
    with pytest.raises(PermissionDenied):
        services.register_incoming(clerk=world.other_clerk, agency=world.agency, data=incoming_data())


def test_a_non_pdf_scan_is_refused_with_a_vietnamese_message(world):
    with pytest.raises(ValidationError, match=r"van-ban\.pdf"):
        register(world, scan=b"GIF89a not a pdf at all")


def test_same_issuer_notation_and_date_warns_the_clerk_who_may_confirm(world):
    first = register(world)
    with pytest.raises(services.DuplicateWarning) as warning:
        register(world, issuer_name="UỶ BAN NHÂN DÂN TỈNH CÀ MAU", notation="125/kh-ubnd")
    assert warning.value.existing == [first]
    assert "số đến 01/" in warning.value.messages[0]
    confirmed = services.register_incoming(
        clerk=world.clerk,
        agency=world.agency,
        data=incoming_data(),
        acknowledge_duplicate=True,
    )
    assert confirmed.incoming_number == 2


def test_a_different_date_is_not_a_duplicate(world):
    register(world)
    assert register(world, issued_on=date(2026, 11, 21)).incoming_number == 2


def test_a_secret_document_keeps_metadata_only_in_its_own_register(world):
    normal = register(world)
    with pytest.raises(ValidationError, match="Văn bản mật"):
        register(world, secrecy=rules.Secrecy.SECRET, notation="01/M", scan=pdf_bytes("x"))
    secret = register(world, secrecy=rules.Secrecy.SECRET, notation="01/M")
    assert secret.register != normal.register
    assert secret.register.is_secret
    assert secret.incoming_number == 1
    assert secret.file_name == ""


def test_the_leader_assigns_lead_cooperating_and_for_information_with_a_deadline(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = assigned(world)
    assert document.status == rules.IncomingStatus.ASSIGNED
    roles = {(a.role, a.assignee_id) for a in document.assignments.all()}
    assert roles == {("lead", world.specialist.pk), ("cooperate", world.colleague.pk)}
    assert all(a.deadline == date(2026, 12, 10) for a in document.assignments.all())
    assert any(world.specialist.email in m.to for m in mail.outbox)


def test_only_the_leader_instructs_and_only_once_submitted(world):
    document = register(world)
    lead = [services.AssignmentData(role="lead", assignee=world.specialist)]
    with pytest.raises(rules.IllegalTransition):
        services.instruct(leader=world.leader, document=document, instruction="x", assignments=lead)
    services.submit_to_leader(clerk=world.clerk, document=document, leader=world.leader)
    with pytest.raises(PermissionDenied):
        services.instruct(leader=world.head, document=document, instruction="x", assignments=lead)


def test_an_instruction_needs_exactly_one_lead(world):
    document = register(world)
    services.submit_to_leader(clerk=world.clerk, document=document, leader=world.leader)
    with pytest.raises(ValidationError, match="chủ trì"):
        services.instruct(
            leader=world.leader,
            document=document,
            instruction="x",
            assignments=[services.AssignmentData(role="inform", assignee=world.head)],
        )
    with pytest.raises(ValidationError, match="một người hoặc đơn vị chủ trì"):
        services.instruct(
            leader=world.leader,
            document=document,
            instruction="x",
            assignments=[
                services.AssignmentData(role="lead", assignee=world.head),
                services.AssignmentData(role="lead", division=world.division),
            ],
        )


def test_people_of_another_agency_cannot_be_assigned(world):
    document = register(world)
    services.submit_to_leader(clerk=world.clerk, document=document, leader=world.leader)
    with pytest.raises(ValidationError, match="không thuộc cơ quan"):
        services.instruct(
            leader=world.leader,
            document=document,
            instruction="x",
            assignments=[services.AssignmentData(role="lead", assignee=world.outsider)],
        )


def test_a_secret_document_is_assigned_to_people_not_units(world):
    document = register(world, secrecy=rules.Secrecy.CONFIDENTIAL)
    services.submit_to_leader(clerk=world.clerk, document=document, leader=world.leader)
    with pytest.raises(ValidationError, match="từng người"):
        services.instruct(
            leader=world.leader,
            document=document,
            instruction="x",
            assignments=[services.AssignmentData(role="lead", division=world.division)],
        )


def test_assignees_give_opinions_with_attachments_and_the_lead_completes(world):
    document = assigned(world)
    opinion = services.add_opinion(
        actor=world.colleague,
        document=document,
        text="Đồng ý phối hợp.",
        attachment=pdf_bytes("y kien"),
        attachment_name="y-kien.pdf",
    )
    assert opinion.file_sha256
    with pytest.raises(PermissionDenied):
        services.complete_incoming(actor=world.colleague, document=document)
    with pytest.raises(PermissionDenied):
        services.add_opinion(actor=world.head, document=document, text="?")
    done = services.complete_incoming(
        actor=world.specialist, document=document, note="Đã tham mưu văn bản trả lời."
    )
    assert done.status == rules.IncomingStatus.COMPLETED
    assert not Assignment.objects.filter(document=document, is_open=True).exists()


def test_a_unit_assignment_lets_its_members_process(world):
    document = assigned_to_unit(world)
    assert services.complete_incoming(actor=world.colleague, document=document).status == "completed"


def test_the_division_head_reassigns_all_open_work_of_an_absent_person_in_one_action(world):
    documents = [assigned(world, notation=f"{n}/KH-UBND") for n in range(1, 4)]
    services.complete_incoming(actor=world.specialist, document=documents[0])
    moved = services.reassign_open_work(
        head=world.head, absent=world.specialist, to=world.colleague, agency=world.agency
    )
    assert moved == 2
    assert not Assignment.objects.filter(assignee=world.specialist, is_open=True).exists()
    assert Assignment.objects.filter(assignee=world.colleague, is_open=True, role="lead").count() == 2
    assert AuditEvent.objects.filter(action="documents.incoming.reassign_open_work").count() == 1


def test_a_head_cannot_reassign_people_outside_their_division(world):
    stranger = member(world.agency, Role.SPECIALIST, world.office)
    with pytest.raises(PermissionDenied):
        services.reassign_open_work(head=world.head, absent=stranger, to=world.colleague, agency=world.agency)
    with pytest.raises(PermissionDenied):
        services.reassign_open_work(
            head=world.specialist, absent=world.colleague, to=world.specialist, agency=world.agency
        )


def test_reminders_go_once_before_the_deadline_and_again_when_late(world, django_capture_on_commit_callbacks):
    with clock.frozen(local(2026, 12, 1, 8, 0)):
        assigned(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.send_document_reminders(today=date(2026, 12, 8))
        again = reminders.send_document_reminders(today=date(2026, 12, 9))
        late = reminders.send_document_reminders(today=date(2026, 12, 11))
    assert (first.sent, again.sent, late.sent) == (2, 0, 2)
    subjects = [m.subject for m in mail.outbox]
    assert sum("sắp đến hạn" in s for s in subjects) == 2
    assert sum("quá hạn" in s for s in subjects) == 2


def test_no_reminder_far_from_the_deadline_or_after_completion(world):
    document = assigned(world)
    assert reminders.send_document_reminders(today=date(2026, 11, 1)).sent == 0
    services.complete_incoming(actor=world.specialist, document=document)
    assert reminders.send_document_reminders(today=date(2026, 12, 20)).sent == 0


def test_incoming_numbers_run_per_agency(world):
    register(world)
    other = services.register_incoming(
        clerk=world.other_clerk,
        agency=world.other,
        data=incoming_data(),
    )
    assert other.incoming_number == 1
    assert IncomingDocument.objects.count() == 2
