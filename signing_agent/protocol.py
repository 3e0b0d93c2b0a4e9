"""Version 1 of the agent protocol: request parsing with strict limits (see docs/signing-agent.md).

Parsing is pure: it checks shapes, sizes and digest lengths and returns typed requests; nothing here
touches the token.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from .errors import invalid

# Digest lengths accepted, per algorithm. The agent signs digests only; any other length is refused.
DIGEST_LENGTHS = {"sha256": 32, "sha384": 48, "sha512": 64}

# DER prefix of DigestInfo ::= SEQUENCE { AlgorithmIdentifier (with NULL parameters), OCTET STRING }
# (RFC 8017 §9.2, note 1). RSA PKCS#1 v1.5 signs DigestInfo || digest with CKM_RSA_PKCS.
DIGEST_INFO_PREFIX = {
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{16,128}$")
ITEM_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
SERIAL = re.compile(r"^[0-9a-fA-F]{1,80}$")
TITLE_MAX = 300
REFERENCE_MAX = 100


@dataclass(frozen=True)
class DocumentLabel:
    """What the official is shown about one document before signing it."""

    title: str
    reference: str


@dataclass(frozen=True)
class DigestItem:
    item_id: str
    digest: bytes
    document: DocumentLabel


@dataclass(frozen=True)
class SignRequest:
    """One request for one or more digests signed with one certificate after one PIN entry."""

    request_id: str
    digest_algorithm: str
    certificate_serial: int
    items: tuple[DigestItem, ...]
    batch: bool


def digest_info(digest_algorithm: str, digest: bytes) -> bytes:
    """DER DigestInfo(digest_algorithm, digest): the input of CKM_RSA_PKCS for a PKCS#1 v1.5 signature."""
    if len(digest) != DIGEST_LENGTHS[digest_algorithm]:
        raise ValueError("digest length does not match the algorithm")
    return DIGEST_INFO_PREFIX[digest_algorithm] + digest


def _object(body: Any, allowed: set[str], required: set[str], where: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid(f"{where} phải là một đối tượng JSON.")
    unknown = set(body) - allowed
    if unknown:
        raise invalid(f"{where} có trường không được hỗ trợ: {', '.join(sorted(unknown))}.")
    missing = required - set(body)
    if missing:
        raise invalid(f"{where} thiếu trường: {', '.join(sorted(missing))}.")
    return body


def _string(value: Any, name: str, *, pattern: re.Pattern[str] | None = None, max_length: int = 0) -> str:
    if not isinstance(value, str):
        raise invalid(f"trường {name} phải là chuỗi.")
    if pattern is not None and not pattern.fullmatch(value):
        raise invalid(f"trường {name} có định dạng không đúng.")
    if max_length and len(value) > max_length:
        raise invalid(f"trường {name} dài quá {max_length} ký tự.")
    return value


def _digest(value: Any, algorithm: str, name: str) -> bytes:
    text = _string(value, name, max_length=120)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(f"trường {name} không phải base64 hợp lệ.") from None
    if len(raw) != DIGEST_LENGTHS[algorithm]:
        raise invalid(f"trường {name} phải dài {DIGEST_LENGTHS[algorithm]} byte cho {algorithm}.")
    return raw


def _algorithm(value: Any) -> str:
    if value not in DIGEST_LENGTHS:
        raise invalid("digest_algorithm chỉ nhận sha256, sha384 hoặc sha512.")
    return str(value)


def _document(value: Any, where: str) -> DocumentLabel:
    body = _object(value, {"title", "reference"}, {"title"}, where)
    title = _string(body["title"], "title", max_length=TITLE_MAX).strip()
    if not title:
        raise invalid("tên văn bản (title) không được để trống.")
    reference = _string(body.get("reference", ""), "reference", max_length=REFERENCE_MAX).strip()
    return DocumentLabel(title=title, reference=reference)


def _common(body: dict[str, Any]) -> tuple[str, str, int]:
    request_id = _string(body["request_id"], "request_id", pattern=REQUEST_ID)
    algorithm = _algorithm(body["digest_algorithm"])
    serial = int(_string(body["certificate_serial"], "certificate_serial", pattern=SERIAL), 16)
    return request_id, algorithm, serial


def parse_sign(body: Any) -> SignRequest:
    """``POST /v1/sign``: one digest."""
    fields = {"request_id", "digest_algorithm", "digest", "certificate_serial", "document"}
    body = _object(body, fields, fields, "Yêu cầu")
    request_id, algorithm, serial = _common(body)
    item = DigestItem(
        item_id="1",
        digest=_digest(body["digest"], algorithm, "digest"),
        document=_document(body["document"], "document"),
    )
    return SignRequest(request_id, algorithm, serial, (item,), batch=False)


def parse_sign_batch(body: Any, *, max_items: int) -> SignRequest:
    """``POST /v1/sign-batch``: N digests, one certificate, one PIN entry."""
    fields = {"request_id", "digest_algorithm", "certificate_serial", "documents"}
    body = _object(body, fields, fields, "Yêu cầu")
    request_id, algorithm, serial = _common(body)
    documents = body["documents"]
    if not isinstance(documents, list) or not documents:
        raise invalid("documents phải là một danh sách không rỗng.")
    if len(documents) > max_items:
        raise invalid(f"một lần ký tối đa {max_items} văn bản.")
    items = []
    for index, entry in enumerate(documents):
        where = f"documents[{index}]"
        entry = _object(
            entry, {"item_id", "digest", "title", "reference"}, {"item_id", "digest", "title"}, where
        )
        items.append(
            DigestItem(
                item_id=_string(entry["item_id"], "item_id", pattern=ITEM_ID),
                digest=_digest(entry["digest"], algorithm, f"{where}.digest"),
                document=_document({k: v for k, v in entry.items() if k in ("title", "reference")}, where),
            )
        )
    if len({item.item_id for item in items}) != len(items):
        raise invalid("item_id trong documents phải khác nhau.")
    return SignRequest(request_id, algorithm, serial, tuple(items), batch=True)
