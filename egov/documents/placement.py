"""Where the signer's signature, the number and the date go on the PDF frozen for signature.

Two sources (DOMAIN.md §3, Decree 30 Appendix I):

- a **composed** draft is laid out by WeasyPrint from ``documents/pdf/composed.html``; the empty
  number and date boxes and the signer's space carry ids, and their boxes are read from that very
  layout (``render_for_signing``), so the signature image lands between the capacity/title lines
  and the name, the number after "Số:" and the date after the place;
- an **uploaded** PDF has no structure to read: the clerk or the drafter picks the three positions
  on page previews (``OutgoingDocument.signature_placement``); without a pick, ``default_placement``
  (signature bottom right of the last page, number top left and date top right of page 1).

Boxes are PDF points, origin at the bottom left of the page, as pyHanko wants them. The stored
placement is ``{"signer": {"page": 0, "box": [x1, y1, x2, y2]}, "number": {...}, "date": {...}}``.
"""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from egov.core import pdf
from egov.signatures.appearances import Placement
from egov.signatures.pades import FreezeLayout

PARTS = ("signer", "number", "date")
# pyHanko's text stamp lays out one 13 pt line (Decree 30: number and date in size 13-14) in about
# 34 pt with its leading and margins; a lower field clips the value.
TEXT_FIELD_HEIGHT = 34.0
TEXT_BASELINE_SHIFT = 3.0  # the stamp's line sits a little low in its box: on the printed line with this
# Sizes of the boxes a click places (points): the signature image about 60 x 26 mm, the number
# and date fields one line, the value centred in them.
SIZES: dict[str, tuple[float, float]] = {
    "signer": (170.0, 75.0),
    "number": (110.0, TEXT_FIELD_HEIGHT),
    "date": (190.0, TEXT_FIELD_HEIGHT),
}
# Element ids in composed.html and pdf/_national_motto.html (signing_fields).
COMPOSED_IDS = {"signer": "chu-ky-nguoi-ky", "number": "so-ky-hieu", "date": "ngay-ban-hanh"}
CSS_PX_IN_POINTS = 0.75  # WeasyPrint lays out in CSS pixels (96 per inch); PDF points are 72 per inch
PREVIEW_DPI = 60
MAX_PREVIEW_PAGES = 20  # a draft longer than this gets the signature on a page among the first 20
PDFTOPPM_TIMEOUT_SECONDS = 30

PageSize = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Spot:
    """A part's position as the picker shows it: page (0 = first) and the box's centre in points."""

    part: str
    page: int
    x: float
    y: float


def page_sizes(data: bytes) -> list[PageSize]:
    """Width and height (points) of every page, rotation ignored (drafts are portrait A4)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return [(float(page.mediabox.width), float(page.mediabox.height)) for page in reader.pages]


def box_around(part: str, page: int, x: float, y: float, size: PageSize) -> dict[str, Any]:
    """The part's box centred on (x, y), moved inside the page when it would stick out."""
    width, height = SIZES[part]
    left = min(max(x - width / 2, 0.0), size[0] - width)
    bottom = min(max(y - height / 2, 0.0), size[1] - height)
    return {
        "page": page,
        "box": [round(left, 1), round(bottom, 1), round(left + width, 1), round(bottom + height, 1)],
    }


def default_placement(sizes: list[PageSize]) -> dict[str, Any]:
    """Signature block bottom right of the last page, number top left and date top right of page 1."""
    last = len(sizes) - 1
    (width, height), (last_width, _h) = sizes[0], sizes[last]
    return {
        "signer": box_around("signer", last, last_width * 0.72, 150.0, sizes[last]),
        "number": box_around("number", 0, width * 0.25, height - 130.0, sizes[0]),
        "date": box_around("date", 0, width * 0.68, height - 130.0, sizes[0]),
    }


def placement_from_spots(spots: list[Spot], sizes: list[PageSize]) -> dict[str, Any]:
    """The stored placement for the picked centres; refuses a page or point outside the document."""
    placement: dict[str, Any] = {}
    for spot in spots:
        if spot.part not in SIZES:
            raise ValidationError(_("Vị trí không hợp lệ."))
        if not 0 <= spot.page < len(sizes):
            raise ValidationError(
                _("Văn bản có %(n)s trang; trang %(p)s không tồn tại.")
                % {"n": len(sizes), "p": spot.page + 1}
            )
        width, height = sizes[spot.page]
        if not (0 <= spot.x <= width and 0 <= spot.y <= height):
            raise ValidationError(_("Vị trí đã chọn nằm ngoài trang %(p)s.") % {"p": spot.page + 1})
        placement[spot.part] = box_around(spot.part, spot.page, spot.x, spot.y, sizes[spot.page])
    return placement


