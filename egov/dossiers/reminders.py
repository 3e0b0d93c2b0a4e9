"""Warnings before a step or a dossier becomes late, e-mailed to whoever holds the work.

``send_deadline_warnings`` runs every 15 minutes (cron: ``manage.py send_deadline_warnings``, or
the ``send_deadline_warnings_task`` task). It looks at running dossiers (accepted or in progress,
clock not paused) whose open step's deadline (``Handover.step_due_at``) or legal due date
(``Dossier.due_at``) falls within ``EGOV_WARNING_HORIZON_HOURS`` of *working* time from now
(default 4), or has already passed, and warns:

- the official holding the dossier (``current_assignee``);
- when nobody holds it, the division heads of the division holding it, or, without a division or
  a head, the agency leaders of the agency holding it (``current_agency``, else the competent one).

Kinds: ``step_due_soon`` (the open step's deadline is near or passed), ``dossier_due_soon`` (the
legal due date is near), ``late`` (the legal due date has passed). Each (dossier, kind, deadline)
is warned about once: ``DeadlineWarning`` remembers it under a unique constraint, so a rerun sends
nothing; the next step's deadline, or a due date moved by a resumed pause, is a new deadline.
Paused dossiers (statuses 5, 6, 8) get nothing: their clock stands still.

Queries are bounded whatever the number of dossiers: the candidates (one query, the open step
joined), the warnings already sent (one), the heads and leaders (one, only when needed), the new
warnings (one bulk insert). E-mails are queued by ``notify`` and leave after the commit; a
concurrent run that inserted the same warnings first makes this one roll back and send nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from egov.core import calendar, clock, notifications
from egov.dossiers import rules
from egov.dossiers.models import DeadlineWarning, Dossier, WarningKind
from egov.dossiers.rules import Status
from egov.organizations.models import Membership, Role

__all__ = ["Summary", "horizon", "send_deadline_warnings"]

logger = logging.getLogger(__name__)

DEFAULT_HORIZON_HOURS = 4
# Running clock only: 5, 6 and 8 are paused; 1 has no due date yet; 9 and later are finished.
RUNNING_VALUES = [Status.ACCEPTED.value, Status.IN_PROGRESS.value]

_SUBJECT = _("Cảnh báo thời hạn hồ sơ %(code)s")
_LINES = {
    WarningKind.STEP_DUE_SOON: _("Hồ sơ %(code)s sắp đến hạn bước “%(step)s” lúc %(deadline)s."),
    WarningKind.DOSSIER_DUE_SOON: _("Hồ sơ %(code)s sắp đến hạn trả kết quả lúc %(deadline)s."),
    WarningKind.LATE: _("Hồ sơ %(code)s đã quá hạn trả kết quả (hẹn trả lúc %(deadline)s)."),
}
_STEP_OVERDUE = _("Hồ sơ %(code)s đã quá hạn bước “%(step)s” (hạn lúc %(deadline)s).")
_BODY = _("Kính gửi %(name)s,\n\n%(line)s\nThủ tục: %(procedure)s.\n%(holder)s\n\nThư này được gửi tự động.")
_HELD = _("Hồ sơ đang do ông/bà xử lý.")
_UNHELD = _("Hồ sơ chưa được giao cho cán bộ nào; đề nghị ông/bà phân công xử lý.")


@dataclass
class Summary:
    """What one run did: dossiers looked at, warnings recorded, e-mails queued."""

    dossiers: int = 0
    warnings: int = 0
    emails: int = 0
    without_recipient: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dossiers": self.dossiers,
            "warnings": self.warnings,
            "emails": self.emails,
            "without_recipient": self.without_recipient,
            "by_kind": dict(self.by_kind),
        }


@dataclass(frozen=True)
class _Recipient:
    user_id: int
    name: str
    email: str | None


def horizon() -> timedelta:
    """``EGOV_WARNING_HORIZON_HOURS`` (working hours, default 4) as a duration."""
    value = getattr(settings, "EGOV_WARNING_HORIZON_HOURS", DEFAULT_HORIZON_HOURS)
    try:
        hours = float(value)
    except (TypeError, ValueError):
        hours = -1.0
    if not hours > 0:
        raise ImproperlyConfigured(f"EGOV_WARNING_HORIZON_HOURS must be a positive number, not {value!r}")
    return timedelta(hours=hours)


def send_deadline_warnings(*, now: datetime | None = None, within: timedelta | None = None) -> Summary:
    """Warn about every deadline that is near (``within`` working time, default ``horizon()``)
    or passed and not warned about yet; see the module docstring."""
    now = now or clock.now()
    within = within if within is not None else horizon()
    limit = rules.add_working_duration(now, within, cal=calendar.current())
    candidates = _running_near(limit)
    rows = _rows(candidates)
    summary = Summary(dossiers=len(rows))
    if not rows:
        return summary
    sent = set(
        DeadlineWarning.objects.filter(dossier__in=candidates.values("pk"))
        .order_by()
        .values_list("dossier_id", "kind", "deadline")
    )
    due = [
        (row, kind, deadline)
        for row in rows
        for kind, deadline in _warnings_of(row, now=now, limit=limit)
        if (row["pk"], kind.value, deadline) not in sent
    ]
    if not due:
        return summary
    responsible = _responsible([row for row, _kind, _deadline in due if not _holder(row)])
    warnings: list[DeadlineWarning] = []
    messages: list[tuple[_Recipient, str, str, str]] = []
    with translation.override(settings.LANGUAGE_CODE):
        for row, kind, deadline in due:
            holder = _holder(row)
            recipients = [holder] if holder else _heads_of(row, responsible)
            warnings.append(
                DeadlineWarning(
                    dossier_id=row["pk"],
                    kind=kind,
                    deadline=deadline,
                    sent_at=now,
                    recipient_count=len(recipients),
                )
            )
            summary.by_kind[kind.value] = summary.by_kind.get(kind.value, 0) + 1
            if not recipients:
                summary.without_recipient += 1
                logger.warning("deadline warning %s for dossier %s: nobody to warn", kind.value, row["code"])
            for recipient in recipients:
                subject, body = _message(row, kind, deadline, now=now, recipient=recipient, held=bool(holder))
                messages.append((recipient, subject, body, f"dossier.warning.{kind.value}"))
    try:
        with transaction.atomic():
            DeadlineWarning.objects.bulk_create(warnings)
            for recipient, subject, body, event in messages:
                notifications.notify(
                    recipient_email=recipient.email,
                    recipient_phone=None,
                    subject=subject,
                    body=body,
                    event=event,
                )
    except IntegrityError:
        # Another run recorded (some of) these warnings first: it sends them, this one sends nothing.
        logger.info("deadline warnings: another run got there first, nothing sent by this one")
        return Summary(dossiers=len(rows))
    summary.warnings = len(warnings)
    summary.emails = sum(1 for recipient, *_rest in messages if recipient.email)
    return summary


def _running_near(limit: datetime) -> QuerySet[Dossier]:
    """Running dossiers with a deadline (open step or legal) at or before ``limit``."""
    return (
        Dossier.objects.filter(status__in=RUNNING_VALUES, paused_since__isnull=True, due_at__isnull=False)
        .annotate(open_step=FilteredRelation("handovers", condition=Q(handovers__completed_at__isnull=True)))
        .filter(Q(due_at__lte=limit) | Q(open_step__step_due_at__lte=limit))
    )


def _rows(candidates: QuerySet[Dossier]) -> list[dict[str, Any]]:
    """What a warning needs of each candidate, the holder and the open step joined (one query)."""
    values = candidates.order_by("due_at", "pk").values(
        "pk",
        "code",
        "due_at",
        "agency_id",
        "current_agency_id",
        "current_division_id",
        "current_assignee_id",
        "current_assignee__full_name",
        "current_assignee__username",
        "current_assignee__email",
        "current_assignee__is_active",
        procedure_name=F("procedure__name"),
        step_due_at=F("open_step__step_due_at"),
        step_name=F("open_step__step_name"),
    )
    return [cast(dict[str, Any], row) for row in values]


def _warnings_of(
    row: dict[str, Any], *, now: datetime, limit: datetime
) -> list[tuple[WarningKind, datetime]]:
    found: list[tuple[WarningKind, datetime]] = []
    step_due: datetime | None = row["step_due_at"]
    if step_due is not None and step_due <= limit:
        found.append((WarningKind.STEP_DUE_SOON, step_due))
    due: datetime = row["due_at"]
    if due < now:
        found.append((WarningKind.LATE, due))
    elif due <= limit:
        found.append((WarningKind.DOSSIER_DUE_SOON, due))
    return found


def _holder(row: dict[str, Any]) -> _Recipient | None:
    if row["current_assignee_id"] is None or not row["current_assignee__is_active"]:
        return None
    return _Recipient(
        user_id=row["current_assignee_id"],
        name=row["current_assignee__full_name"] or row["current_assignee__username"],
        email=row["current_assignee__email"],
    )


@dataclass
class _Responsible:
    heads: dict[int, list[_Recipient]]  # division id → its division heads
    leaders: dict[int, list[_Recipient]]  # agency id → its agency leaders


def _responsible(unheld: list[dict[str, Any]]) -> _Responsible:
    """Division heads and agency leaders of the units holding ``unheld`` dossiers (one query)."""
    responsible = _Responsible(heads=defaultdict(list), leaders=defaultdict(list))
    if not unheld:
        return responsible
    divisions = sorted({row["current_division_id"] for row in unheld if row["current_division_id"]})
    agencies = sorted({row["current_agency_id"] or row["agency_id"] for row in unheld})
    memberships = (
        Membership.objects.filter(is_active=True, user__is_active=True)
        .filter(
            Q(role=Role.DIVISION_HEAD, division_id__in=divisions)
            | Q(role=Role.AGENCY_LEADER, agency_id__in=agencies)
        )
        .order_by("user__full_name", "user_id")
        .values_list(
            "role", "division_id", "agency_id", "user_id", "user__full_name", "user__username", "user__email"
        )
    )
    for role, division_id, agency_id, user_id, full_name, username, email in memberships:
        recipient = _Recipient(user_id=user_id, name=full_name or username, email=email)
        group = (
            responsible.heads[division_id] if role == Role.DIVISION_HEAD else responsible.leaders[agency_id]
        )
        if recipient not in group:
            group.append(recipient)
    return responsible


def _heads_of(row: dict[str, Any], responsible: _Responsible) -> list[_Recipient]:
    """The division heads of the holding division, else the leaders of the holding agency."""
    heads = responsible.heads.get(row["current_division_id"]) if row["current_division_id"] else None
    return heads or responsible.leaders.get(row["current_agency_id"] or row["agency_id"], [])


def _message(
    row: dict[str, Any],
    kind: WarningKind,
    deadline: datetime,
    *,
    now: datetime,
    recipient: _Recipient,
    held: bool,
) -> tuple[str, str]:
    params = {"code": row["code"], "step": row["step_name"] or "", "deadline": local_text(deadline)}
    template = _STEP_OVERDUE if kind is WarningKind.STEP_DUE_SOON and deadline < now else _LINES[kind]
    body = str(_BODY) % {
        "name": recipient.name,
        "line": str(template) % params,
        "procedure": row["procedure_name"],
        "holder": str(_HELD if held else _UNHELD),
    }
    return str(_SUBJECT) % params, body


def local_text(instant: datetime) -> str:
    """``16:00 27/02/2026``, in local time."""
    return f"{instant.astimezone(clock.local_zone()):%H:%M %d/%m/%Y}"
