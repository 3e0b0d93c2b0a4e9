"""DOCX drafts → PDF with LibreOffice headless (Debian ``libreoffice-writer-nogui``): only PDFs are
reviewed, signed and issued (DOMAIN.md §3).

Each conversion runs with its own throw-away LibreOffice profile, so concurrent conversions do not
fight over one profile's lock. A conversion takes a few seconds of CPU (bench: about 2–4 s on
the 2-core development machine, most of it LibreOffice starting).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 120


def available() -> bool:
    return _program() is not None


def _program() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(content: bytes, *, display_name: str) -> bytes:
    """The PDF LibreOffice makes of a DOCX, or a ``ValidationError`` in Vietnamese naming the file."""
    program = _program()
    if program is None:
        raise ValidationError(
            _("Máy chủ chưa cài LibreOffice nên chưa chuyển được “%(name)s” sang PDF; hãy tải lên tệp PDF.")
            % {"name": display_name},
            code="no_converter",
        )
    with tempfile.TemporaryDirectory(prefix="egov-docx-") as folder:
        root = Path(folder)
        source = root / "du-thao.docx"
        source.write_bytes(content)
        try:
            result = subprocess.run(  # noqa: S603
                [
                    program,
                    f"-env:UserInstallation={(root / 'profile').as_uri()}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(root),
                    str(source),
                ],
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            result = None
        target = root / "du-thao.pdf"
        if result is None or result.returncode != 0 or not target.exists():
            logger.warning("DOCX conversion failed: %s", result.stderr[-500:] if result else "timeout")
            raise ValidationError(
                _("Không chuyển được “%(name)s” sang PDF; hãy kiểm tra tệp hoặc tải lên tệp PDF.")
                % {"name": display_name},
                code="conversion_failed",
            )
        return target.read_bytes()
