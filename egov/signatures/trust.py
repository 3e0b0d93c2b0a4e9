"""Trust anchors as data: the CA certificates an administrator uploads.

A deployment trusts the Government Cipher Committee's root or a public CA's, never a list compiled
into egov. ``add_trusted_certificate`` parses and checks an uploaded certificate (PEM or DER);
``current_anchors`` gives the active ones to the validator and to long-term signing.
"""

from __future__ import annotations

import hashlib

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from egov.accounts.models import User
from egov.accounts.scope import scope_of
from egov.core import audit, clock
from egov.signatures.models import TrustedCertificate
from egov.signatures.validation import TrustAnchors

MANAGE_TRUST = "signatures.manage_trust"
MAX_CERTIFICATE_BYTES = 64 * 1024


def parse_certificate(data: bytes) -> asn1_x509.Certificate:
    """One X.509 certificate from PEM or DER bytes; ``ValidationError`` in Vietnamese otherwise."""
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise ValidationError("Tệp chứng thư quá lớn.")
    try:
        if pem.detect(data):
            _type, _headers, data = pem.unarmor(data)
        cert = asn1_x509.Certificate.load(data)
        cert.native  # noqa: B018 - forces a full parse, so garbage is refused here
    except Exception as exc:
        raise ValidationError("Tệp không phải chứng thư số X.509 (PEM hoặc DER).") from exc
    return cert


def check_certificate(data: bytes, kind: str) -> asn1_x509.Certificate:
    """Everything ``add_trusted_certificate`` refuses, checked without saving (forms call it)."""
    cert = parse_certificate(data)
    if not cert.ca:
        raise ValidationError("Chứng thư này không phải của tổ chức cấp chứng thư (CA).")
    if kind == TrustedCertificate.Kind.ROOT and cert.self_signed == "no":  # asn1crypto: no | maybe | yes
        raise ValidationError("Chứng thư gốc phải là chứng thư tự ký.")
    if TrustedCertificate.objects.filter(sha256=hashlib.sha256(cert.dump()).hexdigest()).exists():
        raise ValidationError("Chứng thư này đã có trong danh sách.")
    return cert


def may_manage_trust(actor: User | None) -> bool:
    """Superusers and administrators; ``None`` is the system itself (demo seeding, commands)."""
    if actor is None or actor.is_superuser:
        return True
    scope = scope_of(actor)
    return bool(scope.agencies_where(MANAGE_TRUST))


def add_trusted_certificate(
    *, actor: User | None, data: bytes, kind: TrustedCertificate.Kind, note: str = ""
) -> TrustedCertificate:
    """Record a root or intermediate certificate (administrators of any agency; trust is global)."""
    if not may_manage_trust(actor):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Bạn không có quyền quản lý chứng thư tin cậy.")
    cert = check_certificate(data, kind)
    der = cert.dump()
    fingerprint = hashlib.sha256(der).hexdigest()
    validity = cert["tbs_certificate"]["validity"]
    with transaction.atomic():
        row = TrustedCertificate.objects.create(
            kind=kind,
            subject=cert.subject.human_friendly[:500],
            issuer=cert.issuer.human_friendly[:500],
            serial=format(cert.serial_number, "x")[:100],
            sha256=fingerprint,
            der=der,
            not_before=validity["not_before"].native,
            not_after=validity["not_after"].native,
            note=note,
            added_at=clock.now(),
            added_by=actor,
        )
        audit.record(
            actor=actor, action="signatures.trust_add", obj=row, details={"sha256": fingerprint, "kind": kind}
        )
    return row


def set_certificate_active(
    *, actor: User, certificate: TrustedCertificate, active: bool
) -> TrustedCertificate:
    if not may_manage_trust(actor):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Bạn không có quyền quản lý chứng thư tin cậy.")
    with transaction.atomic():
        certificate.is_active = active
        certificate.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action="signatures.trust_activate" if active else "signatures.trust_deactivate",
            obj=certificate,
        )
    return certificate


def current_anchors() -> TrustAnchors:
    """The active trust roots and intermediates (two small queries' worth of rows)."""
    roots: list[asn1_x509.Certificate] = []
    intermediates: list[asn1_x509.Certificate] = []
    for kind, der in TrustedCertificate.objects.filter(is_active=True).values_list("kind", "der"):
        cert = asn1_x509.Certificate.load(bytes(der))
        (roots if kind == TrustedCertificate.Kind.ROOT else intermediates).append(cert)
    return TrustAnchors(
        roots=tuple(roots),
        intermediates=tuple(intermediates),
        allow_fetching=getattr(settings, "EGOV_SIGNATURE_FETCH_REVOCATION", True),
    )
