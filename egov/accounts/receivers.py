"""Audit events for what Django's and axes' sign-in machinery does outside egov's services."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from egov.accounts import lockout
from egov.accounts.models import User
from egov.accounts.requests import client_ip
from egov.core import audit


@receiver(user_logged_in, dispatch_uid="egov.accounts.record_sign_in")
def record_sign_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit.record(
        actor=user,
        action="accounts.login",
        obj=user,
        ip=client_ip(request),
        details={"second_factor_pending": user.is_official},
    )
    if not user.is_official:
        # Officials are not done yet: their failures are cleared after the second factor, so a
        # correct password cannot wipe the count of wrong codes.
        lockout.clear_failures(user)


@receiver(user_logged_out, dispatch_uid="egov.accounts.record_sign_out")
def record_sign_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit.record(actor=user, action="accounts.logout", obj=user, ip=client_ip(request))


@receiver(user_locked_out, dispatch_uid="egov.accounts.record_lockout")
def record_lockout(sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any) -> None:
    # What was typed stays out of the immutable log (it may be someone's phone number); the
    # account is named only when the name matched one.
    account = User.objects.filter(username=username).first() if username else None
    audit.record(actor=None, action="accounts.lockout", obj=account, ip=client_ip(request))
