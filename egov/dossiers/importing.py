"""Taking over open dossiers from a previous one-stop system (docs/dossier-import-format.md).

A province switching in the middle of a year brings its open dossiers with their codes, dates,
status and history. ``import_dossiers`` is the one service that writes them: it reads the whole
file first (JSON, or an Excel workbook with the same fields), reports every bad row with where it
is (JSON path or sheet/row/column) and why in Vietnamese, and writes nothing unless all is well,
in one transaction. A code already in egov is skipped, so a rerun of the same file imports nothing.

Codes must never collide with the ones egov allocates later: for each (agency, day) series the
gap-free counter is raised to at least the highest imported sequence with
``core.counters.set_opening_value`` (audited, reason noted), so the next reception that day gets
N + 1. A series already past N is left alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.accounts.rules import normalise_personal_id, normalise_phone, personal_id_problem, phone_problem
from egov.core import audit, clock, counters
from egov.dossiers import rules
from egov.dossiers.models import Applicant, Channel, Dossier, DossierDocument, StatusChange
from egov.dossiers.rules import Status
from egov.dossiers.services.reception import CODE_NAMESPACE
from egov.organizations.models import Agency, Division
from egov.procedures.models import DocumentForm, Procedure

FORMAT = "egov-dossiers"
FORMAT_VERSION = 1
# Open work only: refused, withdrawn and returned dossiers stay in the old system's archive.
IMPORTABLE = frozenset(
    {
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.SUPPLEMENT_REQUESTED,
        Status.OBLIGATION_REQUESTED,
        Status.STOPPED,
        Status.FINISHED,
    }
)
CLOCK_STARTED = frozenset(
    {Status.ACCEPTED, Status.IN_PROGRESS, Status.OBLIGATION_REQUESTED, Status.STOPPED, Status.FINISHED}
)
CHANNELS = {"desk": Channel.DESK, "online": Channel.ONLINE, "post": Channel.POST}
_CODE = re.compile(r"(?P<agency>[0-9A-Z.]{1,35})-(?P<day>[0-9]{6})-(?P<seq>[0-9]{4,})")
DOSSIER_SHEET, HISTORY_SHEET, ABOUT_SHEET = "dossiers", "history", "about"
DOSSIER_COLUMNS = (
    "code", "procedure", "agency", "receiving_agency", "channel", "status", "submitted_at",
    "received_at", "due_at", "paused_since", "finished_at", "supplement_count", "current_division",
    "applicant_kind", "applicant_name", "national_id", "tax_code", "phone", "email", "address", "documents",
)  # fmt: skip
HISTORY_COLUMNS = ("code", "at", "source", "target", "note")


@dataclass(frozen=True)
class ImportProblem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class DossierImportError(Exception):
    """The file was refused; nothing was written. ``problems`` lists every reason found."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Loc:
    """Where a record is: a JSON path, or a sheet row of the workbook."""

    path: str
    row: str | None = None

    def at(self, name: str) -> str:
        if self.row is not None:
            return _("%(row)s, cột “%(column)s”") % {"row": self.row, "column": name}
        return f"{self.path}.{name}"


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # codes already in egov
    counters_raised: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    def summary(self) -> str:
        text = _(
            "%(imported)d hồ sơ nhập mới, %(skipped)d hồ sơ đã có (bỏ qua), %(raised)d dãy số được nâng."
        ) % {
            "imported": len(self.imported),
            "skipped": len(self.skipped),
            "raised": len(self.counters_raised),
        }
        return text + (" " + _("(chạy thử: chưa ghi gì)") if self.dry_run else "")


# --- Reading files ------------------------------------------------------------------------------


def read_file(path: Path) -> tuple[dict[str, Any], dict[int, Loc]]:
    """The document in ``path`` (``.json`` or ``.xlsx``) and, for a workbook, each record's row."""
    if path.suffix.lower() == ".xlsx":
        return read_workbook(path.read_bytes())
    try:
        return json.loads(path.read_text(encoding="utf-8")), {}
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DossierImportError(
            [ImportProblem(path.name, _("Không đọc được tệp JSON: %(error)s") % {"error": error})]
        ) from error


