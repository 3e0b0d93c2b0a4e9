"""The result of a dossier processed electronically is an outgoing document of the processing agency
(văn bản kết quả có ký số): drafted here at the last step, then reviewed, signed by the leader and
numbered and sealed by the clerk in the documents app. Its issue finishes the dossier: the
documents app sends ``outgoing_issued`` inside the issuing transaction and
``receivers.finish_with_result_document`` calls ``finish_with_document``, which either finishes
the dossier (4 → 9) with the issued signed PDF or refuses, and the issue rolls back.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.core import files
from egov.documents import services as document_services
from egov.documents.models import DocumentType, OutgoingDocument, OutgoingVersion
from egov.dossiers import rules
from egov.dossiers.models import Dossier, DossierResult
from egov.dossiers.rules import STATUS_LABELS, Status
from egov.dossiers.services._base import Actor, locked, record, require_any_on
from egov.dossiers.services.processing import RECIPIENT_PERMISSIONS
from egov.dossiers.services.results import finish
from egov.dossiers.signed_results import pending_result_document
from egov.organizations.models import Division, Role
from egov.procedures.models import ProcessStep

RESULT_REFUSED = "dossier_refuses_result"  # the code of every refusal of an issue by its dossier


def at_last_step(dossier: Dossier, steps: Sequence[ProcessStep]) -> bool:
    """Whether the dossier is at the last step of its template: every step after the current one
    is the leader's approval, which the leader now gives by signing the result document."""
    current = next((step.order for step in steps if step.pk == dossier.current_step_id), None)
    later = [step for step in steps if current is not None and step.order > current]
    # The one-stop desk's return of the result ("Trả kết quả") that ends most templates is no
    # processing: it follows the approval and the issue finishes the dossier before it.
    while later and later[-1].role == Role.ONE_STOP_OFFICER:
        later.pop()
    return all(_is_approval(step) for step in later)


def _is_approval(step: ProcessStep) -> bool:
    return step.role == Role.AGENCY_LEADER and step.other_agency_id is None and not step.division_abbreviation


def suggested_summary(dossier: Dossier) -> str:
    """The result document's summary (trích yếu) as the form proposes it."""
    return _("%(procedure)s cho %(applicant)s (hồ sơ %(code)s)") % {
        "procedure": dossier.procedure.name,
        "applicant": dossier.applicant.name,
        "code": dossier.code,
    }


def drafting_division(drafter: Actor, dossier: Dossier) -> Division | None:
    """The drafter's division in the competent agency: the one holding the dossier first."""
    divisions = list(
        Division.objects.filter(
            memberships__user=drafter, memberships__is_active=True, agency_id=dossier.agency_id
        )
        .distinct()
        .order_by("pk")
    )
    held = next((d for d in divisions if d.pk == dossier.current_division_id), None)
    return held or (divisions[0] if divisions else None)


def draft_result_document(
    *,
    dossier: Dossier,
    drafter: Actor,
    document_type: DocumentType,
    summary: str,
    upload: files.Upload | None = None,
    upload_name: str | None = None,
    composed: document_services.ComposedContent | None = None,
) -> OutgoingDocument:
    """A processing official drafts the dossier's result as an outgoing document of the competent
    agency (``origin = "dossiers:<code>"``), from an uploaded PDF or composed; one per dossier."""
    with transaction.atomic():
        dossier = locked(dossier)
        if dossier.status_enum is not Status.IN_PROGRESS:
            raise rules.IllegalTransition(_("Chỉ dự thảo văn bản kết quả khi hồ sơ đang giải quyết."))
        require_any_on(drafter, RECIPIENT_PERMISSIONS, dossier)
        steps = ProcessStep.objects.filter(template__procedure_id=dossier.procedure_id).order_by("order")
        if not at_last_step(dossier, list(steps)):
            raise rules.IllegalTransition(
                _("Chỉ dự thảo văn bản kết quả ở bước xử lý cuối cùng của quy trình.")
            )
        existing = pending_result_document(dossier)
        if existing is not None:
            raise ValidationError(
                _("Hồ sơ đã có văn bản kết quả (%(status)s); hãy tiếp tục trên văn bản đó.")
                % {"status": existing.status_label},
                code="result_document_exists",
            )
        division = drafting_division(drafter, dossier)
        if division is None:
            raise PermissionDenied(
                _("Bạn không thuộc phòng, đơn vị nào của %(agency)s để soạn thảo văn bản kết quả.")
                % {"agency": dossier.agency.name}
            )
        document = document_services.create_draft(
            drafter=drafter,
            division=division,
            document_type=document_type,
            summary=summary,
            upload=upload,
            upload_name=upload_name,
            composed=composed,
            origin=rules.result_origin(dossier.code),
        )
        record(drafter, "dossier.draft_result_document", dossier, document=document.pk)
    return document


def finish_with_document(
    *, document: OutgoingDocument, version: OutgoingVersion | None
) -> DossierResult | None:
    """The issued result document finishes its dossier (4 → 9), approved by its signer, with the
    issued signed PDF as the result file. ``None`` when the document is not a dossier's result.

    Runs inside the issuing transaction: every refusal is a ``ValidationError`` in Vietnamese that
    the clerk reads on the issue screen, and the issue rolls back with it.
    """
    code = rules.code_from_origin(document.origin)
    if code is None:
        return None
    dossier = Dossier.objects.filter(code=code).first()
    if dossier is None:
        raise ValidationError(
            _("Không tìm thấy hồ sơ %(code)s mà văn bản này là kết quả.") % {"code": code},
            code=RESULT_REFUSED,
        )
    refusal = _refusal(document, version, dossier)
    if refusal:
        raise _refused(code, refusal)
    assert version is not None and document.signer is not None  # _refusal checked both
    signed = files.StoredFile(
        name=version.file_name,
        size=version.file_size or 0,
        sha256=version.file_sha256,
        kind=files.FileKind.PDF,
        content_type=files.FileKind.PDF.content_type,
    )
    note = _("Văn bản kết quả số %(notation)s đã được ký số và phát hành.") % {"notation": document.notation}
    try:
        return finish(
            dossier=dossier, leader=document.signer, result_file=signed, note=note, result_document=document
        )
    except rules.IllegalTransition as error:  # moved meanwhile (locked inside ``finish``)
        raise _refused(code, str(error)) from error


def _refused(code: str, reason: str) -> ValidationError:
    return ValidationError(
        _("Không phát hành được văn bản kết quả của hồ sơ %(code)s: %(reason)s")
        % {"code": code, "reason": reason},
        code=RESULT_REFUSED,
    )


def _refusal(document: OutgoingDocument, version: OutgoingVersion | None, dossier: Dossier) -> str:
    """Why the issued document cannot finish this dossier ("" when it can)."""
    if dossier.agency_id != document.agency_id:
        return _("văn bản không do cơ quan giải quyết hồ sơ ban hành.")
    if dossier.status_enum is not Status.IN_PROGRESS:
        return _("hồ sơ đang ở trạng thái “%(status)s”; chỉ hồ sơ đang giải quyết mới nhận được kết quả.") % {
            "status": STATUS_LABELS[dossier.status_enum]
        }
    if version is None or not version.file_sha256:
        return _("văn bản chưa có tệp đã ký số.")
    signer = document.signer
    if signer is None:
        return _("văn bản chưa có người ký.")
    try:
        require_any_on(signer, ("dossiers.approve",), dossier)
    except PermissionDenied:
        return _("người ký %(name)s không có quyền phê duyệt kết quả giải quyết hồ sơ.") % {
            "name": signer.display_name
        }
    return ""
