from __future__ import annotations

from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from egov.accounts import selectors
from egov.accounts.decorators import login_required
from egov.accounts.models import User
from egov.accounts.oidc.providers import configured_providers


@require_GET
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Who is signed in, how sure egov is of it, and for officials their agencies and second factor."""
    user = cast(User, request.user)
    context: dict[str, object] = {"account": user}
    if not user.is_official:
        context |= {
            "identity_providers": configured_providers() if not selectors.is_verified(user) else [],
            "organisations": selectors.organisations_of(user),
        }
    if user.is_official:
        context |= {
            "memberships": selectors.memberships_of(user),
            "has_authenticator": selectors.confirmed_totp_device(user) is not None,
            "codes_left": selectors.backup_codes_left(user),
        }
    return render(request, "accounts/profile.html", context)


@require_GET
@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A citizen's own personal record; anyone else gets the same 404 as for a missing one."""
    person = selectors.person_for_actor(actor=request.user, person_id=pk)
    return render(request, "accounts/person_detail.html", {"person": person})
