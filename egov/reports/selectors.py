"""Reads of the statistics, scoped by the actor: what leaders and administrators may count.

Every figure is one conditional ``Count`` in a single grouped query (one row per agency and
procedure): the database counts, Python never walks the dossiers. At scale the query runs on the
read replica (ARCHITECTURE.md) and is bounded by the agency filter, which leads the dossier
indexes ``dossier_agency_status`` (agency, status, submitted_at) and ``open_by_due``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, DateTimeField, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, TruncDate

from egov.accounts.models import User
from egov.core import clock
from egov.dossiers import selectors as dossier_selectors
from egov.dossiers.models import Channel
from egov.dossiers.rules import Status
from egov.organizations.models import Agency
from egov.procedures.models import Procedure
from egov.reports.rules import FIGURE_NAMES, Figures, Period, measured_at

Actor = User | AnonymousUser | None


def report_agencies(actor: Actor) -> QuerySet[Agency]:
    """Agencies whose statistics the actor may read (leaders, administrators), by name."""
    return Agency.objects.filter(pk__in=dossier_selectors.reportable_agency_ids(actor)).order_by("name")


def report_procedures(actor: Actor) -> QuerySet[Procedure]:
    """Procedures offered by those agencies, for the filter."""
    agencies = dossier_selectors.reportable_agency_ids(actor)
    return Procedure.objects.filter(offered_by__in=agencies).distinct().order_by("name", "code")


@dataclass(frozen=True)
class ReportRow:
    agency_id: int
    agency_name: str
    procedure_id: int
    procedure_code: str
    procedure_name: str
    figures: Figures


@dataclass(frozen=True)
class Report:
    period: Period
    measured_at: datetime
    rows: list[ReportRow]
    total: Figures


def _conditions(start: datetime, end: datetime, measure: datetime) -> dict[str, Q]:
    """The condition each figure counts, over the annotations made in ``statistics``.

    The on-time rule (DOMAIN.md §1): the end of processing is the finished time, else the returned
    time (``ended_at``); an open dossier is measured at the end of the period, or at the start of
    its pause when it is paused (stopped, or waiting for the applicant: that time is not the
    agency's). ``due_at`` already carries the supplement time of finished pauses. "Early" is read
    at day level, as ``dossiers.rules.timeliness`` does.

    Known limit: a dossier's past pauses are not kept per period, so an open dossier measured for a
    past period uses today's due date (moved by pauses that may have ended after that period).
    """
    in_period = {"gte": start, "lt": end}

    def between(field: str) -> Q:
        return Q(**{f"{field}__{op}": value for op, value in in_period.items()})

    finished = between("ended_at")
    late = Q(ended_at__gt=F("due_at"))
    early = Q(ended_at__lte=F("due_at"), ended_day__lt=F("due_day"))
    open_at_end = (
        Q(received_at__lt=measure)
        & (Q(ended_at__isnull=True) | Q(ended_at__gte=measure))
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=measure))
    )
    open_late = Q(measured_at__gt=F("due_at"))
    repeated_supplements = Q(supplement_count__gt=1)
    return {
        "received_desk": between("submitted_at") & Q(channel=Channel.DESK),
        "received_online": between("submitted_at") & Q(channel=Channel.ONLINE),
        "received_post": between("submitted_at") & Q(channel=Channel.POST),
        "finished_early": finished & early,
        "finished_on_time": finished & ~late & ~early,
        "finished_late": finished & late,
        "finished_late_national": finished & (late | repeated_supplements),
        "in_progress_on_time": open_at_end & ~open_late,
        "in_progress_late": open_at_end & open_late,
        "in_progress_late_national": open_at_end & (open_late | repeated_supplements),
        "returned": between("returned_at"),
        "withdrawn": between("closed_at") & Q(status=Status.WITHDRAWN),
        "refused": between("closed_at") & Q(status=Status.REFUSED),
    }


def statistics(
    *,
    actor: Actor,
    period: Period,
    agency_id: int | None = None,
    procedure_id: int | None = None,
    now: datetime | None = None,
) -> Report:
    """The table per agency and procedure for ``period``, with its total (one query)."""
    zone = clock.local_zone()
    start, end = period.bounds(zone)
    measure = measured_at(end, now or clock.now())
    conditions = _conditions(start, end, measure)
    dossiers = dossier_selectors.reportable_dossiers(actor)
    if agency_id is not None:
        dossiers = dossiers.filter(agency_id=agency_id)
    if procedure_id is not None:
        dossiers = dossiers.filter(procedure_id=procedure_id)
    # Only dossiers something happened to in the period, or still open at its end.
    touched = Q()
    for condition in conditions.values():
        touched |= condition
    grouped = (
        dossiers.annotate(
            ended_at=Coalesce("finished_at", "returned_at"),
            measured_at=Case(
                When(paused_since__lt=measure, then=F("paused_since")),
                default=Value(measure),
                output_field=DateTimeField(),
            ),
            ended_day=TruncDate("ended_at", tzinfo=zone),
            due_day=TruncDate("due_at", tzinfo=zone),
        )
        .filter(touched)
        .values("agency_id", "agency__name", "procedure_id", "procedure__code", "procedure__name")
        .annotate(**{name: Count("pk", filter=conditions[name]) for name in FIGURE_NAMES})
        .order_by("agency__name", "procedure__code")
    )
    rows = [
        ReportRow(
            agency_id=values["agency_id"],
            agency_name=values["agency__name"],
            procedure_id=values["procedure_id"],
            procedure_code=values["procedure__code"],
            procedure_name=values["procedure__name"],
            figures=Figures(**{name: counts[name] for name in FIGURE_NAMES}),
        )
        for values in grouped
        for counts in [cast(dict[str, int], values)]  # the annotated counts, by figure name
    ]
    total = sum((row.figures for row in rows), Figures())
    return Report(period=period, measured_at=measure, rows=rows, total=total)
