"""Files of the processing screen: the attachments of a hand-over, the result file, and the letters
the agency issues to the applicant, the apology (form 04) and the stop notice (form 05), as PDFs.

Every read starts from ``dossier_of``: a dossier outside the actor's agencies answers 404, and so
does an attachment or an apology that is not that dossier's.
"""

from __future__ import annotations

from datetime import datetime

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from egov.accounts.decorators import login_required
from egov.accounts.models import User
from egov.core.downloads import stored_file_response
from egov.dossiers import printing, selectors
from egov.dossiers.models import (
    Apology,
    Dossier,
    DossierDocument,
    DossierResult,
    HandoverAttachment,
    StatusChange,
)
from egov.dossiers.rules import Status
from egov.dossiers.views.processing import dossier_of, official
from egov.organizations.models import Agency, Membership, Position

# "Nơi nhận" of the letters: the applicant (addressed above), and the agency's archive copy.
LETTER_RECIPIENTS = ("Như trên", "Lưu: VT")


@login_required
def handover_attachment(request: HttpRequest, pk: int, attachment: int) -> FileResponse:
    """Download one file handed over with a step, under the name the official gave it."""
    dossier = dossier_of(official(request), pk)
    row = get_object_or_404(HandoverAttachment, pk=attachment, handover__dossier=dossier)
    return stored_file_response(
        row.file_name, download_name=row.original_name, content_type=row.file_content_type
    )


@login_required
def document_file(request: HttpRequest, pk: int, document: int) -> FileResponse:
    """A file submitted with a dossier (a scan at the desk, an upload online), for whoever sees the
    dossier: its applicant, and the officials of the agencies that handle it."""
    row = get_object_or_404(
        DossierDocument.objects.exclude(file_name=""),
        pk=document,
        dossier_id=pk,
        dossier__in=selectors.visible_dossiers(request.user),
    )
    return stored_file_response(
        row.file_name,
        download_name=row.file_name.rsplit("/", 1)[-1],
        content_type=row.file_content_type,
    )


@login_required
def result_file(request: HttpRequest, pk: int) -> FileResponse:
    """The dossier's result file (the issued signed PDF of its result document, or the scan of a
    paper result), for the officials who see the dossier."""
    dossier = dossier_of(official(request), pk)
    result = get_object_or_404(DossierResult, dossier=dossier)
    return stored_file_response(
        result.file_name, download_name=f"{dossier.code}-ket-qua.pdf", content_type=result.file_content_type
    )


@login_required
def apology_pdf(request: HttpRequest, pk: int, apology: int) -> HttpResponse:
    dossier = dossier_of(official(request), pk)
    letter = get_object_or_404(Apology.objects.select_related("issued_by"), pk=apology, dossier=dossier)
    return _pdf(printing.render_apology(apology_data(dossier, letter)), f"{dossier.code}-mau-04.pdf")


@login_required
def stop_notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_of(official(request), pk)
    change = last_stop(dossier)
    if change is None:
        raise Http404  # never stopped: there is no notice to print
    return _pdf(printing.render_stop_notice(stop_notice_data(dossier, change)), f"{dossier.code}-mau-05.pdf")


def last_stop(dossier: Dossier) -> StatusChange | None:
    return (
        dossier.status_changes.filter(target=Status.STOPPED)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )


def apology_data(dossier: Dossier, letter: Apology) -> printing.ApologyData:
    """Form 04 as the agency that is late issues it: the receipt's appointment and the new one."""
    if dossier.received_at is None or dossier.due_at is None:
        raise Http404  # never accepted: no appointment to apologise for
    agency = dossier.agency
    return printing.ApologyData(
        heading=_heading(agency, letter.issued_at),
        dossier_code=dossier.code,
        applicant=_applicant(dossier),
        procedure_name=dossier.procedure.name,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        reason=letter.reason,
        promised_at=letter.promised_at,
        signer=signer(letter.issued_by, agency),
        recipients=LETTER_RECIPIENTS,
    )


def stop_notice_data(dossier: Dossier, change: StatusChange) -> printing.StopNoticeData:
    """Form 05 with the leader's reason from the status change that stopped the dossier."""
    if dossier.received_at is None:
        raise Http404
    agency = dossier.agency
    return printing.StopNoticeData(
        heading=_heading(agency, change.at),
        dossier_code=dossier.code,
        applicant=_applicant(dossier),
        procedure_name=dossier.procedure.name,
        received_at=dossier.received_at,
        reason=change.note,
        signer=signer(change.actor, agency) if change.actor else printing.Signer(position="", name=""),
        recipients=LETTER_RECIPIENTS,
    )


def signer(user: User, agency: Agency) -> printing.Signer:
    """The signer's post in the agency (a deputy signs "KT." for the head); blank if none is set."""
    membership = (
        Membership.objects.filter(user=user, agency=agency, is_active=True, position__isnull=False)
        .select_related("position")
        .order_by("division_id", "pk")
        .first()
    )
    position = membership.position if membership else None
    capacity = ""
    if position is not None and position.kind == Position.Kind.DEPUTY:
        head = Position.objects.filter(
            agency=agency, division=position.division, kind=Position.Kind.HEAD
        ).first()
        capacity = f"KT. {head.title}" if head else ""
    return printing.Signer(
        position=position.title if position else "", name=user.display_name, capacity=capacity
    )


def _heading(agency: Agency, issued_at: datetime) -> printing.Heading:
    unit = agency.administrative_unit
    return printing.Heading(
        agency_name=agency.name,
        agency_parent=agency.parent.name if agency.parent else "",
        place=unit.name if unit else "",
        issued_on=issued_at,
    )


def _applicant(dossier: Dossier) -> printing.Applicant:
    a = dossier.applicant
    return printing.Applicant(name=a.name, address=a.address, phone=a.phone, email=a.email)


def _pdf(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"  # personal data: no shared cache keeps it
    return response
