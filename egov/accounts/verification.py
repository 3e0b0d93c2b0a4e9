"""Use cases of identity verification through a provider (VNeID): sign in, verify an account.

Decisions (docs/identity.md):
- A verified personal ID number belongs to one account. Signing in through the provider with a
  number that an account already holds *verified* opens that account (same person, proven twice).
- A signed-in account that tries to verify a number another account already holds verified is
  refused with a clear message; accounts are never merged silently (drafts, dossiers and payments
  belong to the account that made them).
- Signing in through the provider with no account yet creates a verified account; a self-declared
  account with the same number is left as it is (its holder may be someone else who typed it).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from egov.accounts.models import AssuranceLevel, ExternalIdentity, OrganisationAuthorisation, User
from egov.accounts.oidc.tokens import VerifiedIdentity
from egov.core import audit, clock


class IdentityConflictError(ValidationError):
    """The provider's identity cannot be attached to this account; the message says why, in Vietnamese."""


def sign_in_through_provider(*, identity: VerifiedIdentity, ip: str | None = None) -> User:
    """The account of the person the provider vouched for: found by the provider's subject, then by
    the verified personal ID number, else created; its identity is marked verified."""
    now = clock.now()
    try:
        with transaction.atomic():
            link = (
                ExternalIdentity.objects.select_for_update()
                .select_related("user")
                .filter(provider=identity.provider, subject=identity.subject)
                .first()
            )
            if link is not None:
                user, created = link.user, False
            else:
                holder = User.objects.filter(
                    national_id=identity.national_id, assurance_level=AssuranceLevel.VERIFIED
                ).first()
                user, created = (holder, False) if holder is not None else (_new_account(identity), True)
                _link(user=user, identity=identity, now=now)
            _apply_verified_identity(user=user, identity=identity, now=now)
            if link is not None:
                link.last_sign_in_at = now
                link.save(update_fields=["last_sign_in_at"])
            _sync_provider_organisations(user=user, identity=identity, now=now)
            audit.record(
                actor=user,
                action="accounts.provider_sign_in",
                obj=user,
                ip=ip,
                details={"provider": identity.provider, "account_created": created},
            )
    except IntegrityError as error:  # a concurrent sign-in or verification took the number first
        raise IdentityConflictError(_taken_message()) from error
    return user


def verify_account_through_provider(*, user: User, identity: VerifiedIdentity, ip: str | None = None) -> User:
    """Mark a signed-in account verified with the identity the provider vouched for.

    Raises ``IdentityConflictError`` when the number or the provider's subject already belongs to another
    account, or this account was verified as someone else.
    """
    now = clock.now()
    try:
        with transaction.atomic():
            user = User.objects.select_for_update().get(pk=user.pk)
            subject_holder = (
                ExternalIdentity.objects.filter(provider=identity.provider, subject=identity.subject)
                .values_list("user_id", flat=True)
                .first()
            )
            if subject_holder is not None and subject_holder != user.pk:
                raise IdentityConflictError(_taken_message())
            if (
                User.objects.filter(national_id=identity.national_id, assurance_level=AssuranceLevel.VERIFIED)
                .exclude(pk=user.pk)
                .exists()
            ):
                raise IdentityConflictError(_taken_message())
            if user.assurance_level == AssuranceLevel.VERIFIED and user.national_id != identity.national_id:
                raise IdentityConflictError(
                    _(
                        "Tài khoản này đã được xác thực với một số định danh cá nhân khác. "
                        "Mỗi tài khoản chỉ gắn với một người."
                    )
                )
            if subject_holder is None:
                if ExternalIdentity.objects.filter(user=user, provider=identity.provider).exists():
                    raise IdentityConflictError(
                        _("Tài khoản này đã liên kết với một tài khoản định danh khác của cùng nhà cung cấp.")
                    )
                _link(user=user, identity=identity, now=now)
            else:
                ExternalIdentity.objects.filter(provider=identity.provider, subject=identity.subject).update(
                    last_sign_in_at=now
                )
            changed_number = bool(user.national_id) and user.national_id != identity.national_id
            _apply_verified_identity(user=user, identity=identity, now=now)
            _sync_provider_organisations(user=user, identity=identity, now=now)
            audit.record(
                actor=user,
                action="accounts.identity_verify",
                obj=user,
                ip=ip,
                # Whether the self-declared number was corrected, not the numbers themselves.
                details={"provider": identity.provider, "national_id_corrected": changed_number},
            )
    except IntegrityError as error:
        raise IdentityConflictError(_taken_message()) from error
    return user


