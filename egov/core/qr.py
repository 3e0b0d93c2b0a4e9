"""QR codes for receipts and verification links, drawn by segno (no network, no JavaScript).

``qr_svg_data_uri`` gives a ``data:`` URI an ``<img>`` can show under the CSP (``img-src 'self'
data:``) and WeasyPrint draws as vectors in a PDF, so the code stays sharp when printed.
"""

from __future__ import annotations

import base64
import io

import segno

# At least level M (segno raises it when that costs no size): a receipt may be folded or smudged.
ERROR_LEVEL = "m"
QUIET_ZONE = 4  # modules; the QR standard's minimum border, which phone scanners rely on


def make_qr(text: str) -> segno.QRCode:
    """A regular QR code (never a Micro QR, which most phone scanners cannot read)."""
    return segno.make_qr(text, error=ERROR_LEVEL)


def qr_svg_bytes(text: str, *, scale: int = 4) -> bytes:
    """An SVG with both a size and a viewBox, so CSS can resize it without clipping the code."""
    qr = make_qr(text)
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=scale, border=QUIET_ZONE, xmldecl=False, omitsize=True)
    width, height = qr.symbol_size(scale=scale, border=QUIET_ZONE)
    return buffer.getvalue().replace(b"<svg ", f'<svg width="{width}" height="{height}" '.encode(), 1)


def qr_svg_data_uri(text: str, *, scale: int = 4) -> str:
    """``data:image/svg+xml;base64,…`` for ``<img src>`` in pages and PDFs."""
    encoded = base64.b64encode(qr_svg_bytes(text, scale=scale)).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"


def qr_png_bytes(text: str, *, scale: int = 4) -> bytes:
    """A PNG, for what cannot take SVG (e-mail clients, signature stamps)."""
    buffer = io.BytesIO()
    make_qr(text).save(buffer, kind="png", scale=scale, border=QUIET_ZONE)
    return buffer.getvalue()
