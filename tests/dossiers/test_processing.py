"""Processing along the template: hand-overs, inboxes, reassignment, result, return and rating."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from egov.core.files import FileKind, check_upload
from egov.core.models import AuditEvent
from egov.dossiers import selectors, services
from egov.dossiers.models import DeliveryMethod, Dossier, Handover, HandoverAttachment
from egov.dossiers.rules import IllegalTransition, Status
from egov.dossiers.services.processing import HANDOVER_KINDS, MAX_HANDOVER_BYTES
from egov.organizations.models import Role
from tests.core.test_files import SAMPLES, pdf_bytes
from tests.dossiers.conftest import RESULT_FILE, World, dossier_in, member
from tests.factories import UserFactory


def in_progress(world: World) -> Dossier:
    return dossier_in(world, Status.IN_PROGRESS, True)


def test_the_first_step_waits_in_its_divisions_inbox_until_someone_takes_it(world: World):
    dossier = in_progress(world)
    assert (dossier.current_division, dossier.current_assignee) == (world.division, None)
    row = services.take_dossier(dossier=dossier, officer=world.colleague)
    dossier.refresh_from_db()
    assert dossier.current_assignee == world.colleague and row.received_at is not None


def test_a_hand_over_to_the_next_step_closes_the_row_and_opens_the_next(world: World):
    dossier = in_progress(world)
    row = services.hand_over(dossier=dossier, officer=world.specialist, to_user=world.leader, note="Trình ký")
    dossier.refresh_from_db()
    rows = list(Handover.objects.filter(dossier=dossier).order_by("handed_at", "pk"))
    assert [r.step_name for r in rows] == ["Thẩm định", "Phê duyệt"]
    assert rows[0].completed_at is not None and rows[1] == row and row.completed_at is None
    assert dossier.current_step == world.steps[1] and dossier.current_assignee == world.leader
    assert AuditEvent.objects.filter(action="dossier.hand_over", object_id=str(dossier.pk)).exists()


def test_an_inter_agency_hand_over_lands_in_the_other_agencys_inbox(world: World):
    dossier = in_progress(world)
    services.hand_over(
        dossier=dossier, officer=world.specialist, to_step=world.steps[0], to_agency=world.other_agency
    )
    dossier.refresh_from_db()
    assert dossier.current_agency == world.other_agency
    assert selectors.visible_dossiers(world.outsider).filter(pk=dossier.pk).exists()
    services.take_dossier(dossier=dossier, officer=world.outsider)
    services.hand_over(dossier=dossier, officer=world.outsider, note="Đã có ý kiến")
    dossier.refresh_from_db()
    assert dossier.current_agency == world.agency and dossier.current_step == world.steps[1]


def test_a_hand_over_to_someone_who_cannot_process_there_is_refused(world: World):
    dossier = in_progress(world)
    with pytest.raises(ValidationError):
        services.hand_over(dossier=dossier, officer=world.specialist, to_user=world.outsider)
    with pytest.raises(PermissionDenied):
        services.hand_over(dossier=dossier, officer=world.outsider)


def test_hand_over_is_only_for_dossiers_in_progress(world: World):
    dossier = dossier_in(world, Status.ACCEPTED, True)
    with pytest.raises(IllegalTransition):
        services.hand_over(dossier=dossier, officer=world.specialist)


def test_a_division_head_moves_a_persons_open_work_in_one_action(world: World):
    first, second = in_progress(world), in_progress(world)
    for dossier in (first, second):
        services.take_dossier(dossier=dossier, officer=world.specialist)
    moved = services.reassign_open_work(
        actor=world.head, agency=world.agency, from_user=world.specialist, to_user=world.colleague
    )
    assert moved == 2
    assert set(Dossier.objects.values_list("current_assignee", flat=True)) == {world.colleague.pk}
    open_rows = Handover.objects.filter(completed_at__isnull=True)
    assert {r.to_user_id for r in open_rows} == {world.colleague.pk}
    with pytest.raises(PermissionDenied):
        services.reassign_open_work(
            actor=world.specialist, agency=world.agency, from_user=world.colleague, to_user=world.specialist
        )


def test_the_result_is_returned_online_and_the_applicant_rates_it_once(world: World):
    dossier = dossier_in(world, Status.FINISHED, True)
    assert dossier.result.file_sha256 == RESULT_FILE.sha256
    services.return_result(dossier=dossier, officer=world.desk, delivery=DeliveryMethod.ONLINE)
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED and dossier.returned_at is not None
    rating = services.rate(dossier=dossier, score=5, tracking_token=dossier.tracking_token)
    assert rating.score == 5
    with pytest.raises(ValidationError):
        services.rate(dossier=dossier, score=4, tracking_token=dossier.tracking_token)


def test_returning_at_the_desk_records_who_collected_it(world: World):
    dossier = dossier_in(world, Status.FINISHED, True)
    with pytest.raises(ValidationError):
        services.return_result(dossier=dossier, officer=world.desk, delivery=DeliveryMethod.DESK)
    result = services.return_result(
        dossier=dossier, officer=world.desk, delivery=DeliveryMethod.DESK, returned_to="Trần Văn Nhận"
    )
    assert (result.returned_to, result.returned_by) == ("Trần Văn Nhận", world.desk)


def test_only_the_applicant_may_rate_and_only_after_the_return(world: World):
    dossier = dossier_in(world, Status.RETURNED, True)
    with pytest.raises(PermissionDenied):
        services.rate(dossier=dossier, score=5, actor=UserFactory())
    with pytest.raises(PermissionDenied):
        services.rate(dossier=dossier, score=5, actor=world.desk)
    finished = dossier_in(world, Status.FINISHED, True)
    with pytest.raises(IllegalTransition):
        services.rate(dossier=finished, score=5, tracking_token=finished.tracking_token)


def test_an_apology_is_issued_by_a_leader_only(world: World):
    from egov.core import clock
    from tests.dossiers.conftest import local

    dossier = in_progress(world)
    with clock.frozen(local(2026, 1, 5, 9, 0)), pytest.raises(PermissionDenied):
        services.issue_apology(
            dossier=dossier,
            officer=member(world.agency, Role.SPECIALIST),
            promised_at=local(2026, 3, 1),
            reason="x",
        )


def stored_files(media_root: Path) -> list[Path]:
    return [path for path in (media_root / "handovers").rglob("*") if path.is_file()]


def attachment(name: str, content: bytes) -> services.CheckedUpload:
    checked = check_upload(content, allowed=HANDOVER_KINDS, max_bytes=MAX_HANDOVER_BYTES, name=name)
    return services.CheckedUpload(checked=checked, content=content)


def test_attachments_are_stored_with_the_hand_over_and_their_hashes_audited(world: World):
    dossier = in_progress(world)
    draft = attachment("Dự thảo.docx", SAMPLES[FileKind.DOCX]())
    scan = attachment("bien-ban.pdf", pdf_bytes())
    row = services.hand_over(
        dossier=dossier, officer=world.specialist, to_user=world.leader, attachments=[draft, scan]
    )
    files = list(row.attachments.order_by("pk"))
    assert [(f.original_name, f.file_sha256) for f in files] == [
        ("Dự thảo.docx", draft.checked.sha256),
        ("bien-ban.pdf", scan.checked.sha256),
    ]
    assert (
        files[0].file_content_type == FileKind.DOCX.content_type and files[1].file_size == scan.checked.size
    )
    assert all(f.file_name.startswith("handovers/") and default_storage.exists(f.file_name) for f in files)
    event = AuditEvent.objects.get(action="dossier.hand_over", object_id=str(dossier.pk))
    assert event.details["attachments"] == [
        {"name": "Dự thảo.docx", "sha256": draft.checked.sha256},
        {"name": "bien-ban.pdf", "sha256": scan.checked.sha256},
    ]


def test_a_refused_hand_over_keeps_no_attachment(world: World):
    dossier = in_progress(world)
    with pytest.raises(ValidationError):
        services.hand_over(
            dossier=dossier,
            officer=world.specialist,
            to_user=world.outsider,
            attachments=[attachment("bien-ban.pdf", pdf_bytes())],
        )
    assert not HandoverAttachment.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == []  # the file stored before the refusal is gone


def test_at_most_five_attachments_travel_with_a_hand_over(world: World):
    dossier = in_progress(world)
    with pytest.raises(ValidationError, match="tối đa 5 tệp"):
        services.hand_over(
            dossier=dossier,
            officer=world.specialist,
            attachments=[attachment(f"{i}.pdf", pdf_bytes()) for i in range(6)],
        )