def _taken_message() -> str:
    return _(
        "Số định danh cá nhân này đã được xác thực cho một tài khoản khác. Mỗi số định danh chỉ thuộc "
        "về một tài khoản: hãy đăng xuất rồi chọn “Đăng nhập bằng VNeID” để vào tài khoản đó, hoặc "
        "liên hệ bộ phận hỗ trợ nếu bạn không tạo tài khoản đó."
    )


def _new_account(identity: VerifiedIdentity) -> User:
    user = User(
        username=f"cd-{secrets.token_hex(8)}",
        full_name=identity.full_name,
        national_id=identity.national_id,
        is_official=False,
        assurance_level=AssuranceLevel.SELF_DECLARED,  # raised by _apply_verified_identity
    )
    user.set_unusable_password()  # signs in through the provider; may set a password by reset later
    user.save()
    return user


def _link(*, user: User, identity: VerifiedIdentity, now: datetime) -> None:
    ExternalIdentity.objects.create(
        user=user, provider=identity.provider, subject=identity.subject, linked_at=now, last_sign_in_at=now
    )


def _apply_verified_identity(*, user: User, identity: VerifiedIdentity, now: datetime) -> None:
    """The provider's values replace the self-declared ones; a phone another account uses is skipped."""
    user.national_id = identity.national_id
    user.full_name = identity.full_name
    if identity.birth_date is not None:
        user.birth_date = identity.birth_date
    if (
        identity.phone
        and identity.phone != user.phone
        and not User.objects.filter(phone=identity.phone).exclude(pk=user.pk).exists()
    ):
        user.phone = identity.phone
    user.assurance_level = AssuranceLevel.VERIFIED
    user.identity_verified_at = now
    user.save(
        update_fields=[
            "national_id",
            "full_name",
            "birth_date",
            "phone",
            "assurance_level",
            "identity_verified_at",
        ]
    )


def _sync_provider_organisations(*, user: User, identity: VerifiedIdentity, now: datetime) -> None:
    """Organisations the provider says the person represents: recorded; those it no longer says: revoked.

    Authorisations recorded at the desk are never touched here.
    """
    if identity.organisations is None:
        return
    asserted = {organisation.tax_code: organisation for organisation in identity.organisations}
    standing = {
        authorisation.tax_code: authorisation
        for authorisation in OrganisationAuthorisation.objects.select_for_update().filter(
            user=user, revoked_at__isnull=True
        )
    }
    for tax_code, organisation in asserted.items():
        if tax_code in standing:
            continue
        created = OrganisationAuthorisation.objects.create(
            user=user,
            tax_code=tax_code,
            organisation_name=organisation.name,
            basis=OrganisationAuthorisation.Basis.LEGAL_REPRESENTATIVE,
            granted_via=OrganisationAuthorisation.GrantedVia.PROVIDER,
            evidence=identity.provider,
            valid_from=now,
            recorded_at=now,
        )
        audit.record(
            actor=user,
            action="accounts.organisation_authorisation_record",
            obj=created,
            details={"tax_code": tax_code, "granted_via": created.granted_via, "provider": identity.provider},
        )
    for tax_code, authorisation in standing.items():
        if tax_code in asserted or authorisation.granted_via != OrganisationAuthorisation.GrantedVia.PROVIDER:
            continue
        authorisation.revoked_at = now
        authorisation.revocation_reason = "not asserted by the provider any more"
        authorisation.save(update_fields=["revoked_at", "revocation_reason"])
        audit.record(
            actor=user,
            action="accounts.organisation_authorisation_revoke",
            obj=authorisation,
            details={"tax_code": tax_code, "provider": identity.provider},
        )
