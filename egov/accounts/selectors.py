"""Reads about accounts, always scoped by the actor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.models import AssuranceLevel, OrganisationAuthorisation, User
from egov.accounts.rules import normalise_phone
from egov.accounts.scope import scope_of
from egov.core import clock
from egov.organizations.models import Agency, Membership

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


# --- Identity assurance: what eservices asks before submitting or handing out results --------


def is_verified(user: User | AnonymousUser | None) -> bool:
    """The account's personal ID number was confirmed by an identity provider (VNeID)."""
    return bool(
        user is not None
        and user.is_authenticated
        and getattr(user, "assurance_level", None) == AssuranceLevel.VERIFIED
        and getattr(user, "national_id", None)
    )


def may_submit(user: User | AnonymousUser | None, procedure_requires_verified: bool) -> bool:
    """Whether ``user`` may submit a procedure online; self-declared accounts only prepare drafts of
    procedures the catalogue marks as needing a verified identity."""
    if user is None or not user.is_authenticated:
        return False
    return is_verified(user) or not procedure_requires_verified


def submission_refusal(user: User | AnonymousUser | None, procedure_requires_verified: bool) -> str | None:
    """Why ``user`` may not submit, in Vietnamese (with what to do); ``None`` when they may."""
    if may_submit(user, procedure_requires_verified):
        return None
    if user is None or not user.is_authenticated:
        return _("Hãy đăng nhập để nộp hồ sơ trực tuyến.")
    return _(
        "Thủ tục này yêu cầu tài khoản đã xác thực định danh điện tử. Hồ sơ bạn đang soạn vẫn được lưu; "
        "hãy xác thực tài khoản bằng VNeID (trong trang “Tài khoản của bạn”) rồi nộp."
    )


def may_download_result(
    user: User | AnonymousUser | None, *, issued_to_national_id: str = "", issued_to_tax_code: str = ""
) -> bool:
    """Whether ``user`` may download a result issued to a person (by ID number) or an organisation.

    Only a verified account: its own number, or a tax code it is authorised to act for now.
    """
    if not is_verified(user):
        return False
    identities = dossier_identities(user)
    if issued_to_national_id:
        return issued_to_national_id in identities.national_ids
    if issued_to_tax_code:
        return issued_to_tax_code in identities.tax_codes
    return False


def organisations_of(user: User | AnonymousUser | None) -> QuerySet[OrganisationAuthorisation]:
    """The organisations the user may act for now: standing, in force, and only for a verified account."""
    if not is_verified(user):
        return OrganisationAuthorisation.objects.none()
    assert isinstance(user, User)
    now = clock.now()
    return (
        OrganisationAuthorisation.objects.filter(
            user_id=user.pk, revoked_at__isnull=True, valid_from__lte=now
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .order_by("organisation_name", "tax_code")
    )


@dataclass(frozen=True)
class ApplicantIdentities:
    """The applicant identifiers whose dossiers a citizen may see in "my dossiers".

    Dossiers received at the desk carry the applicant's personal ID number (a person) or tax code (an
    organisation); they show up for the account once its number is verified.
    """

    national_ids: frozenset[str] = frozenset()
    tax_codes: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.national_ids or self.tax_codes)


def dossier_identities(user: User | AnonymousUser | None) -> ApplicantIdentities:
    """The verified personal ID number and the tax codes of the organisations the user acts for now
    (one query for the organisations); empty for anonymous, self-declared and officials' accounts."""
    if not is_verified(user) or getattr(user, "is_official", False):
        return ApplicantIdentities()
    assert isinstance(user, User)
    tax_codes = frozenset(organisations_of(user).values_list("tax_code", flat=True))
    return ApplicantIdentities(national_ids=frozenset({str(user.national_id)}), tax_codes=tax_codes)


AUTHORISATION_PERMISSION = "accounts.record_authorisation"


def authorisation_desks(actor: User | AnonymousUser | None) -> QuerySet[Agency]:
    """Agencies at whose desk the actor may record or revoke authorisations, by name."""
    return Agency.objects.filter(pk__in=scope_of(actor).agencies_where(AUTHORISATION_PERMISSION)).order_by(
        "name"
    )


def authorisations_matching(
    *, actor: User | AnonymousUser | None, lookup: str
) -> QuerySet[OrganisationAuthorisation]:
    """Every authorisation (current, ended, revoked) of the organisation with tax code ``lookup`` or
    of the person with ID number ``lookup``, newest first; nothing for an actor who records none."""
    if not lookup or not scope_of(actor).agencies_where(AUTHORISATION_PERMISSION):
        return OrganisationAuthorisation.objects.none()
    return (
        OrganisationAuthorisation.objects.filter(Q(tax_code=lookup) | Q(user__national_id=lookup))
        .select_related("user", "recorded_by", "revoked_by")
        .order_by("-recorded_at", "-pk")
    )


def verified_person(national_id: str) -> User | None:
    """The account whose identity the provider verified with this number (at most one exists)."""
    return User.objects.filter(national_id=national_id, assurance_level=AssuranceLevel.VERIFIED).first()
