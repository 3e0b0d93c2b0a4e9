"""Signing with keys egov does not hold: the official's USB token through the signing agent, and
remote signing (ký số từ xa) through a CSC API service. Same rules as ``services``: permission
checked, audited, no PIN or OTP stored anywhere.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence

from asn1crypto import x509 as asn1_x509
from django.core.cache import cache
from django.db import transaction

from egov.accounts.models import User
from egov.core import audit
from egov.organizations.models import Agency
from egov.signatures import appearances, external, pades, remote, trust
from egov.signatures.pades import PdfProblem, SigningPolicy
from egov.signatures.remote import CscKey
from egov.signatures.services import (
    SIGN_PERMISSIONS,
    SIGNING_FAILED,
    BatchItem,
    BatchResult,
    _policy,
    _require_any,
)

# --- signing through the official's signing agent (USB token) ------------------------------------

PENDING_TTL_SECONDS = 600


def _pending_key(actor: User, pending_id: str) -> str:
    return f"signatures:pending:{actor.pk}:{pending_id}"


def begin_agent_signing(
    *,
    actor: User,
    agency: Agency,
    pdf: bytes,
    certificate: bytes,
    chain: Sequence[bytes] = (),
    signature_image: bytes,
    policy: SigningPolicy | None = None,
) -> tuple[str, bytes]:
    """Prepare the competent person's signature by a key egov does not hold.

    Returns an id and the bytes the official's token must sign (sent to the agent by the
    browser). The prepared document waits in the cache, for this actor only, for 10 minutes.
    """
    _require_any(actor, SIGN_PERMISSIONS, agency)
    policy = _policy(policy)
    intermediates = tuple(c.dump() for c in trust.current_anchors().intermediates)
    pending = external.begin(
        pdf,
        certificate=certificate,
        chain=tuple(chain) + intermediates,
        policy=policy,
        field_name=pades.SIGNER_FIELD,
        style=appearances.signer_style(signature_image),
    )
    pending_id = secrets.token_urlsafe(16)
    cache.set(_pending_key(actor, pending_id), pending.as_json(), timeout=PENDING_TTL_SECONDS)
    return pending_id, pending.signed_attributes


def finish_agent_signing(
    *, actor: User, agency: Agency, pending_id: str, signature_value: bytes, source: str = ""
) -> bytes:
    """Embed the signature the agent returned; refuses a value that does not verify."""
    _require_any(actor, SIGN_PERMISSIONS, agency)
    data = cache.get(_pending_key(actor, pending_id))
    if data is None:
        raise PdfProblem("Phiên ký đã hết hạn hoặc không tồn tại. Vui lòng ký lại.")
    pending = external.PendingSignature.from_json(data)
    result = external.finish(pending, signature_value=signature_value)
    cache.delete(_pending_key(actor, pending_id))
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="signatures.sign_official",
            details={
                "agency": agency.code,
                "field": pades.SIGNER_FIELD,
                "certificate": asn1_x509.Certificate.load(pending.certificate).subject.human_friendly,
                "sha256": hashlib.sha256(result).hexdigest(),
                "source": source,
                "via": "signing_agent",
            },
        )
    return result


# --- remote signing (ký số từ xa, CSC API) ---------------------------------------------------


def sign_batch_remotely(
    *,
    actor: User,
    agency: Agency,
    items: Sequence[BatchItem],
    key: CscKey,
    otp: str,
    signature_image: bytes,
    policy: SigningPolicy | None = None,
) -> list[BatchResult]:
    """Sign N frozen drafts with a key held by a remote-signing service: one approval for all.

    Documents that cannot be prepared are reported and left out of the request; if the service
    refuses (not approved, wrong OTP), nothing is signed and ``SignerUnavailable`` is raised.
    """
    _require_any(actor, SIGN_PERMISSIONS, agency)
    policy = _policy(policy)
    client = remote.CscClient(key)
    credential = client.credential()
    intermediates = tuple(c.dump() for c in trust.current_anchors().intermediates)
    style = appearances.signer_style(signature_image)
    prepared: dict[str, external.PendingSignature] = {}
    results: dict[str, BatchResult] = {}
    for item in items:
        try:
            prepared[item.reference] = external.begin(
                item.pdf,
                certificate=credential.certificate,
                chain=credential.chain + intermediates,
                policy=policy,
                field_name=pades.SIGNER_FIELD,
                style=style,
            )
        except PdfProblem as exc:
            results[item.reference] = BatchResult(reference=item.reference, ok=False, error=str(exc))
        except Exception:
            results[item.reference] = BatchResult(
                reference=item.reference, ok=False, error=str(SIGNING_FAILED)
            )
    references = list(prepared)
    if references:
        values = client.sign(
            [prepared[r].signed_attributes for r in references],
            otp=otp,
            description=f"{len(references)} văn bản — {agency.name}",
        )
        for reference, value in zip(references, values, strict=True):
            try:
                signed = external.finish(prepared[reference], signature_value=value)
            except PdfProblem as exc:
                results[reference] = BatchResult(reference=reference, ok=False, error=str(exc))
                continue
            _audit_remote(actor=actor, agency=agency, reference=reference, result=signed, key=key)
            results[reference] = BatchResult(reference=reference, ok=True, pdf=signed)
    return [results[item.reference] for item in items]


def _audit_remote(*, actor: User, agency: Agency, reference: str, result: bytes, key: CscKey) -> None:
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="signatures.sign_official",
            details={
                "agency": agency.code,
                "field": pades.SIGNER_FIELD,
                "sha256": hashlib.sha256(result).hexdigest(),
                "source": reference,
                "via": "remote",
                "credential": key.credential_id,
            },
        )
