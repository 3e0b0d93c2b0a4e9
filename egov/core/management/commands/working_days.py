"""Compute an appointment with the installation's working calendar, as the one-stop desk would.

manage.py working_days --from 2026-02-13T09:40 --days 5
Thứ Sáu 27/02/2026 09:40
2026-02-27T09:40:00+07:00
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.core import calendar, clock
from egov.core.calendar import WEEKDAY_NAMES, CalendarRangeError, ProcessingTime


class Command(BaseCommand):
    help = "Tính thời điểm hẹn trả: cộng ngày/giờ làm việc vào một thời điểm tiếp nhận."

    def add_arguments(self, parser: CommandParser) -> None:
        # Values are read as text and checked here, so that mistakes get a Vietnamese message.
        parser.add_argument(
            "--from",
            dest="start",
            help="thời điểm tiếp nhận, ví dụ 2026-02-13T09:40 (giờ Việt Nam); mặc định: bây giờ",
        )
        parser.add_argument("--days", help="số ngày làm việc")
        parser.add_argument("--hours", help="số giờ làm việc")

    def handle(self, *args: Any, **options: Any) -> None:
        start = _parse_start(options["start"])
        duration = _parse_duration(options["days"], options["hours"])
        try:
            result = calendar.add_working_time(start, duration, cal=calendar.current())
        except CalendarRangeError as error:
            raise CommandError(f"Ngoài phạm vi lịch làm việc đã biết: {error}") from error
        self.stdout.write(f"{WEEKDAY_NAMES[result.weekday()]} {result:%d/%m/%Y %H:%M}")
        self.stdout.write(result.isoformat())


def _parse_start(text: str | None) -> datetime:
    if text is None:
        return clock.localnow()
    try:
        start = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"Thời điểm tiếp nhận không hợp lệ: {text!r}. Hãy viết theo dạng 2026-02-13T09:40."
        ) from None
    # A time without a zone is what an officer reads on the office clock: Vietnam time.
    return start if start.tzinfo is not None else start.replace(tzinfo=clock.local_zone())


def _parse_duration(days: str | None, hours: str | None) -> ProcessingTime:
    if days is not None and hours is None:
        return ProcessingTime.working_days(_parse_amount(days))
    if hours is not None and days is None:
        return ProcessingTime.working_hours(_parse_amount(hours))
    raise CommandError("Hãy cho đúng một trong hai: --days (ngày làm việc) hoặc --hours (giờ làm việc).")


def _parse_amount(text: str) -> int:
    # isascii: str.isdigit alone accepts "²" and other digits int() refuses.
    if not (text.isascii() and text.isdigit()):
        raise CommandError(f"Thời gian xử lý phải là số nguyên không âm, không phải {text!r}.")
    return int(text)
