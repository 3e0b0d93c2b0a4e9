"""Signing outgoing documents, services with the database and the dev PKI: the draft frozen on
submission for signature (fields where the layout or the clerk's pick puts them, the QR token of
its IssuedFile), the leader's batch signature with the key egov holds for them, and what is
refused. Every signed file is checked by egov's validator and by poppler's pdfsig."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from egov.core.audit import AuditEvent
from egov.documents import placement, services
from egov.documents.models import OutgoingDocument, OutgoingVersion
from egov.documents.rules import OutgoingStatus
from egov.documents.services import signing
from egov.documents.services.outgoing import frozen_version, read_version
from egov.signatures import pades
from egov.signatures.models import IssuedFile
from egov.signatures.signers import SignerUnavailable
from egov.signatures.trust import current_anchors
from egov.signatures.validation import validate_pdf
from tests.documents.conftest import pdf_bytes
from tests.documents.signing_support import (
    PFX_PIN,
    awaiting,
    configure_server_key,
    field_boxes,
    give_signature_image,
    pdfsig,
    uploaded_in_format_review,
    words,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_settings")]


def _frozen(document: OutgoingDocument) -> bytes:
    version = frozen_version(document)
    assert version is not None and version.kind == OutgoingVersion.Kind.FROZEN
    return read_version(version)


def _overlaps_vertically(box: tuple[float, float, float, float], y1: float, y2: float) -> bool:
    return box[1] < y2 and y1 < box[3]


def test_submission_freezes_a_composed_draft_with_the_fields_where_its_layout_puts_them(world, tmp_path):
    (document,) = awaiting(world)
    document.refresh_from_db()
    frozen = _frozen(document)

    issued = document.issued_file
    assert isinstance(issued, IssuedFile) and issued.source == f"documents:{document.pk}"
    text_words = words(frozen, tmp_path)
    assert issued.token in " ".join(w.text for w in text_words)  # the QR's short link, on page 1
    boxes = field_boxes(frozen)
    assert set(boxes) >= {pades.NUMBER_FIELD, pades.DATE_FIELD, pades.SIGNER_FIELD, pades.AGENCY_FIELD}

    # The number right after "Số:", the date right after the place, on their lines.
    so = next(w for w in text_words if w.text == "Số:")
    page, number = boxes[pades.NUMBER_FIELD]
    assert page == 0 and so.x2 <= number[0] < so.x2 + 10 and _overlaps_vertically(number, so.y1, so.y2)
    place = next(w for w in text_words if w.text == "Mau,")
    _page, date = boxes[pades.DATE_FIELD]
    assert place.x2 <= date[0] < place.x2 + 10 and _overlaps_vertically(date, place.y1, place.y2)
    # The signer's image between the title line ("GIÁM ĐỐC") and the name, in the same column.
    title = next(w for w in text_words if w.text == "GIÁM")
    name = next(w for w in text_words if w.text == "Nguyễn")
    _page, signer = boxes[pades.SIGNER_FIELD]
    assert name.y2 <= signer[1] < signer[3] <= title.y1
    assert signer[0] < name.x1 < signer[2]
    assert AuditEvent.objects.filter(action="signatures.freeze").count() == 1


def test_an_uploaded_draft_is_frozen_at_the_clerks_pick_or_else_at_the_default_positions(world):
    default_one = uploaded_in_format_review(world)
    picked = uploaded_in_format_review(world)
    spots = [
        placement.Spot("signer", 0, 400.0, 300.0),
        placement.Spot("number", 0, 150.0, 700.0),
        placement.Spot("date", 1, 420.0, 710.0),
    ]
    with pytest.raises(PermissionDenied):
        signing.set_signature_placement(actor=world.colleague, document=picked, spots=spots)
    with pytest.raises(ValidationError, match="trang 3 không tồn tại"):
        signing.set_signature_placement(
            actor=world.clerk, document=picked, spots=[placement.Spot("signer", 2, 10.0, 10.0)]
        )
    signing.set_signature_placement(actor=world.clerk, document=picked, spots=spots)
    assert AuditEvent.objects.filter(action="documents.outgoing.signature_placement").count() == 1

    for document in (default_one, picked):
        services.submit_for_signature(clerk=world.clerk, document=document, signer=world.leader)
    default_boxes = field_boxes(_frozen(default_one))
    page, signer = default_boxes[pades.SIGNER_FIELD]
    assert page == 1 and signer[0] > 595 / 2 and signer[3] < 842 / 3  # bottom right of the last page
    page, number = default_boxes[pades.NUMBER_FIELD]
    assert page == 0 and number[2] < 595 / 2 and number[1] > 842 * 2 / 3  # top left of page 1
    page, date = default_boxes[pades.DATE_FIELD]
    assert page == 0 and date[0] > 595 / 2 and date[1] > 842 * 2 / 3  # top right of page 1

    picked_boxes = field_boxes(_frozen(picked))
    for spot in spots:
        name = {"signer": pades.SIGNER_FIELD, "number": pades.NUMBER_FIELD, "date": pades.DATE_FIELD}[
            spot.part
        ]
        page, (x1, y1, x2, y2) = picked_boxes[name]
        assert page == spot.page
        assert abs((x1 + x2) / 2 - spot.x) <= 1 and abs((y1 + y2) / 2 - spot.y) <= 1
    # Submitted for signature, the placement is fixed.
    with pytest.raises(PermissionDenied):
        signing.set_signature_placement(actor=world.clerk, document=picked, spots=spots)


def test_the_leader_signs_a_batch_with_the_key_egov_holds(
    world, settings, pki_files, signature_png, trusted_root, nss_db, tmp_path
):
    give_signature_image(world.leader, signature_png)
    configure_server_key(settings, world.leader, pki_files)
    first, second = awaiting(world, 2)
    (not_mine,) = awaiting(world, 1)
    not_mine.signer = world.deputy
    not_mine.save(update_fields=["signer"])

    outcomes = signing.sign_with_server_key(
        signer=world.leader, document_ids=[first.pk, second.pk, not_mine.pk], pin=PFX_PIN
    )

    assert [(o.document_id, o.ok) for o in outcomes] == [
        (first.pk, True),
        (second.pk, True),
        (not_mine.pk, False),
    ]
    assert outcomes[0].message == "Đã ký"
    assert "Không có văn bản này" in outcomes[2].message
    for document in (first, second):
        document.refresh_from_db()
        assert document.status == OutgoingStatus.SIGNED and document.signed_at is not None
        signed = read_version(document.versions.get(kind=OutgoingVersion.Kind.SIGNED))
        assert signed.startswith(_frozen(document))
        report = validate_pdf(signed, anchors=current_anchors())
        assert report.ok, report.as_json()
        assert [s.field_name for s in report.signatures] == [pades.SIGNER_FIELD]
        (checked, _empty_agency_field) = pdfsig(signed, nss_db, tmp_path)
        assert checked.field == pades.SIGNER_FIELD and checked.signature_valid and checked.issuer_known
    # Asked again (a double submit): reported, not signed twice.
    again = signing.sign_with_server_key(signer=world.leader, document_ids=[first.pk], pin=PFX_PIN)
    assert not again[0].ok and "đã được ký trước đó" in again[0].message
    assert OutgoingVersion.objects.filter(document=first, kind=OutgoingVersion.Kind.SIGNED).count() == 1
    # Audited by both apps, never with the PIN.
    assert AuditEvent.objects.filter(action="signatures.sign_official").count() == 2
    assert AuditEvent.objects.filter(action="documents.outgoing.signed_version").count() == 2
    events = json.dumps(list(AuditEvent.objects.values_list("details", flat=True)), ensure_ascii=False)
    assert PFX_PIN not in events


def test_a_wrong_pin_signs_nothing_and_a_missing_signature_image_is_explained(
    world, settings, pki_files, signature_png
):
    configure_server_key(settings, world.leader, pki_files)
    (document,) = awaiting(world)
    with pytest.raises(ValidationError, match="Chưa có ảnh chữ ký"):
        signing.sign_with_server_key(signer=world.leader, document_ids=[document.pk], pin=PFX_PIN)
    give_signature_image(world.leader, signature_png)
    with pytest.raises(SignerUnavailable):
        signing.sign_with_server_key(signer=world.leader, document_ids=[document.pk], pin="sai-mat-khau")
    document.refresh_from_db()
    assert document.status == OutgoingStatus.AWAITING_SIGNATURE
    settings.EGOV_SIGNING_KEYS = {}
    with pytest.raises(SignerUnavailable, match="Chưa cấu hình khóa ký"):
        signing.sign_with_server_key(signer=world.leader, document_ids=[document.pk], pin=PFX_PIN)


def test_only_the_frozen_pdf_plus_a_signature_is_recorded_as_signed(world):
    (document,) = awaiting(world)
    with pytest.raises(ValidationError, match="không phải là bản trình ký"):
        services.record_signed_version(document=document, signed_pdf=pdf_bytes("khac"), signer=world.leader)
    with pytest.raises(ValidationError, match="không phải là bản trình ký"):
        services.record_signed_version(document=document, signed_pdf=_frozen(document), signer=world.leader)


def test_the_default_placement_stays_inside_small_pages(world):
    sizes = [(300.0, 200.0)]
    chosen = placement.default_placement(sizes)
    for part in placement.PARTS:
        x1, y1, x2, y2 = chosen[part]["box"]
        assert 0 <= x1 < x2 <= 300 and 0 <= y1 < y2 <= 200
    assert placement.effective_placement({"signer": {"page": 5, "box": [1, 2, 3, 4]}}, sizes) == chosen


def test_an_unreadable_certificate_from_the_agent_is_refused(world, signature_png):
    give_signature_image(world.leader, signature_png)
    (document,) = awaiting(world)
    with pytest.raises(ValidationError, match="không đọc được"):
        signing.begin_with_agent(signer=world.leader, document_ids=[document.pk], certificate_pem="rác")
