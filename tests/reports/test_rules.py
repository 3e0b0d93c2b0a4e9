"""Pure rules of the statistics: periods, measuring instants, shares."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from egov.reports.rules import Figures, Period, measured_at, month_to_date, percentage

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_period_covers_whole_local_days_both_ends_included():
    start, end = Period(date(2026, 3, 1), date(2026, 3, 31)).bounds(VN)
    assert start == datetime(2026, 3, 1, tzinfo=VN) and end == datetime(2026, 4, 1, tzinfo=VN)


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        Period(date(2026, 3, 2), date(2026, 3, 1))


def test_the_default_period_is_the_month_to_date():
    assert month_to_date(date(2026, 3, 17)) == Period(date(2026, 3, 1), date(2026, 3, 17))


def test_open_dossiers_are_measured_at_the_end_of_a_past_period_and_now_in_a_running_one():
    end = datetime(2026, 4, 1, tzinfo=VN)
    assert measured_at(end, datetime(2026, 5, 1, tzinfo=VN)) == end
    assert measured_at(end, datetime(2026, 3, 20, tzinfo=VN)) == datetime(2026, 3, 20, tzinfo=VN)


def test_shares_round_half_up_to_one_decimal_and_are_empty_without_finished_dossiers():
    assert percentage(2, 3) == Decimal("66.7")
    assert percentage(1, 8) == Decimal("12.5")
    assert percentage(0, 0) is None


def test_the_national_share_counts_repeated_supplements_late():
    figures = Figures(finished_early=2, finished_on_time=1, finished_late=1, finished_late_national=2)
    assert figures.finished == 4
    assert figures.on_time_share == Decimal("75.0")
    assert figures.national_on_time_share == Decimal("50.0")


def test_figures_add_up_field_by_field():
    assert Figures(received_desk=1, refused=2) + Figures(received_desk=3) == Figures(
        received_desk=4, refused=2
    )
