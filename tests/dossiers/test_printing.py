"""The one-stop forms print what the law asks, in Vietnamese, from plain data (no database)."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from egov.core import qr
from egov.dossiers import printing
from egov.dossiers.printing import (
    ApologyData,
    Applicant,
    ControlSlipData,
    ControlSlipRow,
    DeclarationData,
    DocumentForm,
    DocumentLine,
    FeeLine,
    HandoverResult,
    Heading,
    ReceiptData,
    RefusalData,
    RegisterData,
    RegisterRow,
    Signer,
    StopNoticeData,
    SupplementRequestData,
)
from egov.procedures import rules

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CODE = "000.00.12.H56-260213-0001"
TRACKING_URL = f"https://dichvucong.example/tra-cuu/{CODE}"
APPLICANT = Applicant(
    name="Nguyễn Thị Ánh Tuyết",
    address="Số 12 đường Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa",
    phone="0912 345 678",
    email="anhtuyet@example.vn",
)
PROCEDURE = "Cấp bản sao trích lục hộ tịch"
RECEIVED = datetime(2026, 2, 13, 9, 40, tzinfo=VN)
DUE = datetime(2026, 2, 27, 9, 40, tzinfo=VN)  # DOMAIN.md worked example: 5 working days over Tết


def heading(**overrides: object) -> Heading:
    values: dict[str, object] = {
        "agency_parent": "Ủy ban nhân dân tỉnh Thanh Hóa",
        "agency_name": "Sở Tư pháp",
        "place": "Thanh Hóa",
        "document_number": "15/GTN-STP",
        "issued_on": RECEIVED,
        **overrides,
    }
    return Heading(**values)  # type: ignore[arg-type]


def receipt(**overrides: object) -> ReceiptData:
    values: dict[str, object] = {
        "heading": heading(),
        "desk_name": "Bộ phận Một cửa Sở Tư pháp tại Trung tâm Phục vụ hành chính công tỉnh",
        "dossier_code": CODE,
        "applicant": APPLICANT,
        "procedure_name": PROCEDURE,
        "processing_time": "05 ngày làm việc",
        "received_at": RECEIVED,
        "due_at": DUE,
        "documents": (
            DocumentLine("Tờ khai cấp bản sao trích lục hộ tịch", DocumentForm.ORIGINAL, 1),
            DocumentLine("Căn cước của người yêu cầu", DocumentForm.CERTIFIED_COPY, 1),
            DocumentLine("Giấy ủy quyền", DocumentForm.PHOTOCOPY, 2),
        ),
        "fees": (FeeLine("Lệ phí cấp bản sao trích lục", 1_500_000, paid=True),),
        "result_delivery": "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
        "register_book": "01/2026",
        "register_line": 37,
        "tracking_url": TRACKING_URL,
        "officer_name": "Lê Văn Đức",
        **overrides,
    }
    return ReceiptData(**values)  # type: ignore[arg-type]


def supplement_request() -> SupplementRequestData:
    return SupplementRequestData(
        heading=heading(document_number=""),
        desk_name="Bộ phận Một cửa Sở Tư pháp",
        dossier_code=CODE,
        applicant=APPLICANT,
        procedure_name=PROCEDURE,
        missing_documents=(DocumentLine("Giấy ủy quyền có chứng thực", DocumentForm.CERTIFIED_COPY, 1),),
        reason="Giấy ủy quyền nộp kèm chưa được chứng thực chữ ký.",
        officer_name="Lê Văn Đức",
        contact_phone="0237 3900 900",
    )


def refusal() -> RefusalData:
    return RefusalData(
        heading=heading(document_number=""),
        desk_name="Bộ phận Một cửa Sở Tư pháp",
        dossier_code=CODE,
        applicant=APPLICANT,
        procedure_name=PROCEDURE,
        reason="Yêu cầu không thuộc thẩm quyền giải quyết của Sở Tư pháp.",
        officer_name="Lê Văn Đức",
    )


def signer() -> Signer:
    return Signer(position="Phó Giám đốc", capacity="KT. Giám đốc", name="Trịnh Thị Hằng")


def apology() -> ApologyData:
    return ApologyData(
        heading=heading(document_number="22/PXL-STP", issued_on=date(2026, 2, 26)),
        dossier_code=CODE,
        applicant=APPLICANT,
        procedure_name=PROCEDURE,
        received_at=RECEIVED,
        due_at=DUE,
        reason="Cần xác minh thông tin hộ tịch với Ủy ban nhân dân phường nơi đăng ký khai sinh.",
        promised_at=datetime(2026, 3, 5, 16, 0, tzinfo=VN),
        signer=signer(),
        recipients=("Như trên", "Lưu: VT"),
    )


def stop_notice() -> StopNoticeData:
    return StopNoticeData(
        heading=heading(document_number="23/TB-STP", issued_on=date(2026, 2, 20)),
        dossier_code=CODE,
        applicant=APPLICANT,
        procedure_name=PROCEDURE,
        received_at=RECEIVED,
        reason="Người yêu cầu có văn bản đề nghị dừng giải quyết hồ sơ.",
        signer=signer(),
        recipients=("Như trên", "Lưu: VT"),
    )


def control_slip() -> ControlSlipData:
    return ControlSlipData(
        heading=heading(),
        dossier_code=CODE,
        applicant=APPLICANT,
        procedure_name=PROCEDURE,
        received_at=RECEIVED,
        due_at=DUE,
        lead_agency="Phòng Hành chính tư pháp, Sở Tư pháp",
        cooperating_agencies=("Ủy ban nhân dân phường Hạc Thành",),
        rows=(
            ControlSlipRow(
                "Bộ phận Một cửa",
                "Phòng Hành chính tư pháp",
                handed_over_at=datetime(2026, 2, 13, 10, 5, tzinfo=VN),
                received_at=datetime(2026, 2, 13, 10, 30, tzinfo=VN),
                result=HandoverResult.EARLY,
            ),
            ControlSlipRow(
                "Phòng Hành chính tư pháp",
                "Lãnh đạo Sở",
                handed_over_at=datetime(2026, 2, 24, 15, 0, tzinfo=VN),
                result=HandoverResult.ON_TIME,
                note="Trình ký",
            ),
            ControlSlipRow("Lãnh đạo Sở", "Bộ phận Một cửa"),
        ),
    )


def register(rows: int = 12) -> RegisterData:
    return RegisterData(
        heading=heading(document_number="", issued_on=None),
        book="01/2026",
        period_start=date(2026, 2, 1),
        period_end=date(2026, 2, 28),
        rows=tuple(register_row(line) for line in range(1, rows + 1)),
    )


def register_row(line: int) -> RegisterRow:
    return RegisterRow(
        line_number=line,
        dossier_code=f"000.00.12.H56-260213-{line:04d}",
        procedure_name=PROCEDURE,
        applicant_name=f"Trần Văn Hưởng {line}",
        applicant_address="Phường Hạc Thành",
        applicant_phone="0912 000 111",
        lead_agency="Sở Tư pháp",
        received_at=RECEIVED,
        due_at=DUE,
        transferred_at=datetime(2026, 2, 13, 10, 5, tzinfo=VN) if line % 2 else None,
        returned_at=datetime(2026, 2, 26, 14, 0, tzinfo=VN) if line % 3 == 0 else None,
    )


# --- helpers -------------------------------------------------------------------------------


def pdf_text(pdf: bytes, tmp_path: Path, *options: str) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", *options, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return unicodedata.normalize("NFC", result.stdout.decode("utf-8"))


def flat(text: str) -> str:
    """One space between words, whatever the line breaks: what a reader sees."""
    return " ".join(text.split())


def page_size_mm(pdf: bytes, tmp_path: Path) -> tuple[float, float]:
    path = tmp_path / "size.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    match = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert match, info
    return tuple(round(float(points) * 25.4 / 72) for points in match.groups())  # type: ignore[return-value]


# --- formatting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "0 đồng"),
        (500, "500 đồng"),
        (1_500_000, "1.500.000 đồng"),
        (12_345_678_900, "12.345.678.900 đồng"),
    ],
)
def test_money_is_grouped_with_dots_and_named_in_dong(amount, text):
    assert printing.vn_money(amount) == text


def test_dates_and_times_are_written_in_the_agencys_time_zone():
    midnight_utc = datetime(2026, 2, 12, 17, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on the 13th in Vietnam
    with timezone.override("Europe/Paris"):
        assert printing.vn_datetime(midnight_utc) == "00:30 13/02/2026"
    assert printing.vn_date(date(2026, 3, 9)) == "09/03/2026"
    assert printing.vn_date(None) == printing.vn_datetime(None) == ""


# --- the forms -----------------------------------------------------------------------------


def test_the_receipt_prints_the_title_code_applicant_documents_appointment_and_fees(tmp_path):
    text = flat(pdf_text(printing.render_receipt(receipt()), tmp_path))
    for expected in (
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "SỞ TƯ PHÁP",
        f"Mã hồ sơ: {CODE}",
        "Tiếp nhận hồ sơ của: Nguyễn Thị Ánh Tuyết",
        "Tờ khai cấp bản sao trích lục hộ tịch",
        "Bản chính",
        "Bản sao chứng thực",
        "Bản chụp",
        "Thời gian nhận hồ sơ: 09 giờ 40 phút, ngày 13 tháng 02 năm 2026",
        "Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 40 phút, ngày 27 tháng 02 năm 2026",
        "05 ngày làm việc",
        "1.500.000 đồng (đã nộp)",
        "Quyển số: 01/2026, Số thứ tự: 37",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Lê Văn Đức",
    ):
        assert expected in text


def test_the_receipt_prints_times_in_vietnam_even_when_the_request_uses_another_zone(tmp_path):
    with timezone.override("UTC"):
        text = flat(pdf_text(printing.render_receipt(receipt()), tmp_path))
    assert "09 giờ 40 phút, ngày 13 tháng 02 năm 2026" in text


def test_the_receipt_draws_a_qr_code_that_reads_as_the_tracking_url(tmp_path):
    pdf = printing.render_receipt(receipt())
    box = link_rect(pdf, TRACKING_URL)  # the code is wrapped in a link to the same URL
    modules = qr_modules_in(pdf, box, tmp_path)
    expected = [[bool(dark) for dark in row] for row in qr.make_qr(TRACKING_URL).matrix]
    assert modules == expected


def link_rect(pdf: bytes, url: str) -> tuple[float, float, float, float]:
    """The rectangle (PDF points, origin bottom left) of the first page's link to ``url``."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    for annotation in page.get("/Annots", []):
        annotation = annotation.get_object()
        if annotation.get("/A", {}).get("/URI") == url:
            x1, y1, x2, y2 = (float(value) for value in annotation["/Rect"])
            return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)  # corners in either order
    raise AssertionError(f"no link to {url}")


