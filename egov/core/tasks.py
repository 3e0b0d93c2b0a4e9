"""Background tasks of the shared kernel (``django.tasks``; ``manage.py db_worker`` runs them)."""

from __future__ import annotations

from django.tasks import task

from egov.core import notifications


@task()
def deliver_notification(
    *,
    recipient_email: str | None,
    recipient_phone: str | None,
    subject: str,
    body: str,
    event: str,
    sms_body: str | None = None,
) -> dict[str, str]:
    """Send one notification queued by ``notifications.notify``; no automatic retry.

    A failed channel makes the task FAILED (``notifications.DeliveryError``) after the others
    were tried; the result holds the outcome per channel when all succeeded.
    """
    return notifications.deliver(
        recipient_email=recipient_email,
        recipient_phone=recipient_phone,
        subject=subject,
        body=body,
        event=event,
        sms_body=sms_body,
    )
