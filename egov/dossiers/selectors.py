"""Reads of dossiers, always scoped by the actor, and the derived lateness of a dossier.

Lateness is never stored (DOMAIN.md §1). The legal due date already includes finished pauses
(``resume`` moved it); during a pause the clock stands still, so an open paused dossier is
measured at the instant its pause began.

Public lookup (``dossier_for_lookup``): the code is printed on paper and guessable in sequence,
so a second factor is required; guessing must be throttled per code and per client by the view
(not here: a selector has no client). Both lookups return ``None`` for "no such dossier" and
"wrong second factor" alike, so the answer is no existence oracle.
"""

from __future__ import annotations

import operator
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery

from egov.accounts.models import User
from egov.accounts.scope import scope_of
from egov.accounts.selectors import dossier_identities
from egov.core import calendar, clock
from egov.dossiers import rules
from egov.dossiers.models import Applicant, Dossier, Handover, Rating, StatusChange
from egov.dossiers.rules import Status, Timeliness
from egov.organizations.models import Agency, Division
from egov.procedures.models import Procedure

OPEN_VALUES = sorted(s.value for s in rules.OPEN)
DOSSIER_PERMISSION_PREFIX = "dossiers."


def visible_dossiers(actor: User | AnonymousUser | None) -> QuerySet[Dossier]:
    """The dossiers the actor may see; everything else answers 404.

    Officials: dossiers of the agencies where they hold any ``dossiers.*`` permission, as the
    competent agency, the receiving desk, or the inbox of an inter-agency step. Citizens: dossiers
    whose applicant is linked to their account, or carries their *verified* personal ID number
    (a self-declared number proves nothing). Anonymous visitors: none.
    """
    branches = visibility_branches(actor)
    if not branches:
        return Dossier.objects.none()
    return Dossier.objects.filter(reduce(operator.or_, branches))


def visibility_branches(actor: User | AnonymousUser | None) -> list[Q]:
    """The conditions whose union ``visible_dossiers`` is; none: the actor sees nothing.

    An official's branches (competent agency, receiving desk, inbox of an inter-agency step) each
    have their own indexes, so a list ordered by date can read each branch in index order and
    merge them (``workspace.selectors``) instead of sorting every dossier the agency ever handled.
    """
    if actor is None or not actor.is_authenticated:
        return []
    assert isinstance(actor, User)
    scope = scope_of(actor)
    if actor.is_official:
        agencies = [
            agency_id
            for agency_id in scope.agency_ids
            if any(p.startswith(DOSSIER_PERMISSION_PREFIX) for p in scope.permissions_in(agency_id))
        ]
        if not agencies:
            return []
        return [Q(agency__in=agencies), Q(receiving_agency__in=agencies), Q(current_agency__in=agencies)]
    mine = Q(applicant__user=actor)
    identities = dossier_identities(actor)  # verified ID, organisations the user acts for now
    if identities.national_ids:
        mine |= Q(applicant__kind=Applicant.Kind.PERSON, applicant__national_id__in=identities.national_ids)
    if identities.tax_codes:
        mine |= Q(applicant__kind=Applicant.Kind.ORGANISATION, applicant__tax_code__in=identities.tax_codes)
    return [mine]


