"""The end of processing: the approved result, its return to the applicant, the rating."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from egov.core import clock
from egov.core.files import StoredFile
from egov.documents.models import OutgoingDocument
from egov.documents.rules import OutgoingStatus
from egov.dossiers import rules
from egov.dossiers.models import DeliveryMethod, Dossier, DossierResult, Rating
from egov.dossiers.rules import Status
from egov.dossiers.services._base import Actor, check, complete, locked, record
from egov.dossiers.signed_results import pending_result_document

# A result document in these statuses is in the leader's or the clerk's hands: its issue finishes
# the dossier, so a paper result must not overtake it.
SIGNING_STATUSES = frozenset({OutgoingStatus.AWAITING_SIGNATURE, OutgoingStatus.SIGNED})


def finish(
    *,
    dossier: Dossier,
    leader: Actor,
    result_file: StoredFile,
    note: str = "",
    result_document: OutgoingDocument | None = None,
) -> DossierResult:
    """A leader approves the result (4 → 9); the dossier goes back to the desk for return.

    ``result_file`` was checked and stored by ``core.files``: a scanned paper result, or the issued
    signed PDF of ``result_document`` (``result_document.finish_with_document``, at its issue).
    A paper result is refused while a result document waits for its signature or its issue, whose
    issue would then find the dossier finished.
    """
    with transaction.atomic():
        dossier = locked(dossier)
        row = check(dossier, to=Status.FINISHED, actor=leader, service="finish")
        if result_document is None:
            _refuse_paper_result_while_signing(dossier)
        now = clock.now()
        dossier.handovers.filter(completed_at__isnull=True).update(completed_at=now)
        result = DossierResult.objects.create(
            dossier=dossier,
            file_name=result_file.name,
            file_size=result_file.size,
            file_sha256=result_file.sha256,
            file_content_type=result_file.content_type,
            issued_at=now,
            issued_by=leader,
            result_document=result_document,
        )
        dossier.current_step, dossier.current_assignee = None, None
        dossier.current_agency, dossier.current_division = (
            dossier.receiving_agency,
            dossier.receiving_division,
        )
        details: dict[str, object] = {"sha256": result_file.sha256}
        if result_document is not None:
            details["result_document"] = result_document.pk
        complete(dossier, row, actor=leader, now=now, note=note.strip(), details=details)
    return result


def _refuse_paper_result_while_signing(dossier: Dossier) -> None:
    document = pending_result_document(dossier)
    if document is not None and document.status in SIGNING_STATUSES:
        raise rules.IllegalTransition(
            _(
                "Văn bản kết quả điện tử của hồ sơ đang ở bước “%(status)s”; kết quả được phê duyệt "
                "khi văn bản đó được ký số và phát hành."
            )
            % {"status": document.status_label}
        )


def return_result(
    *, dossier: Dossier, officer: Actor, delivery: DeliveryMethod, returned_to: str = ""
) -> DossierResult:
    """Record the return of the result (9 → 10): who collected it at the desk, or sent online/by post."""
    returned_to = " ".join(returned_to.split())
    if delivery != DeliveryMethod.ONLINE and not returned_to:
        raise ValidationError(_("Hãy ghi họ tên người nhận kết quả."), code="returned_to")
    with transaction.atomic():
        dossier = locked(dossier)
        row = check(dossier, to=Status.RETURNED, actor=officer, service="return_result")
        result = DossierResult.objects.select_for_update().get(dossier=dossier)
        result.delivery, result.returned_to, result.returned_by = delivery, returned_to, officer
        result.save(update_fields=["delivery", "returned_to", "returned_by"])
        dossier.current_step = dossier.current_agency = dossier.current_division = None
        dossier.current_assignee = None
        complete(dossier, row, actor=officer, now=clock.now(), details={"delivery": str(delivery)})
    return result


def rate(
    *,
    dossier: Dossier,
    score: int,
    comment: str = "",
    actor: Actor | None = None,
    tracking_token: str | None = None,
) -> Rating:
    """The applicant rates satisfaction once, after the return (status 10).

    The applicant proves who they are by their account (``visible_dossiers``) or by holding the
    receipt's tracking token (kiosk, QR); the view throttles guessing.
    """
    from egov.dossiers.selectors import visible_dossiers  # selectors import the models this module uses

    by_token = tracking_token is not None and constant_time_compare(tracking_token, dossier.tracking_token)
    by_account = (
        actor is not None and not actor.is_official and visible_dossiers(actor).filter(pk=dossier.pk).exists()
    )
    if not (by_token or by_account):
        raise PermissionDenied(_("Chỉ người nộp hồ sơ được đánh giá mức độ hài lòng."))
    if not 1 <= score <= 5:
        raise ValidationError(_("Mức độ hài lòng từ 1 đến 5."), code="score")
    with transaction.atomic():
        dossier = locked(dossier)
        if dossier.status_enum is not Status.RETURNED:
            raise rules.IllegalTransition(_("Chỉ đánh giá được sau khi đã nhận kết quả."))
        if Rating.objects.filter(dossier=dossier).exists():
            raise ValidationError(_("Hồ sơ này đã được đánh giá."), code="rated")
        rating = Rating.objects.create(
            dossier=dossier, score=score, comment=comment.strip(), rated_at=clock.now()
        )
        record(actor, "dossier.rate", dossier, score=score, by_token=by_token and not by_account)
    return rating
