"""PDFs: Vietnamese text survives exactly, only the bundled font is used, nothing is fetched from outside."""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import translation
from pypdf import PdfReader

from egov.core.pdf import (
    BASE_URL,
    FONT_DIR,
    FONT_FACES,
    html_to_pdf,
    local_resource,
    make_fetcher,
    qr_data_uri,
    render_pdf,
    vn_long_date,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_TEMPLATES = Path(__file__).resolve().parent / "fixtures" / "templates"
TONE_MARKS = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả – Nguyễn Thị Ánh Tuyết, Đắk Lắk, Thừa Thiên Huế, ỹ ữ ặ"
MM = 72 / 25.4  # PDF points per millimetre
A4 = (210 * MM, 297 * MM)


@pytest.fixture
def specimen_templates(settings):
    """The test templates beside the real ones; the real engine options (egov_pdf library) are kept."""
    engine = {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], FIXTURE_TEMPLATES]}
    settings.TEMPLATES = [engine, *settings.TEMPLATES[1:]]


def specimen_context(**overrides: object) -> dict[str, object]:
    return {
        "agency_parent": "Ủy ban nhân dân tỉnh Cà Mau",
        "agency_name": "Trung tâm Phục vụ hành chính công",
        "document_number": "12/GTN-TTPVHCC",
        "place": "Cà Mau",
        "document_date": date(2026, 2, 13),
        "paragraph": TONE_MARKS,
        "rows": [f"Tờ khai số {number}" for number in range(1, 11)],
        "lookup_url": "https://dichvucong.example/tra-cuu/000.00.12.H56-260213-0001",
        **overrides,
    }


def pdf_text(pdf: bytes, tmp_path: Path, *options: str) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", *options, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def flat(text: str) -> str:
    """NFC, one space between words: what a reader sees, whatever the line breaks."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def embedded_fonts(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """(font name without the subset tag, embedded yes/no) for each font pdffonts lists."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()
    rows = [line.split() for line in lines[2:]]
    return [(row[0].split("+", 1)[-1], row[-5]) for row in rows]


# --- text and fonts ---------------------------------------------------------------------------


def test_every_vietnamese_tone_mark_comes_back_exactly_from_the_pdf(specimen_templates, tmp_path):
    pdf = render_pdf("pdf_tests/specimen.html", specimen_context())
    text = flat(pdf_text(pdf, tmp_path))
    assert flat(TONE_MARKS) in text
    assert "Tờ khai số 10" in text


def test_decomposed_input_is_drawn_as_the_same_text(specimen_templates, tmp_path):
    decomposed = unicodedata.normalize("NFD", TONE_MARKS)
    assert decomposed != TONE_MARKS
    pdf = render_pdf("pdf_tests/specimen.html", specimen_context(paragraph=decomposed))
    assert flat(TONE_MARKS) in flat(pdf_text(pdf, tmp_path))


def test_the_heading_follows_decree_30(specimen_templates, tmp_path):
    text = flat(pdf_text(render_pdf("pdf_tests/specimen.html", specimen_context()), tmp_path))
    for line in (
        "ỦY BAN NHÂN DÂN TỈNH CÀ MAU",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 12/GTN-TTPVHCC",
        "Cà Mau, ngày 13 tháng 02 năm 2026",
    ):
        assert line in text


def test_only_the_bundled_liberation_serif_is_embedded(specimen_templates, tmp_path):
    fonts = embedded_fonts(render_pdf("pdf_tests/specimen.html", specimen_context()), tmp_path)
    assert {name for name, _embedded in fonts} == {
        "Liberation-Serif",
        "Liberation-Serif-Bold",
        "Liberation-Serif-Italic",
        "Liberation-Serif-Bold-Italic",
    }
    assert all(embedded == "yes" for _name, embedded in fonts)


