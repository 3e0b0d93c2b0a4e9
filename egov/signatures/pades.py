"""PAdES operations on PDF bytes: freeze a draft, sign, fill the number and date fields.

Every operation after ``freeze`` is an incremental update, so earlier signatures stay valid and a
validator can classify each revision (signing, form filling, validation data, document timestamp).

- ``freeze``: the verification QR code and short link drawn on page 1, empty text fields for the
  number/notation and the date, empty signature fields for the signer and the agency.
- ``sign``: a PAdES signature (B-T by default: with an RFC 3161 timestamp; B-LT adds revocation
  data, B-LTA also a document timestamp) into an existing empty field or a new one.
- ``fill_fields``: values and appearance streams of text fields, nothing else.

No database and no settings lookups in here except ``policy_from_settings``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, BoxConstraints, InnerScaling, Margins, SimpleBoxLayoutRule
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.stamp import BaseStampStyle, TextStamp, TextStampStyle
from pyhanko_certvalidator import ValidationContext

from egov.core.qr import qr_png_bytes
from egov.signatures import appearances
from egov.signatures._sync import outside_event_loop
from egov.signatures.appearances import Placement

SIGNER_FIELD = "ChuKyNguoiKy"
AGENCY_FIELD = "ChuKyCoQuan"
NUMBER_FIELD = "SoKyHieu"
DATE_FIELD = "NgayBanHanh"
FIELD_FONT_SIZE = 13  # Decree 30: number and date in size 13-14


class Level(StrEnum):
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"


class PdfProblem(Exception):  # noqa: N818 - reads as "except PdfProblem"
    """The PDF cannot be processed (malformed, encrypted, field missing); message in Vietnamese."""


@dataclass(frozen=True, slots=True)
class SigningPolicy:
    level: Level = Level.B_T
    tsa_url: str = ""
    md_algorithm: str = "sha256"

    def timestamper(self) -> timestamps.TimeStamper:
        if not self.tsa_url:
            raise PdfProblem("Chưa cấu hình dịch vụ cấp dấu thời gian (TSA).")
        return _timestamper(self.tsa_url)


@cache
def _timestamper(url: str) -> timestamps.TimeStamper:
    # One per URL and process: pyHanko asks a new timestamper for a dummy token (a TSA round trip)
    # to size the signature; a shared one asks once.
    return timestamps.HTTPTimeStamper(url, timeout=10)


def policy_from_settings() -> SigningPolicy:
    return SigningPolicy(
        level=Level(getattr(settings, "EGOV_SIGNATURE_LEVEL", Level.B_T)),
        tsa_url=getattr(settings, "EGOV_TSA_URL", ""),
    )


@dataclass(frozen=True, slots=True)
class FreezeLayout:
    """Where the frozen draft's parts go (from the document template)."""

    signer: Placement
    seal_size: float = 99.0  # a 35 mm round seal, actual size
    number: Placement | None = None
    date: Placement | None = None
    qr: Placement = field(default_factory=lambda: Placement(page=0, box=(40.0, 20.0, 240.0, 80.0)))

    @property
    def agency(self) -> Placement:
        return appearances.seal_placement(self.signer, seal_size=self.seal_size)


def _reader_writer(pdf: bytes) -> IncrementalPdfFileWriter:
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except Exception as exc:  # pyHanko raises several kinds on malformed input
        raise PdfProblem("Tệp không phải PDF hợp lệ.") from exc
    if writer.prev.encrypted:
        raise PdfProblem("Tệp PDF được mã hóa: không ký được.")
    return writer