def read_workbook(source: BinaryIO | bytes) -> tuple[dict[str, Any], dict[int, Loc]]:
    """The same document from a workbook: sheets ``about``, ``dossiers`` and ``history``."""
    from openpyxl import load_workbook

    stream = BytesIO(source) if isinstance(source, bytes) else source
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise DossierImportError(
            [ImportProblem(_("tệp"), _("Không đọc được tệp Excel: %(error)s") % {"error": error})]
        ) from error
    problems: list[ImportProblem] = []
    about = {}
    if ABOUT_SHEET in book.sheetnames:
        about = {str(r[0]): r[1] for r in book[ABOUT_SHEET].iter_rows(values_only=True) if r and r[0]}
    dossiers: list[dict[str, Any]] = []
    locs: dict[int, Loc] = {}
    by_code: dict[str, dict[str, Any]] = {}
    for where, row in _rows(book, DOSSIER_SHEET, DOSSIER_COLUMNS, problems):
        record = _dossier_from_row(row)
        locs[len(dossiers)] = Loc(f"dossiers[{len(dossiers)}]", where)
        dossiers.append(record)
        by_code.setdefault(str(row.get("code") or ""), record)
    for where, row in _rows(book, HISTORY_SHEET, HISTORY_COLUMNS, problems, required=False):
        owner = by_code.get(str(row.get("code") or ""))
        if owner is None:
            problems.append(ImportProblem(where, _("Không có hồ sơ mã này ở trang “dossiers”.")))
            continue
        owner["history"].append({k: row.get(k) for k in ("at", "source", "target", "note")} | {"_row": where})
    book.close()
    if problems:
        raise DossierImportError(problems)
    return {"format": about.get("format"), "version": about.get("version"), "dossiers": dossiers}, locs


def _rows(
    book: Any, sheet: str, columns: tuple[str, ...], problems: list[ImportProblem], *, required: bool = True
) -> Iterator[tuple[str, dict[str, Any]]]:
    if sheet not in book.sheetnames:
        if required:
            problems.append(ImportProblem(sheet, _("Thiếu trang tính “%(sheet)s”.") % {"sheet": sheet}))
        return
    lines = book[sheet].iter_rows(values_only=True)
    header = [str(cell).strip() if cell is not None else "" for cell in next(lines, ())]
    if "code" not in header:
        problems.append(
            ImportProblem(sheet, _("Trang tính “%(sheet)s” thiếu cột “code”.") % {"sheet": sheet})
        )
        return
    for number, values in enumerate(lines, start=2):
        if all(value in (None, "") for value in values):
            continue
        where = _("trang “%(sheet)s”, dòng %(row)d") % {"sheet": sheet, "row": number}
        row = {
            column: value.strip() if isinstance(value, str) else value
            for column, value in zip(header, values, strict=False)
            if column in columns
        }
        yield where, row


def _dossier_from_row(row: dict[str, Any]) -> dict[str, Any]:
    record = {k: row.get(k) for k in DOSSIER_COLUMNS if not k.startswith("applicant_") and k not in {
        "national_id", "tax_code", "phone", "email", "address", "documents"}}  # fmt: skip
    record["applicant"] = {
        "kind": row.get("applicant_kind") or "person",
        "name": row.get("applicant_name"),
        **{k: row.get(k) for k in ("national_id", "tax_code", "phone", "email", "address")},
    }
    # One cell lists the documents received, separated by ";" (name only; form "original").
    documents = str(row.get("documents") or "")
    record["documents"] = [{"name": name.strip()} for name in documents.split(";") if name.strip()]
    record["history"] = []
    return record


# --- Checking -----------------------------------------------------------------------------------


@dataclass
class _Checked:
    dossier: Dossier
    applicant: Applicant
    history: list[StatusChange]
    documents: list[DossierDocument]
    sequence: int
    day: date


