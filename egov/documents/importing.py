"""Import of an existing incoming register (Excel, Decree 30 column order) when an agency moves to egov.

The sheet's columns are those of ``registers_export.INCOMING_COLUMNS`` (an export from egov reads
back): date received, incoming number, author (issuer), number and notation, date, "type – summary",
receiver, date handed over, receipt signature, note. The first row whose second cell is
"Số đến" is the header; rows above it are titles. Everything is validated before anything is
written; then the entries are written in one transaction (historical entries, status
"completed"), and the register's counter for that year is raised past the highest imported
number (audited by ``core.counters``), so new numbers continue the paper series.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.accounts.scope import require
from egov.core import audit, clock, counters
from egov.documents import rules
from egov.documents.models import DocumentType, IncomingDocument, Register
from egov.documents.rules import IncomingStatus
from egov.documents.services._base import incoming_search_text

MAX_ROWS = 50_000


@dataclass
class ImportResult:
    imported: int = 0
    errors: list[str] = field(default_factory=list)


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.strptime(str(value).strip(), "%d/%m/%Y").date()


def _split_type(text: str, types: list[DocumentType]) -> tuple[DocumentType, str]:
    """``Kế hoạch – Chuyển đổi số`` → (Kế hoạch, "Chuyển đổi số"); no known type: công văn."""
    for kind in types:
        for separator in (" – ", " - ", ": "):
            prefix = kind.name + separator
            if text.lower().startswith(prefix.lower()):
                return kind, text[len(prefix) :].strip()
    return next(t for t in types if t.code == "cong-van"), text.strip()


def import_incoming_register(*, actor: User, register: Register, year: int, content: bytes) -> ImportResult:
    """Validate every row, then write all of them or none (``ValidationError`` lists the problems)."""
    from openpyxl import load_workbook

    require(actor, "documents.manage_registers", register.agency)
    if register.kind != Register.Kind.INCOMING:
        raise ValidationError(_("Chỉ nhập được sổ văn bản đến."))
    sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    if sheet is None:
        raise ValidationError(_("Tệp Excel không có trang tính."))
    types = list(DocumentType.objects.filter(kind=DocumentType.Kind.DOCUMENT).order_by("-name"))
    taken = set(
        IncomingDocument.objects.filter(register=register, year=year).values_list(
            "incoming_number", flat=True
        )
    )
    result = ImportResult()
    documents: list[IncomingDocument] = []
    header_seen = False
    for index, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [("" if c is None else c) for c in row][:10] + [""] * max(0, 10 - len(row))
        if not header_seen:
            header_seen = str(cells[1]).strip() == "Số đến"
            continue
        if not any(str(c).strip() for c in cells):
            continue
        if len(documents) + len(result.errors) >= MAX_ROWS:
            result.errors.append(_("Quá %(n)d dòng.") % {"n": MAX_ROWS})
            break
        try:
            document = _row(register, year, index, cells, types, taken)
        except (ValueError, ValidationError) as error:
            result.errors.append(_("Dòng %(row)d: %(error)s") % {"row": index, "error": error})
            continue
        taken.add(document.incoming_number)
        documents.append(document)
    if not header_seen:
        result.errors.append(_("Không thấy dòng tiêu đề (cột thứ hai “Số đến”)."))
    if result.errors:
        raise ValidationError(result.errors)
    with transaction.atomic():
        IncomingDocument.objects.bulk_create(documents, batch_size=1000)
        highest = max((d.incoming_number for d in documents), default=0)
        key = rules.counter_key(register.pk, year)
        if highest > counters.peek(rules.COUNTER_NAMESPACE, key):
            counters.set_opening_value(
                namespace=rules.COUNTER_NAMESPACE,
                key=key,
                value=highest,
                actor=actor,
                reason=_("Nhập sổ văn bản đến từ tệp Excel (%(n)d văn bản)") % {"n": len(documents)},
            )
        audit.record(
            actor=actor,
            action="documents.register.import",
            obj=register,
            details={"year": year, "rows": len(documents), "highest": highest},
        )
    result.imported = len(documents)
    return result


def _row(
    register: Register, year: int, index: int, cells: list[Any], types: list[DocumentType], taken: set[int]
) -> IncomingDocument:
    received = _date(cells[0])
    if received is None or received.year != year:
        raise ValueError(_("ngày đến phải là một ngày của năm %(year)d (dd/mm/yyyy).") % {"year": year})
    try:
        number = int(str(cells[1]).strip())
    except ValueError:
        raise ValueError(_("số đến phải là số nguyên.")) from None
    if number < 1 or number in taken:
        raise ValueError(_("số đến %(n)d không hợp lệ hoặc đã có trong sổ.") % {"n": number})
    issuer, notation = str(cells[2]).strip(), str(cells[3]).strip()
    if not issuer or not notation:
        raise ValueError(_("thiếu tác giả hoặc số, ký hiệu."))
    kind, summary = _split_type(str(cells[5]), types)
    if not summary:
        raise ValueError(_("thiếu trích yếu."))
    received_at = datetime.combine(received, time(8, 0), tzinfo=clock.localnow().tzinfo)
    document = IncomingDocument(
        agency=register.agency,
        register=register,
        year=year,
        incoming_number=number,
        received_at=received_at,
        issuer_name=issuer,
        notation=notation,
        issued_on=_date(cells[4]),
        document_type=kind,
        summary=summary,
        secrecy=rules.Secrecy.CONFIDENTIAL if register.is_secret else rules.Secrecy.NONE,
        status=IncomingStatus.COMPLETED,
        completed_at=received_at,
        completion_note=" ".join(str(c) for c in (cells[6], cells[9]) if str(c).strip())
        or _("Nhập từ sổ cũ"),
    )
    document.search_text = incoming_search_text(document)
    return document
