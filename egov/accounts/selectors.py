"""Reads about accounts, always scoped by the actor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.models import User
from egov.accounts.rules import normalise_phone
from egov.accounts.scope import scope_of
from egov.organizations.models import Membership

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def accounts_matching(identifier: str) -> list[User]:
    """At most two accounts whose username, e-mail or phone is ``identifier`` (two means ambiguous)."""
    identifier = identifier.strip()
    if not identifier:
        return []
    condition = Q(username=identifier) | Q(email__iexact=identifier) | Q(phone=normalise_phone(identifier))
    return list(User.objects.filter(condition)[:2])


def login_key(identifier: str) -> str:
    """The one name under which failed sign-ins of an account are counted.

    A citizen may type a phone number once and an e-mail address next time: counting both under the
    account's username keeps the lockout per account. Unknown identifiers are counted as typed.
    """
    matches = accounts_matching(identifier)
    if len(matches) == 1:
        return matches[0].get_username()
    return identifier.strip()


def visible_people(actor: User | AnonymousUser) -> QuerySet[User]:
    """Citizens whose personal record the actor may read: only their own.

    Officials reach applicants' data through the dossiers they handle, never through this record.
    """
    scope = scope_of(actor)
    if scope.user_id is None or scope.is_official:
        return User.objects.none()
    return User.objects.filter(pk=scope.user_id, is_official=False)


def person_for_actor(*, actor: User | AnonymousUser, person_id: int) -> User:
    """One citizen's record, or 404 when it does not exist *or* is not the actor's (no existence oracle)."""
    person = visible_people(actor).filter(pk=person_id).first()
    if person is None:
        raise Http404(_("Không tìm thấy hồ sơ cá nhân."))
    return person


def memberships_of(actor: User | AnonymousUser) -> QuerySet[Membership]:
    """The actor's own active places in agencies, with what a profile or workspace shows of them."""
    user_id = scope_of(actor).user_id
    if user_id is None:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user_id=user_id, is_active=True, agency__is_active=True)
        .select_related("agency", "division", "position")
        .order_by("agency__name", "role")
    )


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("-pk").first()


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
