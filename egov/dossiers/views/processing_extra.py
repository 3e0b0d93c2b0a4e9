"""The control slip (form 06) as a PDF, and "Chuyển công việc": a division head moves all open
work of one official to another in one action (leave, departure)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from egov.accounts.decorators import login_required
from egov.accounts.scope import scope_of
from egov.dossiers import printing, selectors, services
from egov.dossiers.forms_processing import ReassignForm
from egov.dossiers.models import Dossier, Handover
from egov.dossiers.views.processing import dossier_of, official
from egov.organizations.models import Agency


def _unit(agency: Agency, division_name: str, person: str) -> str:
    unit = division_name or agency.name
    return f"{unit} ({person})" if person else unit


def _slip_row(handover: Handover) -> printing.ControlSlipRow:
    result = selectors.handover_result(handover)
    return printing.ControlSlipRow(
        handed_over_by=_unit(
            handover.from_agency,
            handover.from_division.name if handover.from_division else "",
            handover.from_user.display_name if handover.from_user else "",
        ),
        received_by=_unit(
            handover.to_agency,
            handover.to_division.name if handover.to_division else "",
            handover.to_user.display_name if handover.to_user else "",
        ),
        handed_over_at=handover.handed_at,
        received_at=handover.received_at,
        result=printing.HandoverResult(result.value) if result else None,
        note=" ".join(part for part in (handover.step_name, handover.note) if part),
    )


def control_slip_data(dossier: Dossier) -> printing.ControlSlipData:
    """What form 06 prints for this dossier: one row per hand-over, in order."""
    if dossier.received_at is None or dossier.due_at is None:
        raise Http404  # no clock, no slip: the dossier was never accepted
    agency = dossier.agency
    handovers = dossier.handovers.select_related(
        "from_agency", "from_division", "from_user", "to_agency", "to_division", "to_user"
    ).order_by("handed_at", "pk")
    rows = tuple(_slip_row(h) for h in handovers)
    others = sorted({h.to_agency.name for h in handovers if h.to_agency_id != agency.pk})
    applicant = dossier.applicant
    return printing.ControlSlipData(
        heading=printing.Heading(
            agency_name=agency.name,
            place=agency.administrative_unit.name if agency.administrative_unit else "",
            agency_parent=agency.parent.name if agency.parent else "",
        ),
        dossier_code=dossier.code,
        applicant=printing.Applicant(
            name=applicant.name, address=applicant.address, phone=applicant.phone, email=applicant.email
        ),
        procedure_name=dossier.procedure.name,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        lead_agency=agency.name,
        rows=rows,
        cooperating_agencies=tuple(others),
    )


@login_required
def control_slip(request: HttpRequest, pk: int) -> HttpResponse:
    actor = official(request)
    dossier = dossier_of(actor, pk)
    pdf = printing.render_control_slip(control_slip_data(dossier))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="phieu-kiem-soat-{dossier.code}.pdf"'
    return response


@login_required
def reassign(request: HttpRequest) -> HttpResponse:
    """One form: whose open dossiers, to whom, why; the service moves them all in one transaction."""
    actor = official(request)
    agency_ids = scope_of(actor).agencies_where("dossiers.assign")
    if not agency_ids:
        raise PermissionDenied(_("Chỉ lãnh đạo phòng, lãnh đạo cơ quan được điều chuyển công việc."))
    agencies = Agency.objects.filter(pk__in=agency_ids).order_by("name")
    people = selectors.processing_officials(actor=actor, agency_ids=agency_ids)
    form = ReassignForm(request.POST or None, agencies=agencies, people=people)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                moved = services.reassign_open_work(
                    actor=actor,
                    agency=data["agency"],
                    from_user=data["from_user"],
                    to_user=data["to_user"],
                    note=data["note"],
                )
            except ValidationError as error:
                for text in error.messages:
                    form.add_error(None, text)
            except PermissionDenied as error:
                form.add_error("agency", str(error))
            else:
                messages.success(
                    request,
                    ngettext(
                        "Đã chuyển %(count)d hồ sơ của %(from)s cho %(to)s.",
                        "Đã chuyển %(count)d hồ sơ của %(from)s cho %(to)s.",
                        moved,
                    )
                    % {
                        "count": moved,
                        "from": data["from_user"].display_name,
                        "to": data["to_user"].display_name,
                    },
                )
                return redirect("dossiers:reassign")
        status = 400
    return render(request, "dossiers/processing/reassign.html", {"form": form}, status=status)
