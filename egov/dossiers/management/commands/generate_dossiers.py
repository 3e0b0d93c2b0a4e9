"""``manage.py generate_dossiers --rows N``: bulk dossiers for measuring lists and lookups (bench/).

Not demo data and not a service: rows are inserted in batches, bypassing the state machine, so
that a million dossiers take minutes instead of hours. On PostgreSQL each batch goes through
``COPY`` (ids reserved from the tables' sequences first, so the dossier and status rows can point
at their applicant and dossier); elsewhere (SQLite) through ``bulk_create``. Due dates and working
instants are memoised: many rows share the same instant and procedure. What the tabs and the
lookup read is still realistic: statuses weighted as in a year of one-stop work (most returned,
about a fifth open), received over the past year (open ones over the past six weeks, so some are
late), due dates from each procedure's processing time through the working calendar, one status
row each, and codes that continue each (agency, day) counter, which is raised to match so later
receptions never collide. Refuses to run outside the demo and test profiles.
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction

from egov.core import calendar, clock
from egov.core.models.counters import Counter
from egov.dossiers import rules
from egov.dossiers.models import Applicant, Channel, Dossier, StatusChange
from egov.dossiers.models.dossier import new_tracking_token
from egov.dossiers.rules import Status
from egov.dossiers.services.reception import CODE_NAMESPACE
from egov.procedures.models import Procedure

# Share of each status in a year of work (illustrative, in per mille).
STATUS_WEIGHTS = {
    Status.RETURNED: 620,
    Status.IN_PROGRESS: 120,
    Status.FINISHED: 50,
    Status.ACCEPTED: 50,
    Status.SUBMITTED: 30,
    Status.REFUSED: 30,
    Status.WITHDRAWN: 30,
    Status.SUPPLEMENT_REQUESTED: 40,
    Status.OBLIGATION_REQUESTED: 20,
    Status.STOPPED: 10,
}
OPEN_LIKE = {
    Status.IN_PROGRESS,
    Status.ACCEPTED,
    Status.SUBMITTED,
    Status.SUPPLEMENT_REQUESTED,
    Status.OBLIGATION_REQUESTED,
    Status.STOPPED,
}
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô")
MIDDLE = ("Văn", "Thị", "Minh", "Hoàng", "Ngọc", "Thanh", "Quốc", "Thu")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Hà", "Hải", "Lan", "Linh", "Nam", "Phúc", "Tâm", "Yến")


class Command(BaseCommand):
    help = "Sinh hàng loạt hồ sơ để đo hiệu năng (chỉ ở chế độ trình diễn/kiểm thử)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--batch", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=20260310)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PROFILE not in {"demo", "test"}:
            raise CommandError(
                "generate_dossiers chỉ chạy ở chế độ trình diễn hoặc kiểm thử (EGOV_PROFILE=demo)."
            )
        rng = random.Random(options["seed"])
        offers = [
            (procedure, agency)
            for procedure in Procedure.objects.filter(is_active=True).prefetch_related("offered_by")
            for agency in procedure.offered_by.all()
        ]
        if not offers:
            raise CommandError("Chưa có thủ tục nào: chạy seed_demo trước.")
        started = time.perf_counter()
        next_sequence: dict[str, int] = dict(
            Counter.objects.filter(namespace=CODE_NAMESPACE).values_list("key", "value")
        )
        cal = calendar.current()
        now = clock.now()
        statuses = list(STATUS_WEIGHTS)
        weights = list(STATUS_WEIGHTS.values())
        remaining, batch = options["rows"], options["batch"]
        memo = Memo(cal)
        while remaining > 0:
            size = min(batch, remaining)
            rows = [self.row(rng, offers, statuses, weights, memo, now, next_sequence) for _ in range(size)]
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    copy_rows(Applicant, [applicant for applicant, _dossier in rows])
                else:
                    Applicant.objects.bulk_create([applicant for applicant, _dossier in rows])
                for applicant, dossier in rows:
                    dossier.applicant = applicant
                changes = [
                    StatusChange(dossier=d, source=None, target=d.status, at=d.submitted_at) for _a, d in rows
                ]
                if connection.vendor == "postgresql":
                    copy_rows(Dossier, [dossier for _applicant, dossier in rows])
                    for change in changes:
                        change.dossier_id = change.dossier.pk
                    copy_rows(StatusChange, changes)
                else:
                    Dossier.objects.bulk_create([dossier for _applicant, dossier in rows])
                    StatusChange.objects.bulk_create(changes)
                Counter.objects.bulk_create(
                    [
                        Counter(namespace=CODE_NAMESPACE, key=key, value=value)
                        for key, value in next_sequence.items()
                    ],
                    update_conflicts=True,
                    unique_fields=["namespace", "key"],
                    update_fields=["value"],
                )
            remaining -= size
            self.stdout.write(
                f"{options['rows'] - remaining} hồ sơ ({time.perf_counter() - started:.1f} giây)"
            )
        if connection.vendor == "postgresql":  # fresh statistics, or the planner guesses "5 rows"
            with connection.cursor() as cursor:
                for model in (Applicant, Dossier, StatusChange):
                    cursor.execute(f'ANALYZE "{model._meta.db_table}"')

    def row(
        self,
        rng: random.Random,
        offers: list[tuple[Procedure, Any]],
        statuses: list[Status],
        weights: list[int],
        memo: Memo,
        now: datetime,
        next_sequence: dict[str, int],
    ) -> tuple[Applicant, Dossier]:
        procedure, agency = rng.choice(offers)
        status = rng.choices(statuses, weights)[0]
        days_back = rng.randint(1, 42) if status in OPEN_LIKE else rng.randint(1, 365)
        submitted, day = memo.next_working(now - timedelta(days=days_back, minutes=rng.randint(0, 600)))
        key = rules.dossier_code_counter_key(agency.code, day)
        sequence = next_sequence.get(key, 0) + 1
        next_sequence[key] = sequence
        birth = rng.randint(1950, 2005)
        century = (0 if birth < 2000 else 2) + rng.randint(0, 1)
        applicant = Applicant(
            name=f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            national_id=f"096{century}{birth % 100:02d}{rng.randint(0, 999_999):06d}",
            phone=f"09{rng.randint(10_000_000, 99_999_999)}",
            address="Cà Mau",
        )
        dossier = Dossier(
            code=rules.dossier_code(agency.code, day, sequence),
            procedure=procedure,
            agency=agency,
            receiving_agency=agency,
            channel=rng.choice(Channel.values),
            status=status,
            submitted_at=submitted,
            tracking_token=new_tracking_token(),
            current_agency=agency if status in OPEN_LIKE else None,
        )
        accepted_before = status is Status.SUPPLEMENT_REQUESTED and rng.random() < 0.5
        if status not in {Status.SUBMITTED, Status.REFUSED, Status.WITHDRAWN} and (
            status is not Status.SUPPLEMENT_REQUESTED or accepted_before
        ):
            received = submitted + timedelta(minutes=rng.randint(1, 30))
            dossier.received_at = received
            dossier.due_at = memo.due(received, procedure)
            span = max((min(now, dossier.due_at + timedelta(days=3)) - received).total_seconds(), 60)
            end = received + timedelta(seconds=rng.uniform(30, span))
            if status in {Status.OBLIGATION_REQUESTED, Status.STOPPED, Status.SUPPLEMENT_REQUESTED}:
                dossier.paused_since = min(end, now)
            if status in {Status.FINISHED, Status.RETURNED}:
                dossier.finished_at = min(end, now)
            if status is Status.RETURNED:
                dossier.returned_at = dossier.closed_at = min(end + timedelta(hours=2), now)
        if status in {Status.REFUSED, Status.WITHDRAWN}:
            dossier.closed_at = submitted + timedelta(hours=1)
        return applicant, dossier


class Memo:
    """The calendar's answers, computed once per distinct argument (rows share instants)."""

    def __init__(self, cal: calendar.WorkingCalendar) -> None:
        self.cal = cal
        self.working: dict[datetime, tuple[datetime, date]] = {}
        self.dues: dict[tuple[datetime, int], datetime] = {}

    def next_working(self, instant: datetime) -> tuple[datetime, date]:
        """The next working instant and its local day."""
        found = self.working.get(instant)
        if found is None:
            moment = calendar.next_working_instant(instant, cal=self.cal)
            found = self.working[instant] = (moment, moment.astimezone(self.cal.zone).date())
        return found

    def due(self, received: datetime, procedure: Procedure) -> datetime:
        key = (received, procedure.pk)
        found = self.dues.get(key)
        if found is None:
            found = self.dues[key] = calendar.add_working_time(
                received, procedure.processing_time(), cal=self.cal
            )
        return found


def copy_rows(model: type[models.Model], objects: list[Any]) -> None:
    """Insert ``objects`` with PostgreSQL ``COPY``, giving each the id reserved from the table's sequence.

    JSON values go through the field's ``get_db_prep_save``, as ``bulk_create`` would; the others
    (text, numbers, aware datetimes, foreign-key ids) are passed to psycopg as they are.
    """
    if not objects:
        return
    meta = model._meta
    fields = list(meta.concrete_fields)
    prepared = {field for field in fields if isinstance(field, models.JSONField)}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
        columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row(
                    [
                        field.get_db_prep_save(getattr(obj, field.attname), connection)
                        if field in prepared
                        else getattr(obj, field.attname)
                        for field in fields
                    ]
                )
