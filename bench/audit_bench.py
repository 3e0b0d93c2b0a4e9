"""How many audited business transactions per second can N concurrent writers commit?

    DJANGO_SETTINGS_MODULE=egov.config.test_settings .venv/bin/python bench/audit_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_audit_dev DJANGO_SETTINGS_MODULE=... \\
        .venv/bin/python bench/audit_bench.py --writers 50 --per-writer 20 --processes 10

Writers are threads spread over ``--processes`` forked processes (server workers). Every writer
runs business transactions that lock the writer's own row, do ``--work-ms`` of business work,
record one audit event, optionally do ``--work-after-ms`` more, and commit. Three
designs side by side, on a throwaway test database (``test_<name>``, or a temporary SQLite file):

- ``plain``: the event row is inserted, nothing chains it (the cost floor);
- ``naive``: the chain's head is locked and the event sealed inside the business transaction, so
  the head is held until the business commits;
- ``egov``: ``audit.record`` — unsealed insert, sealed right after the commit in a short transaction.

Reported: events per second from the start of the race until every event is sealed, and the
latency of one business transaction (for ``egov`` including its sealing on commit).
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from time import perf_counter, sleep

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from egov.core import audit, clock  # noqa: E402
from egov.core.models import AuditEvent, WorkingDayOverride  # noqa: E402

Record = Callable[[WorkingDayOverride, int], None]


def record_plain(row: WorkingDayOverride, n: int) -> None:
    AuditEvent(
        chain="audit", occurred_at=clock.now(), actor_kind="system", action="bench", details={"n": n}
    ).save()


def record_naive(row: WorkingDayOverride, n: int) -> None:
    audit.record(actor=None, action="bench", obj=row, details={"n": n})
    audit.seal_pending()  # inside the business transaction: the head stays locked until it commits


def record_egov(row: WorkingDayOverride, n: int) -> None:
    audit.record(actor=None, action="bench", obj=row, details={"n": n})


DESIGNS: dict[str, Record] = {"plain": record_plain, "naive": record_naive, "egov": record_egov}


@dataclass
class Outcome:
    design: str
    events: int
    seconds: float
    latencies: list[float]
    verified: str

    def line(self) -> str:
        p50 = statistics.median(self.latencies) * 1000
        p95 = statistics.quantiles(self.latencies, n=20)[-1] * 1000
        rate = self.events / self.seconds
        return f"{self.design:<6} {rate:>9.0f} ev/s {p50:>8.1f} ms {p95:>8.1f} ms   {self.verified}"


def fresh_rows(writers: int) -> list[WorkingDayOverride]:
    call_command("flush", interactive=False, verbosity=0)  # TRUNCATE / DELETE: beneath the ORM guard
    first = date(2030, 1, 1)
    return [
        WorkingDayOverride.objects.create(date=first + timedelta(days=n), kind="day_off", reason="bench")
        for n in range(writers)
    ]


def race(design: str, args: argparse.Namespace) -> Outcome:
    rows = fresh_rows(args.writers)
    connections.close_all()  # forked writers must open their own connections
    fork = multiprocessing.get_context("fork")
    start = fork.Barrier(args.writers + 1)
    results: multiprocessing.Queue[tuple[list[float], list[str]]] = fork.Queue()
    slices = [rows[p :: args.processes] for p in range(args.processes)]
    processes = [fork.Process(target=writer_process, args=(design, s, args, start, results)) for s in slices]
    for process in processes:
        process.start()
    start.wait()
    started = perf_counter()
    latencies: list[float] = []
    errors: list[str] = []
    for _ in processes:
        process_latencies, process_errors = results.get()
        latencies += process_latencies
        errors += process_errors
    for process in processes:
        process.join()
    if design != "plain":
        audit.seal_pending()  # stragglers count in the time
    seconds = perf_counter() - started
    if errors:
        raise RuntimeError(f"{design}: {len(errors)} writers failed, first: {errors[0]}")
    return Outcome(design, len(latencies), seconds, latencies, verdict(design))


def writer_process(
    design: str,
    rows: list[WorkingDayOverride],
    args: argparse.Namespace,
    start: threading.Barrier,
    results: multiprocessing.Queue[tuple[list[float], list[str]]],
) -> None:
    """One server process: a thread per writer, as gunicorn's threaded workers run requests."""
    record = DESIGNS[design]
    latencies: list[float] = []
    errors: list[str] = []

    def business(row: WorkingDayOverride, n: int) -> None:
        started = perf_counter()
        with transaction.atomic():
            WorkingDayOverride.objects.select_for_update().get(pk=row.pk)
            sleep(args.work_ms / 1000)
            record(row, n)
            sleep(args.work_after_ms / 1000)
        latencies.append(perf_counter() - started)

    def writer(row: WorkingDayOverride) -> None:
        try:
            start.wait()
            for n in range(args.per_writer):
                business(row, n)
        except Exception as exc:  # reported by the parent after the race
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(row,)) for row in rows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((latencies, errors))


def verdict(design: str) -> str:
    if design == "plain":
        return "không có chuỗi"
    result = audit.verify_chain()
    return "chuỗi nguyên vẹn" if result.ok else f"LỖI: {result.message}"


def test_database() -> str:
    """A throwaway database: never the configured one, which may hold real events."""
    if connection.vendor == "sqlite":
        # Threads need a file, not the shared in-memory test database (it locks whole tables).
        path = Path(tempfile.mkdtemp(prefix="audit_bench_")) / "bench.sqlite3"
        connection.settings_dict["TEST"]["NAME"] = str(path)
    return connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--per-writer", type=int, default=20)
    parser.add_argument("--work-ms", type=float, default=2.0, help="business work before recording")
    parser.add_argument("--work-after-ms", type=float, default=0.0, help="business work after recording")
    parser.add_argument("--processes", type=int, default=1, help="writers are spread over these processes")
    parser.add_argument("--designs", default="plain,naive,egov")
    args = parser.parse_args()
    old_name = connection.settings_dict["NAME"]
    name = test_database()
    try:
        print(
            f"{connection.vendor} ({name}), {args.writers} writers in {args.processes} processes × "
            f"{args.per_writer} transactions, "
            f"work {args.work_ms} ms before and {args.work_after_ms} ms after recording"
        )
        print(f"{'design':<6} {'throughput':>12} {'p50':>11} {'p95':>11}   chain")
        for design in args.designs.split(","):
            print(race(design, args).line(), flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if connection.vendor == "sqlite":
            shutil.rmtree(Path(name).parent, ignore_errors=True)  # the WAL files and the directory


if __name__ == "__main__":
    main()
