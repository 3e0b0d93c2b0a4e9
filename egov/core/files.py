"""Validated file storage: what a citizen or an official uploads is checked by its content.

``check_upload`` decides the kind of a file from its bytes (magic numbers, the ZIP's part names),
never from its name or the browser's content type, which anyone can set. It measures the size and
the SHA-256 while streaming, refuses what downstream steps (OCR, signing, archiving) could not use
(corrupt or password-protected PDFs, broken images), and says why in Vietnamese, naming the file.
``store`` then saves the checked bytes through Django's default storage (``STORAGES["default"]``:
local files on one machine, S3-compatible object storage at scale).
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader

from egov.core import clock

CHUNK_SIZE = 64 * 1024
PDF_MAGIC_WINDOW = 1024  # Acrobat accepts "%PDF-" anywhere in the first 1024 bytes; so do we.
MAX_NAME_IN_MESSAGE = 60
MAX_SLUG = 60
FOLDER_PATTERN = re.compile(r"[a-z0-9_-]+(/[a-z0-9_-]+)*")


class FileKind(StrEnum):
    """The kinds of file egov accepts, in the order they are listed to users."""

    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    DOCX = "docx"
    XLSX = "xlsx"

    @property
    def label(self) -> str:
        return _KIND_INFO[self].label

    @property
    def extension(self) -> str:
        return _KIND_INFO[self].extension

    @property
    def content_type(self) -> str:
        return _KIND_INFO[self].content_type


@dataclass(frozen=True, slots=True)
class _KindInfo:
    label: str
    extension: str
    content_type: str


_KIND_INFO = {
    FileKind.PDF: _KindInfo("PDF", ".pdf", "application/pdf"),
    FileKind.JPEG: _KindInfo("JPG", ".jpg", "image/jpeg"),
    FileKind.PNG: _KindInfo("PNG", ".png", "image/png"),
    FileKind.DOCX: _KindInfo(
        "DOCX", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    FileKind.XLSX: _KindInfo(
        "XLSX", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
}
# Only used to word a refusal ("not a valid PDF" for x.pdf), never to accept a file.
_KIND_OF_EXTENSION = {
    ".pdf": FileKind.PDF,
    ".jpg": FileKind.JPEG,
    ".jpeg": FileKind.JPEG,
    ".png": FileKind.PNG,
    ".docx": FileKind.DOCX,
    ".xlsx": FileKind.XLSX,
}
_PILLOW_FORMAT = {FileKind.JPEG: "JPEG", FileKind.PNG: "PNG"}

DOCUMENTS_AND_IMAGES = frozenset({FileKind.PDF, FileKind.JPEG, FileKind.PNG})


class FileRejected(ValidationError):  # noqa: N818 - the name callers catch: "except FileRejected"
    """An upload egov refuses; the message names the file and the reason, in Vietnamese."""


@dataclass(frozen=True, slots=True)
class CheckedFile:
    name: str  # as the user named it (for messages and the stored name), never trusted for the kind
    kind: FileKind
    size: int
    sha256: str
    page_count: int | None = None  # PDFs only

    @property
    def content_type(self) -> str:
        return self.kind.content_type


@dataclass(frozen=True, slots=True)
class StoredFile:
    name: str  # the storage's name, what a FileField or a model column keeps
    size: int
    sha256: str
    kind: FileKind
    content_type: str


type Upload = UploadedFile | bytes | bytearray | memoryview


class _Stream(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...


# --- sizes and hints ------------------------------------------------------------------------


def human_size(size: int, *, round_up: bool = False) -> str:
    """A size the Vietnamese way: ``"1,5 MB"``, ``"10 MB"``, ``"512 byte"`` (binary multiples).

    ``round_up`` is for refusals: 10 MB and one byte must not read "10 MB vượt quá giới hạn 10 MB".
    """
    if size < 1024:
        return f"{size} byte"
    units = ("KB", "MB", "GB", "TB")
    for power, unit in enumerate(units, start=1):
        base = 1024**power
        tenths, rest = divmod(size * 10, base)  # integer arithmetic: no float rounding surprises
        tenths += (rest > 0) if round_up else (2 * rest >= base)
        if tenths < 1024 * 10 or unit == units[-1]:
            whole, decimal = divmod(tenths, 10)
            text = f"{whole:,}".replace(",", ".")
            return f"{text},{decimal} {unit}" if decimal else f"{text} {unit}"
    raise AssertionError("unreachable")


def kinds_label(kinds: Iterable[FileKind]) -> str:
    """``"PDF, JPG, PNG"`` in the order of ``FileKind``, whatever the order of the set."""
    chosen = set(kinds)
    return ", ".join(kind.label for kind in FileKind if kind in chosen)


def limits_hint(allowed: frozenset[FileKind], max_bytes: int) -> str:
    """What to show beside an upload field before the user picks a file."""
    return _("Chấp nhận tệp %(kinds)s; dung lượng tối đa %(limit)s.") % {
        "kinds": kinds_label(allowed),
        "limit": human_size(max_bytes),
    }


# --- checking -------------------------------------------------------------------------------


def check_upload(
    uploaded: Upload,
    *,
    allowed: frozenset[FileKind],
    max_bytes: int,
    name: str | None = None,
) -> CheckedFile:
    """Check an upload by its content and return what it is; raise ``FileRejected`` otherwise.

    ``name`` is needed only for raw bytes (an ``UploadedFile`` has its own). The stream is left at
    its start, ready for ``store``.
    """
    stream, display, declared_size = _open(uploaded, name)
    if declared_size is not None:
        _check_size(declared_size, max_bytes, display)  # before reading a byte
    sha256, size = _digest(stream, stop_after=max_bytes)
    if size > max_bytes:  # the declared size was missing or wrong; reading stopped past the limit
        raise _rejected(
            "too_large",
            _("Tệp “%(name)s” vượt quá giới hạn %(limit)s."),
            name=display,
            limit=human_size(max_bytes),
        )
    _check_size(size, max_bytes, display)
    kind = sniff_kind(stream)
    _require_allowed(kind, allowed, display)
    assert kind is not None  # for mypy: _require_allowed refused None
    page_count = _validate_content(stream, kind, display)
    return CheckedFile(name=display, kind=kind, size=size, sha256=sha256, page_count=page_count)


def _check_size(size: int, max_bytes: int, display: str) -> None:
    if size == 0:
        raise _rejected("empty", _("Tệp “%(name)s” không có nội dung (0 byte)."), name=display)
    if size > max_bytes:
        raise _rejected(
            "too_large",
            _("Tệp “%(name)s” dung lượng %(size)s vượt quá giới hạn %(limit)s."),
            name=display,
            size=human_size(size, round_up=True),
            limit=human_size(max_bytes),
        )


def sniff_kind(stream: _Stream) -> FileKind | None:
    """The kind of a file from its first bytes (and, for ZIPs, their part names); None if unknown."""
    stream.seek(0)
    head = stream.read(PDF_MAGIC_WINDOW)
    stream.seek(0)
    if b"%PDF-" in head:
        return FileKind.PDF
    if head.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if head.startswith(b"PK\x03\x04"):
        return _sniff_office(stream)
    return None


def _sniff_office(stream: _Stream) -> FileKind | None:
    """DOCX or XLSX from the names in the ZIP's central directory; nothing is extracted."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except Exception:  # hostile archives raise many kinds of errors: any of them means "not OOXML"
        return None
    finally:
        stream.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return FileKind.DOCX
    if "xl/workbook.xml" in names:
        return FileKind.XLSX
    return None


