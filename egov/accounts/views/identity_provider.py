"""Sign-in and identity verification through an OpenID Connect provider (VNeID or as configured).

``start`` sends the browser to the provider; ``callback`` checks the answer and signs the person in
(anonymous visitor) or marks their account verified (signed-in citizen). Whatever fails, the person
lands back where they came from with a Vietnamese message, still signed in as before: nothing of
theirs is lost.
"""

from __future__ import annotations

import logging
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from egov.accounts.models import User
from egov.accounts.oidc import client
from egov.accounts.oidc.providers import Provider, provider_named
from egov.accounts.oidc.tokens import ProviderSignInError, Refusal
from egov.accounts.requests import client_ip, url_with_next
from egov.accounts.verification import (
    IdentityConflictError,
    sign_in_through_provider,
    verify_account_through_provider,
)
from egov.core import audit

logger = logging.getLogger(__name__)
SESSION_BACKEND = "egov.accounts.backends.IdentifierBackend"


@require_GET
@never_cache
def start(request: HttpRequest, provider_name: str) -> HttpResponse:
    provider = _provider(provider_name)
    next_url = _safe_next(request, request.GET.get("next", ""))
    user_id = request.user.pk if request.user.is_authenticated else None
    try:
        url = client.begin(
            session=request.session,
            provider=provider,
            redirect_uri=_redirect_uri(request, provider),
            next_url=next_url,
            user_id=user_id,
        )
    except ProviderSignInError as refused:
        return _refuse(request, provider, refused, next_url=next_url)
    return HttpResponseRedirect(url)


@require_GET
@never_cache
def callback(request: HttpRequest, provider_name: str) -> HttpResponse:
    provider = _provider(provider_name)
    try:
        pending = client.take_pending(
            session=request.session, provider=provider, state=request.GET.get("state", "")
        )
    except ProviderSignInError as refused:
        return _refuse(request, provider, refused, next_url="")
    try:
        if pending.user_id is not None and request.user.pk != pending.user_id:
            raise ProviderSignInError(Refusal.STATE, "started by another account than the one signed in")
        identity = client.complete(
            provider=provider,
            pending=pending,
            params=request.GET,
            redirect_uri=_redirect_uri(request, provider),
        )
        ip = client_ip(request)
        if pending.user_id is not None:
            verify_account_through_provider(user=cast(User, request.user), identity=identity, ip=ip)
            messages.success(
                request,
                _("Tài khoản của bạn đã được xác thực định danh qua %(provider)s.")
                % {"provider": provider.label},
            )
        else:
            user = sign_in_through_provider(identity=identity, ip=ip)
            login(request, user, backend=SESSION_BACKEND)
            messages.success(request, _("Bạn đã đăng nhập bằng %(provider)s.") % {"provider": provider.label})
    except ProviderSignInError as refused:
        return _refuse(request, provider, refused, next_url=pending.next_url)
    except IdentityConflictError as conflict:
        _record_refusal(request, provider, "identity_conflict")
        messages.error(request, conflict.messages[0])
        return HttpResponseRedirect(_back(request, pending.next_url))
    return HttpResponseRedirect(pending.next_url or _home(request))


def _provider(name: str) -> Provider:
    provider = provider_named(name)
    if provider is None:
        raise Http404(_("Không có nhà cung cấp định danh này."))
    return provider


def _redirect_uri(request: HttpRequest, provider: Provider) -> str:
    return provider.redirect_uri or request.build_absolute_uri(
        reverse("accounts:oidc_callback", args=[provider.name])
    )


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _home(request: HttpRequest) -> str:
    official = getattr(request.user, "is_official", False)
    return resolve_url(settings.OFFICIAL_HOME_URL if official else settings.LOGIN_REDIRECT_URL)


def _back(request: HttpRequest, next_url: str) -> str:
    """Where a refused attempt returns: the profile for a signed-in person, else the sign-in page."""
    if request.user.is_authenticated:
        return next_url or reverse("accounts:profile")
    return url_with_next("accounts:login", next_url) if next_url else reverse("accounts:login")


def _refuse(
    request: HttpRequest, provider: Provider, refused: ProviderSignInError, *, next_url: str
) -> HttpResponse:
    logger.warning("sign-in through %s refused: %s", provider.name, refused)
    _record_refusal(request, provider, refused.reason.value)
    messages.error(request, refused.message(provider.label))
    return HttpResponseRedirect(_back(request, next_url))


def _record_refusal(request: HttpRequest, provider: Provider, reason: str) -> None:
    actor = request.user if request.user.is_authenticated else None
    audit.record(
        actor=actor,
        action="accounts.provider_sign_in_refused",
        obj=cast(User, actor) if actor is not None else None,
        ip=client_ip(request),
        details={"provider": provider.name, "reason": reason},
    )
