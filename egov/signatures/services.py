"""Signing use cases other apps call with PDF bytes (DOMAIN.md §3: sign first, number after).

1. ``freeze_document``: the approved draft gets its verification QR code/short link, empty
   number/date fields and empty signature fields; an ``IssuedFile`` row holds the token.
2. ``sign_as_official``: the competent person's signature (image only) in its field.
3. ``number_and_seal``: the clerk's number and date filled in (form filling), then the agency
   signature with the seal — two incremental updates, so signature 1 stays valid.
4. ``register_issued_file``: the final bytes are checked, stored, and their SHA-256 published on
   the verification page.
Also ``sign_copy`` (electronic copies and attachments: text at the top right of page 1) and
``sign_batch`` (N documents, one PIN entry, a result per document). Keys egov does not hold (the
signing agent, remote signing): ``egov.signatures.official_keys``.

PINs are arguments only: never stored, logged, audited or passed to a task.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy
from pyhanko.sign import signers as pyhanko_signers

from egov.accounts.models import User
from egov.accounts.scope import scope_of
from egov.core import audit, clock, files
from egov.organizations.models import Agency
from egov.signatures import appearances, pades, trust
from egov.signatures.models import IssuedFile
from egov.signatures.pades import FreezeLayout, PdfProblem, SigningPolicy
from egov.signatures.signers import KeyReference, open_signer
from egov.signatures.validation import FileReport, validate_pdf

logger = logging.getLogger(__name__)
# What the official reads when pyHanko, the key or the timestamp authority fails mid-way (logged).
SIGNING_FAILED = gettext_lazy(
    "Không ký được văn bản này (thiết bị ký số hoặc dịch vụ cấp dấu thời gian không phản hồi). "
    "Vui lòng thử lại."
)
SIGN_PERMISSIONS = frozenset({"documents.sign", "dossiers.approve"})
ISSUE_PERMISSIONS = frozenset({"documents.issue", "dossiers.approve", "dossiers.return_result"})
FREEZE_PERMISSIONS = SIGN_PERMISSIONS | ISSUE_PERMISSIONS | {"documents.draft", "dossiers.process"}
MAX_SIGNED_FILE_BYTES = 50 * 1024 * 1024


def _require_any(actor: User, permissions: frozenset[str], agency: Agency) -> None:
    scope = scope_of(actor)
    if not any(scope.can(p, agency.pk) for p in permissions):
        raise PermissionDenied("Bạn không có quyền ký số tại cơ quan này.")


def verification_url(token: str) -> str:
    base = getattr(settings, "EGOV_PUBLIC_BASE_URL", "").rstrip("/")
    return base + reverse("signatures:verify", kwargs={"token": token})


def _policy(policy: SigningPolicy | None) -> SigningPolicy:
    return policy or pades.policy_from_settings()


def _validation_context(policy: SigningPolicy) -> object | None:
    if policy.level == pades.Level.B_T:
        return None
    return trust.current_anchors().context()


@dataclass(frozen=True, slots=True)
class FrozenDocument:
    pdf: bytes
    issued_file: IssuedFile

    @property
    def verification_url(self) -> str:
        return verification_url(self.issued_file.token)


def freeze_document(
    *,
    actor: User,
    agency: Agency,
    pdf: bytes,
    layout: FreezeLayout,
    title: str = "",
    source: str = "",
) -> FrozenDocument:
    """The draft ready to sign, with its verification token already on page 1."""
    _require_any(actor, FREEZE_PERMISSIONS, agency)
    with transaction.atomic():
        issued = IssuedFile.objects.create(
            title=title[:500], issuer_name=agency.name[:300], source=source[:100], created_at=clock.now()
        )
        frozen = pades.freeze(pdf, verification_url=verification_url(issued.token), layout=layout)
        audit.record(actor=actor, action="signatures.freeze", obj=issued, details={"source": source})
    return FrozenDocument(pdf=frozen, issued_file=issued)


def _sign(
    *,
    pdf: bytes,
    signer: pyhanko_signers.Signer,
    policy: SigningPolicy,
    field_name: str,
    style: object,
    new_field: appearances.Placement | None = None,
) -> bytes:
    return pades.sign(
        pdf,
        signer=signer,
        policy=policy,
        field_name=field_name,
        style=style,  # type: ignore[arg-type]
        new_field=new_field,
        validation_context=_validation_context(policy),  # type: ignore[arg-type]
    )


def _record_signing(
    *,
    actor: User,
    agency: Agency,
    action: str,
    field: str,
    signer: pyhanko_signers.Signer,
    result: bytes,
    source: str,
) -> None:
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=action,
            details={
                "agency": agency.code,
                "field": field,
                "certificate": pades.signer_certificate_subject(signer),
                "sha256": hashlib.sha256(result).hexdigest(),
                "source": source,
            },
        )


def _sign_with_key(
    *,
    actor: User,
    agency: Agency,
    pdf: bytes,
    key: KeyReference,
    pin: str,
    policy: SigningPolicy | None,
    field_name: str,
    style: Callable[[], object],
    action: str,
    source: str,
    new_field: appearances.Placement | None = None,
) -> bytes:
    """Open ``key``, sign ``field_name`` (``style`` is built once the key is open) and audit it."""
    with open_signer(key, pin=pin) as signer:
        result = _sign(
            pdf=pdf,
            signer=signer,
            policy=_policy(policy),
            field_name=field_name,
            style=style(),
            new_field=new_field,
        )
        _record_signing(
            actor=actor,
            agency=agency,
            action=action,
            field=field_name,
            signer=signer,
            result=result,
            source=source,
        )
    return result


def sign_as_official(
    *,
    actor: User,
    agency: Agency,
    pdf: bytes,
    key: KeyReference,
    pin: str,
    signature_image: bytes,
    policy: SigningPolicy | None = None,
    source: str = "",
) -> bytes:
    """The competent person's approval signature in the frozen draft's signer field."""
    _require_any(actor, SIGN_PERMISSIONS, agency)
    return _sign_with_key(
        actor=actor,
        agency=agency,
        pdf=pdf,
        key=key,
        pin=pin,
        policy=policy,
        field_name=pades.SIGNER_FIELD,
        style=lambda: appearances.signer_style(signature_image),
        action="signatures.sign_official",
        source=source,
    )


def number_and_seal(
    *,
    actor: User,
    agency: Agency,
    pdf: bytes,
    number_notation: str,
    date_text: str,
    key: KeyReference,
    pin: str,
    seal_image: bytes,
    policy: SigningPolicy | None = None,
    source: str = "",
) -> bytes:
    """The clerk's step: fill number and date (form filling), then the agency signature."""
    _require_any(actor, ISSUE_PERMISSIONS, agency)
    policy = _policy(policy)
    values = {pades.NUMBER_FIELD: number_notation, pades.DATE_FIELD: date_text}
    return _sign_with_key(
        actor=actor,
        agency=agency,
        pdf=pades.fill_fields(pdf, values),
        key=key,
        pin=pin,
        policy=policy,
        field_name=pades.AGENCY_FIELD,
        style=lambda: appearances.agency_style(
            seal_image=seal_image, agency_name=agency.name, signing_time=clock.localnow()
        ),
        action="signatures.seal",
        source=source,
    )


