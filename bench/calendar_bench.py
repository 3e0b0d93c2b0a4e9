"""How fast is egov.core.calendar? 15 working days from 10,000 random instants, against naive loops.

    DJANGO_SETTINGS_MODULE=egov.config.test_settings .venv/bin/python bench/calendar_bench.py

The naive baselines walk day by day asking ``holidays.VN`` whether each day is a working day, the
way a first implementation would; they also check that the fast path gives the same appointments.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django

django.setup()

import holidays  # noqa: E402

from egov.core.calendar import (  # noqa: E402
    DEFAULT_PERIODS,
    VIETNAM,
    ProcessingTime,
    add_working_time,
    build_calendar,
    working_time_between,
)

CALLS = 10_000
FRESH_CALLS = 200  # building holidays.VN() at each step is slow: a smaller sample is enough
DAYS = 15
SEED = 2026


def random_starts(count: int) -> list[datetime]:
    rng = random.Random(SEED)
    first = datetime(2026, 1, 1, tzinfo=VIETNAM)
    span = int(timedelta(days=730).total_seconds())
    return [first + timedelta(seconds=rng.randrange(span)) for _ in range(count)]


def naive_add(start: datetime, days: int, is_working_day: Callable[[date], bool]) -> datetime:
    """Walk the days and their periods, spending the remaining working time as it goes."""
    remaining = days * timedelta(hours=8)
    cursor = start.astimezone(VIETNAM)
    day = cursor.date()
    while True:
        if is_working_day(day):
            for period_start, period_end in DEFAULT_PERIODS:
                begin = max(datetime.combine(day, period_start, tzinfo=VIETNAM), cursor)
                end = datetime.combine(day, period_end, tzinfo=VIETNAM)
                if begin >= end:
                    continue
                if remaining <= end - begin:
                    return begin + remaining
                remaining -= end - begin
        day += timedelta(days=1)


def timed(label: str, count: int, run: Callable[[], list[datetime]]) -> tuple[list[datetime], float]:
    began = perf_counter()
    results = run()
    per_call = (perf_counter() - began) / count
    print(f"{label:<52} {per_call * 1e6:>12.1f} µs/call  ({count} calls)")
    return results, per_call


def main() -> None:
    for label in (
        "build_calendar, 21 years, first in the process",
        "build_calendar again (after an override)",
    ):
        began = perf_counter()
        cal = build_calendar(years=range(2016, 2037))
        print(f"{label:<52} {(perf_counter() - began) * 1e3:>12.1f} ms")

    starts = random_starts(CALLS)
    duration = ProcessingTime.working_days(DAYS)
    fast, fast_time = timed(
        "egov add_working_time (WorkingCalendar)",
        CALLS,
        lambda: [add_working_time(s, duration, cal=cal) for s in starts],
    )
    timed(
        "egov working_time_between (measuring back)",
        CALLS,
        lambda: [s + working_time_between(s, e, cal=cal) for s, e in zip(starts, fast, strict=True)],
    )

    vn = holidays.VN(years=range(2016, 2037))
    shared, shared_time = timed(
        "naive day loop, one shared holidays.VN()",
        CALLS,
        lambda: [naive_add(s, DAYS, vn.is_working_day) for s in starts],
    )
    fresh_starts = starts[:FRESH_CALLS]
    fresh, fresh_time = timed(
        "naive day loop, holidays.VN() built at each step",
        FRESH_CALLS,
        lambda: [naive_add(s, DAYS, lambda day: holidays.VN().is_working_day(day)) for s in fresh_starts],
    )

    mismatches = sum(a != b for a, b in zip(fast, shared, strict=True)) + sum(
        a != b for a, b in zip(fast, fresh, strict=False)
    )
    print(f"speed-up: ×{shared_time / fast_time:.0f} over the shared loop,", end=" ")
    print(f"×{fresh_time / fast_time:.0f} over building holidays.VN() at each step")
    print(f"appointments differing from the naive loops: {mismatches}")
    if mismatches:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
