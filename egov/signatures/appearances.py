"""What a signature looks like on the page (Decree 30/2020, Appendix I).

- The competent person's signature: only their handwritten signature image, no text.
- The agency signature: the red seal image (actual size) overlapping about one third of the
  signer's signature image on the left, with the agency name and the signing time
  (``14:05:09 26/02/2027 +07:00``) under it.
- Attachments and electronic copies: the agency's signature at the top right of page 1, text only,
  Times-metric serif, 10 pt, black.

Positions are PDF points (origin at the bottom left of the page). Vietnamese text is drawn with
Egov Stamp Serif (Liberation Serif rescaled to 1000 units per em, see ``fonts/README.md``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from PIL import Image
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.layout import AxisAlignment, InnerScaling, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import BaseStampStyle, StaticStampStyle, TextStampStyle

FONT_DIR = Path(__file__).resolve().parent / "fonts"
STAMP_FONT = FONT_DIR / "EgovStampSerif-Regular.ttf"
COPY_FONT_SIZE = 10  # Decree 30: copies and attachments, size 10
SEAL_TEXT_FONT_SIZE = 7
SEAL_OVERLAP = 1 / 3  # of the signer's signature image, on its left
SEAL_TEXT_HEIGHT = 2 * SEAL_TEXT_FONT_SIZE + 6
TOP_RIGHT_MARGIN = 28.0
TOP_RIGHT_SIZE = (215.0, 48.0)
STAMP_SIDE_MARGINS = 24.0  # pyHanko text stamps keep about 10 pt free on each side

Box = tuple[float, float, float, float]  # x1, y1, x2, y2 in points


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a signature field goes: page index (0 = first) and box."""

    page: int
    box: Box

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    def int_box(self) -> tuple[int, int, int, int]:
        x1, y1, x2, y2 = self.box
        return round(x1), round(y1), round(x2), round(y2)


def signing_time_text(moment: datetime) -> str:
    """``14:05:09 26/02/2027 +07:00`` — local time with the ISO 8601 offset."""
    return moment.strftime("%H:%M:%S %d/%m/%Y %:z")


@cache
def _font_factory(size: int) -> GlyphAccumulatorFactory:
    # font_size of the factory must equal the TextBoxStyle's (pyHanko issue #733).
    return GlyphAccumulatorFactory(str(STAMP_FONT), font_size=size)


def text_style(size: int) -> TextBoxStyle:
    return TextBoxStyle(font=_font_factory(size), font_size=size, leading=size + 2)


@cache
def _advance_widths() -> tuple[dict[int, int], int]:
    from fontTools.ttLib import TTFont

    font = TTFont(str(STAMP_FONT))
    metrics = font["hmtx"].metrics
    widths = {code: metrics[name][0] for code, name in font.getBestCmap().items()}
    return widths, font["head"].unitsPerEm


def text_width(text: str, size: float) -> float:
    """Width in points of ``text`` set in the stamp font at ``size`` (no kerning: an upper bound)."""
    import unicodedata

    widths, units = _advance_widths()
    composed = unicodedata.normalize("NFC", text)
    return sum(widths.get(ord(ch), units // 2) for ch in composed) * size / units


def fitting_font_size(text: str, *, width: float, preferred: int, smallest: int = 8) -> int:
    """The preferred size, or the largest smaller one at which ``text`` fits ``width``."""
    size = preferred
    while size > smallest and text_width(text, size) > width - STAMP_SIDE_MARGINS:
        size -= 1
    return size


def pdf_image(data: bytes) -> Image.Image:
    """A Pillow image in a mode pyHanko embeds (RGB, RGBA or L; transparency kept)."""
    image = Image.open(io.BytesIO(data))
    image.load()
    if image.mode == "1":
        return image.convert("L")
    return image if image.mode in ("RGB", "RGBA", "L") else image.convert("RGBA")


def seal_placement(signer: Placement, *, seal_size: float) -> Placement:
    """The agency field for a signer's field: the seal's right third covers the image's left third."""
    x1, y1, _x2, y2 = signer.box
    seal_right = x1 + signer.width * SEAL_OVERLAP
    seal_left = seal_right - seal_size
    seal_bottom = (y1 + y2) / 2 - seal_size / 2
    text_width = max(seal_size * 1.9, 150.0)
    return Placement(
        page=signer.page,
        box=(seal_left, seal_bottom - SEAL_TEXT_HEIGHT, seal_left + text_width, seal_bottom + seal_size),
    )


def top_right_placement(*, page_width: float, page_height: float) -> Placement:
    width, height = TOP_RIGHT_SIZE
    x2 = page_width - TOP_RIGHT_MARGIN
    y2 = page_height - TOP_RIGHT_MARGIN / 2
    return Placement(page=0, box=(x2 - width, y2 - height, x2, y2))


def signer_style(signature_image: bytes) -> BaseStampStyle:
    """The competent person's signature: the image alone, scaled into the field."""
    return StaticStampStyle(
        background=PdfImage(pdf_image(signature_image)),
        background_opacity=1.0,
        border_width=0,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MID,
            y_align=AxisAlignment.ALIGN_MID,
            inner_content_scaling=InnerScaling.SHRINK_TO_FIT,
        ),
    )


def agency_style(*, seal_image: bytes, agency_name: str, signing_time: datetime) -> BaseStampStyle:
    """Seal at the top left of the field, agency name and signing time under it."""
    return TextStampStyle(
        stamp_text=_escape(f"{agency_name}\n{signing_time_text(signing_time)}"),
        text_box_style=text_style(SEAL_TEXT_FONT_SIZE),
        background=PdfImage(pdf_image(seal_image), box=None),
        background_opacity=1.0,
        border_width=0,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN,
            y_align=AxisAlignment.ALIGN_MAX,
            margins=Margins(bottom=SEAL_TEXT_HEIGHT),
            inner_content_scaling=InnerScaling.SHRINK_TO_FIT,
        ),
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN,
            y_align=AxisAlignment.ALIGN_MIN,
            inner_content_scaling=InnerScaling.NO_SCALING,
        ),
    )


def text_only_style(lines: list[str], *, signing_time: datetime) -> BaseStampStyle:
    """Attachments and electronic copies: black text, no image, no border, 10 pt; time last."""
    return TextStampStyle(
        stamp_text=_escape("\n".join([*lines, signing_time_text(signing_time)])),
        text_box_style=text_style(COPY_FONT_SIZE),
        border_width=0,
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MAX,
            y_align=AxisAlignment.ALIGN_MAX,
            inner_content_scaling=InnerScaling.SHRINK_TO_FIT,
        ),
    )


def copy_lines(*, copy_form: str, agency_name: str) -> list[str]:
    """Decree 30, electronic copies: copy form, copying agency, signing time."""
    return [copy_form, agency_name]


def attachment_lines(*, number_notation: str) -> list[str]:
    """Decree 30, attachments: number and notation of the document, signing time."""
    return [f"Kèm theo văn bản số {number_notation}"]


def _escape(text: str) -> str:
    return text.replace("%", "%%")
