"""The statistics page and its Excel export, for leaders and administrators of an agency."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from egov.accounts.decorators import login_required
from egov.core import clock
from egov.dossiers import selectors as dossier_selectors
from egov.reports import exports, rules, selectors
from egov.reports.forms import StatisticsFilter

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filter(request: HttpRequest) -> StatisticsFilter:
    if not dossier_selectors.reportable_agency_ids(request.user):
        raise PermissionDenied(_("Trang này dành cho lãnh đạo và quản trị của cơ quan."))
    data: QueryDict = request.GET
    if "start" not in data and "end" not in data:
        default = rules.month_to_date(clock.today())
        data = request.GET.copy()
        data["start"], data["end"] = default.start.isoformat(), default.end.isoformat()
    return StatisticsFilter(data, actor=request.user)


def _report(form: StatisticsFilter) -> selectors.Report | None:
    if not form.is_valid():
        return None
    agency, procedure = form.cleaned_data["agency"], form.cleaned_data["procedure"]
    return selectors.statistics(
        actor=form.actor,
        period=form.period(),
        agency_id=agency.pk if agency else None,
        procedure_id=procedure.pk if procedure else None,
    )


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    form = _filter(request)
    report = _report(form)
    page = Paginator(report.rows if report else [], PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/statistics.html",
        {
            "form": form,
            "report": report,
            "page_obj": page,
            "page_query": _without_page(request.GET),
        },
    )


def _without_page(query: QueryDict) -> str:
    rest = query.copy()
    rest.pop("page", None)
    return rest.urlencode()


@login_required
def statistics_xlsx(request: HttpRequest) -> HttpResponse:
    form = _filter(request)
    report = _report(form)
    if report is None:
        return render(request, "reports/statistics.html", {"form": form, "report": None}, status=400)
    response = HttpResponse(exports.statistics_xlsx(report), content_type=XLSX)
    name = f"thong-ke-{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
