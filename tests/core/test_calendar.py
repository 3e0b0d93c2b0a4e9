"""The working-day calendar: DOMAIN.md §1 worked examples, holiday facts, overrides and properties."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from egov.core import calendar, clock
from egov.core.calendar import (
    VIETNAM,
    CalendarRangeError,
    ProcessingTime,
    Unit,
    WorkingCalendar,
    add_working_time,
    build_calendar,
    late_by,
    next_working_instant,
    parse_periods,
    working_time_between,
)
from egov.core.models import WorkingDayOverride

YEARS = range(2024, 2031)
CAL = build_calendar(years=YEARS)
HOUR = timedelta(hours=1)
# The suite runs on two cores: a modest number of examples per property keeps it fast.
PROPERTY = settings(max_examples=75, deadline=None)


def due(received: datetime, duration: ProcessingTime, cutoff: time | None = None) -> datetime:
    return add_working_time(received, duration, cal=CAL, same_day_cutoff=cutoff)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM)


# --- DOMAIN.md §1 worked examples ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "duration", "appointment"),
    [
        (at(2026, 2, 13, 9, 40), ProcessingTime.working_days(5), at(2026, 2, 27, 9, 40)),
        (at(2026, 3, 7, 10), ProcessingTime.working_days(1), at(2026, 3, 9, 17)),
        (at(2026, 3, 9, 10), ProcessingTime.working_hours(4), at(2026, 3, 9, 16)),
        (at(2026, 3, 9, 17, 30), ProcessingTime.working_days(1), at(2026, 3, 10, 17)),
        (at(2026, 4, 29, 16), ProcessingTime.working_days(1), at(2026, 5, 4, 16)),
        (at(2026, 12, 31, 14), ProcessingTime.working_days(2), at(2027, 1, 5, 14)),
    ],
    ids=["tet-skipped", "saturday", "hours", "after-hours", "30-04-and-01-05", "new-year"],
)
def test_the_appointment_of_each_worked_example_matches_the_domain_table(received, duration, appointment):
    result = due(received, duration)
    assert result == appointment
    assert result.tzinfo == VIETNAM


def test_an_appointment_exactly_at_the_end_of_the_morning_stays_at_eleven_thirty():
    assert due(at(2026, 3, 9, 7), ProcessingTime.working_hours(4)) == at(2026, 3, 9, 11)
    # 4.5 working hours from the opening end exactly at the end of the morning period.
    assert due(at(2026, 3, 9, 9, 30), ProcessingTime.working_hours(2)) == at(2026, 3, 9, 11, 30)


def test_an_instant_given_in_utc_is_counted_in_vietnam_time_and_returned_in_vietnam_time():
    received = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
    result = due(received, ProcessingTime.working_hours(4))
    assert result == at(2026, 3, 9, 16)
    assert result.utcoffset() == timedelta(hours=7)


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        due(datetime(2026, 3, 9, 10), ProcessingTime.working_days(1))


def test_an_instant_outside_the_calendar_years_is_refused_rather_than_guessed():
    with pytest.raises(CalendarRangeError):
        due(at(2040, 1, 2, 9), ProcessingTime.working_days(1))
    with pytest.raises(CalendarRangeError):
        due(at(2030, 12, 30, 9), ProcessingTime.working_days(5))


# --- Holiday facts ------------------------------------------------------------------------------


def test_tet_2026_is_sixteenth_to_twentieth_of_february():
    tet = [date(2026, 2, day) for day in range(16, 21)]
    assert not any(CAL.is_working_day(day) for day in tet)
    assert CAL.is_working_day(date(2026, 2, 13))
    assert CAL.is_working_day(date(2026, 2, 23))


def test_tet_2027_is_fourth_to_tenth_of_february():
    assert not any(CAL.is_working_day(date(2027, 2, day)) for day in range(4, 11))
    assert CAL.is_working_day(date(2027, 2, 3))
    assert CAL.is_working_day(date(2027, 2, 11))


def test_fifteen_working_days_received_before_tet_2027_skip_the_holiday():
    # Wed 03/02 is the last working day before Tết (04–10/02); the 15th working day after it is 03/03.
    result = due(at(2027, 2, 3, 8), ProcessingTime.working_days(15))
    assert result == at(2027, 3, 3, 8)


def test_gio_to_2026_falls_on_sunday_and_monday_27_april_is_off_instead():
    assert not CAL.is_working_day(date(2026, 4, 26))
    assert not CAL.is_working_day(date(2026, 4, 27))
    assert due(at(2026, 4, 24, 10), ProcessingTime.working_days(1)) == at(2026, 4, 28, 10)


def test_the_2026_swap_makes_saturday_22_august_working_and_monday_31_august_off():
    assert CAL.is_working_day(date(2026, 8, 22))
    assert not CAL.is_working_day(date(2026, 8, 31))
    # Received Friday 21/08 at 10:00: Saturday counts, so one working day ends on Saturday.
    assert due(at(2026, 8, 21, 10), ProcessingTime.working_days(1)) == at(2026, 8, 22, 10)


def test_the_calendar_agrees_with_the_holidays_package_on_every_day_of_2026_and_2027():
    vn = holidays.VN(years=[2026, 2027])
    day = date(2026, 1, 1)
    while day.year < 2028:
        assert CAL.is_working_day(day) == vn.is_working_day(day), day
        day += timedelta(days=1)


# --- Administrators' overrides ------------------------------------------------------------------


def test_an_override_makes_a_working_day_a_day_off():
    cal = build_calendar(years=YEARS, overrides={date(2026, 3, 10): False})
    assert not cal.is_working_day(date(2026, 3, 10))
    result = add_working_time(at(2026, 3, 9, 10), ProcessingTime.working_days(1), cal=cal)
    assert result == at(2026, 3, 11, 10)


def test_an_override_makes_a_saturday_a_working_day():
    cal = build_calendar(years=YEARS, overrides={date(2026, 3, 14): True})
    assert cal.is_working_day(date(2026, 3, 14))
    result = add_working_time(at(2026, 3, 13, 10), ProcessingTime.working_days(1), cal=cal)
    assert result == at(2026, 3, 14, 10)


def test_an_override_wins_over_a_holiday_and_over_an_announced_swap():
    cal = build_calendar(years=YEARS, overrides={date(2026, 9, 2): True, date(2026, 8, 22): False})
    assert cal.is_working_day(date(2026, 9, 2))
    assert not cal.is_working_day(date(2026, 8, 22))


# --- Same day and the 15:00 rule ----------------------------------------------------------------

CUTOFF = time(15, 0)


def test_a_same_day_dossier_received_before_the_cutoff_is_due_at_the_close_of_that_day():
    result = due(at(2026, 3, 9, 14, 59), ProcessingTime.same_day(), cutoff=CUTOFF)
    assert result == at(2026, 3, 9, 17)


def test_a_same_day_dossier_received_exactly_at_the_cutoff_is_still_due_that_day():
    result = due(at(2026, 3, 9, 15), ProcessingTime.same_day(), cutoff=CUTOFF)
    assert result == at(2026, 3, 9, 17)


def test_a_same_day_dossier_received_after_the_cutoff_is_due_at_the_close_of_the_next_working_day():
    result = due(at(2026, 3, 13, 15, 1), ProcessingTime.same_day(), cutoff=CUTOFF)
    assert result == at(2026, 3, 16, 17)  # Friday afternoon → Monday


def test_the_cutoff_is_a_parameter():
    received = at(2026, 3, 9, 15, 30)
    assert due(received, ProcessingTime.same_day(), cutoff=time(16)) == at(2026, 3, 9, 17)


def test_without_a_cutoff_a_same_day_dossier_received_late_in_the_afternoon_is_due_that_day():
    assert due(at(2026, 3, 9, 16, 30), ProcessingTime.same_day()) == at(2026, 3, 9, 17)


def test_a_same_day_dossier_received_on_saturday_is_due_at_the_close_of_monday():
    assert due(at(2026, 3, 7, 9), ProcessingTime.same_day()) == at(2026, 3, 9, 17)


def test_after_the_cutoff_working_days_count_from_the_opening_of_the_next_working_day():
    result = due(at(2026, 3, 9, 16), ProcessingTime.working_days(1), cutoff=CUTOFF)
    assert result == at(2026, 3, 10, 17)


# --- Calendar days and months -------------------------------------------------------------------


def test_calendar_days_end_at_the_close_of_the_last_day():
    assert due(at(2026, 3, 9, 10), ProcessingTime.calendar_days(3)) == at(2026, 3, 12, 17)


def test_calendar_days_ending_on_a_day_off_move_to_the_close_of_the_next_working_day():
    # 09/03 + 5 days = Saturday 14/03 → Monday 16/03.
    assert due(at(2026, 3, 9, 10), ProcessingTime.calendar_days(5)) == at(2026, 3, 16, 17)


def test_months_end_on_the_same_day_of_the_month_or_the_last_day_of_a_shorter_month():
    assert due(at(2026, 3, 10, 10), ProcessingTime.months(2)) == at(2026, 5, 11, 17)
    # 31/01 + 1 month → 28/02/2026 (Saturday) → Monday 02/03.
    assert due(at(2026, 1, 31, 10), ProcessingTime.months(1)) == at(2026, 3, 2, 17)
    assert due(at(2026, 11, 30, 10), ProcessingTime.months(3)) == at(2027, 3, 1, 17)


# --- Time between, late by, next working instant ------------------------------------------------


def test_time_used_counts_only_working_periods():
    # Mon 10:00 → Tue 09:00: 1.5 h (morning) + 3.5 h (afternoon) + 2 h (Tuesday morning).
    assert working_time_between(at(2026, 3, 9, 10), at(2026, 3, 10, 9), cal=CAL) == timedelta(hours=7)


def test_time_between_is_negative_when_the_end_is_earlier():
    assert working_time_between(at(2026, 3, 10, 9), at(2026, 3, 9, 10), cal=CAL) == -timedelta(hours=7)


def test_a_dossier_finished_the_morning_after_its_appointment_is_late_by_the_working_time_since():
    appointment = at(2026, 3, 9, 17)
    assert late_by(appointment, at(2026, 3, 10, 8, 30), cal=CAL) == timedelta(hours=1, minutes=30)


def test_lateness_across_tet_counts_only_working_days():
    appointment = at(2026, 2, 13, 17)
    assert late_by(appointment, at(2026, 2, 23, 17), cal=CAL) == timedelta(hours=8)


def test_a_dossier_finished_before_its_appointment_is_late_by_nothing():
    assert late_by(at(2026, 3, 10, 17), at(2026, 3, 9, 10), cal=CAL) == timedelta(0)


def test_the_next_working_instant_skips_lunch_evenings_and_days_off():
    assert next_working_instant(at(2026, 3, 9, 10), cal=CAL) == at(2026, 3, 9, 10)
    assert next_working_instant(at(2026, 3, 9, 12), cal=CAL) == at(2026, 3, 9, 13, 30)
    assert next_working_instant(at(2026, 3, 9, 17), cal=CAL) == at(2026, 3, 10, 7)
    assert next_working_instant(at(2026, 2, 14, 9), cal=CAL) == at(2026, 2, 23, 7)


# --- Periods, processing times ------------------------------------------------------------------


def test_working_periods_are_read_from_the_setting_format():
    assert parse_periods("07:30-11:30, 13:00-17:00") == ((time(7, 30), time(11, 30)), (time(13), time(17)))


@pytest.mark.parametrize("text", ["", "07:00", "11:30-07:00", "07:00-12:00,11:00-17:00", "7h-11h"])
def test_malformed_or_overlapping_periods_are_refused(text):
    with pytest.raises(ValueError, match="working period"):
        parse_periods(text)


def test_a_working_day_is_the_sum_of_the_period_lengths():
    cal = build_calendar(years=YEARS, periods=parse_periods("07:30-11:30,13:00-16:30"))
    assert cal.working_day_length == timedelta(hours=7, minutes=30)
    assert add_working_time(at(2026, 3, 9, 8), ProcessingTime.working_days(1), cal=cal) == at(2026, 3, 10, 8)


def test_a_processing_time_reads_as_a_procedure_states_it():
    assert str(ProcessingTime.working_days(5)) == "5 ngày làm việc"
    assert str(ProcessingTime.months(3)) == "3 tháng"
    assert str(ProcessingTime.same_day()) == "trong ngày"


def test_a_processing_time_accepts_the_unit_as_stored_in_the_database():
    assert ProcessingTime(3, "months") == ProcessingTime(3, Unit.MONTHS)  # type: ignore[arg-type]


def test_a_negative_processing_time_is_refused():
    with pytest.raises(ValueError):
        ProcessingTime.working_days(-1)


# --- Properties ---------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2028, 12, 31),
    timezones=st.sampled_from([VIETNAM, UTC]),
)
working_hours = st.integers(min_value=1, max_value=400)


@PROPERTY
@given(start=instants, hours=working_hours)
def test_adding_then_measuring_gives_back_the_same_working_time(start, hours):
    end = due(start, ProcessingTime.working_hours(hours))
    assert working_time_between(start, end, cal=CAL) == hours * HOUR


@PROPERTY
@given(start=instants, days=st.integers(min_value=1, max_value=60))
def test_n_working_days_are_n_times_eight_working_hours(start, days):
    by_days = due(start, ProcessingTime.working_days(days))
    assert by_days == due(start, ProcessingTime.working_hours(8 * days))


@PROPERTY
@given(start=instants, hours=working_hours)
def test_an_appointment_never_falls_outside_a_working_period_except_at_its_end(start, hours):
    result = due(start, ProcessingTime.working_hours(hours))
    assert CAL.is_working_day(result.date())
    assert any(begin < result.time() <= end for begin, end in CAL.periods)


@PROPERTY
@given(start=instants, hours=working_hours, more=st.integers(min_value=0, max_value=100))
def test_more_processing_time_never_gives_an_earlier_appointment(start, hours, more):
    sooner = due(start, ProcessingTime.working_hours(hours))
    later = due(start, ProcessingTime.working_hours(hours + more))
    assert sooner <= later


@PROPERTY
@given(start=instants, hours=working_hours, delay=st.integers(min_value=0, max_value=72 * 60))
def test_a_later_reception_never_gives_an_earlier_appointment(start, hours, delay):
    duration = ProcessingTime.working_hours(hours)
    later_start = start + timedelta(minutes=delay)
    assert due(start, duration) <= due(later_start, duration)


# --- The installation's calendar (database) -----------------------------------------------------


@pytest.fixture
def fresh_calendar() -> Iterator[None]:
    calendar.connect_signals()
    calendar.invalidate()
    yield
    # The test's rows are rolled back without signals: do not leave them in the process cache.
    calendar.invalidate()


@pytest.mark.django_db
def test_the_current_calendar_is_built_with_one_query_and_then_cached(
    fresh_calendar, django_assert_num_queries
):
    with django_assert_num_queries(1):
        first = calendar.current()
    with django_assert_num_queries(0):
        assert calendar.current() is first
    assert isinstance(first, WorkingCalendar)


@pytest.mark.django_db
def test_saving_an_override_is_seen_by_the_next_current_calendar(fresh_calendar):
    assert calendar.current().is_working_day(date(2026, 3, 10))
    override = WorkingDayOverride.objects.create(
        date=date(2026, 3, 10), kind=WorkingDayOverride.Kind.DAY_OFF, reason="Nghỉ đột xuất"
    )
    assert not calendar.current().is_working_day(date(2026, 3, 10))
    override.delete()
    assert calendar.current().is_working_day(date(2026, 3, 10))


@pytest.mark.django_db
def test_a_working_day_override_in_the_database_makes_a_saturday_working(fresh_calendar):
    WorkingDayOverride.objects.create(
        date=date(2026, 3, 14), kind=WorkingDayOverride.Kind.WORKING_DAY, reason="Làm bù"
    )
    assert calendar.current().is_working_day(date(2026, 3, 14))


@pytest.mark.django_db
@override_settings(EGOV_WORKING_PERIODS="08:00-12:00,13:00-17:00")
def test_the_current_calendar_uses_the_configured_working_periods(fresh_calendar):
    assert calendar.current().periods == ((time(8), time(12)), (time(13), time(17)))


@pytest.mark.django_db
def test_the_current_calendar_covers_ten_years_around_today(fresh_calendar):
    with clock.frozen(at(2026, 6, 1, 9)):
        cal = calendar.current()
    assert cal.first_day == date(2016, 1, 1)
    assert cal.last_day == date(2036, 12, 31)


@pytest.mark.django_db
def test_a_cached_calendar_older_than_five_minutes_is_rebuilt_for_workers_the_signal_missed(
    fresh_calendar, monkeypatch
):
    first = calendar.current()
    # A bulk update sends no signal, just like a save in another worker process.
    WorkingDayOverride.objects.bulk_create(
        [WorkingDayOverride(date=date(2026, 3, 10), kind=WorkingDayOverride.Kind.DAY_OFF, reason="Nghỉ")]
    )
    assert calendar.current() is first
    later = calendar.monotonic() + 301
    monkeypatch.setattr(calendar, "monotonic", lambda: later)
    assert not calendar.current().is_working_day(date(2026, 3, 10))
