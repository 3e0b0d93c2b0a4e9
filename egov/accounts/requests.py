"""What account views read from a request: the client's address and a safe page to go to next."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request: HttpRequest | None) -> str | None:
    # REMOTE_ADDR only: behind a proxy the deployment rewrites it (trusting X-Forwarded-For here
    # would let anyone write any address into the audit log).
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def next_url(request: HttpRequest) -> str:
    """The ``next`` parameter when it points inside egov, else the actor's home (officials: workspace)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    official = getattr(request.user, "is_official", False)
    return resolve_url(settings.OFFICIAL_HOME_URL if official else settings.LOGIN_REDIRECT_URL)


def url_with_next(route: str, next_to: str) -> str:
    return f"{reverse(route)}?{urlencode({'next': next_to})}"
