from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.accounts.scope import scope_of
from egov.accounts.selectors import memberships_of
from egov.core import clock
from egov.dossiers import selectors as dossier_selectors
from egov.dossiers.models import Dossier
from egov.dossiers.printing import Heading, RegisterData, RegisterRow
from egov.organizations.models import Agency, Membership
from egov.procedures.models import Procedure

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from egov.accounts.models import User


def visible_agencies(actor: User | AnonymousUser) -> QuerySet[Agency]:
    """Agencies whose internal card (divisions, officials) the actor may read."""
    return Agency.objects.filter(pk__in=scope_of(actor).agencies_where("organizations.view_agency"))


def agency_for_actor(*, actor: User | AnonymousUser, agency_id: int) -> Agency:
    """One agency, or 404 when it does not exist *or* the actor may not see it (no existence oracle)."""
    agency = (
        visible_agencies(actor).select_related("parent", "administrative_unit").filter(pk=agency_id).first()
    )
    if agency is None:
        raise Http404(_("Không tìm thấy cơ quan."))
    return agency


def agency_members(*, actor: User | AnonymousUser, agency: Agency) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(agency__in=visible_agencies(actor), agency=agency, is_active=True)
        .select_related("user", "division", "position")
        .order_by("division__name", "user__full_name")
    )


def my_memberships(*, actor: User | AnonymousUser) -> QuerySet[Membership]:
    return memberships_of(actor)


# --- The official's dossier tabs ----------------------------------------------------------------
# Counts and lists are built on dossiers.selectors (scoped by the actor). Every filter here lands
# on an indexed column of the dossier: status and due_at (``open_by_due``: agency, due_at, partial
# on open statuses), current_assignee (``dossier_inbox_person``), procedure
# (``dossier_procedure_status``), submitted_at (``dossier_agency_status``, ``dossier_register``).


class Tab(StrEnum):
    MINE = "mine"
    DIVISION = "division"
    DUE_TODAY = "due_today"
    AT_RISK = "at_risk"
    LATE = "late"
    ALL = "all"


TAB_LABELS = {
    Tab.MINE: gettext_lazy("Việc của tôi"),
    Tab.DIVISION: gettext_lazy("Hộp thư của phòng"),
    Tab.DUE_TODAY: gettext_lazy("Đến hạn hôm nay"),
    Tab.AT_RISK: gettext_lazy("Sắp quá hạn"),
    Tab.LATE: gettext_lazy("Quá hạn"),
    Tab.ALL: gettext_lazy("Tất cả"),
}


@dataclass(frozen=True)
class DossierFilters:
    """What the official narrowed the tabs to; the same filters apply to every tab and its count."""

    procedure_id: int | None = None
    status: int | None = None
    received_from: date | None = None  # local dates, both included
    received_to: date | None = None


def _filtered(actor: User | AnonymousUser, filters: DossierFilters) -> QuerySet[Dossier]:
    return _narrowed(dossier_selectors.visible_dossiers(actor), filters)


def _narrowed(dossiers: QuerySet[Dossier], filters: DossierFilters) -> QuerySet[Dossier]:
    if filters.procedure_id is not None:
        dossiers = dossiers.filter(procedure_id=filters.procedure_id)
    if filters.status is not None:
        dossiers = dossiers.filter(status=filters.status)
    zone = clock.local_zone()
    # Reception in the broad sense (recorded at the desk or submitted online): ``received_at`` is
    # empty until acceptance, and the dossier indexes carry ``submitted_at``.
    if filters.received_from is not None:
        dossiers = dossiers.filter(submitted_at__gte=datetime.combine(filters.received_from, time.min, zone))
    if filters.received_to is not None:
        after = datetime.combine(filters.received_to + timedelta(days=1), time.min, zone)
        dossiers = dossiers.filter(submitted_at__lt=after)
    return dossiers


def _tab_conditions(actor: User | AnonymousUser, now: datetime) -> dict[Tab, Q]:
    return {
        Tab.MINE: dossier_selectors.held_by_condition(actor),
        Tab.DIVISION: dossier_selectors.division_inbox_condition(actor),
        Tab.DUE_TODAY: dossier_selectors.due_today_condition(now),
        Tab.AT_RISK: dossier_selectors.at_risk_condition(now),
        Tab.LATE: dossier_selectors.late_condition(now),
    }


# The "all" tab lists the newest dossiers up to this many; older ones are reached through the
# received-date filter. Counting every dossier an agency ever handled costs what its whole history
# costs (a scan that grows year after year); counting up to a cap costs what the cap costs.
ALL_TAB_LIMIT = 1000


def tab_counts(*, actor: User | AnonymousUser, filters: DossierFilters, now: datetime) -> dict[Tab, int]:
    """How many dossiers each tab holds, in two queries whatever the number of rows.

    The working tabs hold open dossiers only, so one aggregate over the open ones (read through
    the partial open indexes) counts them all and follows the open workload, not the history.
    The "all" tab is counted up to ``ALL_TAB_LIMIT + 1``: a count above the limit means "more"
    (``is_capped``).
    """
    counts = {
        tab.value: Count("pk", filter=condition) for tab, condition in _tab_conditions(actor, now).items()
    }
    dossiers = _filtered(actor, filters)
    result = dossiers.filter(status__in=dossier_selectors.OPEN_VALUES).aggregate(**counts)
    result[Tab.ALL.value] = dossiers.order_by()[: ALL_TAB_LIMIT + 1].count()
    return {tab: result[tab.value] for tab in Tab}


