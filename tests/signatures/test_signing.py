"""PAdES signing with each kind of key, checked by egov's validator and by poppler's pdfsig."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from egov.signatures import appearances, pades, signers
from egov.signatures.appearances import Placement
from egov.signatures.validation import Modification, TrustAnchors, validate_pdf
from tests.signatures.conftest import LAYOUT, PFX_PIN, pdfsig

NEW_FIELD = Placement(page=0, box=(60.0, 60.0, 260.0, 140.0))


def anchors(dev_pki: Any) -> TrustAnchors:
    return TrustAnchors(roots=(dev_pki.cert("root"),), intermediates=(dev_pki.cert("ica"),))


def sign_new_field(
    pdf: bytes, key: signers.KeyReference, pin: str, policy: pades.SigningPolicy, **kwargs: Any
) -> bytes:
    with signers.open_signer(key, pin=pin) as signer:
        return pades.sign(
            pdf, signer=signer, policy=policy, field_name="ChuKy", new_field=NEW_FIELD, **kwargs
        )


def test_a_pkcs12_signature_is_pades_b_t_and_valid(
    draft_pdf, official_key, policy, dev_pki, nss_db, tmp_path
):
    signed = sign_new_field(draft_pdf, official_key, PFX_PIN, policy)

    report = validate_pdf(signed, anchors=anchors(dev_pki))
    assert report.ok, report.as_json()
    (sig,) = report.signatures
    assert sig.timestamp == "valid" and sig.time_source == "timestamp"
    assert sig.level == "B-T"
    assert sig.signer_common_name == "Nguyễn Văn Đức"
    assert sig.revocation == "good"  # OCSP fetched from the dev responder
    (checked,) = pdfsig(signed, nss_db, tmp_path)
    assert checked.signature_valid and checked.total_document and checked.issuer_known


def test_a_softhsm2_key_signs_through_pkcs11(draft_pdf, softhsm_key, policy, dev_pki, nss_db, tmp_path):
    signed = sign_new_field(draft_pdf, softhsm_key, "1234", policy)

    report = validate_pdf(signed, anchors=anchors(dev_pki))
    assert report.ok, report.as_json()
    assert report.signatures[0].signer_common_name == "Ủy ban nhân dân tỉnh Thử Nghiệm"
    (checked,) = pdfsig(signed, nss_db, tmp_path)
    assert checked.signature_valid and checked.issuer_known


def test_a_wrong_pin_is_refused_in_vietnamese_and_not_echoed(softhsm_key):
    with pytest.raises(signers.SignerUnavailable) as caught, signers.open_signer(softhsm_key, pin="9999"):
        pass
    assert "PIN" in str(caught.value) and "9999" not in str(caught.value)


def test_a_wrong_pkcs12_passphrase_is_refused(official_key):
    with pytest.raises(signers.SignerUnavailable), signers.open_signer(official_key, pin="sai"):
        pass


def test_pkcs12_keys_are_refused_when_not_allowed(official_key, settings):
    settings.EGOV_SIGNING_ALLOW_PKCS12 = False
    with (
        pytest.raises(signers.SignerUnavailable, match="phát triển"),
        signers.open_signer(official_key, pin=PFX_PIN),
    ):
        pass


def test_a_configured_key_is_read_from_the_keys_file(tmp_path, settings, pki_files):
    keys = tmp_path / "keys.json"
    keys.write_text(
        '{"agency:TEST": {"kind": "pkcs11", "module": "/x.so", "token_label": "t", "key_label": "k"}}'
    )
    settings.EGOV_SIGNING_KEYS_FILE = str(keys)
    assert signers.configured_key("agency:TEST") == signers.Pkcs11Key(
        module="/x.so", token_label="t", key_label="k"
    )
    with pytest.raises(signers.SignerUnavailable):
        signers.configured_key("missing")


@pytest.mark.django_db
def test_b_lta_embeds_revocation_data_and_a_document_timestamp(
    draft_pdf, official_key, dev_pki, trusted_root, nss_db, tmp_path
):
    policy = pades.SigningPolicy(level=pades.Level.B_LTA, tsa_url=dev_pki.tsa_url)
    signed = sign_new_field(
        draft_pdf, official_key, PFX_PIN, policy, validation_context=anchors(dev_pki).context()
    )

    reader = PdfFileReader(io.BytesIO(signed))
    assert "/DSS" in reader.root  # embedded OCSP/CRL and certificates (B-LT)
    report = validate_pdf(signed, anchors=anchors(dev_pki))
    assert [s.kind for s in report.signatures] == ["signature", "document_timestamp"]
    assert report.ok, report.as_json()
    assert report.signatures[0].modification == Modification.VALIDATION_DATA
    assert report.signatures[0].level == "B-LTA"
    signature, document_timestamp = pdfsig(signed, nss_db, tmp_path)
    assert signature.signature_valid and signature.issuer_known
    # poppler 22.12 does not verify ETSI.RFC3161 document timestamps; it must not call them valid.
    assert document_timestamp.field.startswith("Timestamp")


def test_long_term_signing_without_trust_roots_is_refused(draft_pdf, official_key, dev_pki):
    policy = pades.SigningPolicy(level=pades.Level.B_LT, tsa_url=dev_pki.tsa_url)
    with pytest.raises(pades.PdfProblem):
        sign_new_field(draft_pdf, official_key, PFX_PIN, policy)


def test_signing_without_a_tsa_is_refused(draft_pdf, official_key):
    with pytest.raises(pades.PdfProblem, match="TSA"):
        sign_new_field(draft_pdf, official_key, PFX_PIN, pades.SigningPolicy(tsa_url=""))


def test_a_flipped_byte_inside_the_signed_range_is_reported_broken_by_both(
    draft_pdf, official_key, policy, dev_pki, nss_db, tmp_path
):
    signed = bytearray(sign_new_field(draft_pdf, official_key, PFX_PIN, policy))
    position = signed.index(b"QUY") if b"QUY" in signed else 200  # inside the first signed range
    position = 300 if position >= len(signed) else position
    signed[position] ^= 0x01

    report = validate_pdf(bytes(signed), anchors=anchors(dev_pki))
    assert not report.ok
    assert not report.signatures[0].intact
    (checked,) = pdfsig(bytes(signed), nss_db, tmp_path)
    assert not checked.signature_valid and checked.digest_mismatch


def test_pdfsig_and_egov_agree_that_an_unknown_root_is_not_trusted(
    draft_pdf, official_key, policy, empty_nss_db, tmp_path
):
    signed = sign_new_field(draft_pdf, official_key, PFX_PIN, policy)

    report = validate_pdf(signed, anchors=TrustAnchors())
    assert not report.signatures[0].trusted and not report.ok
    (checked,) = pdfsig(signed, empty_nss_db, tmp_path)
    assert checked.signature_valid and not checked.issuer_known


def test_the_frozen_draft_has_empty_fields_and_the_qr_link(draft_pdf):
    frozen = pades.freeze(draft_pdf, verification_url="https://x.example/ky-so/x/abc/", layout=LAYOUT)

    reader = PdfFileReader(io.BytesIO(frozen))
    names = {
        str(f.get_object()["/T"]): f.get_object().get("/FT") for f in reader.root["/AcroForm"]["/Fields"]
    }
    assert names == {
        pades.NUMBER_FIELD: "/Tx",
        pades.DATE_FIELD: "/Tx",
        pades.SIGNER_FIELD: "/Sig",
        pades.AGENCY_FIELD: "/Sig",
    }
    assert not list(reader.embedded_signatures)


def test_a_malformed_pdf_cannot_be_signed(official_key, policy):
    with pytest.raises(pades.PdfProblem):
        sign_new_field(b"%PDF-1.7\nnot really", official_key, PFX_PIN, policy)


def test_the_pin_never_reaches_the_log(draft_pdf, softhsm_key, policy, caplog):
    caplog.set_level("DEBUG")
    sign_new_field(draft_pdf, softhsm_key, "1234", policy)
    assert "1234" not in caplog.text.replace("12345678", "")


def test_the_stamp_font_has_1000_units_per_em_and_is_renamed():
    from fontTools.ttLib import TTFont

    font = TTFont(str(appearances.STAMP_FONT))
    assert font["head"].unitsPerEm == 1000
    assert "Liberation" not in font["name"].getDebugName(1)
    assert (Path(appearances.FONT_DIR) / "LICENSE-OFL.txt").exists()


def test_b_lt_embeds_revocation_data_without_a_document_timestamp(draft_pdf, official_key, dev_pki):
    policy = pades.SigningPolicy(level=pades.Level.B_LT, tsa_url=dev_pki.tsa_url)
    signed = sign_new_field(
        draft_pdf, official_key, PFX_PIN, policy, validation_context=anchors(dev_pki).context()
    )

    report = validate_pdf(signed, anchors=anchors(dev_pki))
    assert [s.kind for s in report.signatures] == ["signature"]
    assert report.ok and report.signatures[0].level == "B-LT"
