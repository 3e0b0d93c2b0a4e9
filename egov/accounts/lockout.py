"""Lockout after repeated failures, through django-axes: failed passwords and failed codes alike.

Axes counts ``user_login_failed`` signals per username (``AXES_LOCKOUT_PARAMETERS``). Passwords reach
it through ``authenticate``; a wrong second-factor code is sent here as the same signal, so five
wrong answers of either kind lock the account.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse

from egov.accounts.models import User


def _credentials(user: User) -> dict[str, str]:
    return {"username": user.get_username()}


def is_locked_out(request: HttpRequest, user: User) -> bool:
    return not AxesProxyHandler.is_allowed(request, _credentials(user))


def count_failed_code(request: HttpRequest, user: User) -> bool:
    """Count one wrong second-factor code; true when it locks the account."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def clear_failures(user: User) -> None:
    """Forget failed attempts once the person has fully proven who they are."""
    AxesProxyHandler.reset_attempts(username=user.get_username())


def lockout_response(request: HttpRequest, user: User) -> HttpResponse:
    """The Vietnamese lockout page (``AXES_LOCKOUT_TEMPLATE``) with axes' context, status 429."""
    response: HttpResponse = get_lockout_response(request, None, _credentials(user))
    return response
