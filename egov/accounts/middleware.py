from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Paths an official who has passed the password but not yet the second factor may still reach.
_OPEN_PREFIXES = ("/static/", "/accounts/otp/", "/accounts/logout/", "/i18n/", "/favicon.ico", "/health")


class OfficialSecondFactorMiddleware:
    """Officials must pass TOTP (or enrol in it) before reaching any page.

    django-otp marks ``request.user.is_verified()``; an official who signed in with a password only
    is sent to the verification step (or to enrolment when they have no device yet).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "is_official", False)
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            return redirect(f"{reverse('accounts:otp_verify')}?next={request.get_full_path()}")
        return self.get_response(request)
