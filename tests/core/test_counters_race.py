"""Counters under real concurrency: threads and processes racing, real commits and rollbacks.

Each racer allocates inside its own business transaction that also writes a receipt (an audit
event carrying the number) and then works a little while holding the series, as a desk officer's
reception does. Whatever the interleaving, the committed numbers must be exactly 1..N: no
duplicate, no gap, also when some transactions roll back and when all racers hit a new key.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, connections, transaction

from egov.core import audit, counters
from egov.core.models import AuditEvent, Counter, WorkingDayOverride

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
RACERS = 24
DEADLINE_SECONDS = 120
SERIES = {"namespace": "dossier_code", "key": "000.00.12.H56:270129"}


class PlannedRollbackError(Exception):
    """Raised on purpose inside a racer's transaction."""


def run_together(racers: int, work: Callable[[int], None]) -> list[BaseException]:
    """Start ``racers`` threads at once on a barrier; return what they raised, planned rollbacks aside."""
    barrier = threading.Barrier(racers)
    errors: list[BaseException] = []

    def racer(n: int) -> None:
        try:
            barrier.wait(timeout=DEADLINE_SECONDS)
            work(n)
        except PlannedRollbackError:
            pass
        except BaseException as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=racer, args=(n,), daemon=True) for n in range(racers)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + DEADLINE_SECONDS
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    assert stuck == 0, f"{stuck} racers still blocked after {DEADLINE_SECONDS} s"
    return errors


def receive(n: int, *, handed_out: list[int], roll_back: bool = False) -> None:
    """One reception: allocate, write the receipt, work a little, commit (or fail)."""
    with transaction.atomic():
        number = counters.next_value(**SERIES)
        handed_out.append(number)
        audit.record(actor=None, action="race.receipt", details={"number": number, "racer": n})
        time.sleep(0.002)  # work done while holding the series: widens the race window
        if roll_back:
            raise PlannedRollbackError


def committed_receipts() -> list[int]:
    return sorted(e.details["number"] for e in AuditEvent.objects.filter(action="race.receipt"))


@pytest.mark.postgres
def test_threads_racing_on_one_series_get_exactly_one_to_n():
    handed_out: list[int] = []
    assert run_together(RACERS, lambda n: receive(n, handed_out=handed_out)) == []
    assert sorted(handed_out) == list(range(1, RACERS + 1))
    assert committed_receipts() == list(range(1, RACERS + 1))
    assert counters.peek(**SERIES) == RACERS


@pytest.mark.postgres
def test_numbers_of_rolled_back_racers_go_to_the_next_ones_so_the_committed_series_has_no_gap():
    failing = set(range(0, RACERS, 3))
    handed_out: list[int] = []

    def work(n: int) -> None:
        receive(n, handed_out=handed_out, roll_back=n in failing)

    assert run_together(RACERS, work) == []
    assert len(handed_out) == RACERS
    assert len(set(handed_out)) < RACERS, "a rolled-back number was handed out again"
    committed = RACERS - len(failing)
    assert committed_receipts() == list(range(1, committed + 1))
    assert counters.peek(**SERIES) == committed


# --- Separate processes racing on a new key --------------------------------------------------

PROCESSES = 20
ROUNDS = 3
# A fresh interpreter (never a fork of pytest, whose connections and threads must not be shared)
# sets Django up once, then forks the racers before any connection exists: each racer opens its
# own. Twenty spawned interpreters would cost twenty Django start-ups (≈ 35 s of CPU here).
RACE = """
import json, multiprocessing, sys, time
import django
django.setup()
from django.db import connection, transaction
from egov.core import audit, counters

def racer(start, results, namespace, key, rounds):
    try:
        connection.ensure_connection()
        start.wait(timeout=60)  # every racer is connected: all go at once
        numbers = []
        for _ in range(rounds):
            with transaction.atomic():
                number = counters.next_value(namespace=namespace, key=key)
                audit.record(actor=None, action="race.receipt", details={"number": number})
                time.sleep(0.002)
            numbers.append(number)
        results.put(numbers)
    except Exception as exc:
        results.put(repr(exc))
    finally:
        connection.close()

namespace, key, processes, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
fork = multiprocessing.get_context("fork")
start, results = fork.Barrier(processes), fork.Queue()
racers = [fork.Process(target=racer, args=(start, results, namespace, key, rounds)) for _ in range(processes)]
for process in racers:
    process.start()
outcomes = [results.get(timeout=120) for _ in racers]
for process in racers:
    process.join()
print(json.dumps({"pids": sorted({p.pid for p in racers}), "outcomes": outcomes}))
"""


