"""manage.py working_days: the appointment for a reception instant, with Vietnamese errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from egov.core import calendar
from egov.core.models import WorkingDayOverride

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    calendar.connect_signals()
    calendar.invalidate()
    yield
    calendar.invalidate()


def run(*args: str) -> str:
    out = StringIO()
    call_command("working_days", *args, stdout=out)
    return out.getvalue()


def test_five_working_days_from_before_tet_2026_print_the_weekday_date_time_and_iso():
    output = run("--from", "2026-02-13T09:40", "--days", "5")
    assert output.splitlines() == ["Thứ Sáu 27/02/2026 09:40", "2026-02-27T09:40:00+07:00"]


def test_working_hours_are_accepted_too():
    assert run("--from", "2026-03-09T10:00", "--hours", "4").startswith("Thứ Hai 09/03/2026 16:00")


def test_an_instant_with_an_explicit_offset_is_converted_to_vietnam_time():
    assert run("--from", "2026-03-09T03:00+00:00", "--hours", "4").startswith("Thứ Hai 09/03/2026 16:00")


def test_the_command_uses_the_administrators_overrides():
    WorkingDayOverride.objects.create(date=date(2026, 2, 27), kind="day_off", reason="Nghỉ đột xuất")
    assert run("--from", "2026-02-13T09:40", "--days", "5").startswith("Thứ Hai 02/03/2026 09:40")


def test_an_unreadable_instant_is_explained_in_vietnamese():
    with pytest.raises(CommandError, match="Thời điểm tiếp nhận không hợp lệ"):
        run("--from", "13/02/2026 09:40", "--days", "5")


@pytest.mark.parametrize("args", [(), ("--days", "1", "--hours", "2")])
def test_exactly_one_of_days_or_hours_is_required(args):
    with pytest.raises(CommandError, match="đúng một trong hai"):
        run("--from", "2026-02-13T09:40", *args)


@pytest.mark.parametrize("amount", ["-1", "1.5", "năm", "²"])
def test_an_amount_that_is_not_a_whole_number_is_refused(amount):
    with pytest.raises(CommandError, match="số nguyên không âm"):
        run("--from", "2026-02-13T09:40", "--days", amount)


def test_an_instant_outside_the_known_years_is_refused_in_vietnamese():
    with pytest.raises(CommandError, match="Ngoài phạm vi lịch làm việc"):
        run("--from", "1990-01-02T09:00", "--days", "1")
