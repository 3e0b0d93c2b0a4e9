"""The text of a document's PDF for search: poppler's ``pdftotext`` (Debian ``poppler-utils``).

Scans have no text layer; OCR (ocrmypdf + Tesseract ``vie``) is not wired yet — see
docs/documents.md. A PDF that cannot be read gives empty text, never an error page: search then
finds the document by its metadata only.
"""

from __future__ import annotations

import logging
import shutil
import subprocess

from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 60
MAX_TEXT_CHARS = 200_000  # the summary and the first ~60 pages are what people search for


def pdf_text(content: bytes) -> str:
    """The text layer of a PDF (may be empty: a scan); ``""`` when pdftotext is missing or fails."""
    program = shutil.which("pdftotext")
    if program is None:
        logger.warning("pdftotext not found (apt-get install poppler-utils): PDF text not indexed")
        return ""
    try:
        result = subprocess.run(  # noqa: S603
            [program, "-q", "-enc", "UTF-8", "-", "-"],
            input=content,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        logger.warning("pdftotext timed out after %d s", TIMEOUT_SECONDS)
        return ""
    if result.returncode != 0:
        logger.info("pdftotext failed (exit %d)", result.returncode)
        return ""
    return " ".join(result.stdout.decode("utf-8", "replace").split())[:MAX_TEXT_CHARS]


def stored_pdf_text(name: str) -> str:
    with default_storage.open(name, "rb") as handle:
        return pdf_text(handle.read())
