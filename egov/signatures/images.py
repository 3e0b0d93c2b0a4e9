"""Signature images and agency seals (DOMAIN.md §3): checked uploads, saved with an audit event, and
drawn ones for the demo.

An upload must be a PNG by content (``core.files``), with an alpha channel and transparent pixels
(the image is laid over the page: an opaque white box would hide the text under it), within
``MAX_IMAGE_BYTES`` and ``MIN_SIDE``..``MAX_SIDE`` pixels. Who may set them: an administrator
(``organizations.manage``) of the agency — for a signer, of an agency the signer belongs to — or
the system itself (``actor=None``: the demo seed).
"""

from __future__ import annotations

import hashlib
import io
import math
import random

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from egov.accounts.models import User
from egov.accounts.scope import scope_of
from egov.core import audit, clock, files
from egov.organizations.models import Agency, Membership
from egov.signatures.appearances import FONT_DIR
from egov.signatures.models import AgencySeal, SignatureImage

MAX_IMAGE_BYTES = 512 * 1024
MIN_SIDE = 40
MAX_SIDE = 2000
MANAGE = "organizations.manage"
SEAL_RED = (206, 17, 38, 255)
SIGNATURE_BLUE = (16, 46, 160, 255)


def check_png(data: bytes, *, name: str = "anh.png") -> bytes:
    """``data`` if it is a transparent PNG of a sensible size; ``ValidationError`` (Vietnamese) if not."""
    files.check_upload(data, allowed=frozenset({files.FileKind.PNG}), max_bytes=MAX_IMAGE_BYTES, name=name)
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
            raise ValidationError(
                _("Ảnh phải có mỗi chiều từ %(min)d đến %(max)d điểm ảnh (ảnh này %(w)d×%(h)d).")
                % {"min": MIN_SIDE, "max": MAX_SIDE, "w": width, "h": height},
                code="image_size",
            )
        if not _has_transparency(image):
            raise ValidationError(
                _("Ảnh phải có nền trong suốt (PNG có kênh alpha): nền trắng sẽ che chữ trên văn bản."),
                code="image_opaque",
            )
    return data


def _has_transparency(image: Image.Image) -> bool:
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode not in ("RGBA", "LA", "PA"):
        return False
    alpha_min, _alpha_max = image.getchannel("A").getextrema()
    return bool(alpha_min == 0)


def _require_manager(actor: User | None, agency_ids: set[int]) -> None:
    if actor is None or actor.is_superuser:
        return
    if not any(scope_of(actor).can(MANAGE, agency_id) for agency_id in agency_ids):
        raise PermissionDenied(_("Bạn không có quyền quản lý ảnh chữ ký, con dấu của cơ quan này."))


def set_signature_image(*, actor: User | None, user: User, png: bytes) -> SignatureImage:
    """Record (or replace) the signer's handwritten signature image."""
    agencies = set(Membership.objects.filter(user=user, is_active=True).values_list("agency_id", flat=True))
    _require_manager(actor, agencies)
    check_png(png)
    with transaction.atomic():
        row, created = SignatureImage.objects.update_or_create(
            user=user, defaults={"png": png, "updated_at": clock.now()}
        )
        audit.record(
            actor=actor,
            action="signatures.signature_image_set",
            obj=row,
            details={"user": user.pk, "sha256": hashlib.sha256(png).hexdigest(), "created": created},
        )
    return row


def set_agency_seal(*, actor: User | None, agency: Agency, png: bytes, key_name: str) -> AgencySeal:
    """Record (or replace) the agency's seal image and the name of its signing key (a reference)."""
    _require_manager(actor, {agency.pk})
    check_png(png)
    key_name = key_name.strip()
    if not key_name:
        raise ValidationError({"key_name": _("Cần ghi tên khóa ký số của cơ quan (ví dụ agency:<mã>).")})
    with transaction.atomic():
        row, created = AgencySeal.objects.update_or_create(
            agency=agency, defaults={"png": png, "key_name": key_name, "updated_at": clock.now()}
        )
        audit.record(
            actor=actor,
            action="signatures.seal_set",
            obj=row,
            details={
                "agency": agency.code,
                "key_name": key_name,
                "sha256": hashlib.sha256(png).hexdigest(),
                "created": created,
            },
        )
    return row


