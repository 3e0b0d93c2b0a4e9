"""The legal clock: the appointment at acceptance, pauses that move it, apologies that do not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from egov.core import calendar, clock
from egov.dossiers import services
from egov.dossiers.models import Apology, Dossier, Handover
from egov.dossiers.rules import Status, Timeliness
from egov.dossiers.selectors import counts_late_nationally, handover_result, is_late, on_time_result
from tests.dossiers.conftest import RESULT_FILE, World, local, record


def accepted_on_friday_before_tet(world: World) -> Dossier:
    with clock.frozen(local(2026, 2, 13, 9, 40)):
        dossier = record(world)
        return services.accept_dossier(dossier=dossier, officer=world.desk)


def in_progress_on_friday_before_tet(world: World) -> Dossier:
    dossier = accepted_on_friday_before_tet(world)
    with clock.frozen(local(2026, 2, 13, 10, 0)):
        services.start_processing(dossier=dossier, officer=world.specialist)
    return Dossier.objects.get(pk=dossier.pk)


def test_received_friday_13_february_2026_with_5_working_days_is_due_friday_27_february(world: World):
    dossier = accepted_on_friday_before_tet(world)
    assert dossier.received_at == local(2026, 2, 13, 9, 40)
    assert dossier.due_at == local(2026, 2, 27, 9, 40)  # Tết 16–20/02 skipped


def test_a_supplement_during_processing_moves_the_due_date_by_exactly_the_paused_working_time(world: World):
    dossier = in_progress_on_friday_before_tet(world)
    with clock.frozen(local(2026, 2, 23, 8, 0)):
        services.request_supplement(
            dossier=dossier, officer=world.specialist, reason="Thiếu", missing_documents=["Bản sao"]
        )
    with clock.frozen(local(2026, 2, 24, 10, 0)):
        services.resubmit(dossier=dossier, officer=world.desk)
    dossier.refresh_from_db()
    paused = timedelta(hours=10)  # Mon 08:00–17:00 is 7 h, Tue 07:00–10:00 is 3 h
    assert dossier.paused_working_seconds == paused.total_seconds()
    assert dossier.due_at == local(2026, 3, 2, 13, 40)
    cal = calendar.current()
    assert calendar.working_time_between(local(2026, 2, 27, 9, 40), dossier.due_at, cal=cal) == paused
    assert dossier.status == Status.IN_PROGRESS and dossier.paused_since is None


def test_a_stop_and_a_financial_obligation_move_the_due_date_too(world: World):
    dossier = in_progress_on_friday_before_tet(world)
    with clock.frozen(local(2026, 2, 23, 7, 0)):
        services.stop(dossier=dossier, leader=world.leader, reason="Chờ ý kiến")
    with clock.frozen(local(2026, 2, 23, 11, 0)):
        services.resume(dossier=dossier, leader=world.leader)
    with clock.frozen(local(2026, 2, 23, 13, 30)):
        services.request_obligation(dossier=dossier, officer=world.specialist, note="Nộp lệ phí")
    with clock.frozen(local(2026, 2, 23, 14, 30)):
        services.obligation_met(dossier=dossier, officer=world.specialist)
    dossier.refresh_from_db()
    assert dossier.paused_working_seconds == timedelta(hours=5).total_seconds()
    assert dossier.due_at == local(2026, 2, 27, 16, 40)  # 09:40 + 5 working hours, over lunch


def test_the_open_steps_deadline_moves_with_the_pause(world: World):
    dossier = in_progress_on_friday_before_tet(world)
    step = Handover.objects.get(dossier=dossier)
    before = step.step_due_at
    with clock.frozen(local(2026, 2, 23, 7, 0)):
        services.stop(dossier=dossier, leader=world.leader, reason="Chờ")
    with clock.frozen(local(2026, 2, 23, 9, 0)):
        services.resume(dossier=dossier, leader=world.leader)
    step.refresh_from_db()
    assert calendar.working_time_between(before, step.step_due_at, cal=calendar.current()) == timedelta(
        hours=2
    )


def test_the_first_steps_deadline_is_its_share_of_the_processing_time(world: World):
    dossier = in_progress_on_friday_before_tet(world)
    step = Handover.objects.get(dossier=dossier)
    assert step.step_name == "Thẩm định" and step.to_division == world.division
    # 60 % of 5 working days = 24 working hours from the hand-over (Fri 10:00).
    assert step.step_due_at == local(2026, 2, 25, 10, 0)


def test_an_apology_records_a_promised_date_and_leaves_the_due_date_alone(world: World):
    dossier = in_progress_on_friday_before_tet(world)
    with clock.frozen(local(2026, 2, 26, 9, 0)):
        apology = services.issue_apology(
            dossier=dossier,
            officer=world.leader,
            promised_at=local(2026, 3, 4, 16, 0),
            reason="Cần xác minh thêm",
        )
    dossier.refresh_from_db()
    assert dossier.due_at == local(2026, 2, 27, 9, 40)
    assert Apology.objects.get() == apology and apology.promised_at == local(2026, 3, 4, 16, 0)
    # Lateness is measured against the legal due date, not the promise.
    assert is_late(dossier, local(2026, 3, 2, 8, 0))


def test_an_apology_needs_a_reason_and_a_future_date(world: World):
    dossier = in_progress_on_friday_before_tet(world)
    with clock.frozen(local(2026, 2, 26, 9, 0)), pytest.raises(ValidationError):
        services.issue_apology(
            dossier=dossier, officer=world.leader, promised_at=local(2026, 2, 25, 9, 0), reason="x"
        )
    with pytest.raises(ValidationError):
        services.issue_apology(
            dossier=dossier, officer=world.leader, promised_at=local(2026, 3, 4, 9, 0), reason=" "
        )


def test_lateness_is_derived_from_the_due_date_and_frozen_while_paused(world: World):
    dossier = in_progress_on_friday_before_tet(world)
    assert not is_late(dossier, local(2026, 2, 27, 9, 40))
    assert is_late(dossier, local(2026, 2, 27, 9, 41))
    with clock.frozen(local(2026, 2, 26, 9, 0)):
        services.request_obligation(dossier=dossier, officer=world.specialist, note="Lệ phí")
    dossier.refresh_from_db()
    assert not is_late(dossier, local(2026, 4, 1, 9, 0))  # the applicant's time is not the agency's


def test_the_on_time_rule_measures_the_finish_against_the_due_date(world: World):
    dossier = in_progress_on_friday_before_tet(world)
    with clock.frozen(local(2026, 2, 27, 9, 0)):
        services.finish(dossier=dossier, leader=world.leader, result_file=RESULT_FILE)
    dossier.refresh_from_db()
    assert on_time_result(dossier, local(2026, 6, 1, 9, 0)) is Timeliness.ON_TIME
    handover = Handover.objects.get(dossier=dossier)
    assert handover_result(handover) is Timeliness.LATE  # the first step had until 25/02 10:00


def test_an_early_finish_and_two_supplements_count_late_nationally(world: World):
    dossier = in_progress_on_friday_before_tet(world)
    for day in (23, 24):
        with clock.frozen(local(2026, 2, day, 8, 0)):
            services.request_supplement(
                dossier=dossier, officer=world.specialist, reason="Thiếu", missing_documents=["Bản sao"]
            )
        with clock.frozen(local(2026, 2, day, 9, 0)):
            services.resubmit(dossier=dossier, officer=world.desk)
    with clock.frozen(local(2026, 2, 25, 9, 0)):
        services.finish(dossier=dossier, leader=world.leader, result_file=RESULT_FILE)
    dossier.refresh_from_db()
    assert dossier.supplement_count == 2
    assert on_time_result(dossier, local(2026, 6, 1)) is Timeliness.EARLY
    assert counts_late_nationally(dossier, local(2026, 6, 1))


def test_withdrawal_ends_the_dossier_and_closes_the_open_step(world: World):
    dossier = in_progress_on_friday_before_tet(world)
    with clock.frozen(local(2026, 2, 24, 9, 0)):
        services.withdraw(dossier=dossier, officer=world.desk, reason="Người nộp đề nghị rút")
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN and dossier.closed_at == local(2026, 2, 24, 9, 0)
    assert not Handover.objects.filter(dossier=dossier, completed_at__isnull=True).exists()
    assert on_time_result(dossier, local(2026, 6, 1)) is None
    assert not is_late(dossier, local(2026, 6, 1))
