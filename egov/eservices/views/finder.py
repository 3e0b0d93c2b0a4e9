"""The procedure finder and a procedure's page (public: no sign-in needed to look)."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from egov.eservices import selectors, services
from egov.eservices.forms import FinderForm
from egov.eservices.identity import is_verified
from egov.procedures.models import OnlineLevel, Procedure
from egov.procedures.selectors import current_form_schema, procedure_by_code


@require_GET
def finder(request: HttpRequest) -> HttpResponse:
    form = FinderForm(
        request.GET or None,
        fields=list(selectors.finder_fields().values_list("code", "name")),
        agencies=list(selectors.finder_agencies().values_list("pk", "name")),
    )
    results: list[Procedure] | None = None
    filters = selectors.Filters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.Filters(
            query=data["q"] or "",
            field=data["field"] or "",
            agency=data["agency"],
            level=data["level"] or "",
            online_level=data["online_level"] or "",
        )
    searched = any([filters.query, filters.field, filters.agency, filters.level, filters.online_level])
    results = selectors.find_procedures(filters)
    return render(request, "eservices/finder.html", {"form": form, "results": results, "searched": searched})


@require_GET
def procedure_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        procedure = procedure_by_code(code)
    except Procedure.DoesNotExist:
        raise Http404 from None
    if not procedure.is_active:
        raise Http404
    online = procedure.online_level != OnlineLevel.NONE
    return render(
        request,
        "eservices/procedure.html",
        {
            "procedure": procedure,
            "online": online,
            "token": uuid.uuid4(),  # the draft's id: a double click on "Nộp trực tuyến" opens one draft
            "schema": current_form_schema(procedure),
            "agencies": [a for a in procedure.offered_by.all() if a.is_active],
            "upload_hint": services.upload_hint(procedure),
            "needs_verification": procedure.requires_verified_identity and not is_verified(request.user),
        },
    )
