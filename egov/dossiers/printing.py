"""The one-stop shop's printed forms (DOMAIN.md §1): what each form prints, and its PDF.

Each form is a frozen dataclass holding exactly what the paper shows, built by the caller (the desk
views, tasks) from the ORM; this module never touches the database, so a form can be printed again
from a stored snapshot and tested without one. ``render_<form>(data) -> bytes`` lays it out with
``egov.core.pdf.render_pdf`` and the templates in ``templates/dossiers/forms/``.

The wording, titles and layout live in the templates: the forms are set by Circular 01/2018/TT-VPCP,
now Circular 03/2025/TT-VPCP, and a new circular should only mean editing templates. Dates print as
Decree 30 writes them (``ngày 13 tháng 02 năm 2026``) or ``dd/mm/yyyy`` in tables, times ``HH:MM``,
always in the configured ``TIME_ZONE`` (the agency's clock), whatever zone the request activated.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from egov.core.pdf import render_pdf

TEMPLATE_DIR = "dossiers/forms"


# --- formatting -----------------------------------------------------------------------------


def vn_money(amount: int) -> str:
    """``1.500.000 đồng``: Vietnamese groups thousands with dots; amounts are whole đồng."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,} đồng".replace(",", ".")


def vn_date(value: date | datetime | None) -> str:
    """``13/02/2026`` (local date for datetimes); empty for None, so a blank stays blank on paper."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return f"{value:%d/%m/%Y}"


def vn_datetime(value: datetime | None) -> str:
    """``09:40 13/02/2026``, the compact form used in table cells."""
    if value is None:
        return ""
    return f"{_local(value):%H:%M} {vn_date(value)}"


def _local(value: datetime) -> datetime:
    """In the agency's zone (``TIME_ZONE``), not the one a request may have activated."""
    if timezone.is_naive(value):
        return value
    return timezone.localtime(value, ZoneInfo(settings.TIME_ZONE))


# --- what the forms print --------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """The Decree 30 heading: agency top left, the state's name and motto top right."""

    agency_name: str  # issuing agency or the one-stop desk's host, e.g. "Trung tâm Phục vụ hành chính công"
    place: str  # place name before the date, e.g. "Cà Mau"
    agency_parent: str = ""  # governing body, e.g. "Ủy ban nhân dân tỉnh Cà Mau"
    document_number: str = ""  # "Số: …"; empty leaves the blank of the paper form
    issued_on: date | datetime | None = None  # empty leaves "ngày … tháng … năm …" to fill by hand


@dataclass(frozen=True)
class Applicant:
    name: str
    address: str = ""
    phone: str = ""
    email: str = ""


class DocumentForm(StrEnum):
    """How a document was handed in (labels in the templates: Bản chính, Bản sao chứng thực, Bản chụp)."""

    ORIGINAL = "original"
    CERTIFIED_COPY = "certified_copy"
    PHOTOCOPY = "photocopy"


@dataclass(frozen=True)
class DocumentLine:
    name: str
    form: DocumentForm
    count: int = 1


@dataclass(frozen=True)
class FeeLine:
    name: str
    amount: int  # whole đồng
    paid: bool

    @property
    def amount_text(self) -> str:
        return vn_money(self.amount)


@dataclass(frozen=True)
class ReceiptData:
    """Form 01, Giấy tiếp nhận hồ sơ và hẹn trả kết quả: issued when the desk accepts a dossier."""

    heading: Heading
    desk_name: str
    dossier_code: str
    applicant: Applicant
    procedure_name: str
    processing_time: str  # as the procedure states it, e.g. "05 ngày làm việc"
    received_at: datetime
    due_at: datetime
    documents: tuple[DocumentLine, ...]
    tracking_url: str  # encoded in the QR code
    officer_name: str
    fees: tuple[FeeLine, ...] = ()
    dossier_sets: int = 1  # "Số lượng hồ sơ: … (bộ)"
    result_delivery: str = ""  # "Đăng ký nhận kết quả tại: …", e.g. the desk, by post, online
    register_book: str = ""  # "Vào Sổ theo dõi hồ sơ, Quyển số: …"
    register_line: int | None = None  # "… Số thứ tự: …"

    @property
    def fees_total_text(self) -> str:
        return vn_money(sum(fee.amount for fee in self.fees))