def sign_copy(
    *,
    actor: User,
    agency: Agency,
    pdf: bytes,
    key: KeyReference,
    pin: str,
    lines: Sequence[str],
    field_name: str = "ChuKySaoY",
    policy: SigningPolicy | None = None,
    source: str = "",
) -> bytes:
    """An electronic copy or an attachment: the agency's signature, text only, top right of page 1."""
    _require_any(actor, ISSUE_PERMISSIONS, agency)
    policy = _policy(policy)
    width, height = pades.page_size(pdf)
    return _sign_with_key(
        actor=actor,
        agency=agency,
        pdf=pdf,
        key=key,
        pin=pin,
        policy=policy,
        field_name=field_name,
        style=lambda: appearances.text_only_style(list(lines), signing_time=clock.localnow()),
        action="signatures.sign_copy",
        source=source,
        new_field=appearances.top_right_placement(page_width=width, page_height=height),
    )


@dataclass(frozen=True, slots=True)
class BatchItem:
    reference: str  # the caller's id for the document, e.g. "documents:42"
    pdf: bytes


@dataclass(frozen=True, slots=True)
class BatchResult:
    reference: str
    ok: bool
    pdf: bytes | None = None
    error: str = ""


def sign_batch(
    *,
    actor: User,
    agency: Agency,
    items: Sequence[BatchItem],
    key: KeyReference,
    pin: str,
    signature_image: bytes,
    policy: SigningPolicy | None = None,
    progress: Callable[[int, int, BatchResult], None] | None = None,
) -> list[BatchResult]:
    """Sign N frozen drafts with one opening of the key (one PIN entry); one result per item.

    A document that fails (malformed, no empty signer field) is reported and skipped; the others
    are signed normally. A wrong PIN fails the whole batch before any document is touched.
    """
    _require_any(actor, SIGN_PERMISSIONS, agency)
    policy = _policy(policy)
    style = appearances.signer_style(signature_image)
    results: list[BatchResult] = []
    with open_signer(key, pin=pin) as signer:
        for index, item in enumerate(items, start=1):
            try:
                signed = _sign(
                    pdf=item.pdf, signer=signer, policy=policy, field_name=pades.SIGNER_FIELD, style=style
                )
            except PdfProblem as exc:
                result = BatchResult(reference=item.reference, ok=False, error=str(exc))
            except Exception:  # one broken document must not stop the batch
                logger.warning("Signing %s failed", item.reference, exc_info=True)
                result = BatchResult(reference=item.reference, ok=False, error=str(SIGNING_FAILED))
            else:
                _record_signing(
                    actor=actor,
                    agency=agency,
                    action="signatures.sign_official",
                    field=pades.SIGNER_FIELD,
                    signer=signer,
                    result=signed,
                    source=item.reference,
                )
                result = BatchResult(reference=item.reference, ok=True, pdf=signed)
            results.append(result)
            if progress is not None:
                progress(index, len(items), result)
    return results


