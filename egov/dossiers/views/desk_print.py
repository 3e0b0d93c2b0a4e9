"""The desk's printed slip (form 01, 02 or 03, whichever the dossier's last decision produced), and
the applicant's filled declaration (tờ khai).

``printing`` lays forms out from plain dataclasses; this module fills them from a dossier loaded by
``selectors.desk_dossier`` and its last status change (the reason, the missing list, the officer).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from egov.accounts.decorators import login_required
from egov.dossiers import printing, selectors
from egov.dossiers.models import Dossier, StatusChange
from egov.dossiers.rules import Status
from egov.dossiers.views.desk_access import desk_only
from egov.procedures.rules import declaration_lines

_FORMS = {
    Status.REFUSED: "03",
    Status.SUPPLEMENT_REQUESTED: "02",
}


def tracking_url(request: HttpRequest, dossier: Dossier) -> str:
    """The public tracking page the receipt's QR opens (the ``lookup`` app serves it)."""
    return request.build_absolute_uri(reverse("lookup:qr", args=[dossier.tracking_token]))


def printable_form(dossier: Dossier) -> str | None:
    """``01`` once accepted, ``02`` while a supplement is asked, ``03`` when refused; else None."""
    if dossier.status_enum in _FORMS:
        return _FORMS[dossier.status_enum]
    if dossier.received_at is not None:
        return "01"
    return None


@login_required
def print_slip(request: HttpRequest, pk: int) -> HttpResponse:
    desk_only(request)
    dossier = selectors.desk_dossier(actor=request.user, pk=pk)
    if dossier is None:
        raise Http404
    form = printable_form(dossier)
    if form is None:
        raise Http404
    change = selectors.last_change(dossier)
    if form == "01":
        pdf = printing.render_receipt(receipt_data(request, dossier, change))
    elif form == "02":
        pdf = printing.render_supplement_request(supplement_data(dossier, change))
    else:
        pdf = printing.render_refusal(refusal_data(dossier, change))
    return _pdf_response(pdf, f"{dossier.code}-mau-{form}.pdf")


@login_required
def print_declaration(request: HttpRequest, pk: int) -> HttpResponse:
    """The declaration as filled with the schema version the dossier was received with."""
    desk_only(request)
    dossier = selectors.desk_dossier(actor=request.user, pk=pk)
    if dossier is None or dossier.form_schema is None:  # a procedure without an electronic form
        raise Http404
    pdf = printing.render_declaration(declaration_data(dossier))
    return _pdf_response(pdf, f"{dossier.code}-to-khai.pdf")


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"  # personal data: no shared cache keeps it
    return response


def _heading(dossier: Dossier, change: StatusChange | None) -> printing.Heading:
    desk = dossier.receiving_agency
    unit = desk.administrative_unit
    return printing.Heading(
        agency_name=desk.name,
        agency_parent=desk.parent.name if desk.parent else "",
        place=unit.name if unit else "",
        issued_on=change.at if change else None,
    )


def _desk_name(dossier: Dossier) -> str:
    division = dossier.receiving_division
    return f"{division.name} – {dossier.receiving_agency.name}" if division else dossier.receiving_agency.name


def _applicant(dossier: Dossier) -> printing.Applicant:
    a = dossier.applicant
    return printing.Applicant(name=a.name, address=a.address, phone=a.phone, email=a.email)


def _officer(change: StatusChange | None) -> str:
    return change.actor.display_name if change and change.actor else ""


def _form(value: str) -> printing.DocumentForm:
    try:
        return printing.DocumentForm(value)
    except ValueError:
        return printing.DocumentForm.ORIGINAL


def receipt_data(request: HttpRequest, dossier: Dossier, change: StatusChange | None) -> printing.ReceiptData:
    assert dossier.received_at is not None and dossier.due_at is not None
    acceptance = dossier.status_changes.filter(target=Status.ACCEPTED).select_related("actor").first()
    return printing.ReceiptData(
        heading=_heading(dossier, acceptance or change),
        desk_name=_desk_name(dossier),
        dossier_code=dossier.code,
        applicant=_applicant(dossier),
        procedure_name=dossier.procedure.name,
        processing_time=str(dossier.procedure.processing_time()),
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        documents=tuple(
            printing.DocumentLine(d.name, _form(d.form), d.count)
            for d in dossier.documents.all()
            if d.received
        ),
        fees=tuple(
            printing.FeeLine(fee.name, fee.amount, paid=False)
            for fee in dossier.procedure.fees.all()
            if fee.amount is not None
        ),
        tracking_url=tracking_url(request, dossier),
        officer_name=_officer(acceptance or change),
        result_delivery=dossier.receiving_agency.name,
    )


def supplement_data(dossier: Dossier, change: StatusChange | None) -> printing.SupplementRequestData:
    forms_by_name = {d.name: d for d in dossier.documents.all()}
    missing = change.details.get("missing", []) if change else []
    lines = []
    for name in missing:
        known = forms_by_name.get(name)
        lines.append(
            printing.DocumentLine(
                name,
                _form(known.form) if known else printing.DocumentForm.ORIGINAL,
                known.count if known else 1,
            )
        )
    return printing.SupplementRequestData(
        heading=_heading(dossier, change),
        desk_name=_desk_name(dossier),
        dossier_code=dossier.code,
        applicant=_applicant(dossier),
        procedure_name=dossier.procedure.name,
        missing_documents=tuple(lines),
        reason=change.note if change else "",
        officer_name=_officer(change),
        contact_phone=dossier.receiving_agency.phone,
    )


def refusal_data(dossier: Dossier, change: StatusChange | None) -> printing.RefusalData:
    return printing.RefusalData(
        heading=_heading(dossier, change),
        desk_name=_desk_name(dossier),
        dossier_code=dossier.code,
        applicant=_applicant(dossier),
        procedure_name=dossier.procedure.name,
        reason=change.note if change else "",
        officer_name=_officer(change),
    )


def declaration_data(dossier: Dossier) -> printing.DeclarationData:
    schema = dossier.form_schema
    unit = dossier.agency.administrative_unit  # the competent agency, to which it is addressed
    return printing.DeclarationData(
        heading=printing.Heading(agency_name=dossier.agency.name, place=unit.name if unit else ""),
        procedure_name=dossier.procedure.name,
        applicant=_applicant(dossier),
        lines=declaration_lines(schema.fields if schema else [], dossier.answers),
        submitted_at=dossier.submitted_at,
        place=unit.name if unit else "",
        dossier_code=dossier.code,
    )
