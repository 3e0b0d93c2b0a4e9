"""Pure rules of the statistics: reporting periods and the figures of one table row.

No ORM here. The counting itself is an aggregate query (``selectors.statistics``); these rules
say which period is meant, when open dossiers are measured, and how shares are derived.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Period:
    """A reporting period of whole local days, both ends included (as reports print it)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period ends on or after its start")

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """The instants [start 00:00, the day after the end 00:00) in the agency's zone."""
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )


def month_to_date(today: date) -> Period:
    """The default period: from the first of the current month to today."""
    return Period(today.replace(day=1), today)


def measured_at(period_end: datetime, now: datetime) -> datetime:
    """When dossiers still open are measured: the end of the period, or now if it has not ended
    (DOMAIN.md §1: "a dossier still open at the end of a reporting period is measured at that end")."""
    return min(period_end, now)


@dataclass(frozen=True)
class Figures:
    """One row of the statistics table. Every field is a count of dossiers.

    ``*_late_national`` count what the national scoring counts late: late by the on-time rule, or
    with more than one supplement request, whatever the dates say.
    """

    received_desk: int = 0
    received_online: int = 0
    received_post: int = 0
    finished_early: int = 0
    finished_on_time: int = 0
    finished_late: int = 0
    finished_late_national: int = 0
    in_progress_on_time: int = 0
    in_progress_late: int = 0
    in_progress_late_national: int = 0
    returned: int = 0
    withdrawn: int = 0
    refused: int = 0

    @property
    def received(self) -> int:
        return self.received_desk + self.received_online + self.received_post

    @property
    def finished(self) -> int:
        return self.finished_early + self.finished_on_time + self.finished_late

    @property
    def in_progress(self) -> int:
        return self.in_progress_on_time + self.in_progress_late

    @property
    def on_time_share(self) -> Decimal | None:
        """Percentage of finished dossiers finished early or on time (None: nothing finished)."""
        return percentage(self.finished_early + self.finished_on_time, self.finished)

    @property
    def national_on_time_share(self) -> Decimal | None:
        """The same share as the national scoring counts it (repeated supplements count late)."""
        return percentage(self.finished - self.finished_late_national, self.finished)

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


FIGURE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Figures))


def percentage(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent with one decimal (half up, as reports round)."""
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