def _require_allowed(kind: FileKind | None, allowed: frozenset[FileKind], display: str) -> None:
    if kind is not None and kind in allowed:
        return
    allowed_label = kinds_label(allowed)
    if kind is not None:
        raise _rejected(
            "kind",
            _("Tệp “%(name)s” có định dạng %(kind)s; chỉ chấp nhận %(allowed)s."),
            name=display,
            kind=kind.label,
            allowed=allowed_label,
        )
    claimed = _KIND_OF_EXTENSION.get(_extension(display))
    if claimed in allowed:  # named like an allowed kind, but its content is not that kind
        raise _corrupt(display, claimed)
    raise _rejected(
        "kind",
        _("Tệp “%(name)s” không có định dạng được chấp nhận; chỉ chấp nhận %(allowed)s."),
        name=display,
        allowed=allowed_label,
    )


def _validate_content(stream: _Stream, kind: FileKind, display: str) -> int | None:
    """Open what can be opened cheaply; return the page count of a PDF."""
    try:
        if kind is FileKind.PDF:
            return _pdf_page_count(stream, display)
        if kind in _PILLOW_FORMAT:
            _verify_image(stream, kind, display)
        return None
    finally:
        stream.seek(0)


def _pdf_page_count(stream: _Stream, display: str) -> int:
    try:
        reader = PdfReader(stream, strict=False)  # type: ignore[arg-type]  # any seekable binary stream
        encrypted = reader.is_encrypted
        pages = 0 if encrypted else len(reader.pages)
    except Exception as error:  # pypdf raises many kinds of errors on damaged files
        raise _corrupt(display, FileKind.PDF) from error
    # Owner-password-only PDFs are refused too: OCR and signing cannot process them unlocked.
    if encrypted:
        raise _rejected(
            "encrypted", _("Tệp “%(name)s” đã được đặt mật khẩu; hãy gửi bản không khóa."), name=display
        )
    if pages == 0:
        raise _corrupt(display, FileKind.PDF)
    return pages