def effective_placement(stored: dict[str, Any], sizes: list[PageSize]) -> dict[str, Any]:
    """The stored pick where it is still valid for these pages, the default for the rest."""
    result = default_placement(sizes)
    for part in PARTS:
        item = stored.get(part) if isinstance(stored, dict) else None
        if isinstance(item, dict) and _fits(item, sizes):
            result[part] = {"page": int(item["page"]), "box": [float(v) for v in item["box"]]}
    return result


def _fits(item: dict[str, Any], sizes: list[PageSize]) -> bool:
    try:
        page = int(item["page"])
        x1, y1, x2, y2 = (float(v) for v in item["box"])
    except (KeyError, TypeError, ValueError):
        return False
    if not 0 <= page < len(sizes):
        return False
    width, height = sizes[page]
    return 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height


def spots_of(placement: dict[str, Any]) -> list[Spot]:
    """The centres of a placement's boxes (what the picker draws and its numeric inputs show)."""
    spots = []
    for part in PARTS:
        x1, y1, x2, y2 = placement[part]["box"]
        spots.append(Spot(part=part, page=placement[part]["page"], x=(x1 + x2) / 2, y=(y1 + y2) / 2))
    return spots


def freeze_layout(placement: dict[str, Any]) -> FreezeLayout:
    def at(part: str) -> Placement:
        x1, y1, x2, y2 = placement[part]["box"]
        return Placement(page=int(placement[part]["page"]), box=(x1, y1, x2, y2))

    return FreezeLayout(signer=at("signer"), number=at("number"), date=at("date"))


def render_for_signing(template_name: str, context: dict[str, Any]) -> tuple[bytes, FreezeLayout]:
    """Render a composed document with ``signing_fields`` and read the fields' boxes off its layout."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template_name, {**context, "signing_fields": True})
    # The same fonts, fetcher and options as egov.core.pdf.html_to_pdf; rendered here in two steps
    # (layout, then PDF) because the layout is what tells where the fields go.
    fonts = FontConfiguration()
    fetcher = pdf.make_fetcher()
    document = HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=fetcher).render(
        stylesheets=[CSS(string=pdf.font_face_css(), font_config=fonts, url_fetcher=fetcher)],
        font_config=fonts,
        presentational_hints=True,
    )
    placement: dict[str, Any] = {}
    for index, page in enumerate(document.pages):
        page_height = page.height * CSS_PX_IN_POINTS
        for part, anchor in COMPOSED_IDS.items():
            if anchor in page.anchors and part not in placement:
                left, top, right, bottom = (v * CSS_PX_IN_POINTS for v in page.anchors[anchor])
                y1, y2 = page_height - bottom, page_height - top
                if part != "signer":  # the text stamp needs room above and below its 13 pt line
                    middle = (y1 + y2) / 2 + TEXT_BASELINE_SHIFT
                    y1, y2 = middle - TEXT_FIELD_HEIGHT / 2, middle + TEXT_FIELD_HEIGHT / 2
                placement[part] = {"page": index, "box": [left, y1, right, y2]}
    missing = [part for part in PARTS if part not in placement]
    if missing:  # a template without the ids: a programming error, not the user's
        raise ValueError(f"{template_name} lacks the signing boxes {missing}")
    return document.write_pdf(), freeze_layout(placement)


def page_png(data: bytes, page: int, *, dpi: int = PREVIEW_DPI) -> bytes:
    """One page as PNG (poppler's pdftoppm, reading the PDF from its standard input)."""
    completed = subprocess.run(  # noqa: S603 - fixed program, no shell; the PDF goes through stdin
        ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page + 1), "-l", str(page + 1), "-singlefile", "-"],  # noqa: S607
        input=data,
        capture_output=True,
        timeout=PDFTOPPM_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0 or not completed.stdout.startswith(b"\x89PNG"):
        raise ValueError(_("Không tạo được ảnh xem trước trang %(p)s.") % {"p": page + 1})
    return completed.stdout
