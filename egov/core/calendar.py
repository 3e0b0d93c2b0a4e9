"""The working-day calendar: appointments and working time by the rules of DOMAIN.md §1.

Working days come from ``holidays.VN`` (Tết, Giỗ Tổ, compensatory days, announced swaps) plus the
administrators' ``WorkingDayOverride`` rows, which always win. Working hours are the periods of
``settings.EGOV_WORKING_PERIODS`` (default 07:00–11:30 and 13:30–17:00, a "working day" of 8 hours).

Everything below ``current()`` is pure: the functions take a ``WorkingCalendar`` and never touch the
database or the settings. Instants must be timezone-aware; results are aware and in the calendar's
zone (Asia/Ho_Chi_Minh).

Semantics, in the words an officer would use:

- **Working days and hours.** N working days are N × (sum of the period lengths) of working time,
  counted from the instant of reception; time outside the periods does not count. The appointment
  is the earliest instant at which that much working time has passed, so an appointment that
  falls exactly at the end of a period stays there (17:00, not 07:00 the next morning; 11:30, not
  13:30).
- **Same day** ("trong ngày", amount 0 of any unit): due at the close (end of the last period) of
  the first working day on which the dossier can be worked on: received Monday 10:00 → Monday
  17:00; received Monday 17:00 or later, or on Saturday → the next working day's close.
- **Calendar days and months**, as the Civil Code 2015 counts time limits (arts. 147–148,
  unconfirmed against the official text): the period starts the day after reception and ends on
  the last day (reception date + N days; for months the same day-of-month N months later, or that
  month's last day when it has none), at the close of office hours. When that day is not a
  working day, the appointment moves to the close of the next working day.
- **Cut-off** (``same_day_cutoff``, e.g. 15:00 for same-day procedures): a dossier received on a
  working day strictly after the cut-off counts as received at the opening of the next working day;
  so a same-day dossier received at 15:01 is due at the close of the next working day.
- **Time between** two instants is the working time between them, negative when the second is
  earlier; ``late_by`` never goes below zero. Whether a dossier is late at all is a comparison of
  instants (finished > appointment): a dossier finished at 17:30 against a 17:00 appointment is
  late by zero working time.

A calendar covers whole years (``first_day`` … ``last_day``); asking about an instant outside them
raises ``CalendarRangeError`` instead of silently treating unknown holidays as working days.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from time import monotonic
from zoneinfo import ZoneInfo

import holidays

type Period = tuple[time, time]

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
SATURDAY_AND_SUNDAY = frozenset({5, 6})
DEFAULT_PERIODS: tuple[Period, ...] = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))
# Indexed by date.weekday(), as written on a receipt: "Thứ Sáu 27/02/2026".
WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")

_MICROS_PER_SECOND = 1_000_000
_MICROS_PER_HOUR = 3600 * _MICROS_PER_SECOND


class CalendarRangeError(ValueError):
    """An instant or a result lies outside the years the calendar knows the holidays of."""


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"
    MONTHS = "months"


_UNIT_LABELS = {
    Unit.WORKING_DAYS: "ngày làm việc",
    Unit.WORKING_HOURS: "giờ làm việc",
    Unit.CALENDAR_DAYS: "ngày",
    Unit.MONTHS: "tháng",
}


@dataclass(frozen=True, slots=True)
class ProcessingTime:
    """A processing time as a procedure states it: an amount and a unit; amount 0 means same day."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        # Accept the stored string ("working_days") as well as the enum member.
        object.__setattr__(self, "unit", Unit(self.unit))
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 0:
            raise ValueError(f"processing time must be a whole number >= 0, not {self.amount!r}")

    @classmethod
    def working_days(cls, amount: int) -> ProcessingTime:
        return cls(amount, Unit.WORKING_DAYS)

    @classmethod
    def working_hours(cls, amount: int) -> ProcessingTime:
        return cls(amount, Unit.WORKING_HOURS)

    @classmethod
    def calendar_days(cls, amount: int) -> ProcessingTime:
        return cls(amount, Unit.CALENDAR_DAYS)

    @classmethod
    def months(cls, amount: int) -> ProcessingTime:
        return cls(amount, Unit.MONTHS)

    @classmethod
    def same_day(cls) -> ProcessingTime:
        return cls(0, Unit.WORKING_DAYS)

    def __str__(self) -> str:
        if self.amount == 0:
            return "trong ngày"
        return f"{self.amount} {_UNIT_LABELS[self.unit]}"