def children_database_url() -> str:
    """The test database pytest-django created (``test_<name>``), for the racers' settings."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.postgres
def test_processes_racing_on_a_new_key_share_one_series():
    assert not Counter.objects.exists(), "the key must be new: its first use is the race"
    env = {
        **os.environ,
        # settings.SETTINGS_MODULE is None inside an override (the autouse VAR_DIR fixture)
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
        "DATABASE_URL": children_database_url(),
    }
    args = [SERIES["namespace"], SERIES["key"], str(PROCESSES), str(ROUNDS)]
    result = subprocess.run(
        [sys.executable, "-c", RACE, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report["pids"]) == PROCESSES
    failures = [outcome for outcome in report["outcomes"] if isinstance(outcome, str)]
    assert failures == []
    numbers = sorted(n for outcome in report["outcomes"] for n in outcome)
    expected = list(range(1, PROCESSES * ROUNDS + 1))
    assert numbers == expected
    assert committed_receipts() == expected
    assert Counter.objects.count() == 1


# --- SQLite: IMMEDIATE transactions serialise the writers -------------------------------------


@pytest.fixture
def database_file_for_threads(tmp_path: Path) -> Iterator[None]:
    """On SQLite, point new connections at a database file for the duration of the test.

    pytest-django's SQLite test database lives in shared-cache memory, where concurrent writers
    get "database table is locked" at once instead of waiting (the busy timeout does not apply).
    A file behaves as production does. The racing threads open their connections from the shared
    settings dict; the main thread's connection stays on the in-memory test database.
    """
    if connection.vendor != "sqlite":
        yield
        return
    settings_dict = connection.settings_dict
    in_memory = settings_dict["NAME"]
    settings_dict["NAME"] = str(tmp_path / "race.sqlite3")
    try:
        setup = connections.create_connection("default")  # a new connection: to the file
        try:
            with setup.schema_editor() as editor:
                for model in (Counter, WorkingDayOverride):
                    editor.create_model(model)
        finally:
            setup.close()
        yield
    finally:
        settings_dict["NAME"] = in_memory


def test_racing_writers_get_a_gap_free_series_on_this_database(database_file_for_threads: None):
    """Runs on SQLite (IMMEDIATE transactions) and PostgreSQL (row locks) alike."""
    racers, rounds = 20, 5
    failing = {(n, r) for n in range(racers) for r in range(rounds) if (n + r) % 4 == 0}
    committed: list[int] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        for r in range(rounds):
            try:
                with transaction.atomic():
                    number = counters.next_value(namespace="register", key="17:2027")
                    WorkingDayOverride.objects.create(date=_day(n, r), kind="day_off", reason=str(number))
                    time.sleep(0.001)
                    if (n, r) in failing:
                        raise PlannedRollbackError
            except PlannedRollbackError:
                continue
            with lock:
                committed.append(number)

    assert run_together(racers, work) == []
    expected = list(range(1, racers * rounds - len(failing) + 1))
    assert sorted(committed) == expected
    written = sorted(int(reason) for reason in _reasons_seen_by_a_new_connection())
    assert written == expected


def _day(n: int, r: int) -> date:
    return date(2030, 1, 1) + timedelta(days=n * 10 + r)


def _reasons_seen_by_a_new_connection() -> list[str]:
    """Read in a thread of its own: on SQLite the main thread's connection is the in-memory one."""
    reasons: list[str] = []

    def read() -> None:
        try:
            reasons.extend(WorkingDayOverride.objects.values_list("reason", flat=True))
        finally:
            connection.close()

    reader = threading.Thread(target=read)
    reader.start()
    reader.join()
    return reasons
