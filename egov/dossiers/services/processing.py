"""Processing along the process template: hand-overs (control slip rows), pauses, apologies,
reassignment of a person's open work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from egov.accounts.scope import require, scope_of
from egov.core import calendar, clock
from egov.core.files import DOCUMENTS_AND_IMAGES, CheckedFile, FileKind, StoredFile, Upload, store
from egov.dossiers import rules
from egov.dossiers.models import Apology, Dossier, Handover, HandoverAttachment
from egov.dossiers.rules import Status
from egov.dossiers.services._base import (
    Actor,
    check,
    complete,
    locked,
    notify_applicant,
    open_handover,
    processing_window,
    record,
    require_any_on,
    require_on,
)
from egov.dossiers.services.reception import _required_text
from egov.organizations.models import Agency, Division
from egov.procedures.models import ProcessStep

# Who can hold a dossier's step: a processing official, or a leader for the approval step.
RECIPIENT_PERMISSIONS = ("dossiers.process", "dossiers.approve")

# What may travel with a hand-over: scans and photos, and the draft decision in Word.
HANDOVER_KINDS = DOCUMENTS_AND_IMAGES | {FileKind.DOCX}
MAX_HANDOVER_BYTES = 20 * 1024 * 1024
MAX_HANDOVER_FILES = 5
HANDOVER_FOLDER = "handovers"


@dataclass(frozen=True, slots=True)
class CheckedUpload:
    """An attachment ``core.files.check_upload`` accepted, with the content it checked."""

    checked: CheckedFile
    content: Upload


def start_processing(
    *,
    dossier: Dossier,
    officer: Actor,
    to_division: Division | None = None,
    to_user: Actor | None = None,
    note: str = "",
) -> Handover:
    """The first step of the template takes the accepted dossier (2 → 4, first control slip row)."""
    with transaction.atomic():
        dossier = locked(dossier)
        row = check(dossier, to=Status.IN_PROGRESS, actor=officer, service="start_processing")
        now = clock.now()
        handover = _hand_to_step(
            dossier,
            step=_first_step(dossier),
            from_agency=dossier.receiving_agency,
            from_division=dossier.receiving_division,
            from_user=officer,
            to_agency=None,
            to_division=to_division,
            to_user=to_user,
            now=now,
            note=note,
        )
        complete(dossier, row, actor=officer, now=now, note=note, details={"handover": handover.pk})
    return handover


def hand_over(
    *,
    dossier: Dossier,
    officer: Actor,
    to_step: ProcessStep | None = None,
    to_agency: Agency | None = None,
    to_division: Division | None = None,
    to_user: Actor | None = None,
    note: str = "",
    attachments: Sequence[CheckedUpload] = (),
) -> Handover:
    """Pass the dossier on inside processing (status 4): to the next step by default, or back to
    an earlier one; to a division's inbox, a person, or another agency's inbox (inter-agency).

    ``attachments`` (at most ``MAX_HANDOVER_FILES``, checked by ``core.files.check_upload``) are
    stored under ``handovers/`` and recorded with the hand-over; if the hand-over fails, the files
    already stored are deleted again.
    """
    _check_attachments(attachments)
    stored: list[StoredFile] = []
    try:
        with transaction.atomic():
            dossier = locked(dossier)
            if dossier.status_enum is not Status.IN_PROGRESS:
                raise rules.IllegalTransition(_("Chỉ chuyển xử lý được hồ sơ đang giải quyết."))
            require_any_on(officer, RECIPIENT_PERMISSIONS, dossier)
            now = clock.now()
            current = open_handover(dossier)
            step = to_step or _next_step(dossier)
            if current is not None:
                current.completed_at = now
                current.save(update_fields=["completed_at"])
            handover = _hand_to_step(
                dossier,
                step=step,
                from_agency=dossier.current_agency or dossier.agency,
                from_division=dossier.current_division,
                from_user=officer,
                to_agency=to_agency,
                to_division=to_division,
                to_user=to_user,
                now=now,
                note=note.strip(),
            )
            dossier.save()
            rows = []
            for upload in attachments:
                saved = store(upload.checked, upload.content, folder=HANDOVER_FOLDER)
                stored.append(saved)
                rows.append(_attachment(handover, upload.checked, saved, now))
            HandoverAttachment.objects.bulk_create(rows)
            record(
                officer,
                "dossier.hand_over",
                dossier,
                handover=handover.pk,
                to_agency=handover.to_agency_id,
                attachments=[{"name": row.original_name, "sha256": row.file_sha256} for row in rows],
            )
    except BaseException:
        for saved in stored:
            default_storage.delete(saved.name)
        raise
    return handover


def _check_attachments(attachments: Sequence[CheckedUpload]) -> None:
    if len(attachments) > MAX_HANDOVER_FILES:
        raise ValidationError(
            _("Chỉ đính kèm được tối đa %(count)d tệp mỗi lần chuyển.") % {"count": MAX_HANDOVER_FILES},
            code="too_many_files",
        )
    for upload in attachments:
        if upload.checked.kind not in HANDOVER_KINDS:  # check_upload was called with other kinds
            raise ValueError(f"{upload.checked.kind} is not accepted with a hand-over")


def _attachment(
    handover: Handover, checked: CheckedFile, saved: StoredFile, now: datetime
) -> HandoverAttachment:
    return HandoverAttachment(
        handover=handover,
        file_name=saved.name,
        original_name=checked.name,
        file_size=saved.size,
        file_sha256=saved.sha256,
        file_content_type=saved.content_type,
        uploaded_at=now,
    )


def take_dossier(*, dossier: Dossier, officer: Actor) -> Handover:
    """An official takes a dossier waiting in their division's or agency's inbox."""
    with transaction.atomic():
        dossier = locked(dossier)
        current = open_handover(dossier)
        if dossier.status_enum is not Status.IN_PROGRESS or current is None:
            raise rules.IllegalTransition(_("Hồ sơ này không chờ nhận xử lý."))
        if not any(scope_of(officer).can(p, current.to_agency_id) for p in RECIPIENT_PERMISSIONS):
            require(officer, "dossiers.process", current.to_agency_id)  # raises
        now = clock.now()
        current.to_user, current.received_at = officer, current.received_at or now
        current.save(update_fields=["to_user", "received_at"])
        dossier.current_assignee = officer
        dossier.save(update_fields=["current_assignee"])
        record(officer, "dossier.take", dossier, handover=current.pk)
    return current


def _first_step(dossier: Dossier) -> ProcessStep | None:
    return ProcessStep.objects.filter(template__procedure_id=dossier.procedure_id).order_by("order").first()


def _next_step(dossier: Dossier) -> ProcessStep | None:
    steps = ProcessStep.objects.filter(template__procedure_id=dossier.procedure_id).order_by("order")
    if dossier.current_step is not None:
        steps = steps.filter(order__gt=dossier.current_step.order)
    step = steps.first()
    if step is None:
        raise ValidationError(
            _("Hồ sơ đã ở bước cuối của quy trình; hãy trình phê duyệt kết quả."), code="last_step"
        )
    return step


def _hand_to_step(
    dossier: Dossier,
    *,
    step: ProcessStep | None,
    from_agency: Agency,
    from_division: Division | None,
    from_user: Actor,
    to_agency: Agency | None,
    to_division: Division | None,
    to_user: Actor | None,
    now: datetime,
    note: str,
) -> Handover:
    if step is not None and step.template.procedure_id != dossier.procedure_id:
        raise ValidationError(_("Bước xử lý không thuộc quy trình của thủ tục này."), code="foreign_step")
    agency = to_agency or (step.other_agency if step and step.other_agency else None) or dossier.agency
    division = to_division or _division_of_step(step, agency)
    _check_recipient(agency, division, to_user)
    handover = Handover.objects.create(
        dossier=dossier,
        step=step,
        step_name=step.name if step else "",
        from_agency=from_agency,
        from_division=from_division,
        from_user=from_user,
        to_agency=agency,
        to_division=division,
        to_user=to_user,
        handed_at=now,
        received_at=now if to_user is not None else None,
        step_due_at=_step_due(dossier, step, now),
        note=note,
    )
    dossier.current_step, dossier.current_agency = step, agency
    dossier.current_division, dossier.current_assignee = division, to_user
    return handover


def _division_of_step(step: ProcessStep | None, agency: Agency) -> Division | None:
    if step is None or not step.division_abbreviation:
        return None
    return Division.objects.filter(agency=agency, abbreviation=step.division_abbreviation).first()


def _check_recipient(agency: Agency, division: Division | None, user: Actor | None) -> None:
    if division is not None and division.agency_id != agency.pk:
        raise ValidationError(_("Phòng nhận không thuộc cơ quan nhận."), code="division")
    if user is not None and not any(scope_of(user).can(p, agency.pk) for p in RECIPIENT_PERMISSIONS):
        raise ValidationError(
            _("%(name)s không có quyền xử lý hồ sơ tại %(agency)s.") % {"name": user, "agency": agency.name},
            code="recipient",
        )


def _step_due(dossier: Dossier, step: ProcessStep | None, now: datetime) -> datetime | None:
    """The step's own deadline: its share of the dossier's processing time, from the hand-over."""
    if step is None:
        return None
    allotted = rules.share_of(processing_window(dossier), step.share_percent)
    return rules.add_working_duration(now, allotted, cal=calendar.current())


# --- Pauses ---------------------------------------------------------------------------------------


def request_obligation(*, dossier: Dossier, officer: Actor, note: str) -> Dossier:
    """Ask the applicant to pay a financial obligation (4 → 6); the clock pauses."""
    note = _required_text(note, _("Hãy ghi nghĩa vụ tài chính người nộp cần thực hiện."))
    return _simple_move(
        dossier, to=Status.OBLIGATION_REQUESTED, actor=officer, note=note, service="request_obligation"
    )


def obligation_met(*, dossier: Dossier, officer: Actor, note: str = "") -> Dossier:
    """The obligation is paid (6 → 4); the due date moves by the paused working time."""
    return _simple_move(
        dossier, to=Status.IN_PROGRESS, actor=officer, note=note.strip(), service="obligation_met"
    )


def stop(*, dossier: Dossier, leader: Actor, reason: str) -> Dossier:
    """A leader stops processing (4 → 8, stop notice form 05); the clock pauses."""
    reason = _required_text(reason, _("Hãy ghi lý do dừng giải quyết hồ sơ."))
    return _simple_move(dossier, to=Status.STOPPED, actor=leader, note=reason, service="stop")


def resume(*, dossier: Dossier, leader: Actor, note: str = "") -> Dossier:
    """A leader resumes a stopped dossier (8 → 4); the due date moves by the stopped working time."""
    return _simple_move(dossier, to=Status.IN_PROGRESS, actor=leader, note=note.strip(), service="resume")


def _simple_move(dossier: Dossier, *, to: Status, actor: Actor, note: str, service: str) -> Dossier:
    with transaction.atomic():
        dossier = locked(dossier)
        row = check(dossier, to=to, actor=actor, service=service)
        complete(dossier, row, actor=actor, now=clock.now(), note=note)
    return dossier


# --- Apology and reassignment ----------------------------------------------------------------------


def issue_apology(*, dossier: Dossier, officer: Actor, promised_at: datetime, reason: str) -> Apology:
    """Issue an apology letter (form 04) with a new promised date; the legal due date stays."""
    reason = _required_text(reason, _("Hãy ghi lý do chậm trả kết quả."))
    with transaction.atomic():
        dossier = locked(dossier)
        if dossier.status_enum not in rules.OPEN:
            raise rules.IllegalTransition(_("Chỉ hồ sơ đang giải quyết mới có văn bản xin lỗi, hẹn lại."))
        require_on(officer, "dossiers.approve", dossier)
        now = clock.now()
        if promised_at <= now:
            raise ValidationError(_("Ngày hẹn lại phải sau thời điểm hiện tại."), code="promised_at")
        apology = Apology.objects.create(
            dossier=dossier, promised_at=promised_at, reason=reason, issued_at=now, issued_by=officer
        )
        record(officer, "dossier.apology", dossier, promised_at=promised_at, reason=reason)
        notify_applicant(dossier, event="apology", note=reason, when=promised_at)
    return apology


def reassign_open_work(
    *, actor: Actor, agency: Agency, from_user: Actor, to_user: Actor, note: str = ""
) -> int:
    """Move every open dossier a person holds in ``agency`` to another person (leave, departure).

    Each move closes the open control slip row and opens one for the new person with the same
    step deadline, so form 06 shows who held the dossier when. Returns how many were moved.
    """
    require(actor, "dossiers.assign", agency)
    if from_user.pk == to_user.pk:
        raise ValidationError(_("Hãy chọn một cán bộ khác để nhận hồ sơ."), code="same_person")
    _check_recipient(agency, None, to_user)
    with transaction.atomic():
        dossiers = list(
            Dossier.objects.select_for_update()
            .filter(
                current_assignee=from_user, current_agency=agency, status__in=[s.value for s in rules.OPEN]
            )
            .order_by("pk")
        )
        now = clock.now()
        for dossier in dossiers:
            _reassign(dossier, actor=actor, to_user=to_user, now=now, note=note.strip())
    return len(dossiers)


def _reassign(dossier: Dossier, *, actor: Actor, to_user: Actor, now: datetime, note: str) -> None:
    current = open_handover(dossier)
    if current is not None:
        current.completed_at = now
        current.save(update_fields=["completed_at"])
        Handover.objects.create(
            dossier=dossier,
            step=current.step,
            step_name=current.step_name,
            from_agency=current.to_agency,
            from_division=current.to_division,
            from_user=current.to_user,
            to_agency=current.to_agency,
            to_division=current.to_division,
            to_user=to_user,
            handed_at=now,
            received_at=now,
            step_due_at=current.step_due_at,
            note=note or _("Điều chuyển hồ sơ"),
        )
    dossier.current_assignee = to_user
    dossier.save(update_fields=["current_assignee"])
    record(actor, "dossier.reassign", dossier, to_user=to_user.pk)