def qr_modules_in(pdf: bytes, box: tuple[float, float, float, float], tmp_path: Path) -> list[list[bool]]:
    """Rasterise the page and read the QR drawn in ``box`` module by module (dark = True)."""
    dpi = 300
    path = tmp_path / "qr.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "qr")],
        check=True,
    )
    image = Image.open(tmp_path / "qr-1.png").convert("L")
    scale = dpi / 72
    page_height = image.height / scale
    x1, _bottom, x2, y2 = box
    left, top, side = x1 * scale, (page_height - y2) * scale, (x2 - x1) * scale
    count = qr.make_qr(TRACKING_URL).symbol_size(border=qr.QUIET_ZONE)[0]
    module = side / count
    border = qr.QUIET_ZONE

    def dark(row: int, column: int) -> bool:
        centre = (left + (column + border + 0.5) * module, top + (row + border + 0.5) * module)
        return image.getpixel((round(centre[0]), round(centre[1]))) < 128

    size = count - 2 * border
    return [[dark(row, column) for column in range(size)] for row in range(size)]


def test_a_receipt_without_fees_says_so(tmp_path):
    text = flat(pdf_text(printing.render_receipt(receipt(fees=())), tmp_path))
    assert "7. Phí, lệ phí: Không" in text


def test_the_supplement_request_lists_the_missing_documents_and_the_reason(tmp_path):
    text = flat(pdf_text(printing.render_supplement_request(supplement_request()), tmp_path))
    for expected in (
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        CODE,
        "Nguyễn Thị Ánh Tuyết",
        "Giấy ủy quyền có chứng thực",
        "Lý do: Giấy ủy quyền nộp kèm chưa được chứng thực chữ ký.",
        "số điện thoại 0237 3900 900",
        "NGƯỜI HƯỚNG DẪN",
    ):
        assert expected in text