def is_capped(tab: Tab, count: int) -> bool:
    """Whether the tab holds more dossiers than it lists (only "all" has a limit)."""
    return tab is Tab.ALL and count > ALL_TAB_LIMIT


def listed_count(tab: Tab, count: int) -> int:
    """How many of the tab's dossiers its pages show."""
    return min(count, ALL_TAB_LIMIT) if tab is Tab.ALL else count


def tab_dossiers(*, actor: User | AnonymousUser, tab: Tab, filters: DossierFilters, now: datetime) -> TabRows:
    """One tab's dossiers: the deadline tabs by due date (most urgent first), "all" newest first."""
    condition = Q() if tab is Tab.ALL else _tab_conditions(actor, now)[tab]
    order = ("-submitted_at", "-pk") if tab is Tab.ALL else ("due_at", "pk")
    branches = [
        _narrowed(Dossier.objects.filter(branch), filters).filter(condition)
        for branch in dossier_selectors.visibility_branches(actor)
    ]
    return TabRows(branches, order)


class TabRows:
    """A tab's dossiers in ``order``, fetched one slice (page) at a time.

    Visibility is a union of branches (``dossiers.selectors.visibility_branches``). One query
    with their OR makes the database sort every matching dossier to return a page: at a million
    dossiers that is every dossier a busy agency ever handled (≈ 0.4 s for the "all" tab). Where
    the database allows a LIMIT inside a UNION (PostgreSQL), each branch is read in the order of
    its own index up to the page's end and the union is ordered and cut, so a page costs what
    its position costs. Elsewhere (SQLite, the embedded default for small offices) the OR query
    serves. Two queries a page: the page's keys, then its rows with what a list row shows.
    """

    def __init__(self, branches: list[QuerySet[Dossier]], order: tuple[str, ...]) -> None:
        self.branches = branches
        self.order = order

    def __getitem__(self, window: slice) -> list[Dossier]:
        start, stop = window.start or 0, window.stop
        if not self.branches or stop <= start:
            return []
        if len(self.branches) == 1 or not connection.features.supports_slicing_ordering_in_compound:
            return list(dossier_selectors.listed(self._either()).order_by(*self.order)[start:stop])
        columns = [name.lstrip("-") for name in self.order]
        heads = [branch.order_by(*self.order).values_list(*columns)[:stop] for branch in self.branches]
        keys = heads[0].union(*heads[1:]).order_by(*self.order)[start:stop]
        pks = [row[columns.index("pk")] for row in keys]
        rows = dossier_selectors.listed(Dossier.objects.filter(pk__in=pks)).in_bulk()
        return [rows[pk] for pk in pks]

    def _either(self) -> QuerySet[Dossier]:
        union = self.branches[0]
        for branch in self.branches[1:]:
            union = union | branch
        return union


def filter_procedures(actor: User | AnonymousUser) -> QuerySet[Procedure]:
    """Procedures of the agencies whose dossiers the actor sees, for the filter."""
    scope = scope_of(actor)
    prefix = dossier_selectors.DOSSIER_PERMISSION_PREFIX
    agencies = [a for a in scope.agency_ids if any(p.startswith(prefix) for p in scope.permissions_in(a))]
    return Procedure.objects.filter(offered_by__in=agencies).distinct().order_by("name", "code")


# --- The dossier register (form 07) of a desk ------------------------------------------------------


def register_desks(actor: User | AnonymousUser) -> QuerySet[Agency]:
    """Desks (receiving agencies) whose register the actor may read, by name."""
    return Agency.objects.filter(pk__in=dossier_selectors.register_agency_ids(actor)).order_by("name")


def register_dossiers(
    *, actor: User | AnonymousUser, desk: Agency, period_start: date, period_end: date
) -> QuerySet[Dossier]:
    zone = clock.local_zone()
    return dossier_selectors.register_dossiers(
        actor=actor,
        receiving_agency_id=desk.pk,
        start=datetime.combine(period_start, time.min, zone),
        end=datetime.combine(period_end + timedelta(days=1), time.min, zone),
    )


def register_rows(dossiers: Iterable[Dossier], *, first_line: int = 1) -> tuple[RegisterRow, ...]:
    """Form 07's lines for dossiers from ``register_dossiers`` (no further query)."""
    rows = []
    for line, dossier in enumerate(dossiers, start=first_line):
        assert dossier.received_at is not None and dossier.due_at is not None  # accepted dossiers only
        rows.append(
            RegisterRow(
                line_number=line,
                dossier_code=dossier.code,
                procedure_name=dossier.procedure.name,
                applicant_name=dossier.applicant.name,
                applicant_address=dossier.applicant.address,
                applicant_phone=dossier.applicant.phone,
                lead_agency=dossier.agency.name,
                received_at=dossier.received_at,
                due_at=dossier.due_at,
                transferred_at=getattr(dossier, "transferred_at", None),
                result_received_at=dossier.finished_at,
                returned_at=dossier.returned_at,
            )
        )
    return tuple(rows)


def register_data(
    *, desk: Agency, period_start: date, period_end: date, rows: tuple[RegisterRow, ...]
) -> RegisterData:
    parent = desk.parent
    unit = desk.administrative_unit
    return RegisterData(
        heading=Heading(
            agency_name=desk.name,
            agency_parent=parent.name if parent else "",
            place=unit.name if unit else "",
        ),
        book=f"{period_start:%Y}",
        period_start=period_start,
        period_end=period_end,
        rows=rows,
    )
