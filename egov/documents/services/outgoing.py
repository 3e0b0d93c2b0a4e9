"""Outgoing documents: draft (PDF upload or structured form), versions, review by the division
head (content) and the clerk (form), submission for signature, the signed version recorded by the
signatures integration, and issue (number, date, register, delivery inside the instance).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.accounts.scope import require, scope_of
from egov.core import audit, clock, files, notifications, pdf
from egov.documents import extraction, placement, rules
from egov.documents.models import (
    Delegation,
    DocumentType,
    IncomingDocument,
    OutgoingDocument,
    OutgoingVersion,
    Recipient,
    ReviewComment,
)
from egov.documents.rules import OUTGOING_TRANSITIONS, OutgoingStatus
from egov.documents.services._base import (
    check_move,
    outgoing_search_text,
    require_member,
    store_draft_pdf,
    store_pdf,
)
from egov.organizations.models import Agency, Division, Membership, Position
from egov.signatures import services as signature_services
from egov.signatures.pades import FreezeLayout, PdfProblem


@dataclass(frozen=True)
class ComposedContent:
    """What the structured form collects for công văn, thông báo, giấy mời and kế hoạch."""

    place: str
    title: str
    body: str
    addressees: str = ""
    recipients: list[str] = field(default_factory=list)


def create_draft(
    *,
    drafter: User,
    division: Division,
    document_type: DocumentType,
    summary: str,
    urgency: str = rules.Urgency.NORMAL,
    secrecy: str = rules.Secrecy.NONE,
    upload: files.Upload | None = None,
    upload_name: str | None = None,
    composed: ComposedContent | None = None,
    recipient_agencies: list[Agency] | None = None,
    external_recipients: list[str] | None = None,
    in_reply_to: IncomingDocument | None = None,
    replaces: OutgoingDocument | None = None,
    origin: str = "",
    corrects: OutgoingDocument | None = None,
) -> OutgoingDocument:
    """A specialist's draft: an uploaded PDF, or composed from the form and rendered as PDF (version 1).

    ``in_reply_to``: the incoming document this one answers (same agency). ``replaces``: an issued
    document of the agency with a content error, recalled when this one is issued. ``origin``: what
    the document answers outside this app (``"dossiers:<code>"``: a one-stop dossier's result), told
    back through ``signals.outgoing_issued``. ``corrects``: an issued document of the agency with
    an error of form or presentation, which this correcting công văn (đính chính) corrects.
    """
    agency = division.agency
    require(drafter, "documents.draft", agency)
    if in_reply_to is not None and in_reply_to.agency_id != agency.pk:
        raise ValidationError(_("Văn bản được trả lời không thuộc cơ quan của đơn vị soạn thảo."))
    if replaces is not None and (replaces.agency_id != agency.pk or replaces.status != OutgoingStatus.ISSUED):
        raise ValidationError(_("Chỉ thay thế được văn bản đã phát hành của chính cơ quan."))
    _check_corrects(corrects, agency=agency, replaces=replaces)
    if rules.is_secret(secrecy):
        raise ValidationError(
            {
                "secrecy": _(
                    "Văn bản mật không soạn thảo, trình ký trên hệ thống; sau khi ký bản giấy, "
                    "văn thư vào sổ văn bản mật đi (chỉ lưu thông tin)."
                )
            }
        )
    if (upload is None) == (composed is None):
        raise ValidationError(_("Tải lên tệp PDF dự thảo hoặc soạn theo mẫu (một trong hai)."))
    if composed is not None and not document_type.is_composable:
        raise ValidationError(_("Loại văn bản này chưa có mẫu soạn thảo; hãy tải lên tệp PDF."))
    if not summary.strip():
        raise ValidationError({"summary": _("Cần ghi trích yếu nội dung.")})
    if composed is not None and not composed.body.strip():
        raise ValidationError({"body": _("Cần nhập nội dung văn bản.")})
    document = OutgoingDocument(
        agency=agency,
        division=division,
        drafter=drafter,
        document_type=document_type,
        summary=summary.strip(),
        composed=asdict(composed) if composed else {},
        urgency=urgency,
        secrecy=secrecy,
        in_reply_to=in_reply_to,
        replaces=replaces,
        corrects=corrects,
        origin=origin.strip(),
        created_at=clock.now(),
    )
    if composed is not None:
        content: files.Upload = render_composed(document)
        name = "du-thao.pdf"
    else:
        assert upload is not None
        content, name = upload, upload_name or ""
    stored, _pages = store_draft_pdf(content, folder="documents/outgoing", name=name or None)
    text = extraction.stored_pdf_text(stored.name)
    with transaction.atomic():
        document.text = text
        document.search_text = outgoing_search_text(document)
        document.save()
        _add_version(document, stored, drafter, note=_("Dự thảo lần đầu"))
        for recipient in recipient_agencies or []:
            Recipient.objects.create(document=document, agency=recipient, name=recipient.name)
        for name_text in external_recipients or []:
            if name_text.strip():
                Recipient.objects.create(document=document, name=name_text.strip())
        audit.record(
            actor=drafter,
            action="documents.outgoing.create",
            obj=document,
            details={
                "sha256": stored.sha256,
                "composed": composed is not None,
                "in_reply_to": in_reply_to.pk if in_reply_to else None,
                "corrects": corrects.pk if corrects else None,
            },
        )
    return document


COMPOSED_TEMPLATE = "documents/pdf/composed.html"


def _check_corrects(
    corrects: OutgoingDocument | None, *, agency: Agency, replaces: OutgoingDocument | None
) -> None:
    """A correction (đính chính) corrects one issued document of the drafting agency; a document
    is either corrected (form error) or replaced (content error), not both by one draft."""
    if corrects is None:
        return
    if corrects.agency_id != agency.pk or corrects.status != OutgoingStatus.ISSUED:
        raise ValidationError(_("Chỉ đính chính được văn bản đã phát hành của chính cơ quan."))
    if replaces is not None:
        raise ValidationError(_("Một dự thảo không thể vừa thay thế vừa đính chính văn bản."))


def render_composed(document: OutgoingDocument, *, signer_lines: list[str] | None = None) -> bytes:
    """The draft's PDF in the Decree 30 layout, number and date left empty for the issue step."""
    return pdf.render_pdf(COMPOSED_TEMPLATE, _composed_context(document, signer_lines))


def _composed_context(document: OutgoingDocument, signer_lines: list[str] | None) -> dict[str, object]:
    composed = document.composed
    agency = document.agency
    is_cong_van = not document.document_type.abbreviation
    return {
        "agency_parent": agency.parent.name if agency.parent is not None else "",
        "agency_name": agency.name,
        "notation_placeholder": "",
        "place": composed.get("place", ""),
        "is_cong_van": is_cong_van,
        "type_name": document.document_type.name,
        "title": composed.get("title", "") or document.summary,
        "summary": document.summary,
        "addressees": composed.get("addressees", ""),
        "paragraphs": [p.strip() for p in composed.get("body", "").split("\n") if p.strip()],
        "recipients": composed.get("recipients", []),
        "unit_abbreviation": document.division.abbreviation,
        "block_lines": signer_lines or ["", ""],
    }


def _add_version(
    document: OutgoingDocument,
    stored: files.StoredFile,
    actor: User,
    *,
    note: str = "",
    kind: str = OutgoingVersion.Kind.DRAFT,
) -> OutgoingVersion:
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return OutgoingVersion.objects.create(
        document=document,
        number=last + 1,
        kind=kind,
        created_by=actor,
        created_at=clock.now(),
        note=note,
        file_name=stored.name,
        file_sha256=stored.sha256,
        file_size=stored.size,
    )


def add_version(
    *,
    drafter: User,
    document: OutgoingDocument,
    upload: files.Upload,
    upload_name: str | None = None,
    note: str = "",
) -> OutgoingVersion:
    """A new PDF of a draft that was sent back (or not yet submitted); earlier versions are kept."""
    if document.drafter_id != drafter.pk:
        raise PermissionDenied(_("Chỉ người soạn thảo mới cập nhật được dự thảo."))
    if document.status != OutgoingStatus.DRAFT:
        raise rules.IllegalTransition(_("Chỉ sửa được dự thảo khi văn bản chưa trình hoặc đã bị trả lại."))
    stored, _pages = store_draft_pdf(upload, folder="documents/outgoing", name=upload_name)
    text = extraction.stored_pdf_text(stored.name)
    with transaction.atomic():
        version = _add_version(document, stored, drafter, note=note)
        document.text = text
        document.search_text = outgoing_search_text(document)
        document.save(update_fields=["text", "search_text"])
        audit.record(
            actor=drafter,
            action="documents.outgoing.version",
            obj=document,
            details={"version": version.number, "sha256": stored.sha256},
        )
    return version


def _locked(document: OutgoingDocument) -> OutgoingDocument:
    return (
        OutgoingDocument.objects.select_for_update()
        .select_related("agency", "document_type")
        .get(pk=document.pk)
    )


def _locked_for_move(document: OutgoingDocument, target: str, *, name: str, actor: User) -> OutgoingDocument:
    """The document, locked, once the table allows the move and the actor may make it."""
    document = _locked(document)
    check_move(
        OUTGOING_TRANSITIONS, document.status, target, name=name, actor=actor, agency_id=document.agency_id
    )
    return document


def _move(
    document: OutgoingDocument,
    *,
    actor: User,
    target: str,
    name: str,
    comment: str = "",
    sent_back: bool = False,
) -> OutgoingDocument:
    check_move(
        OUTGOING_TRANSITIONS, document.status, target, name=name, actor=actor, agency_id=document.agency_id
    )
    stage = document.status
    document.status = target
    document.save(update_fields=["status"])
    if comment.strip():
        ReviewComment.objects.create(
            document=document,
            author=actor,
            stage=stage,
            text=comment.strip(),
            sent_back=sent_back,
            created_at=clock.now(),
        )
    audit.record(
        actor=actor,
        action=f"documents.outgoing.{name}",
        obj=document,
        details={"from": stage, "to": target, "comment": comment.strip() or None},
    )
    return document


def submit_for_review(*, drafter: User, document: OutgoingDocument) -> OutgoingDocument:
    with transaction.atomic():
        document = _locked(document)
        if document.drafter_id != drafter.pk:
            raise PermissionDenied(_("Chỉ người soạn thảo mới trình được dự thảo."))
        return _move(document, actor=drafter, target=OutgoingStatus.CONTENT_REVIEW, name="submit_for_review")


def approve_content(*, head: User, document: OutgoingDocument, comment: str = "") -> OutgoingDocument:
    """The division head accepts the content; the clerk checks the form next."""
    with transaction.atomic():
        document = _locked(document)
        if document.division_id not in scope_of(head).division_ids:
            raise PermissionDenied(_("Chỉ lãnh đạo đơn vị soạn thảo duyệt nội dung dự thảo."))
        return _move(
            document, actor=head, target=OutgoingStatus.FORMAT_REVIEW, name="approve_content", comment=comment
        )


def send_back(*, reviewer: User, document: OutgoingDocument, comment: str) -> OutgoingDocument:
    """Content review, form check or the signer returns the draft to its drafter, with the reason."""
    if not comment.strip():
        raise ValidationError({"comment": _("Cần ghi lý do trả lại để người soạn thảo sửa.")})
    with transaction.atomic():
        document = _locked(document)
        if (
            document.status == OutgoingStatus.CONTENT_REVIEW
            and document.division_id not in scope_of(reviewer).division_ids
        ):
            raise PermissionDenied(_("Chỉ lãnh đạo đơn vị soạn thảo duyệt nội dung dự thảo."))
        if document.status == OutgoingStatus.AWAITING_SIGNATURE and document.signer_id != reviewer.pk:
            raise PermissionDenied(_("Chỉ người ký mới trả lại văn bản đang chờ ký."))
        document = _move(
            document,
            actor=reviewer,
            target=OutgoingStatus.DRAFT,
            name="send_back",
            comment=comment,
            sent_back=True,
        )
        notifications.notify(
            recipient_email=document.drafter.email,
            recipient_phone=None,
            subject=_("Dự thảo bị trả lại: %(s)s") % {"s": document.summary[:80]},
            body=comment,
            event="documents.outgoing.sent_back",
        )
    return document


def capacity_of(signer: User, agency: Agency, *, on: object | None = None) -> rules.Capacity:
    """The signer's capacity today, from their position in the agency and a valid delegation."""
    day = clock.localnow().date() if on is None else on
    delegation = (
        Delegation.objects.filter(agency=agency, delegate=signer, valid_from__lte=day)
        .exclude(valid_until__lt=day)
        .values_list("kind", flat=True)
        .first()
    )
    kinds = list(
        Membership.objects.filter(
            user=signer, agency=agency, is_active=True, position__isnull=False
        ).values_list("position__kind", flat=True)
    )
    order = [Position.Kind.HEAD, Position.Kind.ACTING, Position.Kind.DEPUTY]
    kind = next((k for k in order if k in kinds), kinds[0] if kinds else "")
    return rules.signing_capacity(
        position_kind=kind, collective=agency.kind == Agency.Kind.COMMITTEE, delegation=delegation
    )


def submit_for_signature(
    *, clerk: User, document: OutgoingDocument, signer: User, comment: str = ""
) -> OutgoingDocument:
    """The clerk has checked the form and submits the draft to a signer (trình ký).

    The signer must hold ``documents.sign`` and a signing capacity (position or delegation) today.
    The draft is frozen now (DOMAIN.md §3): a composed draft is rendered with the signature block,
    an uploaded one is taken as it is; ``signatures.services.freeze_document`` adds the
    verification QR code and link, the empty number/date fields and the empty signature fields
    where ``documents.placement`` says. That FROZEN version is what the signer signs.
    """
    require_member(
        signer, document.agency_id, "documents.sign", _("Người được trình không có thẩm quyền ký.")
    )
    capacity = capacity_of(signer, document.agency)
    # Checked before the rendering (a second or so), on the row's status (the caller's instance may
    # be stale); checked again on the locked row below.
    check_move(
        OUTGOING_TRANSITIONS,
        OutgoingDocument.objects.filter(pk=document.pk).values_list("status", flat=True).get(),
        OutgoingStatus.AWAITING_SIGNATURE,
        name="submit_for_signature",
        actor=clerk,
        agency_id=document.agency_id,
    )
    to_freeze, layout = _ready_to_freeze(document, _signature_lines(document, signer, capacity))
    with transaction.atomic():
        document = _locked(document)
        try:
            frozen = signature_services.freeze_document(
                actor=clerk,
                agency=document.agency,
                pdf=to_freeze,
                layout=layout,
                title=document.summary,
                source=f"documents:{document.pk}",
            )
        except PdfProblem as exc:
            raise ValidationError(str(exc)) from exc
        stored, _pages = store_pdf(frozen.pdf, folder="documents/outgoing", name="trinh-ky.pdf")
        _add_version(document, stored, clerk, note=_("Bản trình ký"), kind=OutgoingVersion.Kind.FROZEN)
        document.signer = signer
        document.capacity = capacity.value
        document.issued_file = frozen.issued_file
        document.save(update_fields=["signer", "capacity", "issued_file"])
        document = _move(
            document,
            actor=clerk,
            target=OutgoingStatus.AWAITING_SIGNATURE,
            name="submit_for_signature",
            comment=comment,
        )
        notifications.notify(
            recipient_email=signer.email,
            recipient_phone=None,
            subject=_("Văn bản chờ ký: %(s)s") % {"s": document.summary[:80]},
            body=document.summary,
            event="documents.outgoing.awaiting_signature",
        )
    return document


def _ready_to_freeze(document: OutgoingDocument, signer_lines: list[str]) -> tuple[bytes, FreezeLayout]:
    """The PDF to freeze and where its fields go: from the layout (composed) or the clerk's pick."""
    if document.composed:
        return placement.render_for_signing(COMPOSED_TEMPLATE, _composed_context(document, signer_lines))
    draft = latest_draft(document)
    if draft is None:
        raise ValidationError(_("Văn bản chưa có tệp dự thảo để trình ký."))
    data = read_version(draft)
    sizes = placement.page_sizes(data)
    # Read from the row: the pick may have been saved through another instance of the document.
    picked = (
        OutgoingDocument.objects.filter(pk=document.pk).values_list("signature_placement", flat=True).first()
    )
    return data, placement.freeze_layout(placement.effective_placement(picked or {}, sizes))


def latest_draft(document: OutgoingDocument) -> OutgoingVersion | None:
    """The newest draft PDF (not a frozen, signed or issued one)."""
    return document.versions.filter(kind=OutgoingVersion.Kind.DRAFT).order_by("-number").first()


def frozen_version(document: OutgoingDocument) -> OutgoingVersion | None:
    """The PDF frozen for the current signature round (the newest FROZEN version)."""
    return document.versions.filter(kind=OutgoingVersion.Kind.FROZEN).order_by("-number").first()


def read_version(version: OutgoingVersion) -> bytes:
    with default_storage.open(version.file_name, "rb") as handle:
        return bytes(handle.read())


def _signature_lines(document: OutgoingDocument, signer: User, capacity: rules.Capacity) -> list[str]:
    agency = document.agency
    own = _signer_title(signer, agency)
    head_title = _agency_head_title(agency) or own
    collective = agency.get_kind_display() if agency.kind == Agency.Kind.COMMITTEE else ""
    return rules.signature_block(
        capacity=capacity,
        collective_name=str(collective),
        head_title=head_title,
        signer_title=own,
        signer_name=signer.display_name,
    )


def _agency_head_title(agency: Agency) -> str:
    """The title of the agency's own head post (Giám đốc, Chủ tịch), never a division's (Trưởng phòng).

    A division's head post is also of kind HEAD; the agency's is the one without a division. A post
    someone holds is preferred to an empty one.
    """
    return (
        Position.objects.filter(agency=agency, division__isnull=True, kind=Position.Kind.HEAD)
        .annotate(held=Count("memberships", filter=Q(memberships__is_active=True)))
        .order_by("-held", "title")
        .values_list("title", flat=True)
        .first()
    ) or ""


def _signer_title(signer: User, agency: Agency) -> str:
    """The signer's title in the agency, an agency-level post (Phó Giám đốc) before a division's."""
    return (
        Membership.objects.filter(user=signer, agency=agency, is_active=True, position__isnull=False)
        .order_by(F("position__division").asc(nulls_first=True), "position__title")
        .values_list("position__title", flat=True)
        .first()
    ) or ""


def _extends(signed: bytes, frozen: bytes) -> bool:
    """``signed`` is ``frozen`` followed by incremental updates (PDF revisions are appended)."""
    return len(signed) > len(frozen) and signed.startswith(frozen)


def current_pdf(document: OutgoingDocument) -> OutgoingVersion | None:
    return document.versions.order_by("-number").first()


def record_signed_version(*, document: OutgoingDocument, signed_pdf: bytes, signer: User) -> OutgoingDocument:
    """Called by the signing screens (``services.signing``) once the signer has signed the frozen PDF.

    Stores the signed PDF as a SIGNED version (checked by content like any upload) and moves the
    document to "signed, awaiting issue". Only the signer the document was submitted to may sign,
    and only the frozen PDF: the signed file must be that file plus incremental updates (the
    signature), so nothing else can be recorded as what the leader signed.
    """
    stored, _pages = store_pdf(signed_pdf, folder="documents/signed", name="da-ky.pdf")
    with transaction.atomic():
        document = _locked(document)
        if document.signer_id != signer.pk:
            raise PermissionDenied(_("Văn bản này được trình cho người ký khác."))
        frozen = frozen_version(document)
        if frozen is None or not _extends(signed_pdf, read_version(frozen)):
            raise ValidationError(_("Tệp đã ký không phải là bản trình ký của văn bản này."))
        version = _add_version(
            document, stored, signer, note=_("Bản đã ký số"), kind=OutgoingVersion.Kind.SIGNED
        )
        document.signed_at = clock.now()
        document.save(update_fields=["signed_at"])
        _move(document, actor=signer, target=OutgoingStatus.SIGNED, name="record_signed_version")
        audit.record(
            actor=signer,
            action="documents.outgoing.signed_version",
            obj=document,
            details={"version": version.number, "sha256": stored.sha256},
        )
    return document


__all__ = [
    "ComposedContent",
    "IncomingDocument",
    "add_version",
    "approve_content",
    "capacity_of",
    "create_draft",
    "current_pdf",
    "frozen_version",
    "latest_draft",
    "read_version",
    "record_signed_version",
    "render_composed",
    "send_back",
    "submit_for_review",
    "submit_for_signature",
]
