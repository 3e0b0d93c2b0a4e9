"""Uploads are judged by their content: kind, size, integrity and encryption, with Vietnamese reasons."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfWriter

from egov.core import clock
from egov.core.files import (
    DOCUMENTS_AND_IMAGES,
    FileKind,
    FileRejected,
    check_upload,
    human_size,
    limits_hint,
    store,
)

MB = 1024 * 1024
LIMIT = 10 * MB
ALL_KINDS = frozenset(FileKind)
PDF_ONLY = frozenset({FileKind.PDF})


# --- sample files, generated rather than committed ----------------------------------------------


def pdf_bytes(
    pages: int = 1, *, user_password: str | None = None, owner_password: str | None = None
) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if user_password is not None or owner_password is not None:
        writer.encrypt(user_password=user_password or "", owner_password=owner_password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(pillow_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format=pillow_format)
    return buffer.getvalue()


def zip_bytes(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


SAMPLES = {
    FileKind.PDF: lambda: pdf_bytes(),
    FileKind.JPEG: lambda: image_bytes("JPEG"),
    FileKind.PNG: lambda: image_bytes("PNG"),
    FileKind.DOCX: lambda: zip_bytes("[Content_Types].xml", "_rels/.rels", "word/document.xml"),
    FileKind.XLSX: lambda: zip_bytes("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"),
}


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def rejection(
    content: bytes | UploadedFile, *, allowed: frozenset[FileKind], name: str | None = None
) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        check_upload(content, allowed=allowed, max_bytes=LIMIT, name=name)
    return caught.value


# --- kinds ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(FileKind))
def test_each_kind_is_recognised_from_its_content(kind):
    content = SAMPLES[kind]()
    checked = check_upload(upload(f"tep{kind.extension}", content), allowed=ALL_KINDS, max_bytes=LIMIT)
    assert checked.kind is kind
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.content_type == kind.content_type


def test_a_pdf_reports_its_page_count():
    checked = check_upload(pdf_bytes(pages=3), allowed=PDF_ONLY, max_bytes=LIMIT, name="ba-trang.pdf")
    assert checked.page_count == 3


def test_raw_bytes_bytearrays_and_memoryviews_are_accepted_like_uploads():
    content = pdf_bytes()
    for value in (content, bytearray(content), memoryview(content)):
        assert check_upload(value, allowed=PDF_ONLY, max_bytes=LIMIT, name="a.pdf").kind is FileKind.PDF


def test_a_png_named_pdf_is_refused_as_a_png():
    error = rejection(upload("scan.pdf", image_bytes("PNG"), "application/pdf"), allowed=PDF_ONLY)
    assert error.messages[0] == "Tệp “scan.pdf” có định dạng PNG; chỉ chấp nhận PDF."
    assert error.code == "kind"


def test_a_pdf_named_png_is_accepted_as_a_pdf_when_pdfs_are_allowed():
    checked = check_upload(
        upload("anh.png", pdf_bytes(), "image/png"), allowed=DOCUMENTS_AND_IMAGES, max_bytes=LIMIT
    )
    assert checked.kind is FileKind.PDF
    assert checked.content_type == "application/pdf"


def test_a_pdf_header_after_some_leading_bytes_is_still_a_pdf():
    content = b"\r\n" * 100 + pdf_bytes()
    assert check_upload(content, allowed=PDF_ONLY, max_bytes=LIMIT, name="a.pdf").kind is FileKind.PDF


def test_a_word_file_is_refused_where_only_documents_and_images_are_accepted():
    error = rejection(upload("don.docx", SAMPLES[FileKind.DOCX]()), allowed=DOCUMENTS_AND_IMAGES)
    assert error.messages[0] == "Tệp “don.docx” có định dạng DOCX; chỉ chấp nhận PDF, JPG, PNG."


def test_a_zip_that_is_not_an_office_document_is_an_unknown_kind():
    error = rejection(zip_bytes("readme.txt"), allowed=ALL_KINDS, name="goi.zip")
    assert (
        error.messages[0]
        == "Tệp “goi.zip” không có định dạng được chấp nhận; chỉ chấp nhận PDF, JPG, PNG, DOCX, XLSX."
    )


def test_text_named_like_a_pdf_is_refused_as_not_a_valid_pdf():
    error = rejection(b"hello, not a pdf", allowed=PDF_ONLY, name="to-khai.pdf")
    assert (
        error.messages[0] == "Tệp “to-khai.pdf” không phải là PDF hợp lệ (tệp bị hỏng hoặc không đọc được)."
    )


# --- damaged and locked files ------------------------------------------------------------------


def test_a_truncated_pdf_is_refused_as_damaged():
    content = pdf_bytes(pages=2)
    error = rejection(content[: len(content) // 2], allowed=PDF_ONLY, name="x.pdf")
    assert error.messages[0] == "Tệp “x.pdf” không phải là PDF hợp lệ (tệp bị hỏng hoặc không đọc được)."
    assert error.code == "corrupt"


def test_a_pdf_without_pages_is_refused_as_damaged():
    assert rejection(pdf_bytes(pages=0), allowed=PDF_ONLY, name="x.pdf").code == "corrupt"


def test_a_password_protected_pdf_is_refused():
    error = rejection(pdf_bytes(user_password="bi-mat"), allowed=PDF_ONLY, name="x.pdf")
    assert error.messages[0] == "Tệp “x.pdf” đã được đặt mật khẩu; hãy gửi bản không khóa."
    assert error.code == "encrypted"


def test_a_pdf_locked_with_an_owner_password_only_is_refused_too():
    assert rejection(pdf_bytes(owner_password="chu-so-huu"), allowed=PDF_ONLY).code == "encrypted"


def test_a_png_with_a_broken_chunk_is_refused_as_damaged():
    content = bytearray(image_bytes("PNG"))
    content[-20] ^= 0xFF  # inside the image data: its CRC no longer matches
    error = rejection(bytes(content), allowed=DOCUMENTS_AND_IMAGES, name="anh.png")
    assert error.messages[0] == "Tệp “anh.png” không phải là PNG hợp lệ (tệp bị hỏng hoặc không đọc được)."


# --- sizes ------------------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    error = rejection(upload("rong.pdf", b""), allowed=PDF_ONLY)
    assert error.messages[0] == "Tệp “rong.pdf” không có nội dung (0 byte)."


class Unreadable(io.RawIOBase):
    """A stream that fails the test if anyone reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        raise AssertionError("a file over the limit was read")


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    big = UploadedFile(file=Unreadable(), name="ban-ve.pdf", content_type="application/pdf", size=13_000_000)
    error = rejection(big, allowed=PDF_ONLY)
    assert error.messages[0] == "Tệp “ban-ve.pdf” dung lượng 12,4 MB vượt quá giới hạn 10 MB."
    assert error.code == "too_large"


