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

from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, Q, QuerySet

from egov.accounts.models import AssuranceLevel, User
from egov.accounts.scope import scope_of
from egov.core import calendar, clock
from egov.dossiers import rules
from egov.dossiers.models import Applicant, Dossier, Handover, StatusChange
from egov.dossiers.rules import Status, Timeliness

OPEN_VALUES = sorted(s.value for s in rules.OPEN)
DOSSIER_PERMISSION_PREFIX = "dossiers."


def visible_dossiers(actor: User | AnonymousUser | None) -> QuerySet[Dossier]:
    """The dossiers the actor may see; everything else answers 404.

    Officials: dossiers of the agencies where they hold any ``dossiers.*`` permission, as the
    competent agency, the receiving desk, or the inbox of an inter-agency step. Citizens: dossiers
    whose applicant is linked to their account, or carries their *verified* personal ID number
    (a self-declared number proves nothing). Anonymous visitors: none.
    """
    if actor is None or not actor.is_authenticated:
        return Dossier.objects.none()
    assert isinstance(actor, User)
    scope = scope_of(actor)
    if actor.is_official:
        agencies = [
            agency_id
            for agency_id in scope.agency_ids
            if any(p.startswith(DOSSIER_PERMISSION_PREFIX) for p in scope.permissions_in(agency_id))
        ]
        if not agencies:
            return Dossier.objects.none()
        return Dossier.objects.filter(
            Q(agency__in=agencies) | Q(receiving_agency__in=agencies) | Q(current_agency__in=agencies)
        )
    mine = Q(applicant__user=actor)
    if actor.national_id and actor.assurance_level == AssuranceLevel.VERIFIED:
        mine |= Q(applicant__kind=Applicant.Kind.PERSON, applicant__national_id=actor.national_id)
    return Dossier.objects.filter(mine)


def _listed(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return queryset.select_related("procedure", "applicant", "agency")


def dossier_by_tracking_token(token: str) -> Dossier | None:
    """The dossier whose receipt's QR carries ``token`` (no second factor: the token is random)."""
    if not token or len(token) > Dossier._meta.get_field("tracking_token").max_length:  # type: ignore[operator]
        return None
    return _listed(Dossier.objects.filter(tracking_token=token)).first()


def dossier_for_lookup(code: str, second_factor: str) -> Dossier | None:
    """The dossier with ``code`` if ``second_factor`` is the last 4 digits of the applicant's phone
    or personal ID number (tax code for an organisation); ``None`` otherwise."""
    dossier = _listed(Dossier.objects.filter(code=code.strip().upper())).first()
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
