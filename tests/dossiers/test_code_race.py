"""Many officers receive at the same second: the codes are exactly 0001…00NN (PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from egov.accounts.scope import scope_of
from egov.core import clock
from egov.dossiers.models import Dossier
from tests.dossiers.conftest import AGENCY_CODE, build_world, local, record

RACERS = 24
DEADLINE_SECONDS = 120


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_receptions_get_consecutive_codes_without_duplicates_or_gaps():
    world = build_world()
    scope_of(world.desk)  # computed once here, not raced for by the threads
    barrier = threading.Barrier(RACERS)
    errors: list[BaseException] = []

    def receive() -> None:
        try:
            barrier.wait(timeout=DEADLINE_SECONDS)
            record(world)  # its own transaction on this thread's own connection
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    with clock.frozen_everywhere(local(2027, 1, 29, 9, 30)):
        threads = [threading.Thread(target=receive, daemon=True) for _ in range(RACERS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + DEADLINE_SECONDS
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    codes = sorted(Dossier.objects.values_list("code", flat=True))
    assert codes == [f"{AGENCY_CODE}-270129-{n:04d}" for n in range(1, RACERS + 1)]
