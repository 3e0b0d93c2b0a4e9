"""The chain must not serialise the business: 50 writers racing on PostgreSQL, real commits.

Each writer holds business row locks while it records, and half of them take the shared business
lock *after* recording: had ``record()`` locked the chain's head, those two lock orders would
deadlock. The chain must come out with seq 1..50, one successor per event, and verify.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.db import connection, transaction

from egov.core import audit
from egov.core.models import AuditEvent, WorkingDayOverride

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 50
DEADLINE_SECONDS = 60


def run_together(work: Callable[[int], None]) -> list[BaseException]:
    """Start ``WRITERS`` threads at once on a barrier; return what they raised."""
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait(timeout=DEADLINE_SECONDS)
            work(n)
        except BaseException as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + DEADLINE_SECONDS
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    assert stuck == 0, f"{stuck} writers still blocked after {DEADLINE_SECONDS} s: deadlock"
    return errors


def assert_one_straight_chain(chain: str) -> None:
    events = list(AuditEvent.objects.filter(chain=chain).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, WRITERS + 1))
    assert len({e.prev_hash for e in events}) == WRITERS, "two events share a predecessor: fork"
    result = audit.verify_chain(chain)
    assert (result.ok, result.checked) == (True, WRITERS), result.message


def business_rows() -> tuple[WorkingDayOverride, list[WorkingDayOverride]]:
    first = date(2030, 1, 1)
    shared = WorkingDayOverride.objects.create(date=first, kind="day_off", reason="shared")
    own = [
        WorkingDayOverride.objects.create(date=first + timedelta(days=n + 1), kind="day_off", reason="own")
        for n in range(WRITERS)
    ]
    return shared, own


@pytest.fixture(params=["threads of one process", "one process each"])
def sealing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Threads of one process group their sealing; single-threaded server processes cannot, so
    each seals on its own and they queue on the head in the database: test both."""
    if request.param == "one process each":
        monkeypatch.setattr(audit, "_seal_after_commit", lambda chain: audit.seal_pending(chain))
    return str(request.param)


def test_fifty_writers_holding_business_locks_in_both_orders_neither_fork_nor_deadlock(sealing: str) -> None:
    shared, own = business_rows()
    locked = WorkingDayOverride.objects.select_for_update()

    def write(n: int) -> None:
        with transaction.atomic():
            row = locked.get(pk=own[n].pk)
            if n % 2:
                locked.get(pk=shared.pk)
            audit.record(actor=None, action="calendar.override", obj=row, details={"writer": n})
            if not n % 2:
                locked.get(pk=shared.pk)  # the shared lock taken after recording
            row.reason = f"writer {n}"
            row.save(update_fields=["reason"])
        # The commit sealed the event in this thread, after the business locks were released.

    assert run_together(write) == []
    assert audit.seal_pending() == 0, "every event was sealed when its transaction committed"
    assert_one_straight_chain("audit")


def test_fifty_sealers_racing_on_a_new_chain_share_one_head(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "_seal_after_commit", lambda chain: None)  # leave them all pending
    for n in range(WRITERS):
        audit.record(actor=None, action="api.query", details={"client": n}, chain="access")
    sealed: list[int] = []

    def seal(n: int) -> None:
        sealed.append(audit.seal_pending("access"))

    assert run_together(seal) == []
    assert sum(sealed) == WRITERS, "each event sealed exactly once"
    assert_one_straight_chain("access")
