"""Use cases of acting for an organisation: record and revoke a person's authorisation (audited).

An official records it at the desk after checking the papers (the business registration naming the
legal representative, or a power of attorney); the identity provider may also assert it at sign-in
(``verification``). Only accounts with a verified identity can be authorised: the organisation must
know who acts for it.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from egov.accounts.models import OrganisationAuthorisation, User
from egov.accounts.rules import tax_code_problem
from egov.accounts.scope import require
from egov.accounts.selectors import AUTHORISATION_PERMISSION, is_verified
from egov.core import audit, clock
from egov.organizations.models import Agency

PERMISSION = AUTHORISATION_PERMISSION


def record_organisation_authorisation(
    *,
    official: User,
    agency: Agency,
    person: User,
    tax_code: str,
    organisation_name: str,
    basis: OrganisationAuthorisation.Basis,
    evidence: str,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    ip: str | None = None,
) -> OrganisationAuthorisation:
    """Record that ``person`` may act for the organisation with ``tax_code`` (checked at ``agency``'s desk).

    Raises ``ValidationError`` keyed by argument name.
    """
    require(official, PERMISSION, agency)
    tax_code = tax_code.strip()
    organisation_name = " ".join(organisation_name.split())
    evidence = " ".join(evidence.split())
    valid_from = valid_from or clock.now()
    errors: dict[str, str] = {}
    if not is_verified(person):
        errors["person"] = _(
            "Chỉ ghi nhận quyền đại diện tổ chức cho tài khoản đã xác thực định danh (qua VNeID)."
        )
    if problem := tax_code_problem(tax_code):
        errors["tax_code"] = problem
    if not organisation_name:
        errors["organisation_name"] = _("Hãy nhập tên tổ chức.")
    if not evidence:
        errors["evidence"] = _("Hãy ghi giấy tờ đã đối chiếu (ví dụ: giấy ủy quyền số …, ngày …).")
    if valid_until is not None and valid_until <= valid_from:
        errors["valid_until"] = _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    try:
        with transaction.atomic():
            authorisation = OrganisationAuthorisation.objects.create(
                user=person,
                tax_code=tax_code,
                organisation_name=organisation_name,
                basis=basis,
                granted_via=OrganisationAuthorisation.GrantedVia.DESK,
                evidence=evidence,
                valid_from=valid_from,
                valid_until=valid_until,
                recorded_at=now,
                recorded_by=official,
            )
            audit.record(
                actor=official,
                action="accounts.organisation_authorisation_record",
                obj=authorisation,
                ip=ip,
                details={"tax_code": tax_code, "basis": str(basis), "agency": agency.code},
            )
    except IntegrityError as error:
        raise ValidationError(
            {
                "tax_code": _(
                    "Người này đang có quyền đại diện cho tổ chức có mã số thuế %(tax_code)s. "
                    "Hãy thu hồi quyền cũ trước khi ghi nhận lại."
                )
                % {"tax_code": tax_code}
            }
        ) from error
    return authorisation


def revoke_organisation_authorisation(
    *,
    official: User,
    agency: Agency,
    authorisation: OrganisationAuthorisation,
    reason: str,
    ip: str | None = None,
) -> OrganisationAuthorisation:
    """End an authorisation now; the row stays as history."""
    require(official, PERMISSION, agency)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do thu hồi.")})
    with transaction.atomic():
        authorisation = OrganisationAuthorisation.objects.select_for_update().get(pk=authorisation.pk)
        if authorisation.revoked_at is not None:
            raise ValidationError(_("Quyền đại diện này đã được thu hồi trước đó."))
        authorisation.revoked_at = clock.now()
        authorisation.revoked_by = official
        authorisation.revocation_reason = reason[:255]
        authorisation.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        audit.record(
            actor=official,
            action="accounts.organisation_authorisation_revoke",
            obj=authorisation,
            ip=ip,
            details={"tax_code": authorisation.tax_code, "agency": agency.code},
        )
    return authorisation
