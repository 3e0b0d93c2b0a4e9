"""Reminders before a document's processing deadline, and when it has passed.

``send_document_reminders`` (cron daily or more often: ``manage.py send_document_reminders``, or
the ``send_document_reminders_task`` task) looks at open assignments with a deadline within
``EGOV_DOCUMENT_REMINDER_DAYS`` calendar days (default 2) or past, and e-mails the person assigned,
or for a unit, its division heads. Each (assignment, kind, deadline) is reminded once: ``Reminder``
remembers it, so a rerun sends nothing and a moved deadline is reminded again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from egov.core import clock, notifications
from egov.documents.models import Assignment, Reminder
from egov.organizations.models import Membership, Role


@dataclass(frozen=True)
class Summary:
    considered: int
    sent: int


def horizon_days() -> int:
    return int(getattr(settings, "EGOV_DOCUMENT_REMINDER_DAYS", 2))


def send_document_reminders(*, today: date | None = None, days: int | None = None) -> Summary:
    today = today or clock.localnow().date()
    limit = today + timedelta(days=horizon_days() if days is None else days)
    candidates = list(
        Assignment.objects.filter(is_open=True, deadline__isnull=False, deadline__lte=limit)
        .exclude(role=Assignment.Role.INFORM)
        .select_related("document", "assignee")
    )
    sent_before = set(
        Reminder.objects.filter(assignment__in=candidates).values_list("assignment_id", "kind", "deadline")
    )
    division_ids = {a.division_id for a in candidates if a.assignee_id is None and a.division_id is not None}
    heads: dict[int, list[str]] = {}
    for division_id, email in Membership.objects.filter(
        division_id__in=division_ids, role=Role.DIVISION_HEAD, is_active=True
    ).values_list("division_id", "user__email"):
        if email:
            heads.setdefault(division_id, []).append(email)
    new: list[Reminder] = []
    now = clock.now()
    with transaction.atomic():
        for assignment in candidates:
            assert assignment.deadline is not None
            kind = Reminder.Kind.LATE if assignment.deadline < today else Reminder.Kind.DUE_SOON
            if (assignment.pk, kind.value, assignment.deadline) in sent_before:
                continue
            new.append(Reminder(assignment=assignment, kind=kind, deadline=assignment.deadline, sent_at=now))
            document = assignment.document
            subject = (
                _("Văn bản %(n)s đã quá hạn xử lý (hạn %(d)s)")
                if kind == Reminder.Kind.LATE
                else _("Văn bản %(n)s sắp đến hạn xử lý (hạn %(d)s)")
            ) % {"n": document.notation, "d": assignment.deadline.strftime("%d/%m/%Y")}
            body = subject if document.is_secret else f"{subject}\n{document.summary}"
            emails = (
                [assignment.assignee.email]
                if assignment.assignee
                else heads.get(assignment.division_id or 0, [])
            )
            for email in emails:
                notifications.notify(
                    recipient_email=email,
                    recipient_phone=None,
                    subject=subject,
                    body=body,
                    event=f"documents.reminder.{kind}",
                )
        Reminder.objects.bulk_create(new)
    return Summary(considered=len(candidates), sent=len(new))
