"""Background tasks of the one-stop shop (``django.tasks``; ``manage.py db_worker`` runs them)."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from egov.dossiers import reminders


@task()
def send_deadline_warnings_task() -> dict[str, Any]:
    """Warn the holders of dossiers whose step or due date is near or passed (``reminders``).

    Idempotent: a warning already sent is never sent again, so the task may run as often as
    wanted (cron runs ``manage.py send_deadline_warnings`` every 15 minutes instead).
    """
    return reminders.send_deadline_warnings().as_dict()