def test_the_refusal_gives_the_reason(tmp_path):
    text = flat(pdf_text(printing.render_refusal(refusal()), tmp_path))
    for expected in (
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        CODE,
        "Nguyễn Thị Ánh Tuyết",
        "Yêu cầu không thuộc thẩm quyền giải quyết của Sở Tư pháp.",
    ):
        assert expected in text


def test_the_apology_gives_the_old_appointment_the_reason_and_the_new_date(tmp_path):
    text = flat(pdf_text(printing.render_apology(apology()), tmp_path))
    for expected in (
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "Số: 22/PXL-STP",
        "Thanh Hóa, ngày 26 tháng 02 năm 2026",
        "Kính gửi: Ông/Bà Nguyễn Thị Ánh Tuyết",
        CODE,
        "Thời gian hẹn trả kết quả: 09 giờ 40 phút, ngày 27 tháng 02 năm 2026",
        "Cần xác minh thông tin hộ tịch",
        "16 giờ 00 phút, ngày 05 tháng 3 năm 2026",  # Decree 30: months from March without a 0
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Trịnh Thị Hằng",
        "Nơi nhận:",
    ):
        assert expected in text


def test_the_stop_notice_gives_the_reason(tmp_path):
    text = flat(pdf_text(printing.render_stop_notice(stop_notice()), tmp_path))
    for expected in (
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        CODE,
        "Nguyễn Thị Ánh Tuyết",
        "Ngày 13/02/2026",
        "Người yêu cầu có văn bản đề nghị dừng giải quyết hồ sơ.",
    ):
        assert expected in text


