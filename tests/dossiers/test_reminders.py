"""Deadline warnings (``reminders.send_deadline_warnings``): who is warned, when, and only once."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from egov.core import calendar, clock
from egov.dossiers import reminders, services
from egov.dossiers.models import DeadlineWarning, Dossier, WarningKind
from egov.dossiers.rules import Status
from egov.dossiers.tasks import send_deadline_warnings_task
from tests.dossiers.conftest import World, dossier_in, local

RECEIVED = local(2026, 1, 5, 9, 0)  # Monday; 5 working days → due Monday 12/01 09:00
# The first step takes 60 % of 5 working days (24 working hours) → due Thursday 08/01 09:00.
STEP_DUE = local(2026, 1, 8, 9, 0)


def in_progress(world: World, *, held: bool) -> Dossier:
    """A dossier at its first step (division HCTP), taken by the specialist when ``held``."""
    with clock.frozen(RECEIVED):
        dossier = dossier_in(world, Status.IN_PROGRESS, True)
        if held:
            services.take_dossier(dossier=dossier, officer=world.specialist)
    return Dossier.objects.get(pk=dossier.pk)


def run(at: datetime, callbacks: Any) -> reminders.Summary:
    with clock.frozen(at), callbacks(execute=True):
        return reminders.send_deadline_warnings()


def sent_to(user: Any) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.to == [user.email]]


def test_a_step_due_in_two_working_hours_warns_its_holder_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    dossier = in_progress(world, held=True)
    handover = dossier.handovers.get(completed_at__isnull=True)
    assert handover.step_due_at == STEP_DUE
    now = local(2026, 1, 8, 7, 0)
    assert calendar.working_time_between(now, STEP_DUE, cal=calendar.current()) == timedelta(hours=2)

    summary = run(now, django_capture_on_commit_callbacks)

    assert summary.warnings == 1 and summary.emails == 1 and summary.by_kind == {"step_due_soon": 1}
    [message] = mail.outbox
    assert message.to == [world.specialist.email]
    assert dossier.code in message.subject
    assert f"Hồ sơ {dossier.code} sắp đến hạn bước “Thẩm định” lúc 09:00 08/01/2026." in message.body
    assert world.specialist.full_name in message.body
    warning = DeadlineWarning.objects.get()
    assert (warning.dossier_id, warning.kind, warning.deadline) == (dossier.pk, "step_due_soon", STEP_DUE)

    # A rerun, later and also with the step now overdue, sends nothing new.
    assert run(local(2026, 1, 8, 8, 0), django_capture_on_commit_callbacks).warnings == 0
    assert run(local(2026, 1, 8, 10, 0), django_capture_on_commit_callbacks).warnings == 0
    assert len(mail.outbox) == 1 and DeadlineWarning.objects.count() == 1


def test_the_horizon_is_working_time_not_wall_clock(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    in_progress(world, held=True)
    # Wednesday 16:00 → Thursday 09:00 is 17 hours on the wall clock but 3 working hours.
    assert run(local(2026, 1, 7, 16, 0), django_capture_on_commit_callbacks).warnings == 1

    mail.outbox.clear()
    DeadlineWarning.objects.all().delete()
    settings.EGOV_WARNING_HORIZON_HOURS = 2
    assert run(local(2026, 1, 7, 16, 0), django_capture_on_commit_callbacks).warnings == 0
    assert mail.outbox == []


def test_a_late_dossier_nobody_holds_warns_the_division_head(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    dossier = in_progress(world, held=False)
    assert dossier.current_assignee is None and dossier.current_division == world.division

    summary = run(local(2026, 1, 13, 10, 0), django_capture_on_commit_callbacks)

    assert summary.by_kind == {"late": 1, "step_due_soon": 1}
    bodies = [m.body for m in sent_to(world.head)]
    assert len(bodies) == 2 and len(mail.outbox) == 2
    assert any(
        f"Hồ sơ {dossier.code} đã quá hạn trả kết quả (hẹn trả lúc 09:00 12/01/2026)." in b for b in bodies
    )
    assert any("đã quá hạn bước “Thẩm định” (hạn lúc 09:00 08/01/2026)" in b for b in bodies)
    assert all("chưa được giao cho cán bộ nào" in b for b in bodies)
    assert sent_to(world.specialist) == [] and sent_to(world.leader) == []


def test_an_accepted_dossier_in_no_division_warns_the_agency_leaders(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with clock.frozen(RECEIVED):
        dossier = dossier_in(world, Status.ACCEPTED, True)

    summary = run(local(2026, 1, 12, 8, 0), django_capture_on_commit_callbacks)

    assert summary.by_kind == {"dossier_due_soon": 1}
    [message] = mail.outbox
    assert message.to == [world.leader.email]
    assert f"Hồ sơ {dossier.code} sắp đến hạn trả kết quả lúc 09:00 12/01/2026." in message.body


def test_a_dossier_far_from_its_deadlines_gets_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    in_progress(world, held=True)
    in_progress(world, held=False)

    summary = run(local(2026, 1, 6, 9, 0), django_capture_on_commit_callbacks)

    assert (summary.dossiers, summary.warnings) == (0, 0)
    assert mail.outbox == [] and not DeadlineWarning.objects.exists()


@pytest.mark.parametrize(
    "status", [Status.SUPPLEMENT_REQUESTED, Status.OBLIGATION_REQUESTED, Status.STOPPED], ids=lambda s: s.name
)
def test_paused_dossiers_get_nothing(
    world: World, status: Status, django_capture_on_commit_callbacks: Any
) -> None:
    with clock.frozen(RECEIVED):
        dossier_in(world, status, True)

    summary = run(local(2026, 1, 20, 10, 0), django_capture_on_commit_callbacks)

    assert summary.warnings == 0 and mail.outbox == []


def test_queries_do_not_grow_with_the_number_of_dossiers(
    world: World, django_capture_on_commit_callbacks: Any, django_assert_max_num_queries: Any
) -> None:
    def make(count: int) -> None:
        for index in range(count):
            in_progress(world, held=index % 2 == 0)

    # Candidates, warnings already sent, heads and leaders, savepoint, insert, release.
    make(2)
    calendar.current()  # built once per process, like in production
    with django_assert_max_num_queries(6):
        first = run(local(2026, 1, 13, 10, 0), django_capture_on_commit_callbacks)
    assert first.warnings == 4

    make(6)
    calendar.current()
    with django_assert_max_num_queries(6):
        second = run(local(2026, 1, 13, 10, 0), django_capture_on_commit_callbacks)
    assert second.dossiers == 8 and second.warnings == 12
    with django_assert_max_num_queries(2):  # everything already sent: no insert, no memberships
        assert run(local(2026, 1, 13, 10, 0), django_capture_on_commit_callbacks).warnings == 0


def test_the_command_prints_a_vietnamese_summary(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    in_progress(world, held=True)
    out = StringIO()
    with clock.frozen(local(2026, 1, 8, 7, 0)), django_capture_on_commit_callbacks(execute=True):
        call_command("send_deadline_warnings", stdout=out)
    assert "Đã xét 1 hồ sơ, gửi 1 cảnh báo mới (1 thư điện tử)" in out.getvalue()
    assert len(mail.outbox) == 1

    out = StringIO()
    with clock.frozen(local(2026, 1, 8, 7, 0)):
        call_command("send_deadline_warnings", stdout=out)
    assert "gửi 0 cảnh báo mới" in out.getvalue()


def test_the_task_sends_the_warnings(world: World, django_capture_on_commit_callbacks: Any) -> None:
    in_progress(world, held=True)
    with clock.frozen(local(2026, 1, 8, 7, 0)), django_capture_on_commit_callbacks(execute=True):
        result = send_deadline_warnings_task.enqueue()
    assert result.return_value["warnings"] == 1
    assert DeadlineWarning.objects.get().kind == WarningKind.STEP_DUE_SOON
    assert [m.to for m in mail.outbox] == [[world.specialist.email]]
