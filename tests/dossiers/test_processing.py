"""Processing along the template: hand-overs, inboxes, reassignment, result, return and rating."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from egov.core.models import AuditEvent
from egov.dossiers import selectors, services
from egov.dossiers.models import DeliveryMethod, Dossier, Handover
from egov.dossiers.rules import IllegalTransition, Status
from egov.organizations.models import Role
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
