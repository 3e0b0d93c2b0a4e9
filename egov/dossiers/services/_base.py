"""What every dossier service does the same way: lock, check the table and the actor, move the
clock, write the history, the audit event and the applicant's notification.

A service reads as: lock the dossier, ``check`` the move (``IllegalTransition`` or
``PermissionDenied`` before anything is written), change its own fields, then ``complete`` it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Model
from django.utils import formats
from django.utils.translation import gettext_lazy

from egov.accounts.models import User
from egov.accounts.scope import require, scope_of
from egov.core import audit, calendar, clock, notifications
from egov.dossiers import rules
from egov.dossiers.models import Dossier, Handover, StatusChange
from egov.dossiers.rules import ClockEffect, Status, Transition

type Actor = User

# Who may act where: the desk of a public service centre receives and returns for the competent
# agency; an inter-agency step is processed by the agency whose inbox holds the dossier.
_RECEIVING_PERMISSIONS = frozenset({"dossiers.receive", "dossiers.return_result"})


def locked(dossier: Dossier) -> Dossier:
    """The dossier's row, locked until the end of the transaction (read again: the caller's copy
    may be stale)."""
    return Dossier.objects.select_for_update().select_related("applicant", "procedure").get(pk=dossier.pk)


def acting_agencies(dossier: Dossier, permission: str) -> set[int]:
    if permission in _RECEIVING_PERMISSIONS:
        return {dossier.agency_id, dossier.receiving_agency_id}
    if permission == "dossiers.process" and dossier.current_agency_id:
        return {dossier.agency_id, dossier.current_agency_id}
    return {dossier.agency_id}


def require_on(actor: Actor, permission: str, dossier: Dossier) -> None:
    """``PermissionDenied`` unless the actor holds ``permission`` where this dossier is handled."""
    scope = scope_of(actor)
    if any(scope.can(permission, agency_id) for agency_id in acting_agencies(dossier, permission)):
        return
    require(actor, permission, dossier.agency_id)  # raises, with the usual Vietnamese message


def actor_may(actor: Actor, permission: str, dossier: Dossier) -> bool:
    """Whether ``require_on`` would let the actor act: what the screens use to show a button."""
    scope = scope_of(actor)
    return any(scope.can(permission, agency_id) for agency_id in acting_agencies(dossier, permission))


def require_any_on(actor: Actor, permissions: tuple[str, ...], dossier: Dossier) -> None:
    """Like ``require_on`` for the first of ``permissions`` the actor holds (a leader or a specialist)."""
    scope = scope_of(actor)
    for permission in permissions:
        if any(scope.can(permission, agency_id) for agency_id in acting_agencies(dossier, permission)):
            return
    require(actor, permissions[0], dossier.agency_id)


def check(dossier: Dossier, *, to: Status, actor: Actor, service: str) -> Transition:
    """The table's row for this move made by ``service``, after checking the actor's permission.

    The service's name is part of the move: 2 → 4 is "start processing", not "resubmit".
    """
    row = rules.transition(dossier.status_enum, to, accepted=dossier.is_accepted)
    if row.name != service:
        raise rules.IllegalTransition(rules.transition_refusal(dossier.status_enum, to))
    require_on(actor, row.permission, dossier)
    return row


def complete(
    dossier: Dossier,
    row: Transition,
    *,
    actor: Actor,
    now: datetime,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> StatusChange:
    """Apply the move's clock effect and status, save, and write history, audit and notification."""
    apply_clock(dossier, row.clock, now)
    dossier.status = row.target
    if row.target is Status.FINISHED:
        dossier.finished_at = now
    if row.target is Status.RETURNED:
        dossier.returned_at = now
    if row.target in rules.TERMINAL:
        dossier.closed_at = now
    dossier.save()
    change = StatusChange.objects.create(
        dossier=dossier,
        source=row.source,
        target=row.target,
        at=now,
        actor=actor,
        note=note,
        form=row.form.value if row.form else "",
        details=details or {},
    )
    record(
        actor,
        f"dossier.{row.name}",
        dossier,
        source=int(row.source),
        target=int(row.target),
        **(details or {}),
    )
    notify_applicant(dossier, event=row.name, note=note)
    return change


def record(actor: Actor | None, action: str, obj: Model, **details: Any) -> None:
    audit.record(actor=actor, action=action, obj=obj, details=details)


# --- The clock ----------------------------------------------------------------------------------


def apply_clock(dossier: Dossier, effect: ClockEffect, now: datetime) -> None:
    match effect:
        case ClockEffect.START:
            start_clock(dossier, now)
        case ClockEffect.PAUSE:
            dossier.paused_since = now
        case ClockEffect.RESUME | ClockEffect.END:
            # Ending during a pause (withdrawal in status 5 or 6) closes the pause the same way.
            if dossier.paused_since is not None:
                resume_clock(dossier, now)


