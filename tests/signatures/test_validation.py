"""The validator's report: refused changes, malformed files, JSON; the verify_pdf/sign_pdf commands."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from egov.signatures import pades, signers
from egov.signatures.appearances import Placement
from egov.signatures.validation import Modification, TrustAnchors, validate_pdf
from tests.signatures.conftest import LAYOUT, PFX_PIN


@pytest.fixture(scope="module")
def signed_pdf(draft_pdf: bytes, pki_files: dict[str, Path], dev_pki: Any) -> bytes:
    from django.test import override_settings

    with (
        override_settings(EGOV_SIGNING_ALLOW_PKCS12=True),
        signers.open_signer(signers.Pkcs12Key(path=pki_files["official.p12"]), pin=PFX_PIN) as signer,
    ):
        frozen = pades.freeze(draft_pdf, verification_url="https://x.example/ky-so/x/t/", layout=LAYOUT)
        return pades.sign(
            frozen,
            signer=signer,
            policy=pades.SigningPolicy(tsa_url=dev_pki.tsa_url),
            field_name=pades.SIGNER_FIELD,
        )


@pytest.fixture(scope="module")
def anchors(dev_pki: Any) -> TrustAnchors:
    return TrustAnchors(roots=(dev_pki.cert("root"),), intermediates=(dev_pki.cert("ica"),))


def _incremental(pdf: bytes, change: Any) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_annotation_added_after_signing_is_refused(signed_pdf, anchors):
    def add_annotation(writer: IncrementalPdfFileWriter) -> None:
        page_ref = writer.find_page_for_modification(0)[0]
        page = page_ref.get_object()
        annot = writer.add_object(
            generic.DictionaryObject(
                {
                    pdf_name("/Type"): pdf_name("/Annot"),
                    pdf_name("/Subtype"): pdf_name("/Square"),
                    pdf_name("/Rect"): generic.ArrayObject(
                        [generic.NumberObject(v) for v in (50, 700, 400, 760)]
                    ),
                    pdf_name("/IC"): generic.ArrayObject([generic.FloatObject(1)] * 3),
                }
            )
        )
        annots = page["/Annots"]
        if isinstance(page.raw_get("/Annots"), generic.IndirectObject):
            writer.mark_update(page.raw_get("/Annots"))
        annots.append(annot)
        writer.update_container(page)

    report = validate_pdf(_incremental(signed_pdf, add_annotation), anchors=anchors)
    (sig,) = report.signatures
    assert sig.intact and sig.modification in (Modification.ANNOTATIONS, Modification.OTHER)
    assert not sig.modifications_accepted and not report.ok


def test_an_added_page_is_refused(signed_pdf, anchors):
    def add_page(writer: IncrementalPdfFileWriter) -> None:
        from pyhanko.pdf_utils.writer import PageObject

        writer.insert_page(
            PageObject(
                contents=writer.add_object(generic.StreamObject(stream_data=b"")), media_box=[0, 0, 595, 842]
            )
        )

    report = validate_pdf(_incremental(signed_pdf, add_page), anchors=anchors)
    assert report.signatures[0].modification == Modification.OTHER and not report.ok


def test_an_unsigned_file_is_not_valid(draft_pdf, anchors):
    report = validate_pdf(draft_pdf, anchors=anchors)
    assert report.readable and not report.signatures and not report.ok
    assert report.summary == "Tệp không có chữ ký số."


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        b"%PDF-" + b"\x00" * 500,
    ],
)
def test_malformed_files_get_a_report_not_a_crash(data, anchors):
    report = validate_pdf(data, anchors=anchors)
    assert not report.ok
    json.dumps(report.as_json(), ensure_ascii=False)


def test_a_truncated_signed_file_gets_a_report(signed_pdf, anchors):
    report = validate_pdf(signed_pdf[: len(signed_pdf) // 2], anchors=anchors)
    assert not report.ok


def test_a_corrupted_signature_dictionary_is_reported_invalid(signed_pdf, anchors):
    damaged = signed_pdf.replace(b"/ETSI.CAdES.detached", b"/ETSI.CAdES.broken!!", 1)
    report = validate_pdf(damaged, anchors=anchors)
    assert not report.ok


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0), value=st.integers(min_value=1, max_value=255))
def test_a_changed_byte_inside_the_signed_ranges_is_never_reported_valid(
    signed_pdf, anchors, position, value
):
    from pyhanko.pdf_utils.reader import PdfFileReader

    (embedded,) = PdfFileReader(io.BytesIO(signed_pdf)).embedded_signatures
    _a, b, c, _d = (int(v) for v in embedded.sig_object["/ByteRange"])
    signed_positions = len(signed_pdf) - (c - b)
    position %= signed_positions
    position = position if position < b else position + (c - b)  # skip the /Contents hole
    data = bytearray(signed_pdf)
    data[position] ^= value

    report = validate_pdf(bytes(data), anchors=anchors)  # must not raise either

    assert not report.ok


def test_the_json_report_is_in_vietnamese_with_ok_flags(signed_pdf, anchors):
    data = validate_pdf(signed_pdf, anchors=anchors).as_json()
    assert data["ok"] is True and data["summary"] == "Tất cả chữ ký số hợp lệ."
    assert data["signatures"][0]["modification_label"] == "Không có thay đổi sau khi ký"


# --- commands -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_pdf_prints_the_report_and_exits_zero_when_valid(signed_pdf, trusted_root, tmp_path, capsys):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_pdf)
    call_command("verify_pdf", str(path), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True


@pytest.mark.django_db
def test_verify_pdf_exits_non_zero_for_an_untrusted_or_broken_file(signed_pdf, tmp_path, capsys):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_pdf)  # no trust roots configured
    with pytest.raises(SystemExit) as exited:
        call_command("verify_pdf", str(path))
    assert exited.value.code == 1
    assert "KHÔNG HỢP LỆ" in capsys.readouterr().out
    (tmp_path / "junk.pdf").write_bytes(b"junk")
    with pytest.raises(SystemExit):
        call_command("verify_pdf", str(tmp_path / "junk.pdf"))


@pytest.mark.django_db
def test_sign_pdf_signs_with_a_configured_key_and_a_pin_from_the_environment(
    draft_pdf, pki_files, trusted_root, settings, tmp_path, monkeypatch, signature_png
):
    settings.EGOV_SIGNING_ALLOW_PKCS12 = True
    settings.EGOV_SIGNING_KEYS = {"official:test": {"kind": "pkcs12", "path": str(pki_files["official.p12"])}}
    monkeypatch.setenv("TEST_SIGNING_PIN", PFX_PIN)
    source, target, image = tmp_path / "in.pdf", tmp_path / "out.pdf", tmp_path / "sig.png"
    source.write_bytes(pades.freeze(draft_pdf, verification_url="https://x.example/", layout=LAYOUT))
    image.write_bytes(signature_png)

    call_command(
        "sign_pdf",
        str(source),
        str(target),
        "--key",
        "official:test",
        "--image",
        str(image),
        "--pin-env",
        "TEST_SIGNING_PIN",
    )

    call_command("verify_pdf", str(target))  # exits 0


def test_seal_placement_covers_the_left_third_of_the_signature_image():
    from egov.signatures.appearances import seal_placement

    signer = Placement(page=0, box=(300.0, 200.0, 480.0, 280.0))
    seal = seal_placement(signer, seal_size=99.0)
    seal_right = seal.box[0] + 99.0
    assert seal_right == pytest.approx(300.0 + 180.0 / 3)


@given(
    x=st.floats(0, 400),
    y=st.floats(0, 700),
    w=st.floats(30, 300),
    h=st.floats(20, 150),
    seal=st.floats(40, 140),
)
def test_the_seal_always_overlaps_exactly_one_third_of_any_signature_box(x, y, w, h, seal):
    from egov.signatures.appearances import seal_placement

    signer = Placement(page=0, box=(x, y, x + w, y + h))
    placed = seal_placement(signer, seal_size=seal)
    overlap = min(placed.box[0] + seal, x + w) - max(placed.box[0], x)
    assert overlap == pytest.approx(min(w / 3, seal), rel=1e-6, abs=1e-6)
    assert placed.page == 0


def test_signing_time_text_follows_decree_30():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from egov.signatures.appearances import signing_time_text

    moment = datetime(2027, 2, 26, 14, 5, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert signing_time_text(moment) == "14:05:09 26/02/2027 +07:00"


def test_run_dev_pki_builds_files_keys_and_a_softhsm_token(tmp_path, capsys, softhsm_key, monkeypatch):
    import os
    import shutil as _shutil

    monkeypatch.setenv("SOFTHSM2_CONF", os.environ["SOFTHSM2_CONF"])  # the command points it at its own token

    call_command("run_dev_pki", "--directory", str(tmp_path / "pki"), "--port", "0", "--build-only")
    out = capsys.readouterr().out
    assert "KHÔNG DÙNG CHO HỆ THỐNG THẬT" in out
    keys = json.loads((tmp_path / "pki" / "keys.json").read_text())
    assert keys["official:dev"]["kind"] == "pkcs12"
    if _shutil.which("softhsm2-util"):
        assert keys["agency:dev"]["kind"] == "pkcs11"
    for name in ("root.pem", "ica.pem", "official.p12", "agency.p12"):
        assert (tmp_path / "pki" / name).stat().st_size > 0
    assert not list((tmp_path / "pki").glob("*.key.der"))  # no private key left lying around


@pytest.mark.django_db
def test_the_demo_step_trusts_the_dev_pki_once(settings, tmp_path, softhsm_key, monkeypatch):
    import os

    from egov.signatures import demo
    from egov.signatures.models import TrustedCertificate

    monkeypatch.setenv("SOFTHSM2_CONF", os.environ["SOFTHSM2_CONF"])
    import socket

    with socket.socket() as probe:  # a fixed port for both runs: the certificates name it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("EGOV_DEV_PKI_PORT", str(port))
    settings.VAR_DIR = tmp_path

    class Demo:
        said: list[str] = []

        def say(self, message: str) -> None:
            self.said.append(message)

    demo.seed(Demo())  # type: ignore[arg-type]
    demo.seed(Demo())  # type: ignore[arg-type]
    assert sorted(TrustedCertificate.objects.values_list("kind", flat=True)) == ["intermediate", "root"]


@given(
    text=st.text(alphabet="Thử Nghiệm, ngày 26 tháng 02 năm 2027 Số QĐ-UBND Đức ự", min_size=1, max_size=80)
)
def test_filled_values_get_the_decree_size_or_the_largest_that_fits(text):
    from egov.signatures.appearances import STAMP_SIDE_MARGINS, fitting_font_size, text_width

    size = fitting_font_size(text, width=225.0, preferred=13)
    assert 8 <= size <= 13
    assert size == 8 or text_width(text, size) <= 225.0 - STAMP_SIDE_MARGINS
    assert size == 13 or text_width(text, size + 1) > 225.0 - STAMP_SIDE_MARGINS
