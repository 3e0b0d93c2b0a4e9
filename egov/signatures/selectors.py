"""Reads for the public verification pages: only what an issued document's holder may see."""

from __future__ import annotations

from typing import Any

from egov.accounts.models import User
from egov.organizations.models import Agency
from egov.signatures.models import AgencySeal, IssuedFile, SignatureImage
from egov.signatures.validation import FileReport, SignatureReport

TOKEN_MAX_LENGTH = 32


def issued_file_by_token(token: str) -> IssuedFile | None:
    """The issued file a QR code names (public: the token is the capability)."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    return IssuedFile.objects.filter(token=token).first()


def issued_file_by_hash(sha256: str) -> IssuedFile | None:
    """An issued file with exactly these bytes (a visitor who uploads a copy proves they hold it)."""
    return IssuedFile.objects.filter(sha256=sha256, issued_at__isnull=False).order_by("-issued_at").first()


def issued_report(issued: IssuedFile) -> FileReport | None:
    """The validation report stored when the file was issued, as objects for the template."""
    data = issued.report or {}
    if not data:
        return None
    known = set(SignatureReport.__dataclass_fields__)
    signatures = [
        SignatureReport(**{k: v for k, v in s.items() if k in known}) for s in data.get("signatures", [])
    ]
    return FileReport(
        sha256=data.get("sha256", ""),
        size=data.get("size", 0),
        readable=data.get("readable", True),
        signatures=signatures,
        problems=list(data.get("problems", [])),
    )


def public_projection(issued: IssuedFile) -> dict[str, Any]:
    report = issued_report(issued)
    return {
        "token": issued.token,
        "number_notation": issued.number_notation,
        "title": issued.title,
        "issuer": issued.issuer_name,
        "issued_at": issued.issued_at.isoformat() if issued.issued_at else None,
        "sha256": issued.sha256 or None,
        "report": report.as_json() if report else None,
    }


def signature_image_of(user: User) -> bytes | None:
    """The signer's handwritten signature image (PNG) for the signer's stamp, if uploaded."""
    data = SignatureImage.objects.filter(user=user).values_list("png", flat=True).first()
    return bytes(data) if data is not None else None


def seal_of(agency: Agency) -> AgencySeal | None:
    """The agency's seal image and the name of its HSM key, if configured."""
    return AgencySeal.objects.filter(agency=agency).first()