def test_the_control_slip_has_a_row_per_hand_over_with_times_results_and_blank_signatures(tmp_path):
    text = flat(pdf_text(printing.render_control_slip(control_slip()), tmp_path))
    for expected in (
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        CODE,
        "Nguyễn Thị Ánh Tuyết",
        "Cơ quan (bộ phận) giải quyết hồ sơ: Phòng Hành chính tư pháp, Sở Tư pháp",
        "Cơ quan phối hợp giải quyết hồ sơ: Ủy ban nhân dân phường Hạc Thành",
        "Giao: 10:05 13/02/2026",
        "Nhận: 10:30 13/02/2026",
        "Trước hạn",
        "Đúng hạn",
        "Trình ký",
    ):
        assert expected in text
    assert text.count("Người giao") == 3
    assert text.count("Người nhận") == 3
    assert "Số:" not in text  # a slip that travels with the dossier has no number


def test_the_register_is_landscape_with_one_row_per_dossier_in_order(tmp_path):
    pdf = printing.render_register(register(rows=12))
    assert page_size_mm(pdf, tmp_path) == (297, 210)
    text = flat(pdf_text(pdf, tmp_path))
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Từ ngày 01/02/2026 đến ngày 28/02/2026" in text
    codes = re.findall(r"000\.00\.12\.H56-\s?260213-\s?(\d{4})", text)
    assert codes == [f"{line:04d}" for line in range(1, 13)]
    assert [text.count(f"Trần Văn Hưởng {line} ") for line in range(1, 13)] == [1] * 12


def test_a_long_register_continues_on_more_pages_with_the_header_repeated(tmp_path):
    pdf = printing.render_register(register(rows=60))
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) > 1
    assert all("Mã hồ sơ" in unicodedata.normalize("NFC", page.extract_text()) for page in pages)


def test_the_register_exports_to_excel_with_a_header_and_one_line_per_dossier():
    workbook = load_workbook(io.BytesIO(printing.register_xlsx(register(rows=5))))
    rows = list(workbook.active.iter_rows(values_only=True))
    header_index = next(index for index, row in enumerate(rows) if row[0] == "STT")
    assert rows[0][0] == "SỔ THEO DÕI HỒ SƠ"
    assert rows[header_index][1] == "Mã hồ sơ"
    body = rows[header_index + 1 :]
    assert [row[1] for row in body] == [f"000.00.12.H56-260213-{line:04d}" for line in range(1, 6)]
    first = body[0]
    assert first[4] == "Trần Văn Hưởng 1"
    assert first[7] == "09:40 13/02/2026"
    assert first[8] == "09:40 27/02/2026"
    assert body[1][9] is None or body[1][9] == ""  # not yet transferred: a blank cell


