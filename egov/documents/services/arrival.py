"""Checking the digital signatures of an incoming electronic document on arrival (DOMAIN.md §2:
"electronic: check authenticity and integrity").

Every electronic file that arrives is validated with the instance's trust anchors
(``signatures.validation.validate_pdf`` with ``trust.current_anchors()``): a copy delivered inside
the instance by ``issuing.issue`` (the report the issuing computed for those very bytes is reused:
same bytes, same anchors) and a PDF a clerk registers that carries signatures. The result is kept
on the document — ``signature_status`` and the report as JSON — and an invalid one is flagged on
its page and in the lists, never silently accepted. A PDF without any signature that a clerk
registers is a scan of paper: its status stays "" (not checked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction

from egov.accounts.models import User
from egov.accounts.scope import require
from egov.core import audit, files
from egov.documents.models import IncomingDocument
from egov.documents.services._base import _bytes_of
from egov.signatures.trust import current_anchors
from egov.signatures.validation import validate_pdf

NOT_CHECKED = ""
VALID = "valid"
INVALID = "invalid"
UNSIGNED = "unsigned"


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """What a file's signatures say: one of the statuses above and the validation report (JSON)."""

    status: str
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def has_signatures(self) -> bool:
        return bool(self.report.get("signatures"))


def from_report(report: dict[str, Any]) -> SignatureCheck:
    """The status a stored validation report (``FileReport.as_json()``) gives."""
    if not report.get("readable", True):
        return SignatureCheck(INVALID, report)
    if not report.get("signatures"):
        return SignatureCheck(UNSIGNED, report)
    return SignatureCheck(VALID if report.get("ok") else INVALID, report)


def check_pdf(data: bytes) -> SignatureCheck:
    """Validate ``data`` against the configured trust anchors (never raises on a bad file)."""
    return from_report(validate_pdf(data, anchors=current_anchors()).as_json())


def record_check(document: IncomingDocument, check: SignatureCheck, *, actor: User | None) -> None:
    """Keep the result on the document (inside the caller's transaction), audited."""
    document.signature_status = check.status
    document.signature_report = check.report
    document.save(update_fields=["signature_status", "signature_report"])
    audit.record(
        actor=actor,
        action="documents.incoming.signature_check",
        obj=document,
        details={"status": check.status, "sha256": check.report.get("sha256")},
    )


def check_registered_upload(
    document: IncomingDocument, upload: files.Upload, *, actor: User
) -> SignatureCheck:
    """A PDF the clerk registered: validated; recorded when it carries signatures (a paper scan
    has none and stays "not checked")."""
    check = check_pdf(_bytes_of(upload))
    if check.has_signatures or check.status == INVALID:
        with transaction.atomic():
            record_check(document, check, actor=actor)
    return check


def recheck(*, actor: User | None, document: IncomingDocument) -> SignatureCheck:
    """Validate the stored file again (e.g. after the trust anchors changed) and record the result.
    ``actor``: a clerk of the receiving agency, or ``None`` for the system (a command)."""
    if actor is not None:
        require(actor, "documents.register", document.agency_id)
    if not document.file_name:
        return SignatureCheck(NOT_CHECKED)
    with default_storage.open(document.file_name, "rb") as handle:
        check = check_pdf(handle.read())
    with transaction.atomic():
        record_check(document, check, actor=actor)
    return check
