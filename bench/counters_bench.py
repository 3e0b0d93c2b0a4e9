"""How many gap-free numbers per second can N concurrent writers allocate?

    DJANGO_SETTINGS_MODULE=egov.config.test_settings .venv/bin/python bench/counters_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_dev DJANGO_SETTINGS_MODULE=... \\
        .venv/bin/python bench/counters_bench.py --writers 20 --per-writer 25 --work-ms 2

Every writer is a thread running business transactions that allocate a number, insert a row
carrying it (the dossier, the register entry), do ``--work-ms`` of business work, and commit.
Two designs, each with all writers on one series (one agency's desk on one day) and with each
writer on its own series (N agencies), on a throwaway test database:

- ``egov``: ``counters.next_value`` — the series row locked and incremented in the transaction
  by one ``UPDATE … RETURNING``;
- ``orm``: the same row lock taken the ORM way (insert ignoring conflicts, ``select_for_update``,
  ``save``): what ``next_value`` looked like before it was measured;
- ``naive``: ``SELECT max(number) + 1`` from the business table, insert, and on a unique
  violation roll back and try again (the usual first attempt; gap-free, unique only thanks to
  the constraint and the retries).

Reported: allocations per second, retries, latency of one business transaction, and whether
every series came out exactly 1..n.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter, sleep

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django

django.setup()

from django.db import IntegrityError, connection, transaction  # noqa: E402

from egov.core import counters  # noqa: E402
from egov.core.models import Counter  # noqa: E402

TABLE = "bench_numbered"


@dataclass
class Outcome:
    design: str
    layout: str
    allocations: int = 0
    retries: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    verified: str = ""

    def line(self) -> str:
        p50 = statistics.median(self.latencies) * 1000
        p95 = statistics.quantiles(self.latencies, n=20)[-1] * 1000
        rate = self.allocations / self.seconds
        return (
            f"{self.design:<6} {self.layout:<10} {rate:>8.0f}/s {self.retries:>8} "
            f"{p50:>8.1f} ms {p95:>8.1f} ms   {self.verified}"
        )


def allocate_egov(key: str, work_ms: float) -> int:
    with transaction.atomic():
        number = counters.next_value(namespace="bench", key=key)
        _insert(key, number)
        sleep(work_ms / 1000)
    return 0


def allocate_orm(key: str, work_ms: float) -> int:
    """The same locking with the ORM: ``select_for_update().get()`` then ``save()``."""
    rows = Counter.objects.select_for_update()
    with transaction.atomic():
        try:
            counter = rows.get(namespace="bench", key=key)
        except Counter.DoesNotExist:
            Counter.objects.bulk_create([Counter(namespace="bench", key=key)], ignore_conflicts=True)
            counter = rows.get(namespace="bench", key=key)
        counter.value += 1
        counter.save(update_fields=["value"])
        _insert(key, counter.value)
        sleep(work_ms / 1000)
    return 0


def allocate_naive(key: str, work_ms: float) -> int:
    retries = 0
    while True:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT COALESCE(MAX(number), 0) + 1 FROM {TABLE} WHERE key = %s", [key])  # noqa: S608
                    (number,) = cursor.fetchone()
                _insert(key, number)
                sleep(work_ms / 1000)
            return retries
        except IntegrityError:
            retries += 1  # another writer took the same max + 1 and committed first


DESIGNS = {"egov": allocate_egov, "orm": allocate_orm, "naive": allocate_naive}


def _insert(key: str, number: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (key, number) VALUES (%s, %s)", [key, number])  # noqa: S608


def reset() -> None:
    Counter.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608


def race(design: str, layout: str, args: argparse.Namespace) -> Outcome:
    reset()
    outcome = Outcome(design, layout)
    allocate = DESIGNS[design]
    start = threading.Barrier(args.writers + 1)
    lock = threading.Lock()

    def writer(n: int) -> None:
        key = "one" if layout == "one key" else f"key-{n}"
        try:
            start.wait()
            for _ in range(args.per_writer):
                began = perf_counter()
                retries = allocate(key, args.work_ms)
                with lock:
                    outcome.latencies.append(perf_counter() - began)
                    outcome.retries += retries
        except Exception as exc:  # reported after the race
            outcome.errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(args.writers)]
    for thread in threads:
        thread.start()
    start.wait()
    began = perf_counter()
    for thread in threads:
        thread.join()
    outcome.seconds = perf_counter() - began
    outcome.allocations = len(outcome.latencies)
    if outcome.errors:
        raise RuntimeError(f"{design}, {layout}: {len(outcome.errors)} writers failed: {outcome.errors[0]}")
    outcome.verified = verdict()
    return outcome


def verdict() -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, number FROM {TABLE} ORDER BY key, number")  # noqa: S608
        rows = cursor.fetchall()
    series: dict[str, list[int]] = {}
    for key, number in rows:
        series.setdefault(key, []).append(number)
    broken = [key for key, numbers in series.items() if numbers != list(range(1, len(numbers) + 1))]
    return f"LỖI: {len(broken)} dãy có trùng/thiếu số" if broken else "mọi dãy đủ 1..n"


def test_database() -> str:
    """A throwaway database: never the configured one."""
    if connection.vendor == "sqlite":
        # Threads need a file, not the shared in-memory test database (it locks whole tables).
        path = Path(tempfile.mkdtemp(prefix="counters_bench_")) / "bench.sqlite3"
        connection.settings_dict["TEST"]["NAME"] = str(path)
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {TABLE} (key varchar(100) NOT NULL, number bigint NOT NULL, UNIQUE (key, number))"
        )
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--per-writer", type=int, default=25)
    parser.add_argument("--work-ms", type=float, default=2.0, help="business work after allocating")
    parser.add_argument("--designs", default="egov,orm,naive")
    args = parser.parse_args()
    old_name = connection.settings_dict["NAME"]
    name = test_database()
    try:
        print(
            f"{connection.vendor} ({name}), {args.writers} writer threads × {args.per_writer} "
            f"transactions, {args.work_ms} ms of work after allocating"
        )
        print(
            f"{'design':<6} {'series':<10} {'throughput':>10} {'retries':>8} {'p50':>11} {'p95':>11}   check"
        )
        for layout in ("one key", f"{args.writers} keys"):
            for design in args.designs.split(","):
                print(race(design, layout, args).line(), flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if connection.vendor == "sqlite":
            shutil.rmtree(Path(name).parent, ignore_errors=True)


if __name__ == "__main__":
    main()
