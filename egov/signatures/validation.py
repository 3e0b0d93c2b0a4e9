"""Validate every signature of a PDF and say what it means, in Vietnamese and as JSON.

Per signature: integrity (the signed bytes are unchanged), what changed after it (accepted: form
filling, later signatures, validation data, document timestamps; refused: anything else), the
signer's chain to the configured trust roots, validity at signing time, revocation, timestamp.
A file that cannot be read gets a report saying so — never an exception.

``validate_pdf`` takes the trust anchors as arguments; ``trust.current_trust()`` reads them from the
database for callers that have none of their own.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from egov.signatures._sync import outside_event_loop

logger = logging.getLogger(__name__)

ACCEPTED_MODIFICATIONS = {
    ModificationLevel.NONE,
    ModificationLevel.LTA_UPDATES,
    ModificationLevel.FORM_FILLING,
}
ACCEPTED_COVERAGE = {SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION}


class Modification(StrEnum):
    NONE = "none"
    VALIDATION_DATA = "validation_data"  # DSS, document timestamps
    FORM_FILLING = "form_filling"  # includes later signatures in empty fields
    ANNOTATIONS = "annotations"
    OTHER = "other"
    UNKNOWN = "unknown"


MODIFICATION_LABELS = {
    Modification.NONE: "Không có thay đổi sau khi ký",
    Modification.VALIDATION_DATA: "Sau khi ký chỉ bổ sung dữ liệu xác thực, dấu thời gian",
    Modification.FORM_FILLING: "Sau khi ký chỉ điền biểu mẫu (số, ngày) và ký tiếp",
    Modification.ANNOTATIONS: "Sau khi ký có thêm chú thích lên trang",
    Modification.OTHER: "Sau khi ký nội dung văn bản đã bị thay đổi",
    Modification.UNKNOWN: "Không xác định được thay đổi sau khi ký",
}
_LEVEL_TO_MODIFICATION = {
    ModificationLevel.NONE: Modification.NONE,
    ModificationLevel.LTA_UPDATES: Modification.VALIDATION_DATA,
    ModificationLevel.FORM_FILLING: Modification.FORM_FILLING,
    ModificationLevel.ANNOTATIONS: Modification.ANNOTATIONS,
    ModificationLevel.OTHER: Modification.OTHER,
}


class Revocation(StrEnum):
    GOOD = "good"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class TrustAnchors:
    roots: tuple[asn1_x509.Certificate, ...] = ()
    intermediates: tuple[asn1_x509.Certificate, ...] = ()
    allow_fetching: bool = True

    def context(self) -> ValidationContext:
        return ValidationContext(
            trust_roots=list(self.roots),
            other_certs=list(self.intermediates),
            allow_fetching=self.allow_fetching,
            revocation_mode="soft-fail",
        )


@dataclass
class SignatureReport:
    field_name: str
    kind: str  # "signature" | "document_timestamp"
    signer: str = ""
    signer_common_name: str = ""
    issuer: str = ""
    signed_at: str | None = None  # ISO 8601; from the RFC 3161 timestamp when there is one
    time_source: str = "none"  # "timestamp" | "claimed" | "none"
    intact: bool = False
    coverage: str = "unknown"
    modification: str = Modification.UNKNOWN
    modifications_accepted: bool = False
    trusted: bool = False
    trust_problem: str | None = None
    valid_at_signing_time: bool = False
    revocation: str = Revocation.UNKNOWN
    timestamp: str = "absent"  # "valid" | "invalid" | "absent"
    level: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.intact
            and self.modifications_accepted
            and self.trusted
            and self.valid_at_signing_time
            and self.revocation != Revocation.REVOKED
            and self.timestamp != "invalid"
        )

    @property
    def modification_label(self) -> str:
        return MODIFICATION_LABELS[Modification(self.modification)]


@dataclass
class FileReport:
    sha256: str
    size: int
    readable: bool = True
    signatures: list[SignatureReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.readable
            and bool(self.signatures)
            and all(s.ok for s in self.signatures)
            and not self.problems
        )

    @property
    def summary(self) -> str:
        if not self.readable:
            return "Tệp không đọc được như một văn bản PDF."
        if not self.signatures:
            return "Tệp không có chữ ký số."
        if self.ok:
            return "Tất cả chữ ký số hợp lệ."
        return "Có chữ ký số không hợp lệ hoặc văn bản đã bị thay đổi sau khi ký."

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        data["summary"] = self.summary
        for item, signature in zip(data["signatures"], self.signatures, strict=True):
            item["ok"] = signature.ok
            item["modification_label"] = signature.modification_label
        return data


def validate_pdf(data: bytes, *, anchors: TrustAnchors) -> FileReport:
    """The report for ``data``; never raises on a malformed or hostile file."""
    return outside_event_loop(lambda: _validate_pdf(data, anchors))


def _validate_pdf(data: bytes, anchors: TrustAnchors) -> FileReport:
    report = FileReport(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:  # a malformed file or signature dictionary: report, never crash
        logger.info("Unreadable PDF submitted for validation", exc_info=True)
        report.readable = False
        report.problems.append("Tệp không đọc được như một văn bản PDF, hoặc cấu trúc chữ ký bị hỏng.")
        return report
    for embedded_sig in embedded:
        report.signatures.append(_validate_one(embedded_sig, anchors))
    _long_term_levels(report, has_dss=_has_dss(reader))
    return report


def _has_dss(reader: PdfFileReader) -> bool:
    try:
        return "/DSS" in reader.root
    except Exception:
        return False


def _long_term_levels(report: FileReport, *, has_dss: bool) -> None:
    """B-T signatures become B-LT with validation data in the DSS, B-LTA when a valid document
    timestamp follows them (PAdES baseline levels, as far as the file shows them)."""
    if not has_dss:
        return
    for index, sig in enumerate(report.signatures):
        if sig.kind != "signature" or sig.level != "B-T":
            continue
        later = report.signatures[index + 1 :]
        covered = any(s.kind == "document_timestamp" and s.timestamp == "valid" for s in later)
        sig.level = "B-LTA" if covered else "B-LT"


def _validate_one(embedded_sig: Any, anchors: TrustAnchors) -> SignatureReport:
    is_timestamp = embedded_sig.sig_object_type == "/DocTimeStamp"
    item = SignatureReport(
        field_name=str(embedded_sig.field_name), kind="document_timestamp" if is_timestamp else "signature"
    )
    context = anchors.context()
    try:
        if is_timestamp:
            status: Any = validate_pdf_timestamp(embedded_sig, validation_context=context)
        else:
            status = validate_pdf_signature(embedded_sig, context, ts_validation_context=anchors.context())
    except Exception:
        logger.info("Signature %s could not be validated", item.field_name, exc_info=True)
        item.problems.append("Cấu trúc chữ ký bị hỏng, không kiểm tra được.")
        return item
    _fill(item, status, context, is_timestamp=is_timestamp)
    return item


def _fill(item: SignatureReport, status: Any, context: ValidationContext, *, is_timestamp: bool) -> None:
    cert: asn1_x509.Certificate = status.signing_cert
    item.signer = cert.subject.human_friendly
    item.signer_common_name = str(cert.subject.native.get("common_name", ""))
    item.issuer = cert.issuer.human_friendly
    item.intact = bool(status.intact and status.valid)
    if not item.intact:
        item.problems.append("Chữ ký không còn toàn vẹn: nội dung đã ký bị thay đổi.")

    coverage = status.coverage
    item.coverage = coverage.name.lower() if coverage is not None else "unknown"
    level = status.modification_level
    item.modification = (
        _LEVEL_TO_MODIFICATION.get(level, Modification.UNKNOWN) if level is not None else Modification.UNKNOWN
    )
    item.modifications_accepted = bool(
        coverage in ACCEPTED_COVERAGE and level in ACCEPTED_MODIFICATIONS and status.docmdp_ok is not False
    )
    if not item.modifications_accepted:
        item.problems.append(item.modification_label + ".")

    signed_at: datetime | None
    if is_timestamp:
        signed_at, item.time_source = status.timestamp, "timestamp"
        item.timestamp = "valid" if status.trusted else "invalid"
    else:
        ts = status.timestamp_validity
        if ts is not None:
            item.timestamp = "valid" if (ts.intact and ts.valid and ts.trusted) else "invalid"
            signed_at, item.time_source = ts.timestamp, "timestamp"
            if item.timestamp == "invalid":
                item.problems.append("Dấu thời gian không hợp lệ hoặc không được tin cậy.")
        else:
            signed_at, item.time_source = (
                status.signer_reported_dt,
                "claimed" if status.signer_reported_dt else "none",
            )
            item.problems.append("Chữ ký không có dấu thời gian (RFC 3161).")
    item.signed_at = signed_at.isoformat() if signed_at else None

    item.trusted = bool(status.trusted)
    if status.trust_problem_indic is not None:
        item.trust_problem = status.trust_problem_indic.name
    if not item.trusted:
        item.problems.append("Chứng thư của người ký không dẫn tới chứng thư gốc tin cậy đã cấu hình.")

    validity = cert["tbs_certificate"]["validity"]
    not_before, not_after = validity["not_before"].native, validity["not_after"].native
    item.valid_at_signing_time = signed_at is not None and not_before <= signed_at <= not_after
    if not item.valid_at_signing_time:
        item.problems.append("Chứng thư không còn hiệu lực tại thời điểm ký.")

    if status.revoked:
        item.revocation = Revocation.REVOKED
        item.problems.append("Chứng thư của người ký đã bị thu hồi.")
    elif item.trusted and (context.ocsps or context.crls):
        item.revocation = Revocation.GOOD
    item.level = _level(item, status)


def _level(item: SignatureReport, status: Any) -> str:
    if item.kind == "document_timestamp":
        return "document_timestamp"
    return "B-T" if item.timestamp == "valid" else "B-B"


def describe(report: FileReport) -> Sequence[str]:
    """Plain-text lines for the command line."""
    lines = [report.summary, f"SHA-256: {report.sha256}"]
    lines += [f"- {p}" for p in report.problems]
    for number, sig in enumerate(report.signatures, start=1):
        kind = "Dấu thời gian tài liệu" if sig.kind == "document_timestamp" else "Chữ ký"
        lines.append(f"{kind} #{number} ({sig.field_name}): {'HỢP LỆ' if sig.ok else 'KHÔNG HỢP LỆ'}")
        lines.append(f"  Người ký: {sig.signer}")
        lines.append(f"  Thời điểm ký: {sig.signed_at or 'không rõ'} ({sig.time_source})")
        lines.append(
            f"  Toàn vẹn: {'có' if sig.intact else 'KHÔNG'}; tin cậy: {'có' if sig.trusted else 'KHÔNG'}"
        )
        lines.append(f"  Thay đổi sau khi ký: {sig.modification_label}")
        lines.append(f"  Thu hồi: {sig.revocation}; dấu thời gian: {sig.timestamp}")
        lines += [f"  - {p}" for p in sig.problems]
    return lines
