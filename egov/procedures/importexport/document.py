"""The catalogue format (``egov-catalogue``, version 2), parsed and validated without the database.

``parse_catalogue`` takes the document as JSON-like data (what ``json.load`` gives, or what the
Excel reader builds from its sheets) and returns the typed ``Catalogue`` together with every
problem found, each located: a JSON path (``procedures[3].fees[0].amount``) or, for rows read from
Excel, the sheet and row (the reader puts a ``__where__`` label on each row it builds). Checks
that need the database (agency codes, fields already stored) are made by the import service.

Version 2 added ``accepts_docx`` (procedure) and ``filled_online`` (document). Files of version 1
still import: there these values are ``None`` when absent, meaning "the file does not say", so an
update keeps what is stored and a new record takes the model's default (``False``). In a version 2
file an absent value means its documented default, ``False``, like every other optional value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from egov.core.calendar import Unit
from egov.organizations.models import Role
from egov.procedures.models.catalogue import DocumentForm, ImplementingLevel, OnlineLevel
from egov.procedures.rules import procedure_code_problem, schema_problems, share_problems

FORMAT_NAME = "egov-catalogue"
FORMAT_VERSION = 2
SUPPORTED_VERSIONS = (1, 2)  # older versions still import (see the module docstring)
WHERE = "__where__"  # the location label the Excel reader attaches to each row it builds


@dataclass(frozen=True)
class ImportProblem:
    """One reason the file is refused: where, and why (in Vietnamese)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class CatalogueImportError(Exception):
    """The file was refused; nothing was written. ``problems`` lists every reason found."""

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Loc:
    """Where a record came from; ``at(name)`` names one of its values."""

    path: str
    row: str | None = None  # "trang “fees”, dòng 5" for Excel rows

    def at(self, name: str) -> str:
        if self.row is not None:
            return _("%(row)s, cột “%(column)s”") % {"row": self.row, "column": name}
        return f"{self.path}.{name}"

    @property
    def here(self) -> str:
        return self.row if self.row is not None else self.path

    def child(self, name: str, index: int, item: object) -> Loc:
        row = item.get(WHERE) if isinstance(item, Mapping) else None
        return Loc(f"{self.path}.{name}[{index}]", row if isinstance(row, str) else None)


@dataclass(frozen=True)
class FieldRow:
    code: str
    name: str
    loc: Loc = dataclasses.field(compare=False)


@dataclass(frozen=True)
class FeeRow:
    order: int
    name: str
    amount: int | None
    schedule: str
    collected_by: str
    exemptions: str


@dataclass(frozen=True)
class DocumentRow:
    order: int
    name: str
    form: str
    count: int
    is_required: bool
    filled_online: bool | None  # None: a version 1 file does not say (keep the stored value)
    note: str


@dataclass(frozen=True)
class StepRow:
    order: int
    name: str
    role: str
    division_abbreviation: str
    other_agency: str  # agency electronic ID, "" when the procedure's own agency acts
    share_percent: int
    loc: Loc = dataclasses.field(compare=False)


@dataclass(frozen=True)
class ProcessRow:
    name: str
    note: str
    steps: tuple[StepRow, ...]


@dataclass(frozen=True)
class SchemaRow:
    title: str
    fields: list[dict[str, Any]]


@dataclass(frozen=True)
class ProcedureRow:
    code: str
    name: str
    field: str
    level: str
    implementing_body: str
    offered_by: tuple[str, ...]
    processing_amount: int
    processing_unit: str
    cutoff_rule: bool
    processing_note: str
    result_type: str
    legal_basis: str
    online_level: str
    requires_verified_identity: bool
    accepts_docx: bool | None  # None: a version 1 file does not say (keep the stored value)
    source: str
    is_illustrative: bool
    is_active: bool
    fees: tuple[FeeRow, ...]
    documents: tuple[DocumentRow, ...]
    process: ProcessRow | None
    form: SchemaRow | None
    loc: Loc = dataclasses.field(compare=False)

    SCALARS = (
        "name",
        "level",
        "implementing_body",
        "processing_amount",
        "processing_unit",
        "cutoff_rule",
        "processing_note",
        "result_type",
        "legal_basis",
        "online_level",
        "requires_verified_identity",
        "accepts_docx",
        "source",
        "is_illustrative",
        "is_active",
    )


