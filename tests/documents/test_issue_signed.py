"""Issuing with the agency's digital seal (DOMAIN.md §3): number and date filled into the signed PDF,
the seal applied by the clerk with the PIN typed for that request, the final file published and
delivered, its signatures checked on arrival; a failed seal leaves nothing behind."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from egov.core import clock
from egov.core.models import AuditEvent
from egov.documents import services
from egov.documents.models import IncomingDocument, OutgoingDocument, OutgoingVersion
from egov.documents.rules import OutgoingStatus
from egov.documents.services import arrival, issuing
from egov.documents.services.signing import sign_with_server_key
from egov.signatures import images, pades
from egov.signatures.models import IssuedFile
from egov.signatures.trust import current_anchors
from egov.signatures.validation import Modification, validate_pdf
from tests.documents.conftest import World, composed_draft, local, pdf_bytes
from tests.signing_fixtures import PFX_PIN, pdfsig

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tsa_setting")]
SEAL_KEY = "agency:stp-test"


@pytest.fixture
def keys(
    settings: Any,
    pki_files: Any,
    world: World,
) -> None:
    """The leader's key and the agency's seal key, as the dev PKI's PKCS#12 files.

    Not the SoftHSM2 token: python-pkcs11 initialises SoftHSM2 once per process with one token
    store, and fixtures imported here are a second instance of tests/signatures' (another store),
    so a token here would fight theirs in the same worker. The seal on SoftHSM2 is exercised by
    tests/signatures and by the demo test (which switches the store around its own use)."""
    settings.EGOV_SIGNING_ALLOW_PKCS12 = True
    chain = [str(pki_files["ica.pem"])]
    settings.EGOV_SIGNING_KEYS = {
        f"official:{world.leader.username}": {
            "kind": "pkcs12",
            "path": str(pki_files["official.p12"]),
            "ca_chain": chain,
        },
        SEAL_KEY: {"kind": "pkcs12", "path": str(pki_files["agency.p12"]), "ca_chain": chain},
    }
    settings.EGOV_SIGNING_KEYS_FILE = ""


@pytest.fixture
def sealed_world(
    world: World,
    keys: None,
    trusted_root: Any,
    signature_png: bytes,
    seal_png: bytes,
) -> World:
    images.set_signature_image(actor=None, user=world.leader, png=signature_png)
    images.set_agency_seal(actor=None, agency=world.agency, png=seal_png, key_name=SEAL_KEY)
    return world


def signed_document(w: World, **overrides: Any) -> OutgoingDocument:
    """A composed draft reviewed, frozen by the submission and signed by the leader's key."""
    document = composed_draft(w, **overrides)
    services.submit_for_review(drafter=w.specialist, document=document)
    services.approve_content(head=w.head, document=document)
    services.submit_for_signature(clerk=w.clerk, document=document, signer=w.leader)
    [outcome] = sign_with_server_key(signer=w.leader, document_ids=[document.pk], pin=PFX_PIN)
    assert outcome.ok, outcome.message
    return OutgoingDocument.objects.get(pk=document.pk)


def read(version: OutgoingVersion | IncomingDocument) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(version.file_name, "rb") as handle:
        return bytes(handle.read())


SEAL_PIN = PFX_PIN


def issue_at_noon(w: World, document: OutgoingDocument, pin: str = SEAL_PIN) -> OutgoingDocument:
    with clock.frozen(local(2026, 11, 30, 12, 0)):
        return services.issue(clerk=w.clerk, document=document, seal_pin=pin)


@pytest.fixture
def issued(sealed_world: World) -> OutgoingDocument:
    return issue_at_noon(sealed_world, signed_document(sealed_world))


