from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from egov.accounts.decorators import login_required
from egov.workspace import selectors


def _official_only(request: HttpRequest) -> None:
    if not getattr(request.user, "is_official", False):
        raise PermissionDenied(_("Trang này dành cho cán bộ, công chức."))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Who is signed in, in which agencies and with which roles."""
    _official_only(request)
    return render(
        request, "workspace/home.html", {"memberships": selectors.my_memberships(actor=request.user)}
    )


@login_required
def agency_detail(request: HttpRequest, agency_id: int) -> HttpResponse:
    """An agency's card with its officials, for officials of that agency only."""
    _official_only(request)
    agency = selectors.agency_for_actor(actor=request.user, agency_id=agency_id)
    return render(
        request,
        "workspace/agency_detail.html",
        {"agency": agency, "members": selectors.agency_members(actor=request.user, agency=agency)},
    )
