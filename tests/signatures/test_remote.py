"""Remote signing (ký số từ xa) through a CSC API service: the sandbox is certomancer's CSC dummy
on loopback (the ``csc_sandbox`` fixture of tests/signing_fixtures.py), holding the dev PKI's
official key; one approval signs a whole batch."""

from __future__ import annotations

import pytest

from egov.signatures import official_keys, pades, services
from egov.signatures.remote import CscKey
from egov.signatures.signers import SignerUnavailable
from egov.signatures.trust import current_anchors
from egov.signatures.validation import validate_pdf
from tests.signatures.conftest import LAYOUT, pdfsig

pytestmark = pytest.mark.django_db


def test_one_approval_signs_a_batch_remotely(
    csc_sandbox, leader, draft_pdf, signature_png, trusted_root, nss_db, tmp_path
):
    key = CscKey(service_url=csc_sandbox, credential_id="egov-dev/official")
    drafts = [
        services.freeze_document(actor=leader.user, agency=leader.agency, pdf=draft_pdf, layout=LAYOUT).pdf
        for _ in range(3)
    ]
    items = [services.BatchItem(reference=f"documents:{n}", pdf=pdf) for n, pdf in enumerate(drafts)]
    items.append(services.BatchItem(reference="documents:broken", pdf=b"%PDF-1.4 broken"))

    results = official_keys.sign_batch_remotely(
        actor=leader.user,
        agency=leader.agency,
        items=items,
        key=key,
        otp="123456",
        signature_image=signature_png,
    )

    assert [r.ok for r in results] == [True, True, True, False]
    for result in results[:3]:
        assert result.pdf is not None
        report = validate_pdf(result.pdf, anchors=current_anchors())
        assert report.ok, report.as_json()
        assert report.signatures[0].signer_common_name == "Nguyễn Văn Đức"
        signed_field = pdfsig(result.pdf, nss_db, tmp_path)[0]
        assert (
            signed_field.field == pades.SIGNER_FIELD
            and signed_field.signature_valid
            and signed_field.issuer_known
        )


def test_an_unknown_credential_is_refused_and_nothing_is_signed(
    csc_sandbox, leader, draft_pdf, signature_png
):
    key = CscKey(service_url=csc_sandbox, credential_id="egov-dev/nobody")
    with pytest.raises(SignerUnavailable):
        official_keys.sign_batch_remotely(
            actor=leader.user,
            agency=leader.agency,
            items=[services.BatchItem(reference="a", pdf=draft_pdf)],
            key=key,
            otp="1",
            signature_image=signature_png,
        )


def test_a_remote_service_over_plain_http_elsewhere_is_refused(leader, draft_pdf, signature_png):
    key = CscKey(service_url="http://ky-so-tu-xa.example", credential_id="x")
    with pytest.raises(SignerUnavailable, match="HTTPS"):
        official_keys.sign_batch_remotely(
            actor=leader.user,
            agency=leader.agency,
            items=[services.BatchItem(reference="a", pdf=draft_pdf)],
            key=key,
            otp="1",
            signature_image=signature_png,
        )