def test_issue_fills_number_and_date_and_seals_keeping_the_signers_signature_valid(
    issued: OutgoingDocument,
    nss_db: str,
    tmp_path: Any,
) -> None:
    assert issued.status == OutgoingStatus.ISSUED and issued.notation == "01/STP-HCTP"
    final = issued.versions.get(kind=OutgoingVersion.Kind.ISSUED)
    data = read(final)
    report = validate_pdf(data, anchors=current_anchors())
    assert report.ok, report.as_json()
    signer, seal = report.signatures
    assert (signer.field_name, seal.field_name) == (pades.SIGNER_FIELD, pades.AGENCY_FIELD)
    assert signer.modification == Modification.FORM_FILLING and signer.modifications_accepted
    assert seal.modification == Modification.NONE
    checked = pdfsig(data, nss_db, tmp_path)
    assert [c.field for c in checked] == [pades.SIGNER_FIELD, pades.AGENCY_FIELD]
    assert all(c.signature_valid and c.issuer_known for c in checked)
    fields = {
        str(f.get_object()["/T"]): f.get_object().get("/V")
        for f in PdfFileReader(io.BytesIO(data)).root["/AcroForm"]["/Fields"]
    }
    # the composed layout prints "Số:" and "Cà Mau," before the boxes
    assert fields[pades.NUMBER_FIELD] == "01/STP-HCTP"
    assert fields[pades.DATE_FIELD] == "ngày 30 tháng 11 năm 2026"
    event = AuditEvent.objects.get(action="documents.outgoing.issue")
    assert event.details["sealed"] is True
    assert SEAL_PIN not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_the_recipient_copy_is_the_sealed_file_checked_valid_on_arrival(issued: OutgoingDocument) -> None:
    final = issued.versions.get(kind=OutgoingVersion.Kind.ISSUED)
    [copy] = IncomingDocument.objects.filter(source_outgoing=issued)
    assert copy.file_sha256 == final.file_sha256
    assert copy.signature_status == arrival.VALID
    assert copy.signature_report["ok"] is True and len(copy.signature_report["signatures"]) == 2


def test_the_verification_page_shows_the_hash_of_the_issued_file(
    issued: OutgoingDocument, client: Any
) -> None:
    final = issued.versions.get(kind=OutgoingVersion.Kind.ISSUED)
    published = IssuedFile.objects.get(pk=issued.issued_file_id)
    assert published.sha256 == final.file_sha256 and published.number_notation == "01/STP-HCTP"
    page = client.get(reverse("signatures:verify", kwargs={"token": published.token}))
    assert page.status_code == 200
    assert final.file_sha256 in page.content.decode()


def test_a_wrong_pin_refuses_the_issue_and_consumes_no_number(sealed_world: World) -> None:
    document = signed_document(sealed_world)
    with pytest.raises(ValidationError, match="Không mở được khóa ký số của cơ quan") as refused:
        issue_at_noon(sealed_world, document, pin="9999")
    assert "9999" not in str(refused.value)
    document.refresh_from_db()
    assert document.status == OutgoingStatus.SIGNED and document.number is None
    assert not document.versions.filter(kind=OutgoingVersion.Kind.ISSUED).exists()
    assert not IncomingDocument.objects.filter(source_outgoing=document).exists()
    assert AuditEvent.objects.filter(action="documents.outgoing.seal_refused").count() == 1
    assert issue_at_noon(sealed_world, document).number == 1  # the next issue gets the same number


def test_an_unreachable_timestamp_service_rolls_the_numbering_back(
    sealed_world: World, settings: Any
) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    document = signed_document(sealed_world)
    tsa = settings.EGOV_TSA_URL
    settings.EGOV_TSA_URL = f"http://127.0.0.1:{port}/tsa"
    with pytest.raises(ValidationError, match="Văn bản chưa được cấp số"):
        issue_at_noon(sealed_world, document)
    document.refresh_from_db()
    assert (document.status, document.number) == (OutgoingStatus.SIGNED, None)
    assert IssuedFile.objects.get(pk=document.issued_file_id).issued_at is None
    assert not IncomingDocument.objects.filter(source_outgoing=document).exists()
    settings.EGOV_TSA_URL = tsa
    assert issue_at_noon(sealed_world, document).notation == "01/STP-HCTP"


def test_without_a_seal_configured_the_clerk_is_told_and_nothing_is_numbered(
    world: World,
    keys: None,
    trusted_root: Any,
    signature_png: bytes,
) -> None:
    images.set_signature_image(actor=None, user=world.leader, png=signature_png)
    document = signed_document(world)
    with pytest.raises(ValidationError, match="chưa có con dấu số"):
        issue_at_noon(world, document)
    images.set_agency_seal(actor=None, agency=world.agency, png=seal_png_bytes(), key_name=SEAL_KEY)
    with pytest.raises(ValidationError, match="Nhập mã PIN"):
        issue_at_noon(world, document, pin="")
    document.refresh_from_db()
    assert document.status == OutgoingStatus.SIGNED


