from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_otp.middleware import is_verified

from egov.accounts.requests import url_with_next

# Paths an official who has passed the password but not yet the second factor may still reach.
_OPEN_PREFIXES = ("/static/", "/accounts/otp/", "/accounts/logout/", "/i18n/", "/favicon.ico", "/health")


class OfficialSecondFactorMiddleware:
    """Officials must pass TOTP (or enrol in it) before reaching any page.

    django-otp marks ``request.user.is_verified()``; an official who signed in with a password only
    is sent to the verification step, which sends those without a device yet on to enrolment.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "is_official", False)
            and not is_verified(user)
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            return redirect(url_with_next("accounts:otp_verify", request.get_full_path()))
        return self.get_response(request)
