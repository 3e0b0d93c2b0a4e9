"""Import of an existing register (Excel, Decree 30 column order) when an agency moves to egov.

The sheet's columns are those of ``registers_export`` (an export from egov reads back):

- incoming (``INCOMING_COLUMNS``): date received, incoming number, author (issuer), number and
  notation, date, "type – summary", receiver, date handed over, receipt signature, note; the header
  is the first row whose second cell is "Số đến";
- outgoing (``OUTGOING_COLUMNS``): number and notation, date, "type – summary", signer, recipients,
  unit keeping the file copy, copies, date sent, receipt signature, note; the header is the first
  row whose first cell is "Số, ký hiệu văn bản".

Rows above the header are titles. Everything is validated before anything is written (each
problem named with its row); then the entries are written in one transaction (historical entries:
incoming ones "completed", outgoing ones "issued", metadata only), and the register's counter for
that year is raised past the highest imported number (audited by ``core.counters``), so new
numbers continue the paper series.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.accounts.scope import require
from egov.core import audit, clock, counters
from egov.core.search import normalise
from egov.documents import rules
from egov.documents.models import DocumentType, IncomingDocument, OutgoingDocument, Recipient, Register
from egov.documents.rules import IncomingStatus, OutgoingStatus
from egov.documents.services._base import incoming_search_text, outgoing_search_text
from egov.organizations.models import Division, Membership

MAX_ROWS = 50_000
WIDTH = 10  # both registers have ten columns


@dataclass
class ImportResult:
    imported: int = 0
    errors: list[str] = field(default_factory=list)


class _Rows(Protocol):
    """What one kind of register knows: its header, how a row becomes an entry, how entries are saved."""

    header_column: int
    header_title: str

    def parse(self, cells: list[Any]) -> tuple[models.Model, int]: ...

    def save(self, entries: list[Any]) -> None: ...


def import_incoming_register(*, actor: User, register: Register, year: int, content: bytes) -> ImportResult:
    """Validate every row, then write all of them or none (``ValidationError`` lists the problems)."""
    _check(actor, register, Register.Kind.INCOMING)
    return _import(actor, register, year, content, _IncomingRows(register, year))


def import_outgoing_register(
    *,
    actor: User,
    register: Register,
    year: int,
    content: bytes,
    default_division: Division | None = None,
) -> ImportResult:
    """Validate every row, then write all of them or none; the rows become issued documents with
    their original numbers (metadata only, no file). ``default_division``: the drafting unit of rows
    whose "unit keeping the copy" names none of the agency's units."""
    _check(actor, register, Register.Kind.OUTGOING)
    if default_division is not None and default_division.agency_id != register.agency_id:
        raise ValidationError(_("Đơn vị mặc định không thuộc cơ quan của sổ."))
    return _import(actor, register, year, content, _OutgoingRows(register, year, actor, default_division))


def _check(actor: User, register: Register, kind: str) -> None:
    require(actor, "documents.manage_registers", register.agency)
    if register.kind != kind:
        raise ValidationError(
            _("Chỉ nhập được sổ văn bản đến.")
            if kind == Register.Kind.INCOMING
            else _("Chỉ nhập được sổ văn bản đi.")
        )


def _import(actor: User, register: Register, year: int, content: bytes, rows: _Rows) -> ImportResult:
    result = ImportResult()
    entries: list[models.Model] = []
    numbers: list[int] = []
    for index, cells in _data_rows(content, rows, result):
        if len(entries) + len(result.errors) >= MAX_ROWS:
            result.errors.append(_("Quá %(n)d dòng.") % {"n": MAX_ROWS})
            break
        try:
            entry, number = rows.parse(cells)
        except (ValueError, ValidationError) as error:
            message = " ".join(getattr(error, "messages", [str(error)]))
            result.errors.append(_("Dòng %(row)d: %(error)s") % {"row": index, "error": message})
            continue
        entries.append(entry)
        numbers.append(number)
    if result.errors:
        raise ValidationError(result.errors)
    with transaction.atomic():
        rows.save(entries)
        highest = max(numbers, default=0)
        _continue_numbering(register, year, highest, actor, len(entries))
        audit.record(
            actor=actor,
            action="documents.register.import",
            obj=register,
            details={"kind": register.kind, "year": year, "rows": len(entries), "highest": highest},
        )
    result.imported = len(entries)
    return result


