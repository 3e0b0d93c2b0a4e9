"""The documents home (my work, with counts), search over incoming and outgoing documents, and the
division head's reassignment of an absent official's open work."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from egov.accounts.decorators import login_required
from egov.accounts.scope import scope_of
from egov.core import clock, search
from egov.documents import registers_export, rules, selectors, services
from egov.documents.forms import ReassignForm, SearchForm
from egov.documents.models import Register
from egov.documents.views._common import official, page_of
from egov.organizations.models import Agency

OUTGOING_TABS = {"my_drafts", "to_review", "to_check", "to_sign", "to_issue"}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = official(request)
    lists = selectors.my_work(actor)
    tabs = [(tab.key, tab.label, tab.count) for tab in selectors.work_tabs(lists)]
    tab = request.GET.get("tab") or next(
        (key for key, _l, count in tabs if count), tabs[0][0] if tabs else ""
    )
    rows: Any = lists.get(tab)
    page = None
    if rows is not None:
        related = ["document_type", "division"] if tab in OUTGOING_TABS else ["document_type"]
        page = page_of(request, rows.select_related(*related).order_by("-pk"))
    scope = scope_of(actor)
    return render(
        request,
        "documents/home.html",
        {
            "tabs": tabs,
            "tab": tab,
            "is_outgoing": tab in OUTGOING_TABS,
            "page_obj": page,
            "page_query": f"tab={tab}",
            "today": clock.localnow().date(),
            "can_register": bool(scope.agencies_where("documents.register")),
            "can_draft": bool(scope.agencies_where("documents.draft")),
            "can_reassign": bool(scope.agencies_where("documents.assign")),
            "registers": Register.objects.filter(
                agency_id__in=scope.agencies_where("documents.register")
                | scope.agencies_where("documents.issue"),
                is_active=True,
            ).select_related("agency"),
            "year": clock.localnow().year,
        },
    )


@login_required
def search_documents(request: HttpRequest) -> HttpResponse:
    actor = official(request)
    scope = scope_of(actor)
    form = SearchForm(request.GET or None, agency_ids=scope.agency_ids)
    page = None
    query = ""
    kind = "incoming"
    if form.is_valid():
        data = form.cleaned_data
        query = data["q"] or ""
        kind = data["kind"] or "incoming"
        filters = selectors.Filters(
            query=query,
            register_id=data["register"].pk if data["register"] else None,
            type_id=data["document_type"].pk if data["document_type"] else None,
            status=data["status"] or "",
            urgency=data["urgency"] or "",
            date_from=data["date_from"],
            date_to=data["date_to"],
            person_id=data["person"].pk if data["person"] else None,
            relevance=data["order"] == "relevance",
        )
        rows = (
            selectors.search_incoming(actor, filters)
            if kind == "incoming"
            else selectors.search_outgoing(actor, filters)
        )
        page = page_of(request, rows, bounded=True)
        for row in page.object_list:
            row.highlighted_summary = search.highlight(row.summary, query)
            row.highlighted_notation = search.highlight(row.notation, query)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "documents/search.html",
        {
            "form": form,
            "page_obj": page,
            "kind": kind,
            "query": query,
            "page_query": params.urlencode(),
            "more_than": selectors.COUNT_LIMIT
            if page and page.paginator.count > selectors.COUNT_LIMIT
            else None,
        },
    )


@login_required
def reassign(request: HttpRequest) -> HttpResponse:
    actor = official(request)
    scope = scope_of(actor)
    agencies = scope.agencies_where("documents.assign")
    if not agencies:
        raise PermissionDenied(_("Chỉ lãnh đạo phòng được chuyển công việc của cán bộ."))
    agency = Agency.objects.get(pk=min(agencies))
    form = ReassignForm(request.POST or None, agency_id=agency.pk, division_ids=scope.division_ids)
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.reassign_open_work(
                head=actor, absent=form.cleaned_data["absent"], to=form.cleaned_data["to"], agency=agency
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, getattr(error, "messages", [str(error)]))
        else:
            messages.success(request, _("Đã chuyển %(n)d phân công đang mở.") % {"n": moved})
            return redirect("documents:home")
    return render(request, "documents/reassign.html", {"form": form, "rules": rules})


@login_required
def register_view(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """A register for one year on screen, or as Excel (``?xlsx=1``), for the agency's clerks."""
    actor = official(request)
    scope = scope_of(actor)
    register = get_object_or_404(
        Register.objects.select_related("agency"),
        pk=pk,
        agency_id__in=scope.agencies_where("documents.register") | scope.agencies_where("documents.issue"),
    )
    if request.GET.get("xlsx"):
        response = HttpResponse(
            registers_export.workbook(register, year),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="so-van-ban-{register.pk}-{year}.xlsx"'
        return response
    page = page_of(request, registers_export.entries(register, year))
    incoming = register.kind == Register.Kind.INCOMING
    return render(
        request,
        "documents/register.html",
        {
            "register": register,
            "year": year,
            "page_obj": page,
            "page_query": "",
            "columns": registers_export.INCOMING_COLUMNS if incoming else registers_export.OUTGOING_COLUMNS,
            "rows": registers_export.rows(register, page.object_list),
            "registers": Register.objects.filter(agency_id=register.agency_id).order_by("kind", "name"),
        },
    )