def start_clock(dossier: Dossier, now: datetime) -> None:
    procedure = dossier.procedure
    dossier.received_at = now
    dossier.due_at = calendar.add_working_time(
        now, procedure.processing_time(), cal=calendar.current(), same_day_cutoff=procedure.same_day_cutoff()
    )


def resume_clock(dossier: Dossier, now: datetime) -> None:
    """Move the due date (and the open step's) by the working time the clock stood still."""
    assert dossier.paused_since is not None and dossier.due_at is not None
    cal = calendar.current()
    paused = max(calendar.working_time_between(dossier.paused_since, now, cal=cal), timedelta(0))
    dossier.due_at = rules.add_working_duration(dossier.due_at, paused, cal=cal)
    dossier.paused_working_seconds += int(paused.total_seconds())
    dossier.paused_since = None
    step = open_handover(dossier)
    if step is not None and step.step_due_at is not None:
        step.step_due_at = rules.add_working_duration(step.step_due_at, paused, cal=cal)
        step.save(update_fields=["step_due_at"])


def processing_window(dossier: Dossier) -> timedelta:
    """The working time the law gives the agency (the due date's distance, pauses taken out)."""
    assert dossier.received_at is not None and dossier.due_at is not None
    stated = calendar.working_time_between(dossier.received_at, dossier.due_at, cal=calendar.current())
    return stated - timedelta(seconds=dossier.paused_working_seconds)


def open_handover(dossier: Dossier) -> Handover | None:
    return dossier.handovers.filter(completed_at__isnull=True).first()


# --- Notifications to the applicant -------------------------------------------------------------

_SUBJECT = gettext_lazy("Hồ sơ %(code)s")
_MESSAGES = {
    "record": gettext_lazy("Hồ sơ %(code)s (%(procedure)s) đã được ghi nhận, đang chờ kiểm tra tiếp nhận."),
    "accept": gettext_lazy("Hồ sơ %(code)s đã được tiếp nhận. Hẹn trả kết quả: %(due)s."),
    "refuse": gettext_lazy("Hồ sơ %(code)s không được tiếp nhận. Lý do: %(note)s"),
    "request_supplement": gettext_lazy("Hồ sơ %(code)s cần bổ sung, hoàn thiện. %(note)s"),
    "resubmit": gettext_lazy("Hồ sơ %(code)s đã được bổ sung và tiếp tục được xử lý."),
    "start_processing": gettext_lazy("Hồ sơ %(code)s đang được giải quyết. Hẹn trả kết quả: %(due)s."),
    "request_obligation": gettext_lazy("Hồ sơ %(code)s: đề nghị thực hiện nghĩa vụ tài chính. %(note)s"),
    "obligation_met": gettext_lazy("Hồ sơ %(code)s tiếp tục được giải quyết. Hẹn trả kết quả: %(due)s."),
    "stop": gettext_lazy("Hồ sơ %(code)s bị dừng giải quyết. Lý do: %(note)s"),
    "resume": gettext_lazy("Hồ sơ %(code)s tiếp tục được giải quyết. Hẹn trả kết quả: %(due)s."),
    "finish": gettext_lazy("Hồ sơ %(code)s đã có kết quả, mời ông/bà nhận kết quả."),
    "return_result": gettext_lazy("Kết quả hồ sơ %(code)s đã được trả. Mời ông/bà đánh giá mức độ hài lòng."),
    "withdraw": gettext_lazy("Hồ sơ %(code)s đã được rút theo đề nghị của ông/bà."),
    "apology": gettext_lazy(
        "Xin lỗi ông/bà: hồ sơ %(code)s chậm so với hẹn. Hẹn lại ngày trả kết quả: %(due)s. %(note)s"
    ),
}


def local_text(instant: datetime | None) -> str:
    """``16:00 27/02/2026``: how the receipt writes an appointment."""
    if instant is None:
        return ""
    return formats.date_format(instant.astimezone(clock.local_zone()), "H:i d/m/Y")


def notify_applicant(dossier: Dossier, *, event: str, note: str = "", when: datetime | None = None) -> None:
    """Queue the applicant's e-mail and SMS; sent only if the transaction commits."""
    applicant = dossier.applicant
    params = {
        "code": dossier.code,
        "procedure": dossier.procedure.name,
        "due": local_text(when or dossier.due_at),
        "note": note,
    }
    notifications.notify(
        recipient_email=applicant.email or None,
        recipient_phone=applicant.phone or None,
        subject=str(_SUBJECT) % params,
        body=str(_MESSAGES[event]) % params,
        event=f"dossier.{event}",
    )