# --- drawn images for the demo ------------------------------------------------------------------


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def drawn_signature(name: str, *, size: tuple[int, int] = (360, 140)) -> bytes:
    """A blue handwritten-like flourish, the same for the same ``name`` (the demo's leaders)."""
    rng = random.Random(hashlib.sha256(name.encode()).digest())
    scale = 4  # drawn large and reduced: smooth strokes
    width, height = size[0] * scale, size[1] * scale
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    loops = rng.randint(3, 5)
    loop_size = 1.6 + rng.random() * 0.6  # above 1: the curve crosses itself (cursive loops)
    points = []
    for step in range(481):
        t = step / 480 * loops * 2 * math.pi
        fade = 1 - 0.5 * step / 480
        x = width * 0.1 + (t - loop_size * math.sin(t)) * width * 0.8 / (loops * 2 * math.pi + 2)
        y = height * (0.5 - 0.12 * step / 480) - loop_size * math.cos(t) * height * 0.16 * fade
        points.append((x, y))
    pen = 5 * scale
    draw.line(points, fill=SIGNATURE_BLUE, width=pen, joint="curve")
    # the closing underline stroke, rising to the right
    draw.line(
        [(width * 0.15, height * 0.82), (width * 0.9, height * 0.7)], fill=SIGNATURE_BLUE, width=pen - scale
    )
    return _png(image.resize(size, Image.Resampling.LANCZOS))


def drawn_seal(agency_name: str, *, parent_name: str = "", side: int = 300) -> bytes:
    """A red round seal: two rings, the name around the top (the parent's first when given), a star."""
    scale = 1  # the seal is printed 35 mm wide: 300 px is 218 dpi, enough without supersampling
    big = side * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre = big / 2
    outer = big / 2 - 6 * scale
    draw.ellipse(
        (centre - outer, centre - outer, centre + outer, centre + outer), outline=SEAL_RED, width=10 * scale
    )
    inner = outer * 0.64
    draw.ellipse(
        (centre - inner, centre - inner, centre + inner, centre + inner), outline=SEAL_RED, width=4 * scale
    )
    text = " * ".join(part.upper() for part in (parent_name, agency_name) if part)
    _text_around(image, text, radius=(outer + inner) / 2, font_size=int(outer * 0.2))
    _star(draw, centre, centre, inner * 0.55)
    return _png(image.resize((side, side), Image.Resampling.LANCZOS))


def _text_around(image: Image.Image, text: str, *, radius: float, font_size: int) -> None:
    """Each character upright along the circle, clockwise from the left, over the top, to the right."""
    font = ImageFont.truetype(str(FONT_DIR / "EgovStampSerif-Bold.ttf"), font_size)
    widths = [font.getlength(ch) for ch in text]
    spacing = font_size * 0.08
    total = sum(widths) + spacing * (len(text) - 1)
    arc = min(total / radius, math.radians(300))  # radians the text spans
    per_point = arc / total if total else 0
    angle = -math.pi / 2 - arc / 2  # start: left of the top, drawing clockwise
    centre = image.width / 2
    for ch, w in zip(text, widths, strict=True):
        mid = angle + (w / 2) * per_point
        glyph = Image.new("RGBA", (font_size * 2, font_size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((font_size, font_size), ch, font=font, fill=SEAL_RED, anchor="mm")
        rotated = glyph.rotate(-math.degrees(mid + math.pi / 2), resample=Image.Resampling.BICUBIC)
        x = centre + radius * math.cos(mid) - rotated.width / 2
        y = centre + radius * math.sin(mid) - rotated.height / 2
        image.alpha_composite(rotated, (round(x), round(y)))
        angle += (w + spacing) * per_point


def _star(draw: ImageDraw.ImageDraw, x: float, y: float, radius: float) -> None:
    points = []
    for index in range(10):
        r = radius if index % 2 == 0 else radius * 0.4
        a = -math.pi / 2 + index * math.pi / 5
        points.append((x + r * math.cos(a), y + r * math.sin(a)))
    draw.polygon(points, fill=SEAL_RED)
