"""The online channel: a citizen submits, supplements and receives the result from home.

These services reuse reception's (``record_dossier``, the ``resubmit`` transition, ``complete``)
with one difference: the actor is the applicant, so the permission check of the transition table
(an officer's ``dossiers.receive``) is replaced by "this is the applicant's own dossier".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.core import clock, counters
from egov.core.files import StoredFile
from egov.dossiers import rules
from egov.dossiers.models import (
    Channel,
    DeliveryMethod,
    Dossier,
    DossierDocument,
    DossierResult,
    StatusChange,
)
from egov.dossiers.rules import Status
from egov.dossiers.services._base import Actor, complete, locked, record
from egov.dossiers.services.reception import (
    ApplicantData,
    ReceivedDocument,
    _tick_documents,
    attach_file,
    record_dossier,
)
from egov.organizations.models import Agency
from egov.procedures.models import Procedure

SUBMISSION_NAMESPACE = "online_submission"
SUBMISSION_KEY_MAX_LENGTH = 64


def submit_online(
    *,
    citizen: Actor,
    procedure: Procedure,
    agency: Agency,
    applicant: ApplicantData,
    answers: Mapping[str, object],
    documents: Sequence[ReceivedDocument],
    submission_key: str,
) -> tuple[Dossier, bool]:
    """Submit an application online (channel 2, status 1, code allocated); ``(dossier, created)``.

    Idempotent by ``submission_key`` (one per application draft): a repeated call — a double
    click, a network retry, two tabs — returns the dossier of the first call and creates nothing.
    The key is claimed on a row of ``core.counters`` inside the transaction, so a concurrent
    second call waits for the first to commit and then finds its dossier; if the first call fails,
    its claim rolls back with it and the key stays free.
    """
    key = submission_key.strip()
    if not key or len(key) > SUBMISSION_KEY_MAX_LENGTH:
        raise ValueError("submission_key must be 1–64 characters")
    with transaction.atomic():
        # Claimed first, then the dossier code's series: always in this order (counters' rule).
        if counters.next_value(namespace=SUBMISSION_NAMESPACE, key=key) > 1:
            existing = submitted_with_key(key)
            if existing is None:  # claimed by a dossier since deleted: nothing to give back
                raise ValidationError(_("Hồ sơ này đã được nộp."), code="already_submitted")
            if existing.applicant.user_id != citizen.pk:
                raise PermissionDenied(_("Mã nộp hồ sơ không thuộc tài khoản này."))
            return existing, False
        dossier = record_dossier(
            actor=citizen,
            procedure=procedure,
            agency=agency,
            applicant=applicant,
            channel=Channel.ONLINE,
            answers=answers,
            documents=documents,
        )
        StatusChange.objects.filter(dossier=dossier, source__isnull=True).update(
            details={"submission_key": key}
        )
        record(citizen, "dossier.submit_online", dossier, submission_key=key)
    return dossier, True


def submitted_with_key(key: str) -> Dossier | None:
    """The dossier an online submission with ``key`` created, if any."""
    return (
        Dossier.objects.select_related("applicant")
        .filter(
            channel=Channel.ONLINE,
            status_changes__source__isnull=True,
            status_changes__details__submission_key=key,
        )
        .first()
    )


@dataclass(frozen=True)
class SupplementFile:
    """A file the applicant sends for one item of a supplement request.

    ``document_id`` names the dossier's document row it completes; ``None`` adds a new row
    called ``name`` (a paper the officer asked for that the procedure does not list).
    """

    file: StoredFile
    name: str
    document_id: int | None = None


def resubmit_online(
    *, dossier: Dossier, citizen: Actor, files: Sequence[SupplementFile], note: str = ""
) -> Dossier:
    """The applicant supplements online (5 → 1 before acceptance, 5 → 4 during processing).

    The move is reception's ``resubmit`` (same table row, clock effect and notification); files
    against listed documents tick them as received, other files become new document rows.
    """
    if not files:
        raise ValidationError(_("Hãy tải lên ít nhất một giấy tờ bổ sung."), code="no_files")
    with transaction.atomic():
        dossier = locked(dossier)
        _require_applicant(citizen, dossier)
        target = Status.IN_PROGRESS if dossier.is_accepted else Status.SUBMITTED
        row = rules.transition(dossier.status_enum, target, accepted=dossier.is_accepted)
        if row.name != "resubmit":
            raise rules.IllegalTransition(rules.transition_refusal(dossier.status_enum, target))
        listed = {item.document_id: item.file for item in files if item.document_id is not None}
        _tick_documents(dossier, listed)
        _add_documents(dossier, [item for item in files if item.document_id is None])
        complete(
            dossier,
            row,
            actor=citizen,
            now=clock.now(),
            note=note.strip(),
            details={"online": True, "files": [item.file.sha256 for item in files]},
        )
    return dossier


def _add_documents(dossier: Dossier, items: Sequence[SupplementFile]) -> None:
    if not items:
        return
    last = dossier.documents.order_by("-order").values_list("order", flat=True).first() or 0
    rows = []
    for order, item in enumerate(items, start=last + 1):
        name = " ".join(item.name.split())
        if not name:
            raise ValidationError(_("Hãy ghi tên giấy tờ bổ sung."), code="name")
        row = DossierDocument(
            dossier=dossier, order=order, name=name[:500], form="photocopy", count=1, is_required=False
        )
        attach_file(row, item.file)
        rows.append(row)
    DossierDocument.objects.bulk_create(rows)


def deliver_online(*, dossier: Dossier, citizen: Actor) -> DossierResult:
    """The applicant takes the result online: the return is recorded (9 → 10, delivery online).

    Reception's ``return_result`` move, made by the applicant; a later download changes nothing.
    """
    with transaction.atomic():
        dossier = locked(dossier)
        _require_applicant(citizen, dossier)
        result = DossierResult.objects.select_for_update().get(dossier=dossier)
        if dossier.status_enum is Status.RETURNED:
            return result
        row = rules.transition(dossier.status_enum, Status.RETURNED, accepted=dossier.is_accepted)
        result.delivery, result.returned_to = DeliveryMethod.ONLINE, citizen.display_name
        result.save(update_fields=["delivery", "returned_to"])
        dossier.current_step = dossier.current_agency = dossier.current_division = None
        dossier.current_assignee = None
        complete(
            dossier, row, actor=citizen, now=clock.now(), details={"delivery": str(DeliveryMethod.ONLINE)}
        )
    return result


def _require_applicant(citizen: Actor, dossier: Dossier) -> None:
    from egov.dossiers.selectors import visible_dossiers  # selectors import what services define

    if citizen.is_official or not visible_dossiers(citizen).filter(pk=dossier.pk).exists():
        raise PermissionDenied(_("Chỉ người nộp hồ sơ được thực hiện việc này."))
