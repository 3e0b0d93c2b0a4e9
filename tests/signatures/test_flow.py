"""DOMAIN.md §3: freeze, sign as the official, number and seal, register — each step a service."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from egov.core.models import AuditEvent
from egov.signatures import pades, services
from egov.signatures.models import IssuedFile
from egov.signatures.trust import current_anchors
from egov.signatures.validation import Modification, validate_pdf
from tests.signatures.conftest import LAYOUT, PFX_PIN, issue_document, pdfsig, render_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued_pdf(
    leader, clerk, draft_pdf, official_key, softhsm_key, signature_png, seal_png, trusted_root
) -> dict[str, Any]:
    frozen, signed, sealed = issue_document(
        leader=leader,
        clerk=clerk,
        pdf=draft_pdf,
        official_key=official_key,
        signature_image=signature_png,
        agency_key=softhsm_key,
        agency_pin="1234",
        seal_image=seal_png,
        number_notation="Số: 05/QĐ-UBND",
        date_text="Thử Nghiệm, ngày 26 tháng 02 năm 2027",
    )
    return {"frozen": frozen, "signed": signed, "sealed": sealed}


def test_the_full_flow_keeps_the_first_signature_valid(issued_pdf, nss_db, tmp_path):
    report = validate_pdf(issued_pdf["sealed"], anchors=current_anchors())

    assert report.ok, report.as_json()
    official, agency = report.signatures
    assert official.field_name == pades.SIGNER_FIELD and official.signer_common_name == "Nguyễn Văn Đức"
    assert official.modification == Modification.FORM_FILLING  # number, date, then the seal
    assert agency.field_name == pades.AGENCY_FIELD and agency.modification == Modification.NONE
    checked = pdfsig(issued_pdf["sealed"], nss_db, tmp_path)
    assert [c.field for c in checked] == [pades.SIGNER_FIELD, pades.AGENCY_FIELD]
    assert all(c.signature_valid and c.issuer_known for c in checked)
    assert checked[1].total_document and not checked[0].total_document


def test_the_number_and_date_are_in_the_fields(issued_pdf):
    reader = PdfFileReader(io.BytesIO(issued_pdf["sealed"]))
    values = {
        str(f.get_object()["/T"]): f.get_object().get("/V") for f in reader.root["/AcroForm"]["/Fields"]
    }
    assert values[pades.NUMBER_FIELD] == "Số: 05/QĐ-UBND"
    assert values[pades.DATE_FIELD] == "Thử Nghiệm, ngày 26 tháng 02 năm 2027"


def test_the_qr_token_is_on_the_page_before_the_first_signature(issued_pdf):
    token = issued_pdf["frozen"].issued_file.token
    assert issued_pdf["frozen"].verification_url == f"https://dichvucong.example.gov.vn/ky-so/x/{token}/"
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(issued_pdf["signed"])).pages[0].extract_text()
    assert token in text.replace("\n", "")


def test_registering_publishes_the_hash_and_the_report(issued_pdf, clerk):
    issued = services.register_issued_file(
        actor=clerk.user,
        agency=clerk.agency,
        token=issued_pdf["frozen"].issued_file.token,
        pdf=issued_pdf["sealed"],
        number_notation="05/QĐ-UBND",
    )
    import hashlib

    assert issued.sha256 == hashlib.sha256(issued_pdf["sealed"]).hexdigest()
    assert issued.report["ok"] is True and issued.issued_at is not None
    with pytest.raises(pades.PdfProblem):  # an issued file is never overwritten
        services.register_issued_file(
            actor=clerk.user, agency=clerk.agency, token=issued.token, pdf=issued_pdf["signed"]
        )


def test_content_added_after_the_signature_is_refused(issued_pdf, nss_db, tmp_path):
    writer = IncrementalPdfFileWriter(io.BytesIO(issued_pdf["sealed"]))
    writer.add_stream_to_page(0, writer.add_object(_text_stream(writer)))
    out = io.BytesIO()
    writer.write(out)

    report = validate_pdf(out.getvalue(), anchors=current_anchors())
    assert not report.ok
    assert all(s.intact for s in report.signatures)  # the signed bytes are untouched...
    assert report.signatures[1].modification == Modification.OTHER  # ...but the page changed after
    assert not report.signatures[1].modifications_accepted


def _text_stream(writer: Any) -> Any:
    from pyhanko.pdf_utils import generic

    return generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 100 Td (Sua) Tj ET")


def test_a_leader_of_another_agency_cannot_sign(draft_pdf, official_key, signature_png):
    from egov.organizations.models import Role
    from tests.factories import MembershipFactory

    outsider = MembershipFactory(role=Role.AGENCY_LEADER)
    other = MembershipFactory(role=Role.CLERK)
    with pytest.raises(PermissionDenied):
        services.sign_as_official(
            actor=outsider.user,
            agency=other.agency,
            pdf=draft_pdf,
            key=official_key,
            pin=PFX_PIN,
            signature_image=signature_png,
        )


def test_a_clerk_cannot_sign_as_the_competent_person(clerk, draft_pdf, official_key, signature_png):
    with pytest.raises(PermissionDenied):
        services.sign_as_official(
            actor=clerk.user,
            agency=clerk.agency,
            pdf=draft_pdf,
            key=official_key,
            pin=PFX_PIN,
            signature_image=signature_png,
        )


def test_signing_is_audited_without_the_pin(issued_pdf):
    events = list(
        AuditEvent.objects.filter(action__startswith="signatures.")
        .exclude(action="signatures.trust_add")
        .order_by("pk")
        .values_list("action", "details")
    )
    assert [a for a, _ in events] == ["signatures.freeze", "signatures.sign_official", "signatures.seal"]
    assert PFX_PIN not in str(events) and "1234" not in str(events)


def test_an_electronic_copy_is_signed_at_the_top_right_with_text_only(
    leader, clerk, agency_p12_key, trusted_root, nss_db, tmp_path
):
    copy = services.sign_copy(
        actor=clerk.user,
        agency=clerk.agency,
        pdf=render_pdf(2),
        key=agency_p12_key,
        pin=PFX_PIN,
        lines=["SAO Y", "Sở Tư pháp tỉnh Thử Nghiệm"],
    )
    report = validate_pdf(copy, anchors=current_anchors())
    assert report.ok, report.as_json()
    reader = PdfFileReader(io.BytesIO(copy))
    (sig,) = reader.embedded_signatures
    _x1, _y1, x2, y2 = (float(v) for v in sig.sig_field["/Rect"])
    width, height = pades.page_size(copy)
    assert x2 > width * 0.8 and y2 > height * 0.9  # top right of page 1
    assert "/XObject" not in str(sig.sig_field["/AP"]["/N"].get_object().get("/Resources", {}))  # no image
    assert pdfsig(copy, nss_db, tmp_path)[0].signature_valid


def test_a_batch_signs_every_document_and_reports_the_broken_one(
    leader, draft_pdf, softhsm_key, signature_png, trusted_root
):
    good = [
        services.freeze_document(actor=leader.user, agency=leader.agency, pdf=draft_pdf, layout=LAYOUT).pdf
        for _ in range(3)
    ]
    items = [services.BatchItem(reference=f"documents:{n}", pdf=pdf) for n, pdf in enumerate(good)]
    items.insert(1, services.BatchItem(reference="documents:broken", pdf=b"%PDF-1.4 broken"))
    seen: list[tuple[int, int]] = []

    results = services.sign_batch(
        actor=leader.user,
        agency=leader.agency,
        items=items,
        key=softhsm_key,
        pin="1234",
        signature_image=signature_png,
        progress=lambda done, total, _result: seen.append((done, total)),
    )

    assert [r.ok for r in results] == [True, False, True, True]
    assert results[1].error
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    for result in results:
        if result.ok:
            assert result.pdf is not None and validate_pdf(result.pdf, anchors=current_anchors()).ok


def test_a_batch_with_a_wrong_pin_signs_nothing(leader, draft_pdf, softhsm_key, signature_png):
    from egov.signatures.signers import SignerUnavailable

    with pytest.raises(SignerUnavailable):
        services.sign_batch(
            actor=leader.user,
            agency=leader.agency,
            items=[services.BatchItem(reference="a", pdf=draft_pdf)],
            key=softhsm_key,
            pin="0000",
            signature_image=signature_png,
        )
    assert not AuditEvent.objects.filter(action="signatures.sign_official").exists()


def test_a_frozen_document_has_an_issued_file_row_without_hash(leader, draft_pdf):
    frozen = services.freeze_document(actor=leader.user, agency=leader.agency, pdf=draft_pdf, layout=LAYOUT)
    issued = IssuedFile.objects.get(pk=frozen.issued_file.pk)
    assert issued.sha256 == "" and issued.issued_at is None and len(issued.token) >= 16
