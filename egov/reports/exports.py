"""The statistics table as an .xlsx workbook (openpyxl): the numbers, not a picture of the page.

Headings are in Vietnamese whatever the reader's language, as the printed forms are: the
workbook is filed and sent on to the province, where it must read the same for everyone.
"""

from __future__ import annotations

import io

from egov.dossiers.printing import vn_date, vn_datetime
from egov.reports.rules import Figures
from egov.reports.selectors import Report

TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
# (heading, attribute of Figures) in the order of the table on screen.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Tiếp nhận trực tiếp", "received_desk"),
    ("Tiếp nhận trực tuyến", "received_online"),
    ("Tiếp nhận qua bưu chính", "received_post"),
    ("Tổng tiếp nhận", "received"),
    ("Đã giải quyết trước hạn", "finished_early"),
    ("Đã giải quyết đúng hạn", "finished_on_time"),
    ("Đã giải quyết quá hạn", "finished_late"),
    ("Đã giải quyết quá hạn (cách tính quốc gia)", "finished_late_national"),
    ("Đang giải quyết trong hạn", "in_progress_on_time"),
    ("Đang giải quyết quá hạn", "in_progress_late"),
    ("Đang giải quyết quá hạn (cách tính quốc gia)", "in_progress_late_national"),
    ("Đã trả kết quả", "returned"),
    ("Rút hồ sơ", "withdrawn"),
    ("Từ chối tiếp nhận", "refused"),
    ("Tỷ lệ đúng hạn (%)", "on_time_share"),
    ("Tỷ lệ đúng hạn, cách tính quốc gia (%)", "national_on_time_share"),
)


def _values(figures: Figures) -> list[int | float | None]:
    values: list[int | float | None] = []
    for _heading, name in COLUMNS:
        value = getattr(figures, name)
        values.append(float(value) if name.endswith("share") and value is not None else value)
    return values


def statistics_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook  # imported on use: only exports need it
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "Thong ke"  # ASCII sheet names avoid trouble in older spreadsheet tools
    sheet.append([TITLE])
    sheet.append(
        [
            f"Kỳ báo cáo: từ ngày {vn_date(report.period.start)} đến ngày {vn_date(report.period.end)}"
            f"; hồ sơ đang giải quyết tính đến {vn_datetime(report.measured_at)}"
        ]
    )
    sheet.append(["Cơ quan", "Mã thủ tục", "Tên thủ tục", *(heading for heading, _name in COLUMNS)])
    header_row = sheet.max_row
    for row in report.rows:
        sheet.append([row.agency_name, row.procedure_code, row.procedure_name, *_values(row.figures)])
        for cell in sheet[sheet.max_row][:3]:
            # openpyxl stores "=…" as a formula: a name typed by someone must never run as one.
            if cell.data_type == "f":
                cell.data_type = "s"
    sheet.append(["Tổng cộng", "", "", *_values(report.total)])
    sheet["A1"].font = Font(bold=True, size=14)
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["C"].width = 40
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=4)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