def register_issued_file(
    *,
    actor: User,
    agency: Agency,
    token: str,
    pdf: bytes,
    number_notation: str = "",
    title: str = "",
    source: str = "",
) -> IssuedFile:
    """Publish the final issued file: checked by content, stored, hashed, its report kept."""
    _require_any(actor, ISSUE_PERMISSIONS, agency)
    checked = files.check_upload(
        pdf, allowed=frozenset({files.FileKind.PDF}), max_bytes=MAX_SIGNED_FILE_BYTES, name="van-ban.pdf"
    )
    report = validate_pdf(pdf, anchors=trust.current_anchors())
    with transaction.atomic():
        issued = IssuedFile.objects.select_for_update().get(token=token)
        if issued.issued_at is not None:
            raise PdfProblem("Văn bản này đã được ban hành; không ghi đè tệp đã ban hành.")
        stored = files.store(checked, pdf, folder="signatures/issued")
        issued.sha256 = stored.sha256
        issued.size = stored.size
        issued.stored_name = stored.name
        issued.number_notation = number_notation[:100] or issued.number_notation
        issued.title = title[:500] or issued.title
        issued.source = source[:100] or issued.source
        issued.report = report.as_json()
        issued.issued_at = clock.now()
        issued.save()
        audit.record(
            actor=actor,
            action="signatures.register_issued",
            obj=issued,
            details={"sha256": stored.sha256, "valid": report.ok},
        )
    return issued


def report_for_upload(data: bytes) -> FileReport:
    """The report a visitor gets for a PDF they upload (not stored)."""
    return validate_pdf(data, anchors=trust.current_anchors())
