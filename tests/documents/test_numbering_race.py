"""Many clerks issue at the same second: numbers 01…NN of one register, no gap, no duplicate (PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from egov.accounts.scope import scope_of
from egov.core import clock
from egov.documents import services
from egov.documents.models import IncomingDocument, OutgoingDocument
from egov.organizations.models import Role
from tests.documents.conftest import build_world, composed_draft, local, member, walk_to_signed

RACERS = 12
DEADLINE_SECONDS = 180


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_consecutive_numbers_and_recipients_consecutive_incoming_numbers():
    world = build_world()
    clerks = [world.clerk] + [member(world.agency, Role.CLERK, world.office) for _ in range(RACERS - 1)]
    with clock.frozen_everywhere(local(2026, 11, 30, 9, 0)):
        documents = [walk_to_signed(world, composed_draft(world)) for _ in range(RACERS)]
    for clerk in clerks:
        scope_of(clerk)
    barrier = threading.Barrier(RACERS)
    errors: list[BaseException] = []

    def issue(clerk, document) -> None:
        try:
            barrier.wait(timeout=DEADLINE_SECONDS)
            services.issue(clerk=clerk, document=document)
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    with clock.frozen_everywhere(local(2026, 11, 30, 10, 0)):
        threads = [
            threading.Thread(target=issue, args=pair, daemon=True)
            for pair in zip(clerks, documents, strict=True)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + DEADLINE_SECONDS
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    numbers = sorted(OutgoingDocument.objects.values_list("number", flat=True))
    assert numbers == list(range(1, RACERS + 1))
    notations = set(OutgoingDocument.objects.values_list("notation", flat=True))
    assert notations == {f"{n:02d}/STP-HCTP" for n in range(1, RACERS + 1)}
    received = sorted(
        IncomingDocument.objects.filter(agency=world.other).values_list("incoming_number", flat=True)
    )
    assert received == list(range(1, RACERS + 1))
