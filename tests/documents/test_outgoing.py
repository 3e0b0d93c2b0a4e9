"""Outgoing documents: drafts (composed or uploaded), versions, review and send-back, submission for
signature with the signing capacity, the signed version, and issue with delivery inside the instance."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from egov.core import clock
from egov.core.models import AuditEvent
from egov.documents import rules, services
from egov.documents.models import Delegation, IncomingDocument, OutgoingVersion
from egov.documents.rules import OutgoingStatus
from egov.documents.services.outgoing import capacity_of
from egov.organizations.models import Role
from tests.documents.conftest import (
    assigned,
    composed_draft,
    doc_type,
    incoming_data,
    local,
    member,
    pdf_bytes,
    signed_stand_in,
    walk_to_signed,
)


def test_a_composed_cong_van_is_rendered_as_a_pdf_in_the_decree_30_layout(world):
    document = composed_draft(world)
    [version] = document.versions.all()
    assert version.file_sha256
    text = document.text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "SỞ TƯ PHÁP" in text
    assert "V/v Trả lời về kế hoạch chuyển đổi số" in text
    assert "Kính gửi: Sở Nội vụ" in text
    assert "Nơi nhận:" in text and "Lưu: VT, HCTP" in text


def test_a_type_without_a_form_must_be_uploaded(world):
    with pytest.raises(ValidationError, match="chưa có mẫu"):
        composed_draft(world, document_type=doc_type("quyet-dinh"))
    uploaded = services.create_draft(
        drafter=world.specialist,
        division=world.division,
        document_type=doc_type("quyet-dinh"),
        summary="Quyết định thành lập tổ công tác",
        upload=pdf_bytes("quyet dinh"),
        upload_name="qd.pdf",
    )
    assert uploaded.versions.count() == 1


def test_review_send_back_keeps_versions_and_comments(world):
    document = composed_draft(world)
    services.submit_for_review(drafter=world.specialist, document=document)
    with pytest.raises(ValidationError):
        services.send_back(reviewer=world.head, document=document, comment=" ")
    services.send_back(reviewer=world.head, document=document, comment="Sửa đoạn 2.")
    document.refresh_from_db()
    assert document.status == OutgoingStatus.DRAFT
    services.add_version(
        drafter=world.specialist, document=document, upload=pdf_bytes("v2"), upload_name="v2.pdf"
    )
    services.submit_for_review(drafter=world.specialist, document=document)
    services.approve_content(head=world.head, document=document)
    services.send_back(reviewer=world.clerk, document=document, comment="Sai thể thức nơi nhận.")
    document.refresh_from_db()
    assert document.versions.count() == 2
    assert list(document.comments.values_list("stage", "sent_back")) == [
        ("content_review", True),
        ("format_review", True),
    ]


def test_only_the_drafting_divisions_head_approves_the_content(world):
    document = composed_draft(world)
    services.submit_for_review(drafter=world.specialist, document=document)
    other_head = member(world.agency, Role.DIVISION_HEAD, world.office)
    with pytest.raises(PermissionDenied):
        services.approve_content(head=other_head, document=document)
    with pytest.raises(PermissionDenied):
        services.approve_content(head=world.specialist, document=document)


def test_the_clerk_cannot_skip_the_content_review(world):
    document = composed_draft(world)
    with pytest.raises(rules.IllegalTransition):
        services.submit_for_signature(clerk=world.clerk, document=document, signer=world.leader)


def test_submission_freezes_a_pdf_with_the_signature_block_of_the_capacity(world):
    document = composed_draft(world)
    services.submit_for_review(drafter=world.specialist, document=document)
    services.approve_content(head=world.head, document=document)
    services.submit_for_signature(clerk=world.clerk, document=document, signer=world.deputy)
    document.refresh_from_db()
    assert document.status == OutgoingStatus.AWAITING_SIGNATURE
    assert document.capacity == "KT."
    frozen = document.versions.order_by("-number").first()
    from egov.documents import extraction

    text = extraction.stored_pdf_text(frozen.file_name)
    assert "KT. GIÁM ĐỐC" in text and "PHÓ GIÁM ĐỐC" in text and "Trần Phó Giám Đốc" in text


def test_a_delegation_gives_its_capacity_only_within_its_period(world):
    chief = member(world.agency, Role.AGENCY_LEADER, world.office)
    Delegation.objects.create(
        agency=world.agency,
        delegate=chief,
        kind="TL.",
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
        reason="Quyết định 12/QĐ-STP",
    )
    assert capacity_of(chief, world.agency, on=date(2026, 6, 1)) is rules.Capacity.BY_ORDER
    with pytest.raises(rules.CapacityError):
        capacity_of(chief, world.agency, on=date(2027, 1, 1))
    assert capacity_of(world.leader, world.agency) is rules.Capacity.DIRECT


def test_only_the_signer_submitted_to_records_the_signed_version(world):
    document = composed_draft(world)
    services.submit_for_review(drafter=world.specialist, document=document)
    services.approve_content(head=world.head, document=document)
    services.submit_for_signature(clerk=world.clerk, document=document, signer=world.leader)
    with pytest.raises(PermissionDenied):
        services.record_signed_version(
            document=document, signed_pdf=signed_stand_in(document), signer=world.deputy
        )
    signed = services.record_signed_version(
        document=document, signed_pdf=signed_stand_in(document), signer=world.leader
    )
    assert signed.status == OutgoingStatus.SIGNED
    assert signed.versions.filter(kind=OutgoingVersion.Kind.SIGNED).count() == 1


def test_issue_numbers_dates_registers_and_delivers_to_the_internal_recipient(world):
    with clock.frozen(local(2026, 11, 30, 9, 0)):
        document = walk_to_signed(world, composed_draft(world))
    with clock.frozen(local(2026, 11, 30, 10, 0)):
        issued = services.issue(clerk=world.clerk, document=document)
    assert issued.status == OutgoingStatus.ISSUED
    assert (issued.number, issued.notation, issued.issued_on) == (1, "01/STP-HCTP", date(2026, 11, 30))
    [delivered] = IncomingDocument.objects.filter(agency=world.other)
    assert delivered.notation == "01/STP-HCTP"
    assert delivered.issuer_agency == world.agency
    assert delivered.source_outgoing == issued
    assert delivered.incoming_number == 1
    assert delivered.file_sha256 == issued.versions.get(kind="signed").file_sha256
    external = issued.recipients.get(agency__isnull=True)
    assert external.name == "Bộ Tư pháp" and external.delivered is None
    assert AuditEvent.objects.filter(action="documents.outgoing.issue").count() == 1


def test_a_plan_is_numbered_with_its_type_abbreviation_and_numbers_restart_in_january(world):
    plan_kind = doc_type("ke-hoach")
    with clock.frozen(local(2026, 12, 31, 9, 0)):
        first = services.issue(
            clerk=world.clerk,
            document=walk_to_signed(
                world,
                composed_draft(world, document_type=plan_kind, summary="Kế hoạch chuyển đổi số năm 2027"),
            ),
        )
    with clock.frozen(local(2027, 1, 2, 9, 0)):
        second = services.issue(
            clerk=world.clerk,
            document=walk_to_signed(
                world, composed_draft(world, document_type=plan_kind, summary="Kế hoạch cải cách hành chính")
            ),
        )
    assert first.notation == "01/KH-STP"
    assert (second.notation, second.year) == ("01/KH-STP", 2027)


def test_only_a_clerk_issues_and_only_after_signature(world):
    document = composed_draft(world)
    with pytest.raises(rules.IllegalTransition):
        services.issue(clerk=world.clerk, document=document)
    signed = walk_to_signed(world, composed_draft(world))
    with pytest.raises(PermissionDenied):
        services.issue(clerk=world.specialist, document=signed)


def test_a_secret_document_is_never_drafted_on_the_system(world):
    with pytest.raises(ValidationError, match="Văn bản mật không soạn thảo"):
        composed_draft(world, secrecy=rules.Secrecy.CONFIDENTIAL)


def test_a_secret_paper_document_is_numbered_and_delivered_as_metadata_only(world):
    with pytest.raises(ValidationError):
        services.register_secret_outgoing(
            clerk=world.clerk,
            division=world.division,
            document_type=doc_type("cong-van"),
            summary="x",
            secrecy=rules.Secrecy.NONE,
            signer=world.leader,
        )
    with pytest.raises(PermissionDenied):
        services.register_secret_outgoing(
            clerk=world.specialist,
            division=world.division,
            document_type=doc_type("cong-van"),
            summary="x",
            secrecy=rules.Secrecy.SECRET,
            signer=world.leader,
        )
    issued = services.register_secret_outgoing(
        clerk=world.clerk,
        division=world.division,
        document_type=doc_type("cong-van"),
        summary="Về công tác bảo vệ bí mật nhà nước",
        secrecy=rules.Secrecy.SECRET,
        signer=world.deputy,
        recipient_agencies=[world.other],
    )
    assert (issued.status, issued.notation, issued.capacity) == (OutgoingStatus.ISSUED, "01/STP-HCTP", "KT.")
    assert not issued.versions.exists()
    assert issued.register.is_secret
    [delivered] = IncomingDocument.objects.filter(agency=world.other)
    assert delivered.register.is_secret
    assert delivered.file_name == "" and delivered.text == ""


def test_outgoing_documents_are_found_accent_free_after_every_migration(world):
    from egov.documents import selectors

    composed_draft(world, summary="Trả lời về đào tạo cán bộ")
    found = selectors.search_outgoing(world.specialist, selectors.Filters(query="dao tao can bo"))
    assert [d.summary for d in found] == ["Trả lời về đào tạo cán bộ"]
    ranked = selectors.search_outgoing(world.specialist, selectors.Filters(query="dao tao", relevance=True))
    assert len(list(ranked)) == 1


def test_a_reply_is_linked_to_the_incoming_document_it_answers(world):
    incoming = assigned(world)
    reply = composed_draft(world, in_reply_to=incoming)
    assert list(incoming.replies.all()) == [reply]
    foreign = services.register_incoming(
        clerk=world.other_clerk,
        agency=world.other,
        data=incoming_data(),
    )
    with pytest.raises(ValidationError, match="không thuộc cơ quan"):
        composed_draft(world, in_reply_to=foreign)
