"""Who the actor is and where they may act: every selector of every app starts here.

``ActorScope`` is computed once per request (one query) and answers "may this actor do P in agency
A?" without further queries. ``require`` raises ``PermissionDenied`` (a Vietnamese 403 page).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from egov.accounts.permissions import ALL_PERMISSIONS, permissions_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from egov.accounts.models import User
    from egov.organizations.models import Agency


@dataclass(frozen=True)
class ActorScope:
    """The actor's agencies, divisions, roles and applicant identity."""

    user_id: int | None
    is_official: bool
    national_id: str | None
    roles_by_agency: dict[int, frozenset[str]] = field(default_factory=dict)
    division_ids: frozenset[int] = frozenset()

    @property
    def agency_ids(self) -> frozenset[int]:
        return frozenset(self.roles_by_agency)

    def roles_in(self, agency_id: int) -> frozenset[str]:
        return self.roles_by_agency.get(agency_id, frozenset())

    def permissions_in(self, agency_id: int) -> frozenset[str]:
        result: set[str] = set()
        for role in self.roles_in(agency_id):
            result |= permissions_of(role)
        return frozenset(result)

    def can(self, permission: str, agency_id: int) -> bool:
        return permission in self.permissions_in(agency_id)

    def agencies_where(self, permission: str) -> frozenset[int]:
        """Agencies in which the actor holds ``permission``: the filter every selector uses."""
        return frozenset(a for a in self.roles_by_agency if self.can(permission, a))


ANONYMOUS_SCOPE = ActorScope(user_id=None, is_official=False, national_id=None)
_CACHE_ATTRIBUTE = "_egov_actor_scope"


def scope_of(actor: User | AnonymousUser | None) -> ActorScope:
    """The actor's scope, cached on the user object for the rest of the request."""
    if actor is None or not actor.is_authenticated:
        return ANONYMOUS_SCOPE
    cached: ActorScope | None = getattr(actor, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    roles: dict[int, set[str]] = defaultdict(set)
    divisions: set[int] = set()
    if actor.is_official:
        for agency_id, division_id, role in actor.memberships.filter(
            is_active=True, agency__is_active=True
        ).values_list("agency_id", "division_id", "role"):
            roles[agency_id].add(role)
            if division_id is not None:
                divisions.add(division_id)
    scope = ActorScope(
        user_id=actor.pk,
        is_official=actor.is_official,
        national_id=actor.national_id,
        roles_by_agency={agency: frozenset(r) for agency, r in roles.items()},
        division_ids=frozenset(divisions),
    )
    setattr(actor, _CACHE_ATTRIBUTE, scope)
    return scope


def forget_scope(actor: User) -> None:
    """Drop the cached scope after memberships change within the same request."""
    if hasattr(actor, _CACHE_ATTRIBUTE):
        delattr(actor, _CACHE_ATTRIBUTE)


def require(actor: User | AnonymousUser | None, permission: str, agency: Agency | int) -> None:
    """Raise ``PermissionDenied`` unless the actor holds ``permission`` in ``agency``."""
    if permission not in ALL_PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}: add it to accounts.permissions")
    agency_id = agency if isinstance(agency, int) else agency.pk
    if not scope_of(actor).can(permission, agency_id):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này tại cơ quan này."))