@dataclass(frozen=True)
class SupplementRequestData:
    """Form 02, Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""

    heading: Heading
    desk_name: str
    dossier_code: str
    applicant: Applicant
    procedure_name: str
    missing_documents: tuple[DocumentLine, ...]
    reason: str
    officer_name: str
    contact_phone: str = ""  # whom the applicant calls while completing the dossier


@dataclass(frozen=True)
class RefusalData:
    """Form 03, Phiếu từ chối tiếp nhận giải quyết hồ sơ."""

    heading: Heading
    desk_name: str
    dossier_code: str
    applicant: Applicant
    procedure_name: str
    reason: str
    officer_name: str


@dataclass(frozen=True)
class Signer:
    """Who signs a letter for the agency: capacity (KT., TL., …) above the position, then the name."""

    position: str  # e.g. "Giám đốc"
    name: str
    capacity: str = ""  # e.g. "KT. Giám đốc" when a deputy signs; printed above the position


@dataclass(frozen=True)
class ApologyData:
    """Form 04, Phiếu xin lỗi và hẹn lại ngày trả kết quả: issued before the appointment passes."""

    heading: Heading
    dossier_code: str
    applicant: Applicant
    procedure_name: str
    received_at: datetime
    due_at: datetime  # the appointment on the receipt (the legal due date stays unchanged)
    reason: str
    promised_at: datetime  # the new date promised to the applicant
    signer: Signer
    recipients: tuple[str, ...] = ()  # "Nơi nhận"


@dataclass(frozen=True)
class StopNoticeData:
    """Form 05, Thông báo dừng giải quyết hồ sơ."""

    heading: Heading
    dossier_code: str
    applicant: Applicant
    procedure_name: str
    received_at: datetime
    reason: str
    signer: Signer
    recipients: tuple[str, ...] = ()


class HandoverResult(StrEnum):
    """A step's result on the control slip (labels in the template: Trước hạn, Đúng hạn, Quá hạn)."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


@dataclass(frozen=True)
class ControlSlipRow:
    """One hand-over: who gave the dossier to whom, when; the signatures are left blank for ink."""

    handed_over_by: str  # agency/unit handing over, e.g. "Bộ phận Một cửa"
    received_by: str  # agency/unit receiving, e.g. "Phòng Hộ tịch"
    handed_over_at: datetime | None = None
    received_at: datetime | None = None
    result: HandoverResult | None = None
    note: str = ""


@dataclass(frozen=True)
class ControlSlipData:
    """Form 06, Phiếu kiểm soát quá trình giải quyết hồ sơ: travels with the dossier."""

    heading: Heading
    dossier_code: str
    applicant: Applicant
    procedure_name: str
    received_at: datetime
    due_at: datetime
    lead_agency: str  # "Cơ quan (bộ phận) giải quyết hồ sơ"
    rows: tuple[ControlSlipRow, ...]
    cooperating_agencies: tuple[str, ...] = ()  # inter-agency procedures


@dataclass(frozen=True)
class RegisterRow:
    line_number: int
    dossier_code: str
    procedure_name: str
    applicant_name: str
    applicant_address: str
    applicant_phone: str
    lead_agency: str
    received_at: datetime
    due_at: datetime
    dossier_sets: int = 1
    transferred_at: datetime | None = None  # sent to the processing agency
    result_received_at: datetime | None = None  # result back from it
    returned_at: datetime | None = None  # given to the applicant
    note: str = ""


@dataclass(frozen=True)
class RegisterData:
    """Form 07, Sổ theo dõi hồ sơ, for one book and period (landscape; also exported to Excel)."""

    heading: Heading
    book: str  # "Quyển số"
    period_start: date
    period_end: date
    rows: tuple[RegisterRow, ...]


@dataclass(frozen=True)
class DeclarationData:
    """The filled declaration (tờ khai) of a procedure with an electronic form schema, signed by the
    applicant. ``lines`` are the answers as ``procedures.rules.declaration_lines`` gives them: the
    fields shown by the schema's conditions, in schema order, each ``(label, answer)``."""

    heading: Heading  # the agency the declaration is addressed to ("Kính gửi"); place and date below
    procedure_name: str
    applicant: Applicant
    lines: tuple[tuple[str, str], ...]
    submitted_at: date | datetime | None = None  # empty leaves "ngày … tháng … năm …" to fill by hand
    place: str = ""  # place name before the date, e.g. "Cà Mau"
    dossier_code: str = ""