def _output(writer: IncrementalPdfFileWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def freeze(pdf: bytes, *, verification_url: str, layout: FreezeLayout) -> bytes:
    """The draft ready to sign: QR code + short link, empty number/date and signature fields."""
    writer = _reader_writer(pdf)
    qr_box = layout.qr
    side = qr_box.height
    style = TextStampStyle(
        stamp_text="Xác thực văn bản điện tử:\n%(url)s",
        text_box_style=appearances.text_style(7),
        border_width=0,
        background=PdfImage(appearances.pdf_image(qr_png_bytes(verification_url, scale=4))),
        background_opacity=1.0,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN,
            y_align=AxisAlignment.ALIGN_MID,
            margins=Margins(right=round(qr_box.width - side)),
            inner_content_scaling=InnerScaling.SHRINK_TO_FIT,
        ),
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN,
            y_align=AxisAlignment.ALIGN_MID,
            margins=Margins(left=round(side + 4)),
            inner_content_scaling=InnerScaling.SHRINK_TO_FIT,
        ),
    )
    stamp = TextStamp(
        writer,
        style,
        text_params={"url": verification_url},
        box=BoxConstraints(width=qr_box.width, height=qr_box.height),
    )
    stamp.apply(qr_box.page, round(qr_box.box[0]), round(qr_box.box[1]))
    for name, placement in ((NUMBER_FIELD, layout.number), (DATE_FIELD, layout.date)):
        if placement is not None:
            _add_text_field(writer, name=name, placement=placement)
    for name, placement in ((SIGNER_FIELD, layout.signer), (AGENCY_FIELD, layout.agency)):
        fields.append_signature_field(
            writer, SigFieldSpec(sig_field_name=name, on_page=placement.page, box=placement.int_box())
        )
    return _output(writer)


def _acroform(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    root = writer.root
    if "/AcroForm" not in root:
        root["/AcroForm"] = writer.add_object(
            generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject()})
        )
        writer.update_root()
    form = root["/AcroForm"]
    assert isinstance(form, generic.DictionaryObject)
    return form


def _add_text_field(writer: IncrementalPdfFileWriter, *, name: str, placement: Placement) -> None:
    page_ref = writer.find_page_for_modification(placement.page)[0]
    page = page_ref.get_object()
    widget = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/FT"): pdf_name("/Tx"),
            pdf_name("/T"): pdf_string(name),
            pdf_name("/V"): pdf_string(""),
            pdf_name("/F"): generic.NumberObject(4),  # print
            pdf_name("/Rect"): generic.ArrayObject(generic.FloatObject(v) for v in placement.box),
            pdf_name("/P"): page_ref,
            pdf_name("/DA"): pdf_string(f"/Helv {FIELD_FONT_SIZE} Tf 0 g"),
        }
    )
    widget_ref = writer.add_object(widget)
    annots = page.get("/Annots")
    if isinstance(annots, generic.IndirectObject):
        annots = annots.get_object()
        writer.mark_update(page["/Annots"])
    if annots is None:
        page["/Annots"] = annots = generic.ArrayObject()
    annots.append(widget_ref)
    writer.update_container(page)
    form = _acroform(writer)
    form_fields = form["/Fields"]
    if isinstance(form.raw_get("/Fields"), generic.IndirectObject):
        writer.mark_update(form.raw_get("/Fields"))
    form_fields.append(widget_ref)
    if "/DR" not in form:
        form["/DR"] = generic.DictionaryObject(
            {
                pdf_name("/Font"): generic.DictionaryObject(
                    {
                        pdf_name("/Helv"): writer.add_object(
                            generic.DictionaryObject(
                                {
                                    pdf_name("/Type"): pdf_name("/Font"),
                                    pdf_name("/Subtype"): pdf_name("/Type1"),
                                    pdf_name("/BaseFont"): pdf_name("/Helvetica"),
                                }
                            )
                        )
                    }
                )
            }
        )
    writer.update_container(form)


def _text_fields(writer: IncrementalPdfFileWriter) -> dict[str, generic.IndirectObject]:
    root = writer.root
    if "/AcroForm" not in root:
        return {}
    result = {}
    for ref in root["/AcroForm"].get("/Fields", ()):
        obj = ref.get_object()
        if obj.get("/FT") == "/Tx":
            result[str(obj.get("/T"))] = ref
    return result