class _Checker:
    def __init__(self) -> None:
        self.problems: list[ImportProblem] = []
        self.agencies = {a.code: a for a in Agency.objects.all()}
        self.procedures: dict[str, Procedure] = {}
        self.offered: dict[str, set[int]] = {}
        self.now = clock.now()
        self.today = clock.today()

    def fail(self, where: str, message: str) -> None:
        self.problems.append(ImportProblem(where, message))

    def text(self, data: Mapping[str, Any], key: str, loc: Loc, *, required: bool = True) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(loc.at(key), _("Thiếu giá trị."))
            return ""
        if not isinstance(value, str | int):
            self.fail(loc.at(key), _("Phải là chuỗi ký tự."))
            return ""
        return " ".join(str(value).split())

    def instant(
        self, data: Mapping[str, Any], key: str, loc: Loc, *, required: bool, future: bool = False
    ) -> datetime | None:
        value = data.get(key)
        if value in (None, ""):
            if required:
                self.fail(loc.at(key), _("Thiếu thời điểm."))
            return None
        parsed = _parse_instant(value)
        if parsed is None:
            self.fail(
                loc.at(key),
                _(
                    "Thời điểm không hợp lệ: dùng ISO 8601, ví dụ 2026-03-02T09:15:00+07:00, "
                    "hoặc 02/03/2026 09:15."
                ),
            )
        elif parsed > self.now and not future:
            self.fail(loc.at(key), _("Thời điểm nằm trong tương lai."))
        return parsed

    def status(self, value: Any, where: str, *, allowed: frozenset[Status] | None = None) -> Status | None:
        try:
            status = Status(int(value))
        except (TypeError, ValueError):
            self.fail(where, _("Trạng thái là một số từ 1 đến 10."))
            return None
        if allowed is not None and status not in allowed:
            self.fail(
                where,
                _(
                    "Chỉ nhập hồ sơ chưa kết thúc (trạng thái 1, 2, 4, 5, 6, 8, 9), "
                    "không nhập trạng thái %(s)d."
                )
                % {"s": int(status)},
            )
            return None
        return status

    def procedure(self, code: str, agency: Agency, where: str) -> Procedure | None:
        if code not in self.procedures:
            procedure = Procedure.objects.filter(code=code).first()
            if procedure is None:
                self.fail(where, _("Không có thủ tục mã “%(code)s” trong danh mục.") % {"code": code})
                return None
            self.procedures[code] = procedure
            self.offered[code] = set(procedure.offered_by.values_list("pk", flat=True))
        if agency.pk not in self.offered[code]:
            self.fail(where, _("%(agency)s không giải quyết thủ tục này.") % {"agency": agency.name})
            return None
        return self.procedures[code]

    def dossier(self, data: Any, loc: Loc) -> _Checked | None:
        if not isinstance(data, Mapping):
            self.fail(loc.row or loc.path, _("Mỗi hồ sơ là một đối tượng JSON."))
            return None
        before = len(self.problems)
        code = self.text(data, "code", loc).upper()
        agency_code = self.text(data, "agency", loc)
        agency = self.agencies.get(agency_code)
        if agency_code and agency is None:
            self.fail(
                loc.at("agency"), _("Không có cơ quan mã định danh “%(code)s”.") % {"code": agency_code}
            )
        match = _CODE.fullmatch(code) if code else None
        day, sequence = None, 0
        if code and match is None:
            self.fail(loc.at("code"), _("Mã hồ sơ phải có dạng {mã cơ quan}-{YYMMDD}-{NNNN}."))
        elif match is not None:
            if match["agency"] != agency_code:
                self.fail(
                    loc.at("code"), _("Mã hồ sơ không bắt đầu bằng mã định danh của cơ quan giải quyết.")
                )
            try:
                day = datetime.strptime(match["day"], "%y%m%d").date()
            except ValueError:
                self.fail(loc.at("code"), _("Ngày trong mã hồ sơ không có trên lịch."))
            sequence = int(match["seq"])
            if sequence < 1:
                self.fail(loc.at("code"), _("Số thứ tự trong mã hồ sơ bắt đầu từ 0001."))
        receiving = agency
        receiving_code = self.text(data, "receiving_agency", loc, required=False)
        if receiving_code:
            receiving = self.agencies.get(receiving_code)
            if receiving is None:
                self.fail(
                    loc.at("receiving_agency"),
                    _("Không có cơ quan mã “%(code)s”.") % {"code": receiving_code},
                )
            elif receiving != agency and receiving.kind != Agency.Kind.SERVICE_CENTRE:
                self.fail(
                    loc.at("receiving_agency"),
                    _("Chỉ Trung tâm Phục vụ hành chính công được tiếp nhận hồ sơ thay cơ quan giải quyết."),
                )
        procedure_code = self.text(data, "procedure", loc)
        procedure = (
            self.procedure(procedure_code, agency, loc.at("procedure")) if agency and procedure_code else None
        )
        channel = CHANNELS.get(str(data.get("channel") or "desk").strip().lower())
        if channel is None:
            self.fail(loc.at("channel"), _("Hình thức nộp là desk, online hoặc post."))
        status = self.status(data.get("status"), loc.at("status"), allowed=IMPORTABLE)
        submitted = self.instant(data, "submitted_at", loc, required=True)
        received = self.instant(data, "received_at", loc, required=status in CLOCK_STARTED)
        due = self.instant(data, "due_at", loc, required=received is not None, future=True)
        if due is not None and due > self.now + timedelta(days=3660):
            self.fail(loc.at("due_at"), _("Ngày hẹn trả quá xa."))
        paused_required = status in {Status.OBLIGATION_REQUESTED, Status.STOPPED} or (
            status is Status.SUPPLEMENT_REQUESTED and received is not None
        )
        paused = self.instant(data, "paused_since", loc, required=paused_required)
        finished = self.instant(data, "finished_at", loc, required=status is Status.FINISHED)
        if submitted and received and received < submitted:
            self.fail(loc.at("received_at"), _("Thời điểm tiếp nhận trước thời điểm nộp."))
        if received and due and due < received:
            self.fail(loc.at("due_at"), _("Ngày hẹn trả trước thời điểm tiếp nhận."))
        if (
            day is not None
            and submitted is not None
            and submitted.astimezone(clock.local_zone()).date() != day
        ):
            self.fail(loc.at("submitted_at"), _("Ngày nộp khác ngày trong mã hồ sơ."))
        supplements = data.get("supplement_count") or 0
        if not isinstance(supplements, int) or supplements < 0:
            self.fail(loc.at("supplement_count"), _("Số lần yêu cầu bổ sung là số nguyên không âm."))
            supplements = 0
        applicant = self.applicant(data.get("applicant"), Loc(loc.path + ".applicant", loc.row))
        division = None
        division_abbr = self.text(data, "current_division", loc, required=False)
        if division_abbr and agency is not None:
            division = Division.objects.filter(agency=agency, abbreviation=division_abbr).first()
            if division is None:
                self.fail(
                    loc.at("current_division"), _("Cơ quan không có phòng “%(d)s”.") % {"d": division_abbr}
                )
        history = self.history(data.get("history") or [], loc, status, submitted)
        documents = self.documents(data.get("documents") or [], loc)
        if len(self.problems) > before or None in (
            agency,
            procedure,
            status,
            submitted,
            channel,
            day,
            applicant,
        ):
            return None
        assert agency and receiving and procedure and status and submitted and channel and day and applicant
        is_open = status in rules.OPEN or status is Status.SUBMITTED
        dossier = Dossier(
            code=code,
            procedure=procedure,
            agency=agency,
            receiving_agency=receiving,
            applicant=applicant,
            channel=channel,
            status=status,
            submitted_at=submitted,
            received_at=received,
            due_at=due,
            paused_since=paused if paused_required else None,
            finished_at=finished,
            supplement_count=supplements,
            current_agency=(receiving if status is Status.FINISHED else agency)
            if is_open or finished
            else None,
            current_division=division,
        )
        return _Checked(dossier, applicant, history, documents, sequence, day)

    def applicant(self, data: Any, loc: Loc) -> Applicant | None:
        if not isinstance(data, Mapping):
            self.fail(loc.path, _("Thiếu thông tin người nộp."))
            return None
        before = len(self.problems)
        kind = str(data.get("kind") or "person")
        name = self.text(data, "name", loc)
        national_id = normalise_personal_id(str(data.get("national_id") or ""))
        tax_code = str(data.get("tax_code") or "").strip()
        if kind == Applicant.Kind.PERSON:
            problem = personal_id_problem(national_id, today=self.today)
            if problem:
                self.fail(loc.at("national_id"), problem)
        elif kind == Applicant.Kind.ORGANISATION:
            problem = rules.tax_code_problem(tax_code)
            if problem:
                self.fail(loc.at("tax_code"), problem)
        else:
            self.fail(loc.at("kind"), _("Người nộp là person (cá nhân) hoặc organisation (tổ chức)."))
        raw_phone = str(data.get("phone") or "").strip()
        phone = normalise_phone(raw_phone) if raw_phone else ""
        if phone and (problem := phone_problem(phone)):
            self.fail(loc.at("phone"), problem)
        if len(self.problems) > before:
            return None
        return Applicant(
            kind=kind,
            name=name,
            national_id=national_id if kind == Applicant.Kind.PERSON else "",
            tax_code=tax_code if kind == Applicant.Kind.ORGANISATION else "",
            phone=phone,
            email=str(data.get("email") or "").strip(),
            address=" ".join(str(data.get("address") or "").split()),
        )

    def history(
        self, items: Any, loc: Loc, status: Status | None, submitted: datetime | None
    ) -> list[StatusChange]:
        if not isinstance(items, list):
            self.fail(loc.at("history"), _("Lịch sử là một danh sách."))
            return []
        changes: list[StatusChange] = []
        previous: datetime | None = None
        for index, item in enumerate(items):
            row = item.get("_row") if isinstance(item, Mapping) else None
            here = Loc(f"{loc.path}.history[{index}]", row if isinstance(row, str) else None)
            if not isinstance(item, Mapping):
                self.fail(here.path, _("Mỗi dòng lịch sử là một đối tượng JSON."))
                continue
            at = self.instant(item, "at", here, required=True)
            target = self.status(item.get("target"), here.at("target"))
            source = None
            if item.get("source") not in (None, ""):
                source = self.status(item.get("source"), here.at("source"))
            if at is not None and previous is not None and at < previous:
                self.fail(here.at("at"), _("Lịch sử phải theo thứ tự thời gian."))
            if at is not None and submitted is not None and at < submitted:
                self.fail(here.at("at"), _("Thời điểm trước khi hồ sơ được nộp."))
            previous = at or previous
            if at is not None and target is not None:
                changes.append(
                    StatusChange(
                        source=source,
                        target=target,
                        at=at,
                        note=self.text(item, "note", here, required=False),
                    )
                )
        if changes and status is not None and changes[-1].target != status:
            self.fail(
                loc.at("history"), _("Dòng lịch sử cuối cùng phải chuyển sang trạng thái hiện tại của hồ sơ.")
            )
        return changes

    def documents(self, items: Any, loc: Loc) -> list[DossierDocument]:
        if not isinstance(items, list):
            self.fail(loc.at("documents"), _("Thành phần hồ sơ là một danh sách."))
            return []
        rows = []
        for order, item in enumerate(items, start=1):
            here = Loc(f"{loc.path}.documents[{order - 1}]", loc.row)
            if not isinstance(item, Mapping) or not str(item.get("name") or "").strip():
                self.fail(here.at("name"), _("Hãy ghi tên giấy tờ."))
                continue
            form = str(item.get("form") or DocumentForm.ORIGINAL)
            if form not in DocumentForm.values:
                self.fail(here.at("form"), _("Hình thức giấy tờ là original, certified_copy hoặc copy."))
                continue
            count = item.get("count") or 1
            rows.append(
                DossierDocument(
                    order=order,
                    name=" ".join(str(item["name"]).split()),
                    form=form,
                    count=count if isinstance(count, int) and count > 0 else 1,
                    is_required=bool(item.get("required", True)),
                    received=True,
                )
            )
        return rows