@dataclass(frozen=True)
class Catalogue:
    fields: tuple[FieldRow, ...]
    procedures: tuple[ProcedureRow, ...]


# --- Reading values ------------------------------------------------------------------------------


class _Reader:
    """Typed access to one record's values, collecting problems instead of stopping at the first."""

    def __init__(self, data: Mapping[str, Any], loc: Loc, problems: list[ImportProblem], allowed: set[str]):
        self.data, self.loc, self.problems = data, loc, problems
        for name in sorted(set(data) - allowed - {WHERE}):
            self.fail(name, _("thuộc tính “%(name)s” không có trong định dạng.") % {"name": name})

    def fail(self, name: str, message: str) -> None:
        self.problems.append(ImportProblem(self.loc.at(name), message))

    def text(self, name: str, *, required: bool = False, limit: int | None = None) -> str:
        value = self.data.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(name, _("phải là chuỗi ký tự."))
            return ""
        value = value.strip()
        if required and not value:
            self.fail(name, _("không được để trống."))
        if limit is not None and len(value) > limit:
            self.fail(name, _("dài tối đa %(limit)d ký tự.") % {"limit": limit})
        return value

    def integer(self, name: str, *, default: int | None = None, low: int = 0) -> int | None:
        value = self.data.get(name, default)
        if value is None:
            if default is None and name not in self.data:
                self.fail(name, _("không được để trống."))
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.fail(name, _("phải là số nguyên từ %(low)d trở lên.") % {"low": low})
            return None
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            self.fail(name, _("phải là true hoặc false."))
            return default
        return value

    def flag(self, name: str, *, version: int) -> bool | None:
        """A boolean added in version 2: absent is ``False`` in version 2, ``None`` (unsaid) before."""
        if name not in self.data:
            return False if version >= 2 else None
        return self.boolean(name, False)

    def choice(self, name: str, allowed: Sequence[str], default: str | None = None) -> str:
        value = self.data.get(name, default)
        if value not in allowed:
            self.fail(
                name,
                _("giá trị “%(value)s” không hợp lệ; chọn một trong: %(allowed)s.")
                % {"value": value, "allowed": ", ".join(allowed)},
            )
            return default or ""
        return str(value)

    def records(self, name: str) -> list[tuple[Loc, Mapping[str, Any]]]:
        value = self.data.get(name, [])
        if not isinstance(value, list):
            self.fail(name, _("phải là một danh sách."))
            return []
        result = []
        for index, item in enumerate(value):
            loc = self.loc.child(name, index, item)
            if isinstance(item, Mapping):
                result.append((loc, item))
            else:
                self.problems.append(ImportProblem(loc.here, _("mỗi phần tử phải là một đối tượng.")))
        return result


# --- Parsing -------------------------------------------------------------------------------------


def parse_catalogue(data: object) -> tuple[Catalogue | None, list[ImportProblem]]:
    """The catalogue in ``data`` and every problem found; the catalogue is ``None`` when any exists."""
    problems: list[ImportProblem] = []
    if not isinstance(data, Mapping):
        return None, [ImportProblem("$", _("Tệp không chứa một đối tượng JSON."))]
    top = _Reader(data, Loc("$"), problems, {"format", "version", "fields", "procedures"})
    version = data.get("version")
    if data.get("format") != FORMAT_NAME or type(version) is not int or version not in SUPPORTED_VERSIONS:
        top.fail(
            "format",
            _("tệp phải có “format”: “%(name)s” và “version”: %(version)d.")
            % {"name": FORMAT_NAME, "version": FORMAT_VERSION},
        )
        return None, problems
    fields = tuple(_field(loc, item, problems) for loc, item in top.records("fields"))
    procedures = tuple(_procedure(loc, item, problems, version) for loc, item in top.records("procedures"))
    _check_unique([(f.code, f.loc) for f in fields], problems, _("Lĩnh vực “%(code)s” xuất hiện hai lần."))
    _check_unique([(p.code, p.loc) for p in procedures], problems, _("Thủ tục “%(code)s” xuất hiện hai lần."))
    if problems:
        return None, problems
    return Catalogue(fields=fields, procedures=procedures), []


