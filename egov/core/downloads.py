"""Stored files sent to the browser: one place decides the headers of a private download."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404


def stored_file_response(
    name: str, *, download_name: str, content_type: str, inline: bool = False
) -> FileResponse:
    """The stored file ``name`` as a download (or shown inline), kept out of shared caches.

    A file missing from the storage answers 404 like a file the actor may not see. The caller has
    already checked that the actor may read it.
    """
    try:
        content = default_storage.open(name, "rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        content,
        as_attachment=not inline,
        filename=download_name,
        content_type=content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"  # personal files: no proxy keeps a copy
    return response