def test_a_file_one_byte_over_the_limit_does_not_read_as_equal_to_it():
    content = pdf_bytes()
    with pytest.raises(FileRejected) as caught:
        check_upload(content, allowed=PDF_ONLY, max_bytes=len(content) - 1, name="x.pdf")
    assert "vượt quá giới hạn" in caught.value.messages[0]


def test_an_upload_of_unknown_size_is_measured_while_read():
    empty = UploadedFile(file=io.BytesIO(b""), name="rong.pdf", size=None)
    assert rejection(empty, allowed=PDF_ONLY).code == "empty"
    big = UploadedFile(file=io.BytesIO(b"%PDF-" + b"\0" * (LIMIT + 1)), name="lon.pdf", size=None)
    assert rejection(big, allowed=PDF_ONLY).code == "too_large"


def test_a_file_that_understates_its_size_is_still_cut_at_the_limit():
    content = pdf_bytes() + b"\0" * (2 * MB)
    liar = UploadedFile(file=io.BytesIO(content), name="x.pdf", size=1000)
    with pytest.raises(FileRejected) as caught:
        check_upload(liar, allowed=PDF_ONLY, max_bytes=MB)
    assert caught.value.messages[0] == "Tệp “x.pdf” vượt quá giới hạn 1 MB."


@pytest.mark.parametrize(
    ("size", "round_up", "text"),
    [
        (0, False, "0 byte"),
        (1023, False, "1023 byte"),
        (1024, False, "1 KB"),
        (1536, False, "1,5 KB"),
        (int(1.5 * MB), False, "1,5 MB"),
        (10 * MB, False, "10 MB"),
        (10 * MB + 1, True, "10,1 MB"),
        (10 * MB + 1, False, "10 MB"),
        (MB - 1, False, "1 MB"),  # 1023,99… KB rounds into the next unit
        (1000 * 1024, False, "1.000 KB"),
        (3 * 1024 * MB, False, "3 GB"),
    ],
)
def test_sizes_read_the_vietnamese_way(size, round_up, text):
    assert human_size(size, round_up=round_up) == text


def test_the_limits_hint_lists_kinds_in_a_stable_order():
    allowed = frozenset({FileKind.PNG, FileKind.PDF, FileKind.JPEG})
    assert limits_hint(allowed, 10 * MB) == "Chấp nhận tệp PDF, JPG, PNG; dung lượng tối đa 10 MB."


# --- names ------------------------------------------------------------------------------------