# --- rendering -------------------------------------------------------------------------------


def render_receipt(data: ReceiptData) -> bytes:
    return _render("form_01_receipt.html", data)


def render_supplement_request(data: SupplementRequestData) -> bytes:
    return _render("form_02_supplement_request.html", data)


def render_refusal(data: RefusalData) -> bytes:
    return _render("form_03_refusal.html", data)


def render_apology(data: ApologyData) -> bytes:
    return _render("form_04_apology.html", data)


def render_stop_notice(data: StopNoticeData) -> bytes:
    return _render("form_05_stop_notice.html", data)


def render_control_slip(data: ControlSlipData) -> bytes:
    return _render("form_06_control_slip.html", data)


def render_register(data: RegisterData) -> bytes:
    return _render("form_07_register.html", data)


def render_declaration(data: DeclarationData) -> bytes:
    return _render("declaration.html", data)


class _Form(Protocol):
    @property
    def heading(self) -> Heading: ...


def _render(template: str, data: _Form) -> bytes:
    # A legal form shows the agency's time, not whatever zone the visitor's request activated.
    with timezone.override(settings.TIME_ZONE):
        return render_pdf(f"{TEMPLATE_DIR}/{template}", {"data": data, "heading": data.heading})


# --- the register as a spreadsheet ------------------------------------------------------------

# Excel has no template: the register's column headings are kept here, in the order of form 07
# (templates/dossiers/forms/form_07_register.html prints the same columns; change both together).
REGISTER_TITLE = "SỔ THEO DÕI HỒ SƠ"
REGISTER_COLUMNS = (
    ("STT", 6),
    ("Mã hồ sơ", 26),
    ("Tên thủ tục hành chính", 36),
    ("Số lượng hồ sơ (bộ)", 10),
    ("Tên cá nhân, tổ chức", 24),
    ("Địa chỉ, số điện thoại", 30),
    ("Cơ quan chủ trì giải quyết", 24),
    ("Nhận hồ sơ", 17),
    ("Hẹn trả kết quả", 17),
    ("Chuyển hồ sơ đến cơ quan giải quyết", 17),
    ("Nhận kết quả từ cơ quan giải quyết", 17),
    ("Trả kết quả cho cá nhân, tổ chức", 17),
    ("Ký nhận", 12),
    ("Ghi chú", 20),
)


def register_xlsx(data: RegisterData) -> bytes:
    """The register as an .xlsx workbook: a title block, one header row, one row per dossier."""
    from openpyxl import Workbook  # imported on use: only exports need it
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "So theo doi ho so"  # sheet names: ASCII avoids trouble in older spreadsheet tools
    sheet.append([REGISTER_TITLE])
    sheet.append(
        [
            f"Quyển số: {data.book}",
            "",
            f"Từ ngày {vn_date(data.period_start)} đến ngày {vn_date(data.period_end)}",
        ]
    )
    sheet.append([data.heading.agency_name])
    sheet.append([name for name, _width in REGISTER_COLUMNS])
    header_row = sheet.max_row
    for row in data.rows:
        sheet.append(_register_cells(row))
        for cell in sheet[sheet.max_row]:
            # openpyxl stores "=…" as a formula: an applicant's name must never run as one.
            if cell.data_type == "f":
                cell.data_type = "s"
    sheet["A1"].font = Font(bold=True, size=14)
    for index, (_name, width) in enumerate(REGISTER_COLUMNS, start=1):
        cell = sheet.cell(row=header_row, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _register_cells(row: RegisterRow) -> list[str | int]:
    # Times as text in the Vietnamese format: a spreadsheet date would show in the reader's locale.
    contact = ", ".join(part for part in (row.applicant_address, row.applicant_phone) if part)
    return [
        row.line_number,
        row.dossier_code,
        row.procedure_name,
        row.dossier_sets,
        row.applicant_name,
        contact,
        row.lead_agency,
        vn_datetime(row.received_at),
        vn_datetime(row.due_at),
        vn_datetime(row.transferred_at),
        vn_datetime(row.result_received_at),
        vn_datetime(row.returned_at),
        "",
        row.note,
    ]
