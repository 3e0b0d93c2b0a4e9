from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from egov.accounts.scope import scope_of
from egov.accounts.selectors import memberships_of
from egov.organizations.models import Agency, Membership

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from egov.accounts.models import User


def visible_agencies(actor: User | AnonymousUser) -> QuerySet[Agency]:
    """Agencies whose internal card (divisions, officials) the actor may read."""
    return Agency.objects.filter(pk__in=scope_of(actor).agencies_where("organizations.view_agency"))


def agency_for_actor(*, actor: User | AnonymousUser, agency_id: int) -> Agency:
    """One agency, or 404 when it does not exist *or* the actor may not see it (no existence oracle)."""
    agency = (
        visible_agencies(actor).select_related("parent", "administrative_unit").filter(pk=agency_id).first()
    )
    if agency is None:
        raise Http404(_("Không tìm thấy cơ quan."))
    return agency


def agency_members(*, actor: User | AnonymousUser, agency: Agency) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(agency__in=visible_agencies(actor), agency=agency, is_active=True)
        .select_related("user", "division", "position")
        .order_by("division__name", "user__full_name")
    )


def my_memberships(*, actor: User | AnonymousUser) -> QuerySet[Membership]:
    return memberships_of(actor)