def _verify_image(stream: _Stream, kind: FileKind, display: str) -> None:
    # Decoding every pixel would cost memory; verify() checks the structure (PNG: every chunk's CRC).
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(stream, formats=[_PILLOW_FORMAT[kind]]) as image:  # type: ignore[arg-type]
                image.verify()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _rejected(
                "image_too_large",
                _("Tệp “%(name)s” là ảnh quá lớn; hãy giảm độ phân giải rồi gửi lại."),
                name=display,
            ) from error
        except Exception as error:  # Pillow raises many kinds of errors on damaged files
            raise _corrupt(display, kind) from error


def _digest(stream: _Stream, *, stop_after: int) -> tuple[str, int]:
    """SHA-256 and size in chunks; stops reading once past ``stop_after`` bytes (the size is then larger)."""
    stream.seek(0)
    sha = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK_SIZE):
        size += len(chunk)
        if size > stop_after:
            break
        sha.update(chunk)
    stream.seek(0)
    return sha.hexdigest(), size


def _open(uploaded: Upload, name: str | None) -> tuple[_Stream, str, int | None]:
    """A seekable stream, the name to show and the declared size (None: unknown), whatever the caller has."""
    if isinstance(uploaded, UploadedFile):
        display = _display_name(name or uploaded.name or "")
        return uploaded, display, uploaded.size
    view = memoryview(uploaded)
    return io.BytesIO(view), _display_name(name or ""), view.nbytes


def _display_name(name: str) -> str:
    """The file's own name, without a client's path, control characters or an endless length."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(char for char in base if char.isprintable()).strip()
    if not base:
        return _("không tên")
    if len(base) > MAX_NAME_IN_MESSAGE:
        return base[: MAX_NAME_IN_MESSAGE - 1] + "…"
    return base


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _rejected(code: str, message: str, **params: str) -> FileRejected:
    # Formatted by Django when shown (error.messages): a "%" in a file name cannot break the message.
    return FileRejected(message, code=code, params=params)


def _corrupt(display: str, kind: FileKind) -> FileRejected:
    return _rejected(
        "corrupt",
        _("Tệp “%(name)s” không phải là %(kind)s hợp lệ (tệp bị hỏng hoặc không đọc được)."),
        name=display,
        kind=kind.label,
    )


# --- storing --------------------------------------------------------------------------------


def store(checked: CheckedFile, content: Upload, *, folder: str) -> StoredFile:
    """Save checked content under ``folder/yyyy/mm/<sha256 prefix>-<ascii-name>.<ext>``.

    The content is hashed again: the SHA-256 is the file's identity in audit records, so storing
    anything but the bytes that were checked is a programming error.
    """
    if not FOLDER_PATTERN.fullmatch(folder):
        raise ValueError(f"folder must be lower-case ASCII segments separated by '/', not {folder!r}")
    stream, _name, _size = _open(content, checked.name)
    sha256, size = _digest(stream, stop_after=checked.size)
    if (sha256, size) != (checked.sha256, checked.size):
        raise ValueError("the content to store is not the content that was checked")
    wanted = f"{folder}/{clock.localnow():%Y/%m}/{checked.sha256[:16]}-{safe_name(checked)}"
    saved = default_storage.save(wanted, _as_django_file(content, stream))
    return StoredFile(
        name=saved,
        size=checked.size,
        sha256=checked.sha256,
        kind=checked.kind,
        content_type=checked.content_type,
    )


def safe_name(checked: CheckedFile) -> str:
    """An ASCII slug of the user's name with the extension of the kind found in the content."""
    stem = checked.name
    if _extension(stem):
        stem = stem[: stem.rfind(".")]
    # slugify drops what NFKD cannot decompose: đ/Đ would vanish ("Đơn" → "on") without this.
    stem = stem.replace("đ", "d").replace("Đ", "D")
    slug = slugify(stem)[:MAX_SLUG].strip("-_") or "tep"
    return slug + checked.kind.extension


def _as_django_file(content: Upload, stream: _Stream) -> File[bytes]:
    if isinstance(content, UploadedFile):
        return content  # storages may move a temporary upload instead of copying it
    return File(stream)  # type: ignore[arg-type]