@dataclass(frozen=True)
class WorkingCalendar:
    """Working periods and working days for a range of dates, built once and shared.

    ``days_off`` are holidays (also those on a weekend); ``extra_working_days`` are days that work
    despite the weekend or a holiday (announced swaps, overrides) and win over both.
    """

    periods: tuple[Period, ...]
    days_off: frozenset[date]
    extra_working_days: frozenset[date]
    first_day: date
    last_day: date
    weekend: frozenset[int] = SATURDAY_AND_SUNDAY
    zone: ZoneInfo = VIETNAM
    # Derived once so that each calculation is a bisection, not a walk over the days.
    _bounds: tuple[tuple[int, int, int], ...] = field(init=False, repr=False, compare=False)
    _day_micros: int = field(init=False, repr=False, compare=False)
    _working_ordinals: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_periods(self.periods)
        if self.first_day > self.last_day:
            raise ValueError("first_day must not be after last_day")
        bounds = _period_bounds(self.periods)
        object.__setattr__(self, "_bounds", bounds)
        object.__setattr__(self, "_day_micros", bounds[-1][2] + bounds[-1][1] - bounds[-1][0])
        ordinals = range(self.first_day.toordinal(), self.last_day.toordinal() + 1)
        working = tuple(o for o in ordinals if self._is_working(date.fromordinal(o)))
        object.__setattr__(self, "_working_ordinals", working)

    @property
    def working_day_length(self) -> timedelta:
        """The working time of one working day (8 hours with the default periods)."""
        return timedelta(microseconds=self._day_micros)

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day; an override or announced swap wins over the weekend."""
        self._check_covered(day)
        return self._is_working(day)

    def _is_working(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        return day not in self.days_off and day.weekday() not in self.weekend

    def _check_covered(self, day: date) -> None:
        if not self.first_day <= day <= self.last_day:
            raise CalendarRangeError(
                f"{day:%d/%m/%Y} is outside the working calendar "
                f"({self.first_day:%d/%m/%Y}–{self.last_day:%d/%m/%Y})"
            )


# --- Building calendars -------------------------------------------------------------------------


def parse_periods(text: str) -> tuple[Period, ...]:
    """Read ``"07:00-11:30,13:30-17:00"`` (the ``EGOV_WORKING_PERIODS`` format) into periods."""
    try:
        periods = tuple(_parse_period(item) for item in text.split(",") if item.strip())
    except ValueError as error:
        raise ValueError(f"working periods must look like '07:00-11:30,13:30-17:00', not {text!r}") from error
    _check_periods(periods)
    return periods


def build_calendar(
    *,
    years: Iterable[int],
    overrides: Mapping[date, bool] | None = None,
    periods: tuple[Period, ...] = DEFAULT_PERIODS,
    zone: ZoneInfo = VIETNAM,
) -> WorkingCalendar:
    """A calendar from ``holidays.VN`` for ``years`` with ``overrides`` (date → is a working day) on top."""
    chosen = set(years)
    if not chosen:
        raise ValueError("a working calendar needs at least one year")
    # Every year between the first and the last, so that no year in the range lacks its holidays.
    covered = range(min(chosen), max(chosen) + 1)
    first_day, last_day = date(covered[0], 1, 1), date(covered[-1], 12, 31)
    vn = holidays.VN(years=covered)
    days_off = set(vn.keys())
    extra = {day for day in _weekend_days(first_day, last_day) if vn.is_working_day(day)}
    for day, working in (overrides or {}).items():
        (extra if working else days_off).add(day)
        (days_off if working else extra).discard(day)
    return WorkingCalendar(
        periods=periods,
        days_off=frozenset(days_off),
        extra_working_days=frozenset(extra),
        first_day=first_day,
        last_day=last_day,
        weekend=SATURDAY_AND_SUNDAY,
        zone=zone,
    )


def _parse_period(item: str) -> Period:
    start, end = item.strip().split("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def _check_periods(periods: tuple[Period, ...]) -> None:
    if not periods:
        raise ValueError("at least one working period is needed")
    previous_end = time.min
    for start, end in periods:
        if not previous_end <= start < end:
            raise ValueError("working periods must be in order, each ending after it starts, not overlapping")
        previous_end = end


# (start, end, working time before this period) of each period, in microseconds.
def _period_bounds(periods: tuple[Period, ...]) -> tuple[tuple[int, int, int], ...]:
    bounds = []
    before = 0
    for start, end in periods:
        bounds.append((_micros(start), _micros(end), before))
        before += _micros(end) - _micros(start)
    return tuple(bounds)


def _weekend_days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        if day.weekday() in SATURDAY_AND_SUNDAY:
            yield day
        day += timedelta(days=1)


# --- Pure arithmetic ----------------------------------------------------------------------------


def add_working_time(
    start: datetime,
    duration: ProcessingTime,
    *,
    cal: WorkingCalendar,
    same_day_cutoff: time | None = None,
) -> datetime:
    """The appointment for a dossier received at ``start`` with processing time ``duration``.

    See the module docstring for the rules of each unit, same-day procedures and the cut-off.
    """
    local = _local(start, cal)
    if same_day_cutoff is not None and cal.is_working_day(local.date()) and local.time() > same_day_cutoff:
        local = _opening_of_next_working_day(local.date(), cal)
    if duration.amount == 0:
        return _close_of_first_working_day(next_working_instant(local, cal=cal).date(), cal)
    match duration.unit:
        case Unit.WORKING_DAYS:
            return _add_micros(local, duration.amount * cal._day_micros, cal)
        case Unit.WORKING_HOURS:
            return _add_micros(local, duration.amount * _MICROS_PER_HOUR, cal)
        case Unit.CALENDAR_DAYS:
            return _close_of_first_working_day(local.date() + timedelta(days=duration.amount), cal)
        case Unit.MONTHS:
            return _close_of_first_working_day(_add_months(local.date(), duration.amount), cal)


def working_time_between(start: datetime, end: datetime, *, cal: WorkingCalendar) -> timedelta:
    """Working time from ``start`` to ``end`` ("time used"); negative when ``end`` is earlier."""
    return timedelta(microseconds=_position(end, cal) - _position(start, cal))


def late_by(due: datetime, end: datetime, *, cal: WorkingCalendar) -> timedelta:
    """Working time by which ``end`` passed ``due``; zero when on time."""
    return max(working_time_between(due, end, cal=cal), timedelta(0))


def next_working_instant(instant: datetime, *, cal: WorkingCalendar) -> datetime:
    """``instant`` itself during a working period, else the opening of the next one."""
    local = _local(instant, cal)
    if cal.is_working_day(local.date()):
        moment = local.time()
        for start, end in cal.periods:
            if moment < start:
                return datetime.combine(local.date(), start, tzinfo=cal.zone)
            if moment < end:
                return local
    return _opening_of_next_working_day(local.date(), cal)


def _local(instant: datetime, cal: WorkingCalendar) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, not {instant!r}")
    local = instant.astimezone(cal.zone)
    cal._check_covered(local.date())
    return local


# Working microseconds from the opening of the calendar's first working day to ``instant``.
def _position(instant: datetime, cal: WorkingCalendar) -> int:
    local = _local(instant, cal)
    ordinal = local.date().toordinal()
    index = bisect.bisect_left(cal._working_ordinals, ordinal)
    if index < len(cal._working_ordinals) and cal._working_ordinals[index] == ordinal:
        return index * cal._day_micros + _offset_in_day(local.time(), cal)
    # A day off sits at the opening of the next working day (= the close of the previous one).
    return index * cal._day_micros


def _add_micros(local: datetime, micros: int, cal: WorkingCalendar) -> datetime:
    index, offset = divmod(_position(local, cal) + micros, cal._day_micros)
    if offset == 0:
        # The earliest instant with that much working time is the close of the previous working
        # day (17:00), not the opening of the next one.
        index, offset = index - 1, cal._day_micros
    if not 0 <= index < len(cal._working_ordinals):
        raise CalendarRangeError(
            f"the result lies after {cal.last_day:%d/%m/%Y}, beyond the working calendar"
        )
    day = date.fromordinal(cal._working_ordinals[index])
    return datetime.combine(day, _time_at_offset(offset, cal), tzinfo=cal.zone)


def _offset_in_day(moment: time, cal: WorkingCalendar) -> int:
    micros = _micros(moment)
    for start, end, before in cal._bounds:
        if micros < start:
            return before
        if micros <= end:
            return before + micros - start
    return cal._day_micros


# The wall time by which ``offset`` (0 < offset ≤ day) of working time has passed.
def _time_at_offset(offset: int, cal: WorkingCalendar) -> time:
    for start, end, before in cal._bounds:
        if offset <= before + end - start:
            return _time_of(start + offset - before)
    raise AssertionError(f"offset {offset} is longer than a working day")


def _opening_of_next_working_day(day: date, cal: WorkingCalendar) -> datetime:
    index = bisect.bisect_right(cal._working_ordinals, day.toordinal())
    if index >= len(cal._working_ordinals):
        raise CalendarRangeError(f"no working day after {day:%d/%m/%Y} in the working calendar")
    next_day = date.fromordinal(cal._working_ordinals[index])
    return datetime.combine(next_day, cal.periods[0][0], tzinfo=cal.zone)


# The close of office hours on ``day``, or on the next working day when ``day`` is off.
def _close_of_first_working_day(day: date, cal: WorkingCalendar) -> datetime:
    cal._check_covered(day)
    if not cal._is_working(day):
        day = _opening_of_next_working_day(day, cal).date()
    return datetime.combine(day, cal.periods[-1][1], tzinfo=cal.zone)


def _add_months(day: date, months: int) -> date:
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month_index + 1
    return date(year, month, min(day.day, _days_in_month(year, month)))


def _days_in_month(year: int, month: int) -> int:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return (first_of_next - timedelta(days=1)).day


def _micros(moment: time) -> int:
    seconds = (moment.hour * 60 + moment.minute) * 60 + moment.second
    return seconds * _MICROS_PER_SECOND + moment.microsecond


def _time_of(micros: int) -> time:
    seconds, microsecond = divmod(micros, _MICROS_PER_SECOND)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, microsecond)


# --- The installation's calendar ----------------------------------------------------------------

# Years of holiday data around today: appointments look ahead, reports and migrated dossiers back.
_YEARS_AROUND_TODAY = 10
# Signals only reach the process that saved an override; other workers (gunicorn) and bulk
# updates (which send no signals) pick up changes when their copy is this old.
_MAX_AGE_SECONDS = 300.0

_lock = threading.Lock()
_cached: tuple[float, WorkingCalendar] | None = None


def current() -> WorkingCalendar:
    """The installation's calendar: holidays.VN, the overrides (one query) and the settings' periods.

    Built once per process and cached; saving or deleting a ``WorkingDayOverride`` invalidates it.
    """
    global _cached
    if (calendar := _fresh_cached()) is not None:
        return calendar
    # Building under the lock means an invalidation waits for the build, then discards it.
    with _lock:
        if (calendar := _fresh_cached()) is not None:
            return calendar  # another thread built it while this one waited
        calendar = _build_current()
        _cached = (monotonic(), calendar)
    return calendar


def invalidate() -> None:
    """Forget the cached calendar; the next ``current()`` rebuilds it."""
    global _cached
    with _lock:
        _cached = None


def _fresh_cached() -> WorkingCalendar | None:
    cached = _cached
    if cached is None or monotonic() - cached[0] >= _MAX_AGE_SECONDS:
        return None
    return cached[1]


def connect_signals() -> None:
    """Invalidate the cached calendar whenever an override is saved or deleted (call from ready())."""
    # Imported here so that the pure functions above stay importable without the app registry.
    from django.db.models.signals import post_delete, post_save

    from egov.core.models import WorkingDayOverride

    post_save.connect(_on_override_change, sender=WorkingDayOverride, dispatch_uid="egov.calendar.save")
    post_delete.connect(_on_override_change, sender=WorkingDayOverride, dispatch_uid="egov.calendar.delete")


def _on_override_change(*, using: str, **kwargs: object) -> None:
    from django.db import transaction

    invalidate()
    # Again after commit: another thread may have rebuilt from the old rows in between.
    transaction.on_commit(invalidate, using=using)


def _build_current() -> WorkingCalendar:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    from egov.core import clock
    from egov.core.models import WorkingDayOverride

    try:
        periods = parse_periods(settings.EGOV_WORKING_PERIODS)
    except ValueError as error:
        raise ImproperlyConfigured(f"EGOV_WORKING_PERIODS: {error}") from error
    this_year = clock.today().year
    overrides = {
        day: kind == WorkingDayOverride.Kind.WORKING_DAY
        for day, kind in WorkingDayOverride.objects.values_list("date", "kind")
    }
    return build_calendar(
        years=range(this_year - _YEARS_AROUND_TODAY, this_year + _YEARS_AROUND_TODAY + 1),
        overrides=overrides,
        periods=periods,
        zone=clock.local_zone(),
    )