@pytest.mark.slow  # a fresh interpreter imports Django and WeasyPrint: about 4 s
def test_rendering_does_not_depend_on_the_hosts_fonts(tmp_path):
    """With a fontconfig that knows no font at all, the bundled files still give Liberation Serif."""
    empty = tmp_path / "fonts.conf"
    empty.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig></fontconfig>\n'
    )
    script = (
        "import sys, django; django.setup()\n"
        "import warnings; warnings.simplefilter('ignore')\n"  # WeasyPrint warns that the host has no fonts
        "from egov.core.pdf import html_to_pdf\n"
        f"sys.stdout.buffer.write(html_to_pdf('<p>{TONE_MARKS}</p><b>Đậm</b>'))\n"
    )
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(empty),
        "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path]),
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "egov.config.test_settings"),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, env=env, check=True, cwd=tmp_path
    )
    assert {name for name, _embedded in embedded_fonts(result.stdout, tmp_path)} == {
        "Liberation-Serif",
        "Liberation-Serif-Bold",
    }
    assert flat(TONE_MARKS) in flat(pdf_text(result.stdout, tmp_path))


def test_threads_render_side_by_side_each_with_its_own_fonts(tmp_path):
    """Task workers may render in threads: fonts are loaded per thread, and renders stay correct."""
    texts = [f"{TONE_MARKS} – bản {number}" for number in range(4)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        pdfs = list(pool.map(lambda text: html_to_pdf(f"<p>{text}</p>"), texts))
    for text, pdf in zip(texts, pdfs, strict=True):
        assert flat(text) in flat(pdf_text(pdf, tmp_path))


def test_the_bundled_fonts_carry_their_licence():
    assert {filename for filename, _weight, _style in FONT_FACES} <= {
        path.name for path in FONT_DIR.iterdir()
    }
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONT_DIR / "LICENSE-OFL.txt").read_text()


def test_forms_are_rendered_in_vietnamese_whatever_the_visitors_language(specimen_templates, tmp_path):
    with translation.override("en"):
        pdf = render_pdf("pdf_tests/specimen.html", specimen_context())
    assert "Ngôn ngữ: Tiếng Việt" in flat(pdf_text(pdf, tmp_path))


# --- page -------------------------------------------------------------------------------------


def test_the_page_is_a4_and_the_specimen_fits_on_one(specimen_templates):
    reader = PdfReader(io.BytesIO(render_pdf("pdf_tests/specimen.html", specimen_context())))
    assert len(reader.pages) == 1  # also proves <img width> is honoured (presentational hints)
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=0.5)


def test_text_stays_inside_the_decree_30_margins(specimen_templates, tmp_path):
    """Left 30 mm, right 15 mm, top and bottom 20 mm; the justified paragraph reaches the right margin."""
    pdf = render_pdf("pdf_tests/specimen.html", specimen_context(paragraph=TONE_MARKS * 3))
    boxes = [box for box, _word in word_boxes(pdf, tmp_path, page=1)]
    left, top = min(box[0] for box in boxes), min(box[1] for box in boxes)
    right, bottom = max(box[2] for box in boxes), max(box[3] for box in boxes)
    assert left >= 30 * MM - 0.5
    assert right <= A4[0] - 15 * MM + 1  # pdftotext measures advances: the last glyph may overhang a little
    assert right >= A4[0] - 15 * MM - 2
    assert top >= 20 * MM - 0.5
    assert bottom <= A4[1] - 20 * MM + 0.5


def test_pages_after_the_first_are_numbered_in_the_top_margin(specimen_templates, tmp_path):
    rows = [f"Giấy tờ số {number}" for number in range(1, 61)]
    pdf = render_pdf("pdf_tests/specimen.html", specimen_context(rows=rows))
    first_page_top = min(box[1] for box, _word in word_boxes(pdf, tmp_path, page=1))
    numbers = [(box, word) for box, word in word_boxes(pdf, tmp_path, page=2) if box[3] < 20 * MM]
    assert first_page_top >= 20 * MM - 0.5  # no number on the first page
    assert [word for _box, word in numbers] == ["2"]
    centre = (numbers[0][0][0] + numbers[0][0][2]) / 2
    assert centre == pytest.approx((30 * MM + A4[0] - 15 * MM) / 2, abs=2)


def word_boxes(pdf: bytes, tmp_path: Path, *, page: int) -> list[tuple[list[float], str]]:
    """([xMin, yMin, xMax, yMax] in points from the top left, word) for one page, from pdftotext -bbox."""
    html = pdf_text(pdf, tmp_path, "-bbox", "-f", str(page), "-l", str(page))
    words = [line.strip() for line in html.splitlines() if line.strip().startswith("<word ")]
    return [
        ([float(part.split('"')[1]) for part in line.split()[1:5]], line.split(">", 1)[1].split("<", 1)[0])
        for line in words
    ]


