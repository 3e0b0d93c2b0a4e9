from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from egov.accounts.decorators import login_required
from egov.accounts.models import User
from egov.core import clock
from egov.documents import selectors as document_selectors
from egov.dossiers import printing
from egov.dossiers import selectors as dossier_selectors
from egov.dossiers.models import Dossier
from egov.dossiers.printing import RegisterRow
from egov.workspace import forms, selectors

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _official_only(request: HttpRequest) -> None:
    if not getattr(request.user, "is_official", False):
        raise PermissionDenied(_("Trang này dành cho cán bộ, công chức."))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Who is signed in, in which agencies and with which roles; the documents waiting for them."""
    _official_only(request)
    context = {
        "memberships": selectors.my_memberships(actor=request.user),
        # Documents and signing requests waiting for this official (ARCHITECTURE: one inbox).
        "document_work": [
            tab
            for tab in document_selectors.work_tabs(document_selectors.my_work(cast(User, request.user)))
            if tab.count
        ],
    }
    return render(request, "workspace/home.html", context)


@login_required
def agency_detail(request: HttpRequest, agency_id: int) -> HttpResponse:
    """An agency's card with its officials, for officials of that agency only."""
    _official_only(request)
    agency = selectors.agency_for_actor(actor=request.user, agency_id=agency_id)
    return render(
        request,
        "workspace/agency_detail.html",
        {"agency": agency, "members": selectors.agency_members(actor=request.user, agency=agency)},
    )


# --- The dossier tabs --------------------------------------------------------------------------


class _CountedPaginator(Paginator):
    """A paginator told the count the tab header already computed: no second COUNT query."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


@dataclass(frozen=True)
class ListedDossier:
    dossier: Dossier
    url: str
    late: bool


def dossier_url(pk: int) -> str:
    """The dossier's page; its URL name belongs to the processing screens."""
    try:
        return reverse("dossiers:detail", args=[pk])
    except NoReverseMatch:  # until the processing screens register it, the path they will serve
        return f"/dossiers/{pk}/"


def _without_page(query: QueryDict) -> str:
    rest = query.copy()
    rest.pop("page", None)
    return rest.urlencode()


def _shown_count(tab: selectors.Tab, count: int) -> str:
    if selectors.is_capped(tab, count):
        return _("hơn %(limit)s") % {"limit": intcomma(selectors.ALL_TAB_LIMIT)}
    return intcomma(count)


@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    """The official's tabs over the dossiers they see: mine, the division's inbox, due today, at
    risk, late, all."""
    _official_only(request)
    try:
        tab = selectors.Tab(request.GET.get("tab", selectors.Tab.MINE))
    except ValueError:
        tab = selectors.Tab.MINE
    form = forms.DossierFilterForm(request.GET or None, actor=request.user)
    form.is_valid()
    filters = form.filters()
    now = clock.now()
    counts = selectors.tab_counts(actor=request.user, filters=filters, now=now)
    dossiers = selectors.tab_dossiers(actor=request.user, tab=tab, filters=filters, now=now)
    page = _CountedPaginator(dossiers, PAGE_SIZE, count=selectors.listed_count(tab, counts[tab])).get_page(
        request.GET.get("page")
    )
    rest = request.GET.copy()
    rest.pop("page", None)
    rest.pop("tab", None)
    return render(
        request,
        "workspace/dossier_list.html",
        {
            "form": form,
            "tab": tab,
            "tabs": [
                (t, selectors.TAB_LABELS[t], counts[t], _shown_count(t, counts[t])) for t in selectors.Tab
            ],
            "capped": selectors.is_capped(tab, counts[tab]),
            "limit": selectors.ALL_TAB_LIMIT,
            "filter_query": rest.urlencode(),
            "page_obj": page,
            "page_query": _without_page(request.GET),
            "rows": [
                ListedDossier(dossier=d, url=dossier_url(d.pk), late=dossier_selectors.is_late(d, now))
                for d in page.object_list
            ],
        },
    )


# --- The dossier register (form 07) -------------------------------------------------------------


def _register_form(request: HttpRequest) -> forms.RegisterForm:
    _official_only(request)
    if not dossier_selectors.register_agency_ids(request.user):
        raise PermissionDenied(_("Sổ theo dõi hồ sơ dành cho bộ phận một cửa và lãnh đạo cơ quan."))
    data: QueryDict = request.GET
    if "start" not in data:
        today = clock.today()
        data = request.GET.copy()
        data.setdefault("end", today.isoformat())
        data["start"] = today.replace(day=1).isoformat()
        desk = selectors.register_desks(request.user).values_list("pk", flat=True).first()
        data.setdefault("desk", str(desk))
    return forms.RegisterForm(data, actor=request.user)


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Form 07 of a desk for a period, on screen 25 lines a page, with its Excel and PDF copies."""
    form = _register_form(request)
    page = None
    rows: tuple[RegisterRow, ...] = ()
    if form.is_valid():
        dossiers = selectors.register_dossiers(
            actor=request.user,
            desk=form.cleaned_data["desk"],
            period_start=form.cleaned_data["start"],
            period_end=form.cleaned_data["end"],
        )
        page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = selectors.register_rows(page.object_list, first_line=page.start_index() or 1)
    return render(
        request,
        "workspace/register.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "page_query": _without_page(cast(QueryDict, form.data)),
        },
    )


@login_required
def register_export(request: HttpRequest, kind: str) -> HttpResponse:
    """The whole register of the period as .xlsx (``printing.register_xlsx``) or PDF (form 07)."""
    form = _register_form(request)
    if not form.is_valid():
        return render(request, "workspace/register.html", {"form": form}, status=400)
    desk, start, end = form.cleaned_data["desk"], form.cleaned_data["start"], form.cleaned_data["end"]
    dossiers = selectors.register_dossiers(actor=request.user, desk=desk, period_start=start, period_end=end)
    data = selectors.register_data(
        desk=desk, period_start=start, period_end=end, rows=selectors.register_rows(dossiers)
    )
    name = f"so-theo-doi-ho-so-{start:%Y%m%d}-{end:%Y%m%d}"
    if kind == "xlsx":
        response = HttpResponse(printing.register_xlsx(data), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    else:
        response = HttpResponse(printing.render_register(data), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response