def _data_rows(content: bytes, rows: _Rows, result: ImportResult) -> Iterator[tuple[int, list[Any]]]:
    """(row number, ten cells) of each non-empty row below the header; a missing header is an error."""
    from openpyxl import load_workbook  # imported on use: only imports need it

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError(_("Không đọc được tệp Excel (.xlsx).")) from error
    if sheet is None:
        raise ValidationError(_("Tệp Excel không có trang tính."))
    header_seen = False
    wanted = normalise(rows.header_title)
    for index, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [("" if c is None else c) for c in row][:WIDTH] + [""] * max(0, WIDTH - len(row))
        if not header_seen:
            header_seen = normalise(str(cells[rows.header_column])) == wanted
            continue
        if any(str(c).strip() for c in cells):
            yield index, cells
    if not header_seen:
        result.errors.append(
            _("Không thấy dòng tiêu đề (cột thứ %(n)d “%(title)s”).")
            % {"n": rows.header_column + 1, "title": rows.header_title}
        )


def _continue_numbering(register: Register, year: int, highest: int, actor: User, count: int) -> None:
    key = rules.counter_key(register.pk, year)
    if highest > counters.peek(rules.COUNTER_NAMESPACE, key):
        counters.set_opening_value(
            namespace=rules.COUNTER_NAMESPACE,
            key=key,
            value=highest,
            actor=actor,
            reason=_("Nhập %(r)s từ tệp Excel (%(n)d văn bản)") % {"r": register.name, "n": count},
        )


# --- cells ------------------------------------------------------------------------------------------


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.strptime(str(value).strip(), "%d/%m/%Y").date()


def _date_of_year(value: Any, year: int, what: str) -> date:
    try:
        day = _date(value)
    except ValueError:
        day = None
    if day is None or day.year != year:
        raise ValueError(
            _("%(what)s phải là một ngày của năm %(year)d (dd/mm/yyyy).") % {"what": what, "year": year}
        )
    return day


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(8, 0), tzinfo=clock.localnow().tzinfo)


def _new_number(number: int, taken: set[int], label: str) -> int:
    """A number not yet in the register's year nor earlier in the sheet."""
    if number < 1 or number in taken:
        raise ValueError(
            _("%(label)s %(n)d không hợp lệ hoặc đã có trong sổ.") % {"label": label, "n": number}
        )
    taken.add(number)
    return number


class _Types:
    """ "Type – summary" cells: the type recognised by its name, else the register's default."""

    def __init__(self, register: Register) -> None:
        self.types = list(DocumentType.objects.filter(kind=DocumentType.Kind.DOCUMENT).order_by("-name"))
        self.default = register.document_type or next(t for t in self.types if t.code == "cong-van")
        self.only = register.document_type

    def split(self, text: str) -> tuple[DocumentType, str]:
        """``Kế hoạch – Chuyển đổi số`` → (Kế hoạch, "Chuyển đổi số"); no known type: the default."""
        kind, summary = self.default, text.strip()
        for candidate in self.types:
            prefix = next(
                (
                    candidate.name + separator
                    for separator in (" – ", " - ", ": ")
                    if text.lower().startswith((candidate.name + separator).lower())
                ),
                None,
            )
            if prefix is not None:
                kind, summary = candidate, text[len(prefix) :].strip()
                break
        if not summary:
            raise ValueError(_("thiếu trích yếu."))
        if self.only is not None and kind != self.only:
            raise ValueError(
                _("sổ này chỉ dành cho %(type)s, không ghi %(other)s.")
                % {"type": self.only.name, "other": kind.name}
            )
        return kind, summary


# --- incoming ---------------------------------------------------------------------------------------


class _IncomingRows:
    header_column = 1
    header_title = "Số đến"

    def __init__(self, register: Register, year: int) -> None:
        self.register, self.year, self.types = register, year, _Types(register)
        self.taken = set(
            IncomingDocument.objects.filter(register=register, year=year).values_list(
                "incoming_number", flat=True
            )
        )

    def parse(self, cells: list[Any]) -> tuple[IncomingDocument, int]:
        received = _date_of_year(cells[0], self.year, _("ngày đến"))
        try:
            number = int(str(cells[1]).strip())
        except ValueError:
            raise ValueError(_("số đến phải là số nguyên.")) from None
        issuer, notation = str(cells[2]).strip(), str(cells[3]).strip()
        if not issuer or not notation:
            raise ValueError(_("thiếu tác giả hoặc số, ký hiệu."))
        kind, summary = self.types.split(str(cells[5]))
        number = _new_number(number, self.taken, _("số đến"))
        register = self.register
        document = IncomingDocument(
            agency=register.agency,
            register=register,
            year=self.year,
            incoming_number=number,
            received_at=_morning(received),
            issuer_name=issuer,
            notation=notation,
            issued_on=_date(cells[4]),
            document_type=kind,
            summary=summary,
            secrecy=rules.Secrecy.CONFIDENTIAL if register.is_secret else rules.Secrecy.NONE,
            status=IncomingStatus.COMPLETED,
            completed_at=_morning(received),
            completion_note=" ".join(str(c) for c in (cells[6], cells[9]) if str(c).strip())
            or _("Nhập từ sổ cũ"),
        )
        document.search_text = incoming_search_text(document)
        return document, number

    def save(self, entries: list[IncomingDocument]) -> None:
        IncomingDocument.objects.bulk_create(entries, batch_size=1000)


