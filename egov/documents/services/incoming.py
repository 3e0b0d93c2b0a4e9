"""Incoming documents: register (paper scan or delivered inside the instance), submit to the leader,
the leader's instruction, processing, completion, and a head's reassignment of someone's open work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.accounts.scope import require, scope_of
from egov.core import audit, clock, files, notifications
from egov.documents import extraction, rules
from egov.documents.models import Assignment, DocumentType, IncomingDocument, Opinion, Register
from egov.documents.rules import INCOMING_TRANSITIONS, IncomingStatus, Secrecy
from egov.documents.services._base import check_move, incoming_search_text, require_member, store_pdf
from egov.documents.services.arrival import check_registered_upload
from egov.documents.services.registers import allocate_number, register_for
from egov.organizations.models import Agency, Division, Membership, Role


@dataclass(frozen=True)
class IncomingData:
    issuer_name: str
    notation: str
    issued_on: date | None
    document_type: DocumentType
    summary: str
    urgency: str = rules.Urgency.NORMAL
    secrecy: str = rules.Secrecy.NONE
    pages: int | None = None
    deadline: date | None = None
    issuer_agency: Agency | None = None


class DuplicateWarning(ValidationError):  # noqa: N818 - a warning the clerk may override
    """Documents with the same issuer, notation and date are already registered."""

    def __init__(self, existing: list[IncomingDocument]) -> None:
        self.existing = existing
        super().__init__(
            _("Văn bản này có thể đã được vào sổ (cùng cơ quan ban hành, số ký hiệu và ngày): %(list)s.")
            % {"list": ", ".join(f"số đến {d.incoming_number:02d}/{d.year}" for d in existing)},
            code="duplicate",
        )


def find_duplicates(
    *, agency: Agency, issuer_name: str, notation: str, issued_on: date | None
) -> list[IncomingDocument]:
    """Registered documents of the agency that look like this one (folded comparison)."""
    wanted = rules.duplicate_key(issuer_name, notation, issued_on)
    candidates = IncomingDocument.objects.filter(agency=agency, issued_on=issued_on).only(
        "pk", "issuer_name", "notation", "issued_on", "incoming_number", "year"
    )
    # The notation's digits narrow the candidates in the database; the folded comparison decides.
    number = notation.split("/")[0].strip()
    if number:
        candidates = candidates.filter(notation__startswith=number)
    return [d for d in candidates if rules.duplicate_key(d.issuer_name, d.notation, d.issued_on) == wanted]


def register_incoming(
    *,
    clerk: User,
    agency: Agency,
    data: IncomingData,
    scan: files.Upload | None = None,
    scan_name: str | None = None,
    acknowledge_duplicate: bool = False,
) -> IncomingDocument:
    """The clerk registers a document received on paper: metadata, the scan, the next incoming number.

    Secret documents keep metadata only: a scan is refused. A document that looks already
    registered raises ``DuplicateWarning`` unless the clerk confirms (``acknowledge_duplicate``).
    """
    require(clerk, "documents.register", agency)
    _check_data(data)
    if rules.is_secret(data.secrecy) and scan is not None:
        raise ValidationError(
            _("Văn bản mật chỉ được vào sổ thông tin, không tải tệp nội dung lên hệ thống."),
            code="secret_file",
        )
    if not acknowledge_duplicate:
        existing = find_duplicates(
            agency=agency, issuer_name=data.issuer_name, notation=data.notation, issued_on=data.issued_on
        )
        if existing:
            raise DuplicateWarning(existing)
    stored: files.StoredFile | None = None
    pages = data.pages
    text = ""
    if scan is not None:
        stored, page_count = store_pdf(scan, folder="documents/incoming", name=scan_name)
        pages = pages or page_count
        text = extraction.stored_pdf_text(stored.name)
    with transaction.atomic():
        document = record_incoming(
            agency=agency, data=data, actor=clerk, stored=stored, pages=pages, text=text, source_outgoing=None
        )
        audit.record(
            actor=clerk,
            action="documents.incoming.register",
            obj=document,
            details={
                "register": document.register_id,
                "number": document.incoming_number,
                "year": document.year,
                "sha256": document.file_sha256 or None,
                "duplicate_acknowledged": acknowledge_duplicate,
            },
        )
    if stored is not None and not text:
        _queue_ocr(document)
    if scan is not None:  # an electronic original's signatures are checked on arrival
        check_registered_upload(document, scan, actor=clerk)
    return document


def record_incoming(
    *,
    agency: Agency,
    data: IncomingData,
    actor: User | None,
    stored: files.StoredFile | None,
    pages: int | None,
    text: str,
    source_outgoing: object | None,
    register: Register | None = None,
    number: int | None = None,
) -> IncomingDocument:
    """Write the register entry (inside the caller's transaction); the number is allocated here
    unless the caller allocated it already (issuing allocates every series in a fixed order)."""
    secret = rules.is_secret(data.secrecy)
    now = clock.now()
    year = clock.localnow().year
    register = register or register_for(agency=agency, kind=Register.Kind.INCOMING, secret=secret)
    document = IncomingDocument(
        agency=agency,
        register=register,
        year=year,
        received_at=now,
        issuer_name=data.issuer_name.strip(),
        issuer_agency=data.issuer_agency,
        notation=data.notation.strip(),
        issued_on=data.issued_on,
        document_type=data.document_type,
        summary=data.summary.strip(),
        urgency=data.urgency,
        secrecy=data.secrecy,
        pages=pages,
        deadline=data.deadline,
        file_name="" if secret or stored is None else stored.name,
        file_sha256="" if secret or stored is None else stored.sha256,
        file_size=None if secret or stored is None else stored.size,
        text="" if secret else text,
        source_outgoing=source_outgoing,  # type: ignore[misc]
        registered_by=actor,
    )
    document.search_text = incoming_search_text(document)
    # Last: the register's series stays locked from here to the commit.
    document.incoming_number = number if number is not None else allocate_number(register=register, year=year)
    document.save()
    return document


def _check_data(data: IncomingData) -> None:
    problems = {}
    if not data.issuer_name.strip():
        problems["issuer_name"] = _("Cần ghi cơ quan ban hành.")
    if not data.notation.strip():
        problems["notation"] = _("Cần ghi số, ký hiệu văn bản.")
    if not data.summary.strip():
        problems["summary"] = _("Cần ghi trích yếu nội dung.")
    if data.urgency not in rules.Urgency.__members__.values():
        problems["urgency"] = _("Độ khẩn không hợp lệ.")
    if data.secrecy not in rules.Secrecy.__members__.values():
        problems["secrecy"] = _("Độ mật không hợp lệ.")
    if problems:
        raise ValidationError(problems)


def _queue_ocr(document: IncomingDocument) -> None:
    """Scans without a text layer are OCR'd in the background when ocrmypdf is installed."""
    from egov.documents.tasks import ocr_incoming

    transaction.on_commit(lambda: ocr_incoming.enqueue(document_id=document.pk), robust=True)


def _locked(document: IncomingDocument) -> IncomingDocument:
    return IncomingDocument.objects.select_for_update().get(pk=document.pk)


def _locked_for_move(document: IncomingDocument, target: str, *, name: str, actor: User) -> IncomingDocument:
    """The document, locked, once the table allows the move and the actor may make it."""
    document = _locked(document)
    check_move(
        INCOMING_TRANSITIONS, document.status, target, name=name, actor=actor, agency_id=document.agency_id
    )
    return document


def submit_to_leader(*, clerk: User, document: IncomingDocument, leader: User) -> IncomingDocument:
    """The clerk submits a registered document to a leader for instructions."""
    with transaction.atomic():
        document = _locked_for_move(document, IncomingStatus.SUBMITTED, name="submit_to_leader", actor=clerk)
        require_member(
            leader,
            document.agency_id,
            "documents.instruct",
            _("Người được trình không phải lãnh đạo cơ quan."),
        )
        document.status = IncomingStatus.SUBMITTED
        document.leader = leader
        document.save(update_fields=["status", "leader"])
        audit.record(
            actor=clerk,
            action="documents.incoming.submit_to_leader",
            obj=document,
            details={"leader": leader.pk},
        )
        _notify(
            leader,
            _("Văn bản đến chờ cho ý kiến: %(n)s") % {"n": document.notation},
            document,
            "documents.incoming.submitted",
        )
    return document


@dataclass(frozen=True)
class AssignmentData:
    role: str  # Assignment.Role
    assignee: User | None = None
    division: Division | None = None
    deadline: date | None = None


def instruct(
    *,
    leader: User,
    document: IncomingDocument,
    instruction: str,
    assignments: list[AssignmentData],
    deadline: date | None = None,
) -> IncomingDocument:
    """The leader's instruction: lead (exactly one), cooperating and for-information people or units,
    with a deadline. Instructing again adds to the open assignments (a change of mind is recorded)."""
    with transaction.atomic():
        document = _locked_for_move(document, IncomingStatus.ASSIGNED, name="instruct", actor=leader)
        _check_assignments(document, assignments)
        now = clock.now()
        created = Assignment.objects.bulk_create(
            [
                Assignment(
                    document=document,
                    role=a.role,
                    assignee=a.assignee,
                    division=a.division,
                    deadline=a.deadline or deadline,
                    assigned_by=leader,
                    assigned_at=now,
                )
                for a in assignments
            ]
        )
        document.status = IncomingStatus.ASSIGNED
        document.instruction = instruction.strip()
        document.instructed_at = now
        if deadline is not None:
            document.deadline = deadline
        document.save(update_fields=["status", "instruction", "instructed_at", "deadline"])
        audit.record(
            actor=leader,
            action="documents.incoming.instruct",
            obj=document,
            details={
                "deadline": deadline.isoformat() if deadline else None,
                "assignments": [
                    {"role": a.role, "user": a.assignee_id, "division": a.division_id} for a in created
                ],
            },
        )
        for a in created:
            if a.assignee is not None:
                _notify(
                    a.assignee,
                    _("Văn bản được giao xử lý: %(n)s") % {"n": document.notation},
                    document,
                    "documents.incoming.assigned",
                )
    return document


def _check_assignments(document: IncomingDocument, assignments: list[AssignmentData]) -> None:
    if not assignments:
        raise ValidationError(_("Cần giao ít nhất một người hoặc đơn vị chủ trì."))
    has_open_lead = document.assignments.filter(role=Assignment.Role.LEAD, is_open=True).exists()
    leads = [a for a in assignments if a.role == Assignment.Role.LEAD]
    if len(leads) > 1 or (leads and has_open_lead):
        raise ValidationError(_("Chỉ có một người hoặc đơn vị chủ trì xử lý."))
    if not leads and not has_open_lead:
        raise ValidationError(_("Cần giao một người hoặc đơn vị chủ trì."))
    for a in assignments:
        if a.role not in Assignment.Role.values:
            raise ValidationError(_("Vai trò xử lý không hợp lệ."))
        if (a.assignee is None) == (a.division is None):
            raise ValidationError(_("Mỗi dòng phân công giao cho một người hoặc một đơn vị."))
        if document.is_secret and a.assignee is None:
            raise ValidationError(_("Văn bản mật chỉ giao cho từng người cụ thể."))
        if a.division is not None and a.division.agency_id != document.agency_id:
            raise ValidationError(_("Đơn vị được giao không thuộc cơ quan nhận văn bản."))
        if a.assignee is not None and document.agency_id not in scope_of(a.assignee).agency_ids:
            raise ValidationError(
                _("%(name)s không thuộc cơ quan nhận văn bản.") % {"name": a.assignee.display_name}
            )


def _open_assignments_of(actor: User, document: IncomingDocument) -> QuerySet[Assignment]:
    divisions = scope_of(actor).division_ids
    return document.assignments.filter(Q(assignee=actor) | Q(division__in=divisions, assignee__isnull=True))


def may_process(actor: User, document: IncomingDocument) -> bool:
    """Assigned to the actor (or to their unit), or the leader who instructed it."""
    if not scope_of(actor).can("documents.process", document.agency_id):
        return False
    return (
        document.leader_id == actor.pk or _open_assignments_of(actor, document).filter(is_open=True).exists()
    )


def may_complete(actor: User, document: IncomingDocument) -> bool:
    if not scope_of(actor).can("documents.process", document.agency_id):
        return False
    lead = _open_assignments_of(actor, document).filter(role=Assignment.Role.LEAD, is_open=True)
    return document.leader_id == actor.pk or lead.exists()


def add_opinion(
    *,
    actor: User,
    document: IncomingDocument,
    text: str,
    attachment: files.Upload | None = None,
    attachment_name: str | None = None,
) -> Opinion:
    """An assignee's processing note, with an optional PDF (not for secret documents)."""
    document = IncomingDocument.objects.get(pk=document.pk)  # the caller's copy may be stale
    if not may_process(actor, document):
        raise PermissionDenied(_("Bạn không được giao xử lý văn bản này."))
    if document.status != IncomingStatus.ASSIGNED:
        raise rules.IllegalTransition(_("Chỉ ghi ý kiến khi văn bản đang được xử lý."))
    if not text.strip():
        raise ValidationError({"text": _("Cần ghi nội dung ý kiến.")})
    if attachment is not None and document.is_secret:
        raise ValidationError(_("Văn bản mật không đính kèm tệp trên hệ thống."))
    stored = (
        store_pdf(attachment, folder="documents/opinions", name=attachment_name)[0] if attachment else None
    )
    with transaction.atomic():
        opinion = Opinion.objects.create(
            document=document,
            author=actor,
            text=text.strip(),
            created_at=clock.now(),
            file_name=stored.name if stored else "",
            file_sha256=stored.sha256 if stored else "",
            file_size=stored.size if stored else None,
        )
        audit.record(
            actor=actor,
            action="documents.incoming.opinion",
            obj=document,
            details={"opinion": opinion.pk, "sha256": opinion.file_sha256 or None},
        )
    return opinion


def complete_incoming(*, actor: User, document: IncomingDocument, note: str = "") -> IncomingDocument:
    """The lead (person or unit member) or the leader completes processing; every open line closes."""
    with transaction.atomic():
        document = _locked_for_move(document, IncomingStatus.COMPLETED, name="complete", actor=actor)
        if not may_complete(actor, document):
            raise PermissionDenied(
                _("Chỉ người chủ trì xử lý hoặc lãnh đạo chỉ đạo mới hoàn thành được văn bản.")
            )
        now = clock.now()
        document.status = IncomingStatus.COMPLETED
        document.completed_at = now
        document.completion_note = note.strip()
        document.save(update_fields=["status", "completed_at", "completion_note"])
        closed = document.assignments.filter(is_open=True).update(is_open=False, closed_at=now)
        audit.record(
            actor=actor,
            action="documents.incoming.complete",
            obj=document,
            details={
                "closed_assignments": closed,
                "late": rules.is_late(
                    deadline=document.deadline,
                    completed_on=clock.localnow().date(),
                    today=clock.localnow().date(),
                ),
            },
        )
    return document


def reopen(
    *, leader: User, document: IncomingDocument, reason: str, deadline: date | None = None
) -> IncomingDocument:
    """A leader reopens a completed document (the work was not finished after all), with the reason.

    The lines the completion closed open again (with ``deadline`` if given) and their people are
    told; the reason is kept as the leader's processing note. A document that had no lines (an
    imported historical entry) waits for the leader's instruction.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Cần ghi lý do mở lại xử lý.")})
    if deadline is not None and deadline < clock.localnow().date():
        raise ValidationError({"deadline": _("Hạn xử lý mới không được trước hôm nay.")})
    with transaction.atomic():
        document = _locked_for_move(document, IncomingStatus.ASSIGNED, name="reopen", actor=leader)
        now = clock.now()
        # complete_incoming closes every open line with the document's completion time.
        lines = list(
            document.assignments.filter(is_open=False, closed_at=document.completed_at).select_related(
                "assignee"
            )
        )
        changes: dict[str, object] = {"is_open": True, "closed_at": None}
        if deadline is not None:
            changes["deadline"] = deadline
        Assignment.objects.filter(pk__in=[a.pk for a in lines]).update(**changes)
        completed_at, note = document.completed_at, document.completion_note
        document.status = IncomingStatus.ASSIGNED
        document.completed_at = None
        document.completion_note = ""
        document.deadline = deadline or document.deadline
        document.save(update_fields=["status", "completed_at", "completion_note", "deadline"])
        Opinion.objects.create(
            document=document,
            author=leader,
            text=_("Mở lại xử lý: %(reason)s") % {"reason": reason.strip()},
            created_at=now,
        )
        audit.record(
            actor=leader,
            action="documents.incoming.reopen",
            obj=document,
            details={
                "reason": reason.strip(),
                "reopened_assignments": [a.pk for a in lines],
                "previous_completed_at": completed_at.isoformat() if completed_at else None,
                "previous_note": note or None,
                "deadline": deadline.isoformat() if deadline else None,
            },
        )
        subject = _("Văn bản %(n)s được mở lại để xử lý tiếp") % {"n": document.notation}
        for person in _people_of(lines):
            _notify(person, subject, document, "documents.incoming.reopened")
    return document


def _people_of(lines: list[Assignment]) -> list[User]:
    """Who answers for the lines: the person named, or for a unit its division heads."""
    people = {a.assignee for a in lines if a.assignee is not None}
    units = {a.division_id for a in lines if a.assignee is None and a.division_id is not None}
    heads = User.objects.filter(
        memberships__division_id__in=units,
        memberships__role=Role.DIVISION_HEAD,
        memberships__is_active=True,
    )
    return sorted(people | set(heads), key=lambda user: user.pk)


def reassign_open_work(*, head: User, absent: User, to: User, agency: Agency) -> int:
    """A division head moves every open document assignment of an absent official to a colleague,
    in one action. Both must belong to one of the head's divisions in that agency."""
    require(head, "documents.assign", agency)
    head_divisions = set(
        Membership.objects.filter(
            user=head, agency=agency, is_active=True, division__isnull=False
        ).values_list("division_id", flat=True)
    )

    def in_head_divisions(user: User) -> bool:
        return Membership.objects.filter(
            user=user, agency=agency, is_active=True, division_id__in=head_divisions
        ).exists()

    if absent == to:
        raise ValidationError(_("Chọn một người khác để nhận việc."))
    if not in_head_divisions(absent):
        raise PermissionDenied(_("Người vắng mặt không thuộc đơn vị bạn phụ trách."))
    if not (in_head_divisions(to) and scope_of(to).can("documents.process", agency.pk)):
        raise ValidationError(_("Người nhận việc phải là cán bộ xử lý văn bản thuộc đơn vị bạn phụ trách."))
    with transaction.atomic():
        rows = list(
            Assignment.objects.select_for_update()
            .filter(assignee=absent, is_open=True, document__agency=agency)
            .values_list("pk", "document_id")
        )
        moved = Assignment.objects.filter(pk__in=[pk for pk, _d in rows]).update(assignee=to)
        audit.record(
            actor=head,
            action="documents.incoming.reassign_open_work",
            obj=absent,
            details={
                "to": to.pk,
                "assignments": [pk for pk, _d in rows],
                "documents": sorted({d for _p, d in rows}),
            },
        )
        if moved:
            _notify(
                to,
                _("Bạn được giao tiếp %(n)d văn bản đang xử lý") % {"n": len({d for _p, d in rows})},
                None,
                "documents.incoming.reassigned",
            )
    return moved


def _notify(user: User, subject: str, document: IncomingDocument | None, event: str) -> None:
    body = subject
    if document is not None and not document.is_secret:
        body = f"{subject}\n{document.summary}"
    notifications.notify(
        recipient_email=user.email, recipient_phone=None, subject=subject, body=body, event=event
    )


__all__ = [
    "AssignmentData",
    "DuplicateWarning",
    "IncomingData",
    "Secrecy",
    "add_opinion",
    "complete_incoming",
    "find_duplicates",
    "instruct",
    "may_complete",
    "may_process",
    "reassign_open_work",
    "record_incoming",
    "register_incoming",
    "reopen",
    "submit_to_leader",
]