def _check_unique(keys: list[tuple[str, Loc]], problems: list[ImportProblem], message: str) -> None:
    seen: set[str] = set()
    for key, loc in keys:
        if key in seen:
            problems.append(ImportProblem(loc.here, message % {"code": key}))
        seen.add(key)


def _field(loc: Loc, data: Mapping[str, Any], problems: list[ImportProblem]) -> FieldRow:
    read = _Reader(data, loc, problems, {"code", "name"})
    code = read.text("code", required=True, limit=50)
    if code and not all(char.isascii() and (char.isalnum() or char == "-") for char in code):
        read.fail("code", _("chỉ gồm chữ không dấu, chữ số và dấu gạch ngang, ví dụ ho-tich."))
    return FieldRow(code=code, name=read.text("name", required=True, limit=200), loc=loc)


_PROCEDURE_KEYS = {
    *ProcedureRow.SCALARS,
    "code",
    "field",
    "offered_by",
    "processing_time",
    "fees",
    "documents",
    "process",
    "form",
}


def _procedure(
    loc: Loc, data: Mapping[str, Any], problems: list[ImportProblem], version: int
) -> ProcedureRow:
    read = _Reader(data, loc, problems, _PROCEDURE_KEYS - {"processing_amount", "processing_unit"})
    code = read.text("code", required=True)
    if code and (problem := procedure_code_problem(code)):
        read.fail("code", problem)
    time = _processing_time(read)
    return ProcedureRow(
        code=code,
        name=read.text("name", required=True, limit=500),
        field=read.text("field", required=True),
        level=read.choice("level", ImplementingLevel.values),
        implementing_body=read.text("implementing_body", limit=255),
        offered_by=_agency_codes(read),
        processing_amount=time[0],
        processing_unit=time[1],
        cutoff_rule=time[2],
        processing_note=time[3],
        result_type=read.text("result_type", limit=500),
        legal_basis=read.text("legal_basis"),
        online_level=read.choice("online_level", OnlineLevel.values, OnlineLevel.NONE),
        requires_verified_identity=read.boolean("requires_verified_identity", False),
        accepts_docx=read.flag("accepts_docx", version=version),
        source=read.text("source"),
        is_illustrative=read.boolean("is_illustrative", False),
        is_active=read.boolean("is_active", True),
        fees=tuple(_fee(i, where, item, problems) for i, (where, item) in enumerate(read.records("fees"), 1)),
        documents=tuple(
            _document(i, where, item, problems, version)
            for i, (where, item) in enumerate(read.records("documents"), 1)
        ),
        process=_process(read),
        form=_form(read),
        loc=loc,
    )


def _processing_time(read: _Reader) -> tuple[int, str, bool, str]:
    value = read.data.get("processing_time")
    if not isinstance(value, Mapping):
        read.fail("processing_time", _("cần {“amount”: số, “unit”: đơn vị}."))
        return 0, Unit.WORKING_DAYS, False, ""
    loc = Loc(f"{read.loc.path}.processing_time", read.loc.row)
    inner = _Reader(value, loc, read.problems, {"amount", "unit", "cutoff_rule", "note"})
    amount = inner.integer("amount")
    return (
        amount or 0,
        inner.choice("unit", [u.value for u in Unit]),
        inner.boolean("cutoff_rule", False),
        inner.text("note"),
    )


def _agency_codes(read: _Reader) -> tuple[str, ...]:
    value = read.data.get("offered_by", [])
    if not isinstance(value, list) or not all(isinstance(code, str) and code.strip() for code in value):
        read.fail("offered_by", _("phải là danh sách mã định danh điện tử của cơ quan."))
        return ()
    codes = tuple(code.strip() for code in value)
    if len(set(codes)) != len(codes):
        read.fail("offered_by", _("một cơ quan được kê hai lần."))
    return codes


def _fee(order: int, loc: Loc, data: Mapping[str, Any], problems: list[ImportProblem]) -> FeeRow:
    read = _Reader(data, loc, problems, {"order", "name", "amount", "schedule", "collected_by", "exemptions"})
    amount = read.integer("amount", default=None) if data.get("amount") is not None else None
    schedule = read.text("schedule")
    if amount is None and not schedule:
        read.fail("amount", _("hãy nhập mức thu (đồng) hoặc biểu phí."))
    return FeeRow(
        order=read.integer("order", default=order, low=1) or order,
        name=read.text("name", required=True, limit=255),
        amount=amount,
        schedule=schedule,
        collected_by=read.text("collected_by", limit=255),
        exemptions=read.text("exemptions"),
    )