def test_text_typed_by_an_applicant_never_becomes_an_excel_formula():
    row = replace(register_row(1), applicant_name='=HYPERLINK("https://evil.example","Bấm")')
    data = replace(register(rows=0), rows=(row,))
    sheet = load_workbook(io.BytesIO(printing.register_xlsx(data))).active
    cell = next(cell for cells in sheet.iter_rows() for cell in cells if str(cell.value).startswith("=HYPER"))
    assert cell.data_type == "s"


# --- the declaration (tờ khai) -------------------------------------------------------------

DECLARATION_FIELDS = [
    {"key": "ho_ten", "label": "Họ, chữ đệm và tên người được cấp", "type": "person", "required": True},
    {
        "key": "nhan_ket_qua",
        "label": "Hình thức nhận kết quả",
        "type": "choice",
        "choices": [
            {"value": "truc_tiep", "label": "Nhận trực tiếp"},
            {"value": "buu_chinh", "label": "Qua dịch vụ bưu chính"},
        ],
    },
    {
        "key": "dia_chi_nhan",
        "label": "Địa chỉ nhận qua bưu chính",
        "type": "address",
        "show_if": {"field": "nhan_ket_qua", "equals": "buu_chinh"},
    },
    {"key": "so_ban", "label": "Số lượng bản sao đề nghị cấp", "type": "number"},
    {"key": "ghi_chu", "label": "Ghi chú thêm", "type": "textarea"},
]


def test_declaration_lines_follow_the_schema_and_leave_out_hidden_fields():
    answers = {
        "ho_ten": "Đỗ Thị Hường",
        "nhan_ket_qua": "truc_tiep",
        "dia_chi_nhan": "cũ",
        "so_ban": "1500.5",
    }
    assert rules.declaration_lines(DECLARATION_FIELDS, answers) == (
        ("Họ, chữ đệm và tên người được cấp", "Đỗ Thị Hường"),
        ("Hình thức nhận kết quả", "Nhận trực tiếp"),  # a choice prints its label
        ("Số lượng bản sao đề nghị cấp", "1.500,5"),  # a number the Vietnamese way
        ("Ghi chú thêm", ""),  # shown but left blank
    )
    shown = rules.declaration_lines(DECLARATION_FIELDS, {"nhan_ket_qua": "buu_chinh", "dia_chi_nhan": "Số 3"})
    assert ("Địa chỉ nhận qua bưu chính", "Số 3") in shown


def declaration(**answers: str) -> DeclarationData:
    return DeclarationData(
        heading=heading(document_number="", issued_on=None),
        procedure_name=PROCEDURE,
        applicant=APPLICANT,
        lines=rules.declaration_lines(DECLARATION_FIELDS, answers),
        submitted_at=RECEIVED,
        place="Thanh Hóa",
        dossier_code=CODE,
    )


def test_the_declaration_prints_the_shown_answers_the_commitment_and_the_applicants_signature(tmp_path):
    data = declaration(ho_ten="Đỗ Thị Hường", nhan_ket_qua="truc_tiep", dia_chi_nhan="Số 3 phố Cũ")
    text = flat(pdf_text(printing.render_declaration(data), tmp_path))
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "TỜ KHAI",
        PROCEDURE,
        f"Mã hồ sơ: {CODE}",
        "Kính gửi: Sở Tư pháp",
        "Người khai: Nguyễn Thị Ánh Tuyết",
        "Họ, chữ đệm và tên người được cấp",
        "Đỗ Thị Hường",
        "Hình thức nhận kết quả",
        "Nhận trực tiếp",
        "Tôi cam đoan nội dung khai trên là đúng sự thật và chịu trách nhiệm trước pháp luật"
        " về lời khai của mình.",
        "Thanh Hóa, ngày 13 tháng 02 năm 2026",
        "NGƯỜI KHAI",
    ):
        assert expected in text
    assert "Địa chỉ nhận qua bưu chính" not in text and "Số 3 phố Cũ" not in text


def test_the_declaration_shows_a_field_its_condition_allows(tmp_path):
    data = declaration(ho_ten="Đỗ Thị Hường", nhan_ket_qua="buu_chinh", dia_chi_nhan="Số 3 phố Cũ")
    text = flat(pdf_text(printing.render_declaration(data), tmp_path))
    assert "Địa chỉ nhận qua bưu chính Số 3 phố Cũ" in text
    assert "Qua dịch vụ bưu chính" in text
