"""How fast does egov.core.pdf render a one-page Vietnamese form, against plain WeasyPrint?

    DJANGO_SETTINGS_MODULE=egov.config.test_settings .venv/bin/python bench/pdf_bench.py [renders]

The form is ``pdf/base.html`` with the Decree 30 heading, a paragraph, a 10-row table and a QR code.
Rows, side by side (one thread, after warm-up):
- egov render_pdf: template rendering + layout with the bundled fonts, loaded once per thread;
- egov, fonts loaded at every render: what the per-thread font cache saves;
- plain WeasyPrint, system serif: the same HTML with the host's default serif and WeasyPrint's own
  fetcher, i.e. what egov adds on top of WeasyPrint;
- bare minimum: ``<p>x</p>`` with WeasyPrint's defaults, the floor of any render;
- template only: Django rendering the HTML, no PDF.
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django

django.setup()
# After setup (which applies LOGGING) and before WeasyPrint's import, which already logs its steps.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from django.template import engines  # noqa: E402
from django.utils import translation  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from weasyprint import HTML  # noqa: E402

from egov.core import pdf  # noqa: E402

FORM = """{% extends "pdf/base.html" %}{% load egov_pdf %}
{% block content %}
{% include "pdf/_national_motto.html" %}
<h1>GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ</h1>
<p>{{ paragraph }}</p>
<table class="grid">
  <tr><th>STT</th><th>Tên giấy tờ</th><th>Hình thức</th><th>Số lượng</th></tr>
  {% for row in rows %}<tr><td class="number">{{ forloop.counter }}</td><td>{{ row }}</td>
  <td>Bản chính</td><td class="number">1</td></tr>{% endfor %}
</table>
<p class="plain"><img class="qr" src="{{ lookup_url|qr_data_uri }}" alt="Mã QR tra cứu hồ sơ"></p>
{% endblock %}"""
CONTEXT = {
    "agency_parent": "Ủy ban nhân dân tỉnh Cà Mau",
    "agency_name": "Trung tâm Phục vụ hành chính công",
    "document_number": "12/GTN-TTPVHCC",
    "place": "Cà Mau",
    "document_date": date(2026, 2, 13),
    "paragraph": "Trung tâm Phục vụ hành chính công tỉnh Cà Mau đã tiếp nhận hồ sơ của bà Nguyễn Thị Ánh "
    "Tuyết, địa chỉ phường Tân Thành, tỉnh Cà Mau, về thủ tục đăng ký khai sinh.",
    "rows": [f"Tờ khai đăng ký khai sinh, giấy chứng sinh số {number}" for number in range(1, 11)],
    "lookup_url": "https://dichvucong.camau.gov.vn/tra-cuu/000.00.12.H56-260213-0001",
}


def render_html() -> str:
    with translation.override("vi"):
        return engines["django"].from_string(FORM).render(CONTEXT)


def egov_render() -> bytes:
    return pdf.html_to_pdf(render_html())


def egov_fresh_fonts() -> bytes:
    pdf._forget_kit()  # drop this thread's fonts: the next render loads them again
    return egov_render()


HTML_WITH_SYSTEM_SERIF = render_html().replace('"Liberation Serif"', "serif")


def plain_weasyprint() -> bytes:
    result: bytes = HTML(string=HTML_WITH_SYSTEM_SERIF).write_pdf()
    return result


def bare_minimum() -> bytes:
    result: bytes = HTML(string="<p>x</p>").write_pdf()
    return result


def measure(function: Callable[[], bytes | str], renders: int) -> tuple[float, int]:
    for _ in range(3):
        function()
    started = perf_counter()
    for _ in range(renders):
        output = function()
    elapsed = perf_counter() - started
    return elapsed / renders, len(output)


def main() -> None:
    renders = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    pages = len(PdfReader(io.BytesIO(egov_render())).pages)
    assert pages == 1, f"the form must fit on one page, it takes {pages}"
    rows: list[tuple[str, Callable[[], bytes | str]]] = [
        ("egov render_pdf (fonts cached per thread)", egov_render),
        ("egov, fonts loaded at every render", egov_fresh_fonts),
        ("plain WeasyPrint, system serif", plain_weasyprint),
        ("bare minimum <p>x</p>", bare_minimum),
        ("template rendering only (no PDF)", render_html),
    ]
    print(f"{renders} renders each, one thread, one A4 page\n")
    print(f"{'variant':<44} {'renders/s':>10} {'ms/render':>10} {'bytes':>8}")
    for label, function in rows:
        seconds, size = measure(function, renders)
        print(f"{label:<44} {1 / seconds:>10.1f} {seconds * 1000:>10.1f} {size:>8}")


if __name__ == "__main__":
    main()
