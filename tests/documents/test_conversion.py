"""DOCX drafts are converted to PDF with LibreOffice headless; skipped where it is not installed."""

from __future__ import annotations

import io
import shutil
import zipfile

import pytest
from django.core.exceptions import ValidationError

from egov.documents import conversion, services
from tests.documents.conftest import doc_type

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)


def docx_bytes(text: str) -> bytes:
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice not installed (libreoffice-writer-nogui)"
)
def test_a_docx_draft_becomes_a_pdf_version_with_its_text(world):
    document = services.create_draft(
        drafter=world.specialist,
        division=world.division,
        document_type=doc_type("quyet-dinh"),
        summary="Quyết định thành lập tổ công tác chuyển đổi số",
        upload=docx_bytes("Thành lập Tổ công tác chuyển đổi số của Sở"),
        upload_name="quyet-dinh.docx",
    )
    [version] = document.versions.all()
    assert version.file_name.endswith(".pdf")
    assert "Tổ công tác chuyển đổi số" in document.text


def test_without_libreoffice_a_docx_is_refused_with_a_clear_message(world, monkeypatch):
    monkeypatch.setattr(conversion, "_program", lambda: None)
    with pytest.raises(ValidationError, match="chưa cài LibreOffice"):
        services.create_draft(
            drafter=world.specialist,
            division=world.division,
            document_type=doc_type("quyet-dinh"),
            summary="Quyết định",
            upload=docx_bytes("x"),
            upload_name="qd.docx",
        )
