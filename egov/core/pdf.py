"""HTML templates → PDF with WeasyPrint, in the bundled Liberation Serif only (Decree 30 layout).

``render_pdf("dossiers/pdf/receipt.html", {...})`` renders a Django template (in Vietnamese, whatever
the visitor's language: forms are legal documents) and lays it out as A4 with WeasyPrint. Templates
extend ``pdf/base.html`` and load this module's filters with ``{% load egov_pdf %}``.

Rendering is heavy: a one-page form with a 10-row table takes about 0.3 s of CPU on the 2-core
development machine (see bench/pdf_bench.py), and the first render in a process pays about 1.5 s of
imports. A request may render one receipt inline; anything bigger (registers, batches, re-renders)
is rendered from a ``django.tasks`` task by the calling app, which stores the bytes with
``egov.core.files`` and links to them.

Nothing is fetched from the network or from arbitrary paths: egov runs on a closed network, and a
template showing user-supplied content must not become a way to read the server's files or to
make requests from it. The URL fetcher serves only the bundled fonts, egov's static files and
``data:`` URIs; everything else is refused and logged.
"""

from __future__ import annotations

import atexit
import logging
import mimetypes
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from egov.core import qr

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "Liberation Serif"
FONT_FACES = (  # file, font-weight, font-style
    ("LiberationSerif-Regular.ttf", "normal", "normal"),
    ("LiberationSerif-Bold.ttf", "bold", "normal"),
    ("LiberationSerif-Italic.ttf", "normal", "italic"),
    ("LiberationSerif-BoldItalic.ttf", "bold", "italic"),
)
# Relative references ({% static %} gives "/static/…") need a base; "file:///" makes them file URLs
# that the fetcher maps to static files, and nothing else in the file system.
BASE_URL = "file:///"

register = template.Library()


class URLRefusedError(ValueError):
    """A template asked WeasyPrint for something outside the fonts, the static files and data: URIs."""


# --- template filters ({% load egov_pdf %}) ------------------------------------------------


@register.filter
def vn_long_date(value: date | datetime | None) -> str:
    """``ngày 13 tháng 02 năm 2026``: Decree 30 writes days below 10 and months 1–2 with a leading 0."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


@register.filter
def qr_data_uri(text: str) -> str:
    """``<img src="{{ url|qr_data_uri }}">``: a vector QR code drawn in the PDF itself."""
    return qr.qr_svg_data_uri(str(text))


# --- rendering ------------------------------------------------------------------------------


def render_pdf(template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None) -> bytes:
    """Render a Django template to PDF bytes (A4, bundled fonts, no external resources)."""
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template_name, context, request=request)
    return html_to_pdf(html)


def html_to_pdf(html: str) -> bytes:
    """Lay out HTML already rendered; ``render_pdf`` is what apps call."""
    from weasyprint import HTML  # imported on first use: ~1.5 s that web processes need not pay

    kit = _kit()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=kit.fetcher)
    # Presentational hints: <img width="30">, <td align> and the like mean what they mean in a browser.
    pdf: bytes = document.write_pdf(
        stylesheets=[kit.fonts_css], font_config=kit.font_config, presentational_hints=True
    )
    return pdf


def font_face_css() -> str:
    """@font-face rules for the bundled files, and the family as the default for every document."""
    rules = [
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; font-style: {style};'
        f' src: url("{(FONT_DIR / filename).as_uri()}"); }}'
        for filename, weight, style in FONT_FACES
    ]
    rules.append(f'html {{ font-family: "{FONT_FAMILY}"; }}')
    return "\n".join(rules)


@dataclass(frozen=True, slots=True)
class _Kit:
    font_config: FontConfiguration
    fonts_css: CSS
    fetcher: URLFetcher


_local = threading.local()


@atexit.register
def _forget_kit() -> None:
    """Free the main thread's fonts before shutdown, while WeasyPrint can still delete its temp copies."""
    _local.__dict__.pop("kit", None)


def _kit() -> _Kit:
    """Fonts loaded once per thread: it saves about a quarter of a one-page render (see the bench).

    Per thread because Pango's font maps are not safe to share between threads.
    """
    kit: _Kit | None = getattr(_local, "kit", None)
    if kit is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        fetcher = make_fetcher()
        fonts_css = CSS(string=font_face_css(), font_config=font_config, url_fetcher=fetcher)
        kit = _local.kit = _Kit(font_config=font_config, fonts_css=fonts_css, fetcher=fetcher)
    return kit


# --- what WeasyPrint may read ---------------------------------------------------------------


def local_resource(url: str) -> Path | None:
    """The file a URL may be served from: a bundled font or a static file; None for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in {"", "localhost"}:
        return None
    path = unquote(parts.path)
    if ".." in path.split("/") or "\x00" in path:
        return None
    font = _inside(Path(path), FONT_DIR)
    if font is not None:
        return font
    static_prefix = urlsplit(settings.STATIC_URL).path
    if static_prefix.startswith("/") and path.startswith(static_prefix):
        return _static_file(path.removeprefix(static_prefix))
    return None


def _static_file(relative: str) -> Path | None:
    """Through the staticfiles finders (sources), else STATIC_ROOT (hashed names after collectstatic)."""
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    if isinstance(found, str):
        return Path(found) if Path(found).is_file() else None
    return _inside(Path(settings.STATIC_ROOT) / relative, Path(settings.STATIC_ROOT))


def _inside(path: Path, root: Path) -> Path | None:
    """``path`` with symlinks resolved, if it is a file under ``root``."""
    real = path.resolve()
    if real.is_relative_to(root.resolve()) and real.is_file():
        return real
    return None


def make_fetcher() -> URLFetcher:
    """A WeasyPrint URL fetcher that serves only ``local_resource`` files and ``data:`` URIs."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            if url.startswith("data:"):  # decoded in memory by urllib's DataHandler: no I/O
                return super().fetch(url, headers)
            path = local_resource(url)
            if path is None:
                logger.warning("PDF rendering refused to fetch %s", url[:200])
                raise URLRefusedError(f"egov does not fetch {url[:200]} while rendering a PDF")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return LocalOnlyFetcher()
