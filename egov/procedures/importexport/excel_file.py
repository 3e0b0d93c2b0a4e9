"""The catalogue as an Excel workbook: one sheet per entity, a header row of column names.

Sheets and columns are listed in ``SHEETS`` and documented in ``docs/catalogue-format.md`` §3.
Reading turns the rows back into the format document (with a ``__where__`` label on every row,
so that problems name the sheet and row) and reports cells of the wrong kind before anything else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from io import BytesIO
from typing import Any, BinaryIO

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from egov.procedures.importexport.document import (
    FORMAT_NAME,
    FORMAT_VERSION,
    WHERE,
    CatalogueImportError,
    ImportProblem,
)

type Row = dict[str, Any]

# (column, kind); kinds: text, code (text that Excel must not turn into a number), int, bool,
# list (agency codes, one per line or comma-separated), choices (one "value=label" per line).
SHEETS: dict[str, tuple[tuple[str, str], ...]] = {
    "fields": (("code", "text"), ("name", "text")),
    "procedures": (
        ("code", "code"),
        ("name", "text"),
        ("field", "text"),
        ("level", "text"),
        ("implementing_body", "text"),
        ("offered_by", "list"),
        ("processing_amount", "int"),
        ("processing_unit", "text"),
        ("cutoff_rule", "bool"),
        ("processing_note", "text"),
        ("result_type", "text"),
        ("legal_basis", "text"),
        ("online_level", "text"),
        ("requires_verified_identity", "bool"),
        ("accepts_docx", "bool"),
        ("source", "text"),
        ("is_illustrative", "bool"),
        ("is_active", "bool"),
        ("process_name", "text"),
        ("process_note", "text"),
        ("form_title", "text"),
    ),
    "fees": (
        ("procedure", "code"),
        ("order", "int"),
        ("name", "text"),
        ("amount", "int"),
        ("schedule", "text"),
        ("collected_by", "text"),
        ("exemptions", "text"),
    ),
    "documents": (
        ("procedure", "code"),
        ("order", "int"),
        ("name", "text"),
        ("form", "text"),
        ("count", "int"),
        ("required", "bool"),
        ("filled_online", "bool"),
        ("note", "text"),
    ),
    "steps": (
        ("procedure", "code"),
        ("order", "int"),
        ("name", "text"),
        ("role", "text"),
        ("division", "text"),
        ("other_agency", "text"),
        ("share_percent", "int"),
    ),
    "form_fields": (
        ("procedure", "code"),
        ("key", "text"),
        ("label", "text"),
        ("type", "text"),
        ("required", "bool"),
        ("help", "text"),
        ("choices", "choices"),
        ("show_if_field", "text"),
        ("show_if_equals", "text"),
        ("min", "int"),
        ("max", "int"),
        ("max_length", "int"),
    ),
}
# Columns added after version 1: a workbook written before them still imports without them.
OPTIONAL_COLUMNS = {"procedures": {"accepts_docx"}, "documents": {"filled_online"}}
ABOUT_SHEET = "about"
_TRUE = {"có", "co", "x", "1", "true", "yes", "đúng"}
_FALSE = {"không", "khong", "0", "false", "no", "sai"}


# --- Writing -------------------------------------------------------------------------------------


def write_workbook(document: dict[str, Any], target: BinaryIO) -> None:
    """Write a format document as a workbook."""
    book = Workbook()
    about = book.active
    assert about is not None
    about.title = ABOUT_SHEET
    about.append(["format", FORMAT_NAME])
    about.append(["version", FORMAT_VERSION])
    rows = _rows_of(document)
    for name, columns in SHEETS.items():
        sheet = book.create_sheet(name)
        sheet.append([column for column, _kind in columns])
        for row in rows[name]:
            sheet.append([_cell(row.get(column), kind) for column, kind in columns])
        sheet.freeze_panes = "A2"
    book.save(target)


def _rows_of(document: dict[str, Any]) -> dict[str, list[Row]]:
    rows: dict[str, list[Row]] = defaultdict(list)
    rows["fields"] = list(document["fields"])
    for procedure in document["procedures"]:
        code = procedure["code"]
        rows["procedures"].append(_procedure_row(procedure))
        rows["fees"] += [{"procedure": code, **fee} for fee in procedure["fees"]]
        rows["documents"] += [{"procedure": code, **doc} for doc in procedure["documents"]]
        if procedure.get("process"):
            rows["steps"] += [{"procedure": code, **step} for step in procedure["process"]["steps"]]
        if procedure.get("form"):
            rows["form_fields"] += [_form_field_row(code, spec) for spec in procedure["form"]["fields"]]
    return rows


def _procedure_row(procedure: dict[str, Any]) -> Row:
    time = procedure["processing_time"]
    process, form = procedure.get("process") or {}, procedure.get("form") or {}
    return {
        **procedure,
        "processing_amount": time["amount"],
        "processing_unit": time["unit"],
        "cutoff_rule": time["cutoff_rule"],
        "processing_note": time["note"],
        "process_name": process.get("name", ""),
        "process_note": process.get("note", ""),
        "form_title": form.get("title", ""),
    }


def _form_field_row(code: str, spec: dict[str, Any]) -> Row:
    condition = spec.get("show_if") or {}
    return {
        "procedure": code,
        **spec,
        "show_if_field": condition.get("field", ""),
        "show_if_equals": condition.get("equals", ""),
    }


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "list":
        return "\n".join(value)
    if kind == "choices":
        return "\n".join(f"{c['value']}={c['label']}" for c in value)
    return value


# --- Reading -------------------------------------------------------------------------------------


def read_workbook(source: BinaryIO | bytes) -> dict[str, Any]:
    """The format document in a workbook; ``CatalogueImportError`` for unreadable cells."""
    stream = BytesIO(source) if isinstance(source, bytes) else source
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise CatalogueImportError(
            [ImportProblem("tệp", _("Không đọc được tệp Excel: %(error)s") % {"error": error})]
        ) from error
    problems: list[ImportProblem] = []
    sheets = {name: list(_sheet_rows(book, name, problems)) for name in SHEETS}
    document = _document(_about(book, problems), sheets, problems)
    book.close()
    if problems:
        raise CatalogueImportError(problems)
    return document


def _about(book: Any, problems: list[ImportProblem]) -> dict[str, Any]:
    if ABOUT_SHEET not in book.sheetnames:
        problems.append(ImportProblem(ABOUT_SHEET, _("Thiếu trang tính “about” (format, version).")))
        return {}
    return {str(r[0]): r[1] for r in book[ABOUT_SHEET].iter_rows(values_only=True) if r and r[0]}


def _sheet_rows(book: Any, name: str, problems: list[ImportProblem]) -> Iterator[Row]:
    if name not in book.sheetnames:
        problems.append(ImportProblem(name, _("Thiếu trang tính “%(sheet)s”.") % {"sheet": name}))
        return
    sheet: Worksheet = book[name]
    lines = sheet.iter_rows(values_only=True)
    header = [str(cell).strip() if cell is not None else "" for cell in next(lines, ())]
    kinds = dict(SHEETS[name])
    optional = OPTIONAL_COLUMNS.get(name, set())
    missing = [column for column in kinds if column not in header and column not in optional]
    if missing:
        problems.append(
            ImportProblem(
                name,
                _("Trang tính “%(sheet)s” thiếu cột: %(columns)s.")
                % {"sheet": name, "columns": ", ".join(missing)},
            )
        )
        return
    for number, values in enumerate(lines, start=2):
        if all(value in (None, "") for value in values):
            continue
        where = _("trang “%(sheet)s”, dòng %(row)d") % {"sheet": name, "row": number}
        row: Row = {WHERE: where}
        for column, value in zip(header, values, strict=False):
            if column in kinds:
                row[column] = _convert(value, kinds[column], f"{where}, cột “{column}”", problems)
        yield row


def _convert(value: Any, kind: str, where: str, problems: list[ImportProblem]) -> Any:
    if isinstance(value, str):
        value = value.strip()
    if value in (None, ""):
        return None
    match kind:
        case "code" if not isinstance(value, str):
            problems.append(
                ImportProblem(where, _("Excel đã đổi mã thành số: định dạng ô là Văn bản (Text)."))
            )
        case "text":
            return value if isinstance(value, str) else str(value)
        case "int":
            return _integer(value, where, problems)
        case "bool":
            return _boolean(value, where, problems)
        case "list":
            return [part.strip() for part in str(value).replace(",", "\n").splitlines() if part.strip()]
        case "choices":
            return _choices(str(value), where, problems)
    return value


def _integer(value: Any, where: str, problems: list[ImportProblem]) -> int | None:
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        return value
    elif isinstance(value, float) and value.is_integer():
        return int(value)
    elif isinstance(value, str) and value.replace(".", "").isdigit():
        return int(value.replace(".", ""))  # "1.500.000" as Vietnamese write amounts
    problems.append(ImportProblem(where, _("phải là số nguyên, không phải “%(value)s”.") % {"value": value}))
    return None


def _boolean(value: Any, where: str, problems: list[ImportProblem]) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    problems.append(
        ImportProblem(where, _("ghi “có” hoặc “không”, không phải “%(value)s”.") % {"value": value})
    )
    return None


def _choices(value: str, where: str, problems: list[ImportProblem]) -> list[dict[str, str]]:
    choices = []
    for line in value.splitlines():
        if not line.strip():
            continue
        code, sign, label = line.partition("=")
        if not sign or not code.strip() or not label.strip():
            problems.append(
                ImportProblem(
                    where, _("mỗi dòng có dạng giá_trị=Nhãn, không phải “%(line)s”.") % {"line": line}
                )
            )
            continue
        choices.append({"value": code.strip(), "label": label.strip()})
    return choices


def _document(
    about: dict[str, Any], sheets: dict[str, list[Row]], problems: list[ImportProblem]
) -> dict[str, Any]:
    procedures: dict[str, Row] = {}
    for row in sheets["procedures"]:
        code = row.get("code") or ""
        if code in procedures:
            problems.append(
                ImportProblem(row[WHERE], _("Thủ tục “%(code)s” xuất hiện hai lần.") % {"code": code})
            )
            continue
        procedures[code] = _procedure_from_row(row)
    for sheet, attach in (
        ("fees", _attach_fee),
        ("documents", _attach_document),
        ("steps", _attach_step),
        ("form_fields", _attach_form_field),
    ):
        for row in sorted(
            sheets[sheet], key=lambda r: (r.get("order") or 0) if sheet != "form_fields" else 0
        ):
            owner = procedures.get(row.get("procedure") or "")
            if owner is None:
                problems.append(
                    ImportProblem(
                        row[WHERE],
                        _("thủ tục “%(code)s” không có trong trang “procedures”.")
                        % {"code": row.get("procedure")},
                    )
                )
                continue
            attach(owner, {k: v for k, v in row.items() if k != "procedure" and v is not None})
    return {
        "format": about.get("format"),
        "version": about.get("version"),
        "fields": [_drop_empty(row) for row in sheets["fields"]],
        "procedures": [_finish(p) for p in procedures.values()],
    }


def _procedure_from_row(row: Row) -> Row:
    data = {k: v for k, v in row.items() if v is not None}
    data["processing_time"] = {
        name: data.pop(f"processing_{name}")
        for name in ("amount", "unit", "note")
        if f"processing_{name}" in data
    }
    if "cutoff_rule" in data:
        data["processing_time"]["cutoff_rule"] = data.pop("cutoff_rule")
    data["process"] = {
        "name": data.pop("process_name", ""),
        "note": data.pop("process_note", ""),
        "steps": [],
    }
    data["form"] = {"title": data.pop("form_title", ""), "fields": []}
    data.setdefault("fees", [])
    data.setdefault("documents", [])
    return data


def _attach_fee(procedure: Row, row: Row) -> None:
    procedure["fees"].append(row)


def _attach_document(procedure: Row, row: Row) -> None:
    procedure["documents"].append(row)


def _attach_step(procedure: Row, row: Row) -> None:
    procedure["process"]["steps"].append(row)


def _attach_form_field(procedure: Row, row: Row) -> None:
    condition = (row.pop("show_if_field", None), row.pop("show_if_equals", None))
    if condition != (None, None):
        row["show_if"] = {"field": condition[0] or "", "equals": condition[1] or ""}
    procedure["form"]["fields"].append(row)


def _finish(procedure: Row) -> Row:
    """A procedure without steps or form fields has no process or form (not empty ones)."""
    if not procedure["process"]["steps"] and not procedure["process"]["name"]:
        procedure["process"] = None
    if not procedure["form"]["fields"] and not procedure["form"]["title"]:
        procedure["form"] = None
    return procedure


def _drop_empty(row: Row) -> Row:
    return {k: v for k, v in row.items() if v is not None}