def fill_fields(pdf: bytes, values: Mapping[str, str]) -> bytes:
    """Fill text fields (value and appearance) in one incremental update: form filling only."""
    writer = _reader_writer(pdf)
    available = _text_fields(writer)
    for name, value in values.items():
        if name not in available:
            raise PdfProblem(f"Văn bản không có ô “{name}” để điền.")
        ref = available[name]
        widget = ref.get_object()
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
        size = appearances.fitting_font_size(value, width=x2 - x1, preferred=FIELD_FONT_SIZE)
        stamp = TextStamp(
            writer,
            TextStampStyle(
                stamp_text=value.replace("%", "%%"),
                text_box_style=appearances.text_style(size),
                border_width=0,
                inner_content_layout=SimpleBoxLayoutRule(
                    x_align=AxisAlignment.ALIGN_MID,
                    y_align=AxisAlignment.ALIGN_MID,
                    inner_content_scaling=InnerScaling.NO_SCALING,
                ),
            ),
            box=BoxConstraints(width=x2 - x1, height=y2 - y1),
        )
        appearance_ref = stamp.register()
        widget[pdf_name("/V")] = pdf_string(value)
        widget[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): appearance_ref})
        writer.update_container(widget)
    return _output(writer)


def _empty_signature_fields(writer: IncrementalPdfFileWriter) -> set[str]:
    return {name for name, value, _ref in fields.enumerate_sig_fields(writer, filled_status=False)}


def awaits_number_and_seal(pdf: bytes) -> bool:
    """A frozen PDF the signer has signed, ready for ``services.number_and_seal``: the signer's
    field filled, the agency's still empty, the number and date text fields there (a scanned
    paper-signed PDF has none of them)."""
    try:
        writer = _reader_writer(pdf)
        signed = {name for name, _value, _ref in fields.enumerate_sig_fields(writer, filled_status=True)}
        return (
            SIGNER_FIELD in signed
            and AGENCY_FIELD in _empty_signature_fields(writer)
            and {NUMBER_FIELD, DATE_FIELD} <= set(_text_fields(writer))
        )
    except Exception:  # malformed: not something egov froze
        return False


def sign(
    pdf: bytes,
    *,
    signer: signers.Signer,
    policy: SigningPolicy,
    field_name: str,
    style: BaseStampStyle | None = None,
    new_field: Placement | None = None,
    validation_context: ValidationContext | None = None,
    reason: str | None = None,
    location: str | None = None,
) -> bytes:
    """Sign into ``field_name`` (an existing empty field, or a new one at ``new_field``)."""
    writer = _reader_writer(pdf)
    if new_field is None and field_name not in _empty_signature_fields(writer):
        raise PdfProblem(f"Văn bản không có ô chữ ký trống “{field_name}”.")
    long_term = policy.level in (Level.B_LT, Level.B_LTA)
    if long_term and validation_context is None:
        raise PdfProblem("Ký dài hạn (B-LT/B-LTA) cần danh sách chứng thư tin cậy.")
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm=policy.md_algorithm,
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        embed_validation_info=long_term,
        use_pades_lta=policy.level == Level.B_LTA,
        validation_context=validation_context if long_term else None,
    )
    field_spec = (
        SigFieldSpec(sig_field_name=field_name, on_page=new_field.page, box=new_field.int_box())
        if new_field is not None
        else None
    )
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, timestamper=policy.timestamper(), stamp_style=style, new_field_spec=field_spec
    )
    out = io.BytesIO()
    outside_event_loop(lambda: pdf_signer.sign_pdf(writer, output=out))
    return out.getvalue()


def page_size(pdf: bytes, page: int = 0) -> tuple[float, float]:
    writer = _reader_writer(pdf)
    page_obj = writer.root["/Pages"]
    media = writer.find_page_for_modification(page)[0].get_object().get("/MediaBox") or page_obj.get(
        "/MediaBox"
    )
    x1, y1, x2, y2 = (float(v) for v in media)
    return x2 - x1, y2 - y1


def signer_certificate_subject(signer: signers.Signer) -> str:
    cert: asn1_x509.Certificate | None = signer.signing_cert
    return cert.subject.human_friendly if cert is not None else ""