def _parse_instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            for pattern in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S"):
                try:
                    parsed = datetime.strptime(text, pattern)
                    break
                except ValueError:
                    continue
            else:
                return None
    else:
        return None
    # A time without an offset is local time (what the old system's users saw).
    return timezone.make_aware(parsed, clock.local_zone()) if timezone.is_naive(parsed) else parsed


# --- The service --------------------------------------------------------------------------------


def check_document(document: Any, locs: Mapping[int, Loc] | None = None) -> list[_Checked]:
    """Every dossier of the document checked; ``DossierImportError`` with all problems otherwise."""
    if not isinstance(document, Mapping):
        raise DossierImportError([ImportProblem("$", _("Tệp phải chứa một đối tượng JSON."))])
    problems = []
    if document.get("format") != FORMAT:
        problems.append(ImportProblem("$.format", _("Trường format phải là “%(f)s”.") % {"f": FORMAT}))
    if document.get("version") != FORMAT_VERSION:
        problems.append(
            ImportProblem(
                "$.version", _("Phiên bản định dạng không hỗ trợ: cần %(v)d.") % {"v": FORMAT_VERSION}
            )
        )
    items = document.get("dossiers")
    if not isinstance(items, list):
        problems.append(ImportProblem("$.dossiers", _("Thiếu danh sách hồ sơ.")))
    if problems:
        raise DossierImportError(problems)
    assert isinstance(items, list)
    checker = _Checker()
    checked: list[_Checked] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(items):
        loc = (locs or {}).get(index) or Loc(f"$.dossiers[{index}]")
        result = checker.dossier(item, loc)
        if result is None:
            continue
        code = result.dossier.code
        if code in seen:
            checker.fail(loc.at("code"), _("Mã hồ sơ trùng với %(where)s.") % {"where": seen[code]})
            continue
        seen[code] = loc.row or loc.path
        checked.append(result)
    if checker.problems:
        raise DossierImportError(checker.problems)
    return checked