def test_a_client_path_and_control_characters_are_left_out_of_the_message():
    error = rejection(b"", allowed=PDF_ONLY, name="C:\\fakepath\\to\x00khai.pdf")
    assert error.messages[0] == "Tệp “tokhai.pdf” không có nội dung (0 byte)."


def test_a_percent_sign_in_a_name_does_not_break_the_message():
    error = rejection(b"", allowed=PDF_ONLY, name="100%(name)s %d.pdf")
    assert error.messages == ["Tệp “100%(name)s %d.pdf” không có nội dung (0 byte)."]


def test_the_upload_can_be_read_again_after_checking():
    content = pdf_bytes()
    uploaded = upload("a.pdf", content)
    check_upload(uploaded, allowed=PDF_ONLY, max_bytes=LIMIT)
    assert uploaded.read() == content


# --- random input -----------------------------------------------------------------------------

MAGIC = [b"", b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"PK\x03\x04"]


@hypothesis_settings(max_examples=300, deadline=None)
@given(prefix=st.sampled_from(MAGIC), body=st.binary(max_size=4096))
def test_random_bytes_are_either_recognised_or_rejected_never_a_crash(prefix, body):
    content = prefix + body
    try:
        checked = check_upload(content, allowed=ALL_KINDS, max_bytes=LIMIT, name="ngau-nhien.bin")
    except FileRejected as error:
        assert error.messages[0].startswith("Tệp “ngau-nhien.bin”")
    else:
        assert checked.size == len(content)
        assert checked.sha256 == hashlib.sha256(content).hexdigest()


@hypothesis_settings(max_examples=50, deadline=None)
@given(cut=st.integers(min_value=1, max_value=10_000))
def test_any_truncation_of_a_pdf_is_rejected_or_still_has_its_page(cut):
    content = pdf_bytes()
    truncated = content[: max(1, len(content) - cut)]
    try:
        checked = check_upload(truncated, allowed=PDF_ONLY, max_bytes=LIMIT, name="x.pdf")
    except FileRejected as error:
        assert error.code == "corrupt"
    else:
        assert checked.page_count == 1


# --- storing ----------------------------------------------------------------------------------


@pytest.fixture
def memory_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return default_storage


FEB_13 = datetime(2026, 2, 13, 9, 40, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def test_a_checked_file_is_stored_by_month_hash_and_ascii_name(memory_storage):
    content = pdf_bytes()
    uploaded = upload("Đơn đề nghị cấp phép (bản 2).PDF", content)
    checked = check_upload(uploaded, allowed=PDF_ONLY, max_bytes=LIMIT)
    with clock.frozen(FEB_13):
        stored = store(checked, uploaded, folder="dossiers/attachments")
    sha256 = hashlib.sha256(content).hexdigest()
    assert stored.name == f"dossiers/attachments/2026/02/{sha256[:16]}-don-de-nghi-cap-phep-ban-2.pdf"
    assert (stored.size, stored.sha256, stored.kind) == (len(content), sha256, FileKind.PDF)
    assert stored.content_type == "application/pdf"
    with memory_storage.open(stored.name) as saved:
        assert saved.read() == content


def test_the_stored_extension_follows_the_content_not_the_name(memory_storage):
    content = image_bytes("PNG")
    checked = check_upload(content, allowed=DOCUMENTS_AND_IMAGES, max_bytes=LIMIT, name="anh-the.pdf")
    with clock.frozen(FEB_13):
        stored = store(checked, content, folder="uploads")
    assert stored.name.endswith("-anh-the.png")


def test_a_name_without_letters_gets_a_generic_one(memory_storage):
    content = pdf_bytes()
    checked = check_upload(content, allowed=PDF_ONLY, max_bytes=LIMIT, name="???.pdf")
    with clock.frozen(FEB_13):
        assert store(checked, content, folder="uploads").name.endswith("-tep.pdf")


def test_storing_other_bytes_than_those_checked_is_a_programming_error(memory_storage):
    checked = check_upload(pdf_bytes(), allowed=PDF_ONLY, max_bytes=LIMIT, name="a.pdf")
    with pytest.raises(ValueError, match="not the content that was checked"):
        store(checked, pdf_bytes(pages=2), folder="uploads")


@pytest.mark.parametrize("folder", ["../etc", "/abs", "Uploads", "a//b", ""])
def test_a_folder_outside_the_storage_naming_rules_is_refused(memory_storage, folder):
    content = pdf_bytes()
    checked = check_upload(content, allowed=PDF_ONLY, max_bytes=LIMIT, name="a.pdf")
    with pytest.raises(ValueError, match="folder"):
        store(checked, content, folder=folder)
