"""What every document service shares: files, the search text, transitions, people checks."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.accounts.scope import scope_of
from egov.core import files
from egov.core.search import normalise
from egov.documents import conversion, rules
from egov.documents.models import IncomingDocument, OutgoingDocument

PDF_ONLY = frozenset({files.FileKind.PDF})


def max_upload_bytes() -> int:
    return int(getattr(settings, "EGOV_DOCUMENTS_MAX_UPLOAD_BYTES", 30 * 1024 * 1024))


DRAFT_KINDS = frozenset({files.FileKind.PDF, files.FileKind.DOCX})


def store_draft_pdf(
    upload: files.Upload, *, folder: str, name: str | None = None
) -> tuple[files.StoredFile, int | None]:
    """A draft upload as a stored PDF: a PDF as it is, a DOCX converted by LibreOffice first."""
    checked = files.check_upload(upload, allowed=DRAFT_KINDS, max_bytes=max_upload_bytes(), name=name)
    if checked.kind is not files.FileKind.DOCX:
        return files.store(checked, upload, folder=folder), checked.page_count
    content = _bytes_of(upload)
    converted = conversion.docx_to_pdf(content, display_name=checked.name)
    stem = checked.name.rsplit(".", 1)[0] or "du-thao"
    return store_pdf(converted, folder=folder, name=f"{stem}.pdf")


def _bytes_of(upload: files.Upload) -> bytes:
    if isinstance(upload, (bytes, bytearray, memoryview)):
        return bytes(upload)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return bytes(data)


def store_pdf(
    upload: files.Upload, *, folder: str, name: str | None = None
) -> tuple[files.StoredFile, int | None]:
    """Check (by content: a PDF, not corrupt nor encrypted) and store an upload; its page count."""
    checked = files.check_upload(upload, allowed=PDF_ONLY, max_bytes=max_upload_bytes(), name=name)
    return files.store(checked, upload, folder=folder), checked.page_count


def incoming_search_text(document: IncomingDocument) -> str:
    type_name = document.document_type.name if document.document_type_id else ""
    return normalise(document.notation, type_name, document.summary, document.issuer_name, document.text)


def outgoing_search_text(document: OutgoingDocument) -> str:
    type_name = document.document_type.name if document.document_type_id else ""
    composed = document.composed or {}
    return normalise(
        document.notation,
        type_name,
        document.summary,
        document.agency.name,
        composed.get("body", ""),
        document.text,
    )


def check_move(
    table: tuple[rules.Transition, ...], source: str, target: str, *, name: str, actor: User, agency_id: int
) -> rules.Transition:
    """The table's row for the move (``IllegalTransition``) and the actor's permission for it."""
    row = rules.transition(table, source, target, name=name)
    if not scope_of(actor).can(row.permission, agency_id):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này tại cơ quan này."))
    return row


def require_member(user: User, agency_id: int, permission: str, message: str) -> None:
    """``ValidationError(message)`` unless ``user`` holds ``permission`` in the agency."""
    if not scope_of(user).can(permission, agency_id):
        raise ValidationError(message)
