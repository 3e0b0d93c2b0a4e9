"""Notifications to citizens and officials by e-mail and SMS, sent after the business commits.

``notify`` is called inside a service's transaction. It only queues: the ``deliver_notification``
task is enqueued by ``transaction.on_commit``, so a rolled-back reception sends nothing, and a
slow mail server or SMS provider never holds a business transaction open. In the test settings
the immediate task backend delivers inline right after the commit; elsewhere ``db_worker`` does.

Failures
    ``django.tasks`` does not retry. ``deliver`` tries every channel, logs each failure with its
    traceback, and then raises ``DeliveryError`` so the worker marks the task FAILED (visible in
    the admin's task results). Re-enqueueing a failed task resends every channel of it, including
    one that had succeeded. An e-mail address or phone number that cannot receive anything is
    dropped with a warning when ``notify`` is called: it must not roll back the business change.

Personal data
    Task arguments (address, phone, text) are stored with the task result by the database
    backend: prune old results (``manage.py prune_db_task_results``). Logs mask phone numbers.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction

from egov.core import sms

__all__ = ["DeliveryError", "deliver", "notify"]

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """At least one channel of a notification failed; the log has each traceback."""


def notify(
    *,
    recipient_email: str | None,
    recipient_phone: str | None,
    subject: str,
    body: str,
    event: str,
    sms_body: str | None = None,
) -> None:
    """Send ``subject``/``body`` by e-mail and ``sms_body`` (default ``body``) by SMS, after commit.

    ``event`` names what happened (``dossier.accepted``) for the logs and the task results. A
    recipient without a usable address or phone simply gets nothing on that channel.
    """
    if not event:
        raise ValueError("a notification needs an event name")
    email = _usable_email(recipient_email, event)
    phone = _usable_phone(recipient_phone, event)
    if not (email or phone):
        logger.info("notification %s: no e-mail address or mobile number, nothing to send", event)
        return
    arguments = {
        "recipient_email": email,
        "recipient_phone": phone,
        "subject": " ".join(subject.split()),  # a header: one line
        "body": body,
        "sms_body": sms_body,
        "event": event,
    }
    # robust: the business has committed by then; failing to queue must not turn it into an error page.
    transaction.on_commit(partial(_enqueue, arguments), robust=True)


def _enqueue(arguments: dict[str, Any]) -> None:
    from egov.core.tasks import deliver_notification  # the task module imports this one

    deliver_notification.enqueue(**arguments)


def _usable_email(address: str | None, event: str) -> str | None:
    if not address:
        return None
    address = address.strip()
    try:
        validate_email(address)
    except ValidationError:
        logger.warning("notification %s: the e-mail address is invalid, e-mail dropped", event)
        return None
    return address


def _usable_phone(phone: str | None, event: str) -> str | None:
    if not phone:
        return None
    try:
        return sms.normalise_phone(phone)
    except sms.InvalidPhoneNumberError as invalid:
        logger.warning("notification %s: %s, SMS dropped", event, invalid)
        return None


def deliver(
    *,
    recipient_email: str | None,
    recipient_phone: str | None,
    subject: str,
    body: str,
    event: str,
    sms_body: str | None = None,
) -> dict[str, str]:
    """Send now, on every channel that has a recipient; what the task runs.

    Returns the outcome per channel (``{"email": "sent", "sms": "<provider message id>"}``, or
    ``"disabled"`` for SMS without a gateway). Raises ``DeliveryError`` after trying them all if
    any channel failed.
    """
    outcome: dict[str, str] = {}
    failed: list[str] = []
    if recipient_email:
        try:
            send_mail(subject, body, None, [recipient_email])
            outcome["email"] = "sent"
        except Exception:
            logger.exception("notification %s: e-mail delivery failed", event)
            failed.append("email")
    if recipient_phone:
        try:
            outcome["sms"] = _send_sms(recipient_phone, sms_body or body, event)
        except Exception:
            logger.exception("notification %s: SMS to %s failed", event, sms.masked_phone(recipient_phone))
            failed.append("sms")
    if failed:
        raise DeliveryError(f"notification {event}: {', '.join(failed)} failed (see the log)")
    return outcome


def _send_sms(phone: str, text: str, event: str) -> str:
    gateway = sms.configured_gateway()
    if gateway is None:
        logger.warning(
            "notification %s: SMS to %s not sent, SMS is disabled (set EGOV_SMS_GATEWAY)",
            event,
            sms.masked_phone(phone),
        )
        return "disabled"
    return gateway.send(phone, sms.sms_text(text))
