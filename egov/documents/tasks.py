"""Background tasks of documents (``django.tasks``; ``manage.py db_worker`` runs them)."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.tasks import task

from egov.core.search import normalise
from egov.documents import extraction, reminders

logger = logging.getLogger(__name__)
OCR_TIMEOUT_SECONDS = 600


@task()
def send_document_reminders_task() -> dict[str, Any]:
    summary = reminders.send_document_reminders()
    return {"considered": summary.considered, "sent": summary.sent}


@task()
def ocr_incoming(*, document_id: int) -> str:
    """OCR a scan without a text layer (ocrmypdf, Tesseract ``vie``) and index its text.

    Does nothing when ocrmypdf is not installed (the document stays findable by its metadata).
    """
    from egov.documents.models import IncomingDocument

    document = IncomingDocument.objects.select_related("document_type").filter(pk=document_id).first()
    if document is None or not document.file_name or document.is_secret or document.text:
        return "skipped"
    program = shutil.which("ocrmypdf")
    if program is None:
        logger.info("ocrmypdf not installed: scan of incoming document %s not OCR'd", document_id)
        return "no-ocr"
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.pdf", Path(folder) / "out.pdf"
        with default_storage.open(document.file_name, "rb") as handle:
            source.write_bytes(handle.read())
        result = subprocess.run(  # noqa: S603
            [program, "-l", "vie", "--skip-text", "--output-type", "pdf", str(source), str(target)],
            capture_output=True,
            timeout=OCR_TIMEOUT_SECONDS,
            check=False,
        )
        if result.returncode != 0:
            logger.warning("ocrmypdf failed on incoming document %s: %s", document_id, result.stderr[-500:])
            return "failed"
        text = extraction.pdf_text(target.read_bytes())
    from egov.documents.services._base import incoming_search_text

    document.text = text
    document.search_text = incoming_search_text(document)
    IncomingDocument.objects.filter(pk=document.pk).update(text=text, search_text=document.search_text)
    return "ok" if normalise(text) else "empty"