def test_an_uploaded_pdf_gets_the_full_number_and_place_and_date_texts(world: World) -> None:
    document = composed_draft(world)
    document.composed = {}
    document.notation, document.issued_on = "07/STP-VP", date(2026, 2, 5)
    assert issuing.field_texts(document) == ("Số: 07/STP-VP", "ngày 05 tháng 02 năm 2026")
    document.composed = {"place": "Cà Mau"}
    assert issuing.field_texts(document) == ("07/STP-VP", "ngày 05 tháng 02 năm 2026")


def seal_png_bytes() -> bytes:
    return images.drawn_seal("Sở Tư pháp", side=120)


def test_a_legacy_signed_pdf_without_fields_is_numbered_without_a_seal(world: World) -> None:
    """A signed version egov did not freeze (e.g. recorded before the signing integration): numbered,
    registered and delivered as it is; no seal, no PIN, and the audit says so."""
    document = composed_draft(world)
    from egov.documents.services._base import store_pdf

    stored, _pages = store_pdf(pdf_bytes("signed on paper"), folder="documents/signed", name="giay.pdf")
    OutgoingVersion.objects.create(
        document=document,
        number=2,
        kind=OutgoingVersion.Kind.SIGNED,
        created_by=world.leader,
        created_at=clock.now(),
        file_name=stored.name,
        file_sha256=stored.sha256,
        file_size=stored.size,
    )
    OutgoingDocument.objects.filter(pk=document.pk).update(status=OutgoingStatus.SIGNED, signer=world.leader)
    assert not issuing.will_be_sealed(document)
    issued = services.issue(clerk=world.clerk, document=document)
    assert issued.status == OutgoingStatus.ISSUED
    assert not issued.versions.filter(kind=OutgoingVersion.Kind.ISSUED).exists()
    assert AuditEvent.objects.get(action="documents.outgoing.issue").details["sealed"] is False
    [copy] = IncomingDocument.objects.filter(source_outgoing=issued)
    assert copy.signature_status == arrival.UNSIGNED


def test_a_tampered_file_registered_by_a_clerk_is_flagged_invalid(
    issued: OutgoingDocument, world: World
) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(read(issued.versions.get(kind="issued"))))
    from pyhanko.pdf_utils import generic

    writer.add_stream_to_page(
        0, writer.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 100 Td (Sua) Tj ET"))
    )
    out = io.BytesIO()
    writer.write(out)
    copy = services.register_incoming(
        clerk=world.other_clerk,
        agency=world.other,
        data=services.IncomingData(
            issuer_name="Sở Tư pháp",
            notation="01/STP-HCTP",
            issued_on=issued.issued_on,
            document_type=issued.document_type,
            summary=issued.summary,
        ),
        scan=out.getvalue(),
        scan_name="ban-sua.pdf",
        acknowledge_duplicate=True,
    )
    copy.refresh_from_db()
    assert copy.signature_status == arrival.INVALID
    assert copy.signature_report["ok"] is False


def test_a_delivered_copy_whose_stored_file_was_altered_is_flagged_on_a_recheck(
    issued: OutgoingDocument, world: World
) -> None:
    from django.core.files.storage import default_storage

    [copy] = IncomingDocument.objects.filter(source_outgoing=issued)
    data = read(copy)
    path = default_storage.path(copy.file_name)
    altered = bytearray(data)
    altered[len(data) // 10] ^= 0x20  # inside the first revision, which both signatures cover
    with open(path, "wb") as handle:  # someone with access to the disk edits the stored copy
        handle.write(bytes(altered))
    check = arrival.recheck(actor=world.other_clerk, document=copy)
    copy.refresh_from_db()
    assert check.status == copy.signature_status == arrival.INVALID


def test_a_paper_scan_registered_by_a_clerk_stays_not_checked(world: World) -> None:
    copy = services.register_incoming(
        clerk=world.clerk,
        agency=world.agency,
        data=services.IncomingData(
            issuer_name="Ủy ban nhân dân tỉnh Cà Mau",
            notation="12/UBND-VP",
            issued_on=None,
            document_type=composed_draft(world).document_type,
            summary="Văn bản giấy",
        ),
        scan=pdf_bytes("paper"),
        scan_name="giay.pdf",
    )
    copy.refresh_from_db()
    assert copy.signature_status == arrival.NOT_CHECKED