def import_dossiers(
    *, actor: User | None, document: Any, locs: Mapping[int, Loc] | None = None, dry_run: bool = False
) -> ImportReport:
    """Import the open dossiers of ``document`` (format ``egov-dossiers`` version 1), all or nothing.

    ``actor`` is ``None`` for ``manage.py import_dossiers`` (the operator at the server); a signed-in
    user must be a superuser: taking over another system's dossiers is an installation step.
    """
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Chỉ quản trị hệ thống được nhập hồ sơ từ hệ thống cũ."))
    checked = check_document(document, locs)
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        existing = set(
            Dossier.objects.filter(code__in=[c.dossier.code for c in checked]).values_list("code", flat=True)
        )
        highest: dict[str, int] = {}
        for item in checked:
            dossier = item.dossier
            if dossier.code in existing:
                report.skipped.append(dossier.code)
                continue
            _write(item, actor)
            report.imported.append(dossier.code)
            key = rules.dossier_code_counter_key(dossier.agency.code, item.day)
            highest[key] = max(highest.get(key, 0), item.sequence)
        for key, sequence in sorted(highest.items()):  # a fixed order: no deadlock with receptions
            if counters.peek(CODE_NAMESPACE, key) < sequence:
                counters.set_opening_value(
                    namespace=CODE_NAMESPACE,
                    key=key,
                    value=sequence,
                    actor=actor,
                    reason=_("Nhập hồ sơ từ hệ thống cũ"),
                )
                report.counters_raised[key] = sequence
        audit.record(
            actor=actor,
            action="dossier.import",
            details={"imported": len(report.imported), "skipped": len(report.skipped)},
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _write(item: _Checked, actor: User | None) -> None:
    item.applicant.save()
    dossier = item.dossier
    dossier.applicant = item.applicant
    dossier.recorded_by = actor
    dossier.save()
    for order, document in enumerate(item.documents, start=1):
        document.dossier, document.order = dossier, order
    DossierDocument.objects.bulk_create(item.documents)
    history = item.history or [StatusChange(source=None, target=dossier.status, at=dossier.submitted_at)]
    for change in history:
        change.dossier = dossier
        change.details = {"imported": True}
    StatusChange.objects.bulk_create(history)
    audit.record(
        actor=actor, action="dossier.import_one", obj=dossier, details={"status": int(dossier.status)}
    )