def _document(
    order: int, loc: Loc, data: Mapping[str, Any], problems: list[ImportProblem], version: int
) -> DocumentRow:
    allowed = {"order", "name", "form", "count", "required", "filled_online", "note", "blank_form"}
    read = _Reader(data, loc, problems, allowed)
    return DocumentRow(
        order=read.integer("order", default=order, low=1) or order,
        name=read.text("name", required=True, limit=500),
        form=read.choice("form", DocumentForm.values, DocumentForm.ORIGINAL),
        count=read.integer("count", default=1, low=1) or 1,
        is_required=read.boolean("required", True),
        filled_online=read.flag("filled_online", version=version),
        note=read.text("note"),
    )


def _process(read: _Reader) -> ProcessRow | None:
    value = read.data.get("process")
    if value is None:
        return None
    if not isinstance(value, Mapping):
        read.fail("process", _("phải là một đối tượng {“name”, “steps”}."))
        return None
    loc = Loc(f"{read.loc.path}.process", read.loc.row)
    inner = _Reader(value, loc, read.problems, {"name", "note", "steps"})
    steps = tuple(
        _step(i, where, item, read.problems) for i, (where, item) in enumerate(inner.records("steps"), 1)
    )
    for problem in share_problems([s.share_percent for s in steps]):
        inner.fail("steps", problem)
    return ProcessRow(name=inner.text("name", required=True, limit=255), note=inner.text("note"), steps=steps)


def _step(order: int, loc: Loc, data: Mapping[str, Any], problems: list[ImportProblem]) -> StepRow:
    allowed = {"order", "name", "role", "division", "other_agency", "share_percent"}
    read = _Reader(data, loc, problems, allowed)
    role = read.choice("role", ["", *Role.values], "") if data.get("role") else ""
    division = read.text("division", limit=20)
    other = read.text("other_agency")
    if not (role or division or other):
        read.fail("role", _("hãy nêu vai trò, đơn vị (division) hoặc cơ quan phối hợp (other_agency)."))
    share = read.integer("share_percent", low=1)
    return StepRow(
        order=read.integer("order", default=order, low=1) or order,
        name=read.text("name", required=True, limit=255),
        role=role,
        division_abbreviation=division,
        other_agency=other,
        share_percent=share if share is not None else 0,
        loc=loc,
    )


def _form(read: _Reader) -> SchemaRow | None:
    value = read.data.get("form")
    if value is None:
        return None
    if not isinstance(value, Mapping):
        read.fail("form", _("phải là một đối tượng {“title”, “fields”}."))
        return None
    loc = Loc(f"{read.loc.path}.form", read.loc.row)
    inner = _Reader(value, loc, read.problems, {"title", "fields"})
    raw = value.get("fields")
    rows = raw if isinstance(raw, list) else []
    wheres = [item.get(WHERE) if isinstance(item, Mapping) else None for item in rows]
    fields = [
        {k: v for k, v in item.items() if k != WHERE} if isinstance(item, Mapping) else item for item in rows
    ]
    for problem in schema_problems(fields if isinstance(raw, list) else raw):
        read.problems.append(ImportProblem(_schema_where(problem.path, loc, wheres), problem.message))
    return SchemaRow(title=inner.text("title", required=True, limit=255), fields=fields)


def _schema_where(path: str, loc: Loc, wheres: list[object]) -> str:
    """``fields[2].choices`` inside a form: a JSON path, or the Excel row of that field."""
    if path.startswith("fields[") and "]" in path:
        index = int(path[len("fields[") : path.index("]")])
        rest = path[path.index("]") + 1 :].lstrip(".")
        row = wheres[index] if index < len(wheres) else None
        if isinstance(row, str):
            return _("%(row)s, cột “%(column)s”") % {"row": row, "column": rest.split("[")[0] or "key"}
    return f"{loc.path}.{path}" if loc.row is None else loc.here
