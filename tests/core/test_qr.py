"""QR codes: regular (not Micro) codes, valid SVG data URIs, PNGs whose pixels are the code's modules."""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET

import segno
from PIL import Image

from egov.core.qr import QUIET_ZONE, make_qr, qr_png_bytes, qr_svg_bytes, qr_svg_data_uri

LOOKUP = "https://dichvucong.example/tra-cuu/000.00.12.H56-260213-0001"
SVG = "{http://www.w3.org/2000/svg}"


def test_the_data_uri_is_a_base64_svg_usable_in_an_img_under_the_csp():
    uri = qr_svg_data_uri(LOOKUP)
    prefix = "data:image/svg+xml;base64,"
    assert uri.startswith(prefix)
    assert base64.b64decode(uri.removeprefix(prefix)) == qr_svg_bytes(LOOKUP)


def test_the_svg_is_well_formed_and_sized_by_its_modules():
    qr = make_qr(LOOKUP)
    root = ET.fromstring(qr_svg_bytes(LOOKUP, scale=3))  # noqa: S314 - our own output, not untrusted
    side = (qr.symbol_size(border=0)[0] + 2 * QUIET_ZONE) * 3
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height")) == (str(side), str(side))
    assert root.get("viewBox") == f"0 0 {side} {side}"  # resizable by CSS without clipping
    assert root.find(f"{SVG}path") is not None


def test_codes_are_regular_qr_codes_never_micro_ones():
    qr = make_qr("1")
    assert not qr.is_micro
    assert qr.error in {"M", "Q", "H"}


def test_the_same_text_always_gives_the_same_code_and_vietnamese_survives():
    text = "Nguyễn Thị Ánh Tuyết – hồ sơ 000.00.12.H56-260213-0001"
    assert make_qr(text).matrix == make_qr(text).matrix
    assert qr_svg_data_uri(text) == qr_svg_data_uri(text)
    assert make_qr(text).matrix == segno.make_qr(text, error="m").matrix


def test_the_png_pixels_are_the_code_modules():
    scale = 4
    qr = make_qr(LOOKUP)
    image = Image.open(io.BytesIO(qr_png_bytes(LOOKUP, scale=scale))).convert("L")
    modules = qr.symbol_size(border=0)[0]
    assert image.size == ((modules + 2 * QUIET_ZONE) * scale,) * 2
    read_back = tuple(
        bytearray(
            1 if image.getpixel(((QUIET_ZONE + x) * scale + 1, (QUIET_ZONE + y) * scale + 1)) < 128 else 0
            for x in range(modules)
        )
        for y in range(modules)
    )
    assert read_back == tuple(bytearray(1 if dark else 0 for dark in row) for row in qr.matrix)