# --- what may be fetched ------------------------------------------------------------------------

HOSTILE = """
<html><head>
<link rel="stylesheet" href="http://example.com/x.css">
<link rel="attachment" href="file:///etc/passwd">
<style>
  @import url("file:///etc/hosts");
  @font-face { font-family: Remote; src: url(https://example.com/font.ttf); }
  body { background: url(http://example.com/background.png); }
</style></head>
<body>
<p style="font-family: Remote">Nội dung</p>
<img src="http://example.com/x.png"><img src="file:///etc/passwd"><object data="file:///etc/passwd"></object>
<svg width="10" height="10"><image href="http://example.com/y.png" width="10" height="10"/></svg>
</body></html>
"""


def test_external_and_local_urls_are_refused_without_any_connection(caplog, monkeypatch):
    attempts: list[object] = []
    monkeypatch.setattr(socket.socket, "connect", lambda _self, address: attempts.append(address))
    with caplog.at_level(logging.WARNING):
        pdf = html_to_pdf(HOSTILE)
    refused = {record.args[0] for record in caplog.records if record.name == "egov.core.pdf"}  # type: ignore[index]
    assert refused >= {
        "http://example.com/x.css",
        "file:///etc/passwd",
        "file:///etc/hosts",
        "https://example.com/font.ttf",
        "http://example.com/background.png",
        "http://example.com/x.png",
        "http://example.com/y.png",
    }
    assert any(
        "URLRefusedError" in record.getMessage() for record in caplog.records if record.name == "weasyprint"
    )
    assert attempts == []
    assert len(PdfReader(io.BytesIO(pdf)).attachments) == 0
    assert b"root:" not in pdf


def test_static_files_and_data_uris_are_drawn_without_a_refusal(specimen_templates, caplog):
    with caplog.at_level(logging.WARNING):
        render_pdf("pdf_tests/specimen.html", specimen_context())
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == []


def static_url(path: str) -> str:
    from urllib.parse import urljoin

    return urljoin(BASE_URL, django_settings.STATIC_URL + path)


def test_the_fetcher_serves_the_bundled_fonts_and_static_files():
    font = FONT_DIR / "LiberationSerif-Regular.ttf"
    assert local_resource(font.as_uri()) == font
    assert local_resource(static_url("egov/emblem.svg")) == ROOT / "egov" / "static" / "egov" / "emblem.svg"
    response = make_fetcher().fetch(static_url("egov/emblem.svg"))
    assert response.read().startswith(b"<svg")
    assert response.content_type == "image/svg+xml"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://127.0.0.1/admin/",
        "ftp://example.com/x",
        "file:///etc/passwd",
        "file://otherhost/etc/passwd",
        (FONT_DIR / "LiberationSerif-Regular.ttf").as_uri().replace("/fonts/", "/fonts/../"),
        (FONT_DIR.parent / "pdf.py").as_uri(),
        "file:///static/../etc/passwd",
        "file:///static/egov/../../../etc/passwd",
        "file:///static/egov/missing.svg",
    ],
)
def test_the_fetcher_refuses_everything_else(url):
    assert local_resource(url) is None
    with pytest.raises(ValueError, match="does not fetch"):
        make_fetcher().fetch(url)


# --- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (date(2026, 2, 13), "ngày 13 tháng 02 năm 2026"),
        (date(2026, 1, 5), "ngày 05 tháng 01 năm 2026"),
        (date(2026, 3, 5), "ngày 05 tháng 3 năm 2026"),
        (date(2026, 12, 31), "ngày 31 tháng 12 năm 2026"),
        (datetime(2026, 2, 12, 18, 30, tzinfo=UTC), "ngày 13 tháng 02 năm 2026"),  # 01:30 in Vietnam
        (None, ""),
    ],
)
def test_long_dates_follow_decree_30(value, text):
    assert vn_long_date(value) == text


def test_the_qr_filter_gives_an_svg_data_uri():
    assert qr_data_uri("https://dichvucong.example/tra-cuu/1").startswith("data:image/svg+xml;base64,")