def _listed(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return queryset.select_related("procedure", "applicant", "agency")


def _public(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    # The rating rides along in the same query: the tracking page shows it or the rating form.
    return _listed(queryset).select_related("rating")


def dossier_by_tracking_token(token: str) -> Dossier | None:
    """The dossier whose receipt's QR carries ``token`` (no second factor: the token is random)."""
    if not token or len(token) > Dossier._meta.get_field("tracking_token").max_length:  # type: ignore[operator]
        return None
    return _public(Dossier.objects.filter(tracking_token=token)).first()


def dossier_for_lookup(code: str, second_factor: str) -> Dossier | None:
    """The dossier with ``code`` if ``second_factor`` is the last 4 digits of the applicant's phone
    or personal ID number (tax code for an organisation); ``None`` otherwise."""
    dossier = _public(Dossier.objects.filter(code=code.strip().upper())).first()
    if dossier is None:
        return None
    applicant = dossier.applicant
    candidates = [applicant.phone, applicant.national_id, applicant.tax_code.split("-")[0]]
    if not rules.second_factor_matches([c for c in candidates if c], second_factor.strip()):
        return None
    return dossier


def public_timeline(dossier: Dossier) -> tuple[list[StatusChange], list[Handover]]:
    """Status changes and hand-overs for the lookup page (2 queries; no personal data loaded)."""
    changes = list(dossier.status_changes.order_by("at", "pk"))
    handovers = list(dossier.handovers.select_related("to_agency", "to_division").order_by("handed_at", "pk"))
    return changes, handovers


# --- Lists of the officials' tabs --------------------------------------------------------------


def _late_condition(now: datetime) -> Q:
    running = Q(paused_since__isnull=True, due_at__lt=now)
    paused_after_due = Q(paused_since__isnull=False, due_at__lt=F("paused_since"))
    return Q(status__in=OPEN_VALUES) & (running | paused_after_due)


def late_dossiers(*, actor: User | AnonymousUser | None, now: datetime) -> QuerySet[Dossier]:
    """Open dossiers past their legal due date, most overdue first."""
    return _listed(visible_dossiers(actor).filter(_late_condition(now))).order_by("due_at")


def due_today(*, actor: User | AnonymousUser | None, now: datetime) -> QuerySet[Dossier]:
    """Open, running dossiers due between now and the end of the local day."""
    local = now.astimezone(clock.local_zone())
    end_of_day = local.replace(hour=23, minute=59, second=59, microsecond=999_999)
    return _listed(
        visible_dossiers(actor).filter(
            status__in=OPEN_VALUES, paused_since__isnull=True, due_at__gte=now, due_at__lte=end_of_day
        )
    ).order_by("due_at")


def at_risk(
    *, actor: User | AnonymousUser | None, now: datetime, within: timedelta = timedelta(hours=8)
) -> QuerySet[Dossier]:
    """Open, running dossiers not yet late but due within ``within`` of working time (a working day)."""
    limit = rules.add_working_duration(now, within, cal=calendar.current())
    return _listed(
        visible_dossiers(actor).filter(
            status__in=OPEN_VALUES, paused_since__isnull=True, due_at__gte=now, due_at__lte=limit
        )
    ).order_by("due_at")


# --- Derived lateness of one dossier ----------------------------------------------------------


def is_late(dossier: Dossier, now: datetime) -> bool:
    """Whether an open dossier is past its legal due date (paused ones: when the pause began)."""
    if dossier.status_enum not in rules.OPEN or dossier.due_at is None:
        return False
    return (dossier.paused_since or now) > dossier.due_at


def on_time_result(dossier: Dossier, now: datetime) -> Timeliness | None:
    """Early / on time / late by the national on-time rule; ``None`` when not measured.

    End = finished, else returned, else stopped (or the start of an open pause), else ``now``
    (an open dossier at the end of a reporting period). Supplement time is already out of the
    moved due date. Refused dossiers (clock never started) and withdrawn ones are not measured.
    """
    if dossier.due_at is None or dossier.status_enum is Status.WITHDRAWN:
        return None
    end = dossier.finished_at or dossier.returned_at or dossier.paused_since or now
    return rules.timeliness(end, dossier.due_at, zone=clock.local_zone())


def counts_late_nationally(dossier: Dossier, now: datetime) -> bool:
    """Late in national statistics: late by the on-time rule, or more than one supplement request."""
    return dossier.supplement_count > 1 or on_time_result(dossier, now) is Timeliness.LATE


def handover_result(handover: Handover) -> Timeliness | None:
    """The control slip's "result" column for a completed hand-over row."""
    if handover.completed_at is None or handover.step_due_at is None:
        return None
    return rules.timeliness(handover.completed_at, handover.step_due_at, zone=clock.local_zone())


# --- Who can receive a dossier's work (processing screens) -------------------------------------


def processing_officials(
    *, actor: User | AnonymousUser | None, agency_ids: Collection[int]
) -> QuerySet[User]:
    """Officials who may hold a processing step in ``agency_ids`` (specialists, heads, leaders),
    limited to the agencies whose dossiers the actor may see, for the hand-over and reassignment
    pickers. Every role granting ``dossiers.process`` or ``dossiers.approve`` counts.
    """
    from egov.accounts.permissions import ROLE_PERMISSIONS  # only this picker needs the role table

    scope = scope_of(actor)
    visible = [
        a for a in agency_ids if any(p.startswith(DOSSIER_PERMISSION_PREFIX) for p in scope.permissions_in(a))
    ]
    roles = [r for r, perms in ROLE_PERMISSIONS.items() if perms & {"dossiers.process", "dossiers.approve"}]
    return (
        User.objects.filter(
            is_official=True,
            is_active=True,
            memberships__is_active=True,
            memberships__agency_id__in=visible,
            memberships__role__in=roles,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


# --- The one-stop desk (reception screens) -----------------------------------------------------

DESK_QUEUE_STATUSES = [Status.SUBMITTED.value, Status.SUPPLEMENT_REQUESTED.value]


def desk_agencies(actor: User | AnonymousUser | None) -> QuerySet[Agency]:
    """The agencies whose one-stop desk the actor staffs (``dossiers.receive`` there), by name."""
    return Agency.objects.filter(
        pk__in=scope_of(actor).agencies_where("dossiers.receive"), is_active=True
    ).order_by("name")


def desk_division(actor: User | AnonymousUser | None, desk: Agency) -> Division | None:
    """The actor's one-stop division in ``desk`` (recorded on the dossier), if they belong to one."""
    return (
        Division.objects.filter(pk__in=scope_of(actor).division_ids, agency=desk, is_one_stop_desk=True)
        .order_by("pk")
        .first()
    )


def desk_procedure_offers(desk: Agency) -> list[tuple[Procedure, Agency]]:
    """(procedure, competent agency) pairs the desk may receive, by procedure name (2 queries).

    An agency's own desk receives what it decides; a public service centre receives on behalf of
    every active agency (``services.record_dossier`` accepts any competent agency from a centre).
    """
    procedures = Procedure.objects.filter(is_active=True).order_by("name", "code")
    if desk.kind != Agency.Kind.SERVICE_CENTRE:
        return [(procedure, desk) for procedure in procedures.filter(offered_by=desk)]
    agencies = Prefetch("offered_by", queryset=Agency.objects.filter(is_active=True).order_by("name"))
    return [
        (procedure, agency)
        for procedure in procedures.prefetch_related(agencies)
        for agency in procedure.offered_by.all()
    ]


def desk_queue(*, actor: User | AnonymousUser | None, desk: Agency) -> QuerySet[Dossier]:
    """Dossiers waiting at the desk: new (status 1) or waiting for a supplement (status 5)."""
    return _listed(
        visible_dossiers(actor).filter(receiving_agency=desk, status__in=DESK_QUEUE_STATUSES)
    ).order_by("submitted_at", "pk")


def desk_dossier(*, actor: User | AnonymousUser | None, pk: int) -> Dossier | None:
    """One dossier the actor may see, with what the desk screen and the printed forms show."""
    return (
        visible_dossiers(actor)
        .select_related(
            "procedure",
            "applicant",
            "agency",
            "receiving_agency__parent",
            "receiving_agency__administrative_unit",
            "receiving_division",
            "agency__administrative_unit",
            "form_schema",
        )
        .prefetch_related("documents", "procedure__fees")
        .filter(pk=pk)
        .first()
    )


def last_change(dossier: Dossier) -> StatusChange | None:
    """The change that put the dossier in its current status (its reason, list and officer)."""
    return (
        dossier.status_changes.filter(target=dossier.status)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )


# --- Conditions for the workspace's tabs, statistics and the register ----------------------------
# Added for workspace (the officials' tabs) and reports. The tabs count every tab in one aggregate
# query, so each list's condition is a ``Q`` the caller can use both as a filter and inside
# ``Count(filter=...)``; each says the same as the list function above of the same name.


def late_condition(now: datetime) -> Q:
    """Open and past the legal due date (a paused dossier: past it when the pause began)."""
    return _late_condition(now)


def due_today_condition(now: datetime) -> Q:
    """Open, running, due between ``now`` and the end of the local day (as ``due_today``)."""
    local = now.astimezone(clock.local_zone())
    end_of_day = local.replace(hour=23, minute=59, second=59, microsecond=999_999)
    return Q(status__in=OPEN_VALUES, paused_since__isnull=True, due_at__gte=now, due_at__lte=end_of_day)


def at_risk_condition(now: datetime, within: timedelta = timedelta(hours=8)) -> Q:
    """Open, running, not yet late, due within ``within`` of working time (as ``at_risk``)."""
    limit = rules.add_working_duration(now, within, cal=calendar.current())
    return Q(status__in=OPEN_VALUES, paused_since__isnull=True, due_at__gte=now, due_at__lte=limit)


def held_by_condition(user: User | AnonymousUser) -> Q:
    """Open dossiers whose current step is in ``user``'s hands (index ``dossier_inbox_person``)."""
    return Q(current_assignee_id=user.pk, status__in=OPEN_VALUES)


def division_inbox_condition(user: User | AnonymousUser) -> Q:
    """Open dossiers waiting in one of ``user``'s divisions that nobody holds yet (index
    ``dossier_inbox_division``). No division: nothing (``pk__in=[]`` matches no row)."""
    divisions = sorted(scope_of(user).division_ids)
    if not divisions:
        return Q(pk__in=[])
    return Q(current_division_id__in=divisions, current_assignee__isnull=True, status__in=OPEN_VALUES)


def listed(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """What a list row shows (procedure, applicant, agency) in the same query."""
    return _listed(queryset)


# Who reads statistics: leaders (``reports.view``) and an agency's administrators, who hold no
# ``dossiers.*`` permission and so see no dossier one by one — only the aggregates.
REPORT_PERMISSIONS = ("reports.view", "organizations.manage")
# Who reads the register (form 07) of a desk: the desk's officers and the agency's leaders.
REGISTER_PERMISSIONS = ("dossiers.receive", "reports.view")


def _agencies_with_any(actor: User | AnonymousUser | None, permissions: tuple[str, ...]) -> frozenset[int]:
    if actor is None or not actor.is_authenticated or not getattr(actor, "is_official", False):
        return frozenset()
    scope = scope_of(actor)
    return frozenset(a for a in scope.agency_ids if any(scope.can(p, a) for p in permissions))


def reportable_agency_ids(actor: User | AnonymousUser | None) -> frozenset[int]:
    """Agencies whose statistics the actor may read."""
    return _agencies_with_any(actor, REPORT_PERMISSIONS)


def reportable_dossiers(actor: User | AnonymousUser | None) -> QuerySet[Dossier]:
    """Dossiers counted in the actor's statistics: those of the agencies competent for them
    (``Dossier.agency``), where the actor may read statistics."""
    agencies = reportable_agency_ids(actor)
    if not agencies:
        return Dossier.objects.none()
    return Dossier.objects.filter(agency__in=sorted(agencies))


def register_agency_ids(actor: User | AnonymousUser | None) -> frozenset[int]:
    """Receiving desks (agencies) whose register the actor may read."""
    return _agencies_with_any(actor, REGISTER_PERMISSIONS)


def register_dossiers(
    *, actor: User | AnonymousUser | None, receiving_agency_id: int, start: datetime, end: datetime
) -> QuerySet[Dossier]:
    """The lines of the register (form 07) of one desk: dossiers accepted there in [start, end),
    in order of acceptance, with the first hand-over (sent to processing) annotated.

    Empty when the actor may not read that desk's register (no existence oracle).
    """
    if receiving_agency_id not in register_agency_ids(actor):
        return Dossier.objects.none()
    first_handover = (
        Handover.objects.filter(dossier=OuterRef("pk")).order_by("handed_at", "pk").values("handed_at")[:1]
    )
    return (
        _listed(Dossier.objects.filter(receiving_agency_id=receiving_agency_id))
        # submitted_at <= received_at: the bound lets the ``dossier_register`` index cut the range.
        .filter(submitted_at__lt=end, received_at__gte=start, received_at__lt=end)
        .annotate(transferred_at=Subquery(first_handover))
        .order_by("received_at", "pk")
    )


# --- Public lookup and kiosk (what a code holder may see) ----------------------------------------


@dataclass(frozen=True)
class PublicStep:
    """One hand-over on the public tracking page: units and times, never the officials' names."""

    step_name: str
    agency_name: str
    division_name: str
    handed_at: datetime
    completed_at: datetime | None
    result: Timeliness | None

    @property
    def result_label(self) -> str:
        return str(rules.TIMELINESS_LABELS[self.result]) if self.result else ""


@dataclass(frozen=True)
class PublicStatusChange:
    status: Status
    at: datetime

    @property
    def label(self) -> str:
        return str(rules.STATUS_LABELS[self.status])


@dataclass(frozen=True)
class PublicTracking:
    """Everything the public tracking page shows, and nothing more.

    The page gets this projection instead of the ``Dossier`` so that no template can reach the
    applicant (name, phone, personal ID, address), the form answers or the documents by accident.
    """

    code: str
    procedure_name: str
    agency_name: str
    status: Status
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None
    promised_at: datetime | None  # the latest apology letter's new date (form 04), if any
    is_late: bool
    timeliness: Timeliness | None  # of a closed dossier (finished/returned), by the on-time rule
    status_changes: tuple[PublicStatusChange, ...]
    steps: tuple[PublicStep, ...]
    rating_score: int | None = None  # the applicant's satisfaction (1–5) once rated; not the comment

    @property
    def status_label(self) -> str:
        return str(rules.STATUS_LABELS[self.status])

    @property
    def timeliness_label(self) -> str:
        return str(rules.TIMELINESS_LABELS[self.timeliness]) if self.timeliness else ""

    @property
    def is_paused(self) -> bool:
        return self.status in (Status.SUPPLEMENT_REQUESTED, Status.OBLIGATION_REQUESTED, Status.STOPPED)

    @property
    def may_be_rated(self) -> bool:
        """Returned (status 10) and not rated yet: the applicant may rate satisfaction."""
        return self.status is Status.RETURNED and self.rating_score is None

    @property
    def rating_label(self) -> str:
        return str(rules.RATING_LABELS[self.rating_score]) if self.rating_score else ""


def rating_score(dossier: Dossier) -> int | None:
    """The dossier's satisfaction score, or ``None`` (no query when the finder joined the rating)."""
    if dossier.status_enum is not Status.RETURNED:
        return None  # only a returned dossier can be rated
    try:
        return dossier.rating.score
    except Rating.DoesNotExist:
        return None


def public_tracking(dossier: Dossier, *, now: datetime) -> PublicTracking:
    """The public projection of a dossier found by ``dossier_for_lookup`` or its tracking token.

    Three queries beyond the dossier itself: status changes, hand-overs, the latest apology.
    """
    changes, handovers = public_timeline(dossier)
    apology = dossier.apologies.order_by("-issued_at", "-pk").only("promised_at").first()
    closed = dossier.status_enum in (Status.FINISHED, Status.RETURNED)
    return PublicTracking(
        code=dossier.code,
        procedure_name=dossier.procedure.name,
        agency_name=dossier.agency.name,
        status=dossier.status_enum,
        submitted_at=dossier.submitted_at,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        promised_at=apology.promised_at if apology else None,
        is_late=is_late(dossier, now),
        timeliness=on_time_result(dossier, now) if closed else None,
        rating_score=rating_score(dossier),
        status_changes=tuple(PublicStatusChange(Status(c.target), c.at) for c in changes),
        steps=tuple(
            PublicStep(
                step_name=h.step_name,
                agency_name=h.to_agency.name,
                division_name=h.to_division.name if h.to_division else "",
                handed_at=h.handed_at,
                completed_at=h.completed_at,
                result=handover_result(h),
            )
            for h in handovers
        ),
    )


def kiosk_agencies() -> QuerySet[Agency]:
    """Agencies a citizen can pick at the kiosk: active ones that offer at least one procedure."""
    return (
        Agency.objects.filter(is_active=True, offered_procedures__isnull=False)
        .distinct()
        .only("pk", "code", "name")
        .order_by("name", "code")
    )