# --- outgoing ---------------------------------------------------------------------------------------

_LEADING_NUMBER = re.compile(r"\s*(\d+)\s*/")
_CAPACITIES = {c.value for c in rules.Capacity if c.value}


class _OutgoingRows:
    """Rows of an outgoing register: issued documents with their original numbers.

    The signer is matched to a member of the agency by name (a capacity such as "KT." in front is
    kept); a signer no longer in the agency stays written in the entry's text with the note. The
    drafting unit is the unit named in "unit keeping the copy" (abbreviation or name), else the
    default one. The administrator who imports is recorded as the drafter (audited).
    """

    header_column = 0
    header_title = "Số, ký hiệu văn bản"

    def __init__(self, register: Register, year: int, actor: User, default_division: Division | None) -> None:
        self.register, self.year, self.actor = register, year, actor
        self.types = _Types(register)
        self.default_division = default_division
        numbers = OutgoingDocument.objects.filter(register=register, year=year).values_list(
            "number", flat=True
        )
        self.taken = {n for n in numbers if n is not None}
        self.divisions: dict[str, Division] = {}
        for division in Division.objects.filter(agency=register.agency):
            self.divisions.setdefault(normalise(division.abbreviation), division)
            self.divisions.setdefault(normalise(division.name), division)
        self.divisions.pop("", None)
        self.members = {
            normalise(m.user.display_name): m.user
            for m in Membership.objects.filter(agency=register.agency).select_related("user")
        }
        self.recipients: list[list[str]] = []  # of each parsed entry, in order

    def parse(self, cells: list[Any]) -> tuple[OutgoingDocument, int]:
        notation = str(cells[0]).strip()
        found = _LEADING_NUMBER.match(notation)
        if found is None:
            raise ValueError(_("số, ký hiệu phải bắt đầu bằng số văn bản (ví dụ 07/QĐ-UBND)."))
        issued_on = _date_of_year(cells[1], self.year, _("ngày tháng văn bản"))
        kind, summary = self.types.split(str(cells[2]))
        division = self.divisions.get(normalise(str(cells[5]))) or self.default_division
        if division is None:
            raise ValueError(
                _(
                    "không rõ đơn vị soạn thảo “%(unit)s”: ghi tên viết tắt của một đơn vị trong cơ quan "
                    "hoặc chọn đơn vị mặc định."
                )
                % {"unit": str(cells[5]).strip()}
            )
        number = _new_number(int(found.group(1)), self.taken, _("số"))
        capacity, signer, signer_text = self._signer(str(cells[3]))
        register = self.register
        document = OutgoingDocument(
            agency=register.agency,
            division=division,
            drafter=self.actor,
            document_type=kind,
            summary=summary,
            secrecy=rules.Secrecy.CONFIDENTIAL if register.is_secret else rules.Secrecy.NONE,
            status=OutgoingStatus.ISSUED,
            signer=signer,
            capacity=capacity,
            register=register,
            year=self.year,
            number=number,
            notation=notation,
            issued_on=issued_on,
            issued_at=_morning(issued_on),
            created_at=_morning(issued_on),
            text=self._note(signer_text, cells),
        )
        document.search_text = outgoing_search_text(document)
        self.recipients.append([name.strip() for name in re.split(r"[;\n]", str(cells[4])) if name.strip()])
        return document, number

    def _signer(self, text: str) -> tuple[str, User | None, str]:
        """(capacity, the member matched by name or None, the text when unmatched)."""
        text = " ".join(text.split())
        first, _sep, rest = text.partition(" ")
        capacity = first if first in _CAPACITIES else ""
        name = normalise(rest if capacity else text)
        signer = self.members.get(name) or next(
            (user for folded, user in self.members.items() if folded and name.endswith(" " + folded)), None
        )
        return capacity, signer, "" if signer is not None or not text else text

    @staticmethod
    def _note(signer_text: str, cells: list[Any]) -> str:
        parts = [_("Nhập từ sổ văn bản đi cũ.")]
        if signer_text:
            parts.append(_("Người ký: %(s)s.") % {"s": signer_text})
        if str(cells[9]).strip():
            parts.append(_("Ghi chú: %(s)s.") % {"s": str(cells[9]).strip()})
        return " ".join(parts)

    def save(self, entries: list[OutgoingDocument]) -> None:
        OutgoingDocument.objects.bulk_create(entries, batch_size=1000)
        Recipient.objects.bulk_create(
            [
                Recipient(document=document, name=name[:255])
                for document, recipients in zip(entries, self.recipients, strict=True)
                for name in recipients
            ],
            batch_size=1000,
        )
