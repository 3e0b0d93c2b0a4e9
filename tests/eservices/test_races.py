"""Many clicks on "Nộp hồ sơ" for one draft at the same moment give one dossier (PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from egov.dossiers.models import Dossier
from egov.eservices import services
from tests.eservices.conftest import ANSWERS, citizen, online_world, upload

RACERS = 8
DEADLINE_SECONDS = 120


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_clicks_on_submit_create_one_dossier():
    world = online_world()
    user = citizen()
    draft = services.start_draft(user=user, procedure=world.procedure)
    services.save_page(draft=draft, user=user, number=1, typed={}, cleaned=ANSWERS)
    services.add_upload(
        draft=draft, user=user, upload=upload(), required_document=world.procedure.documents.get(order=1)
    )
    barrier = threading.Barrier(RACERS)
    outcomes: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def click() -> None:
        try:
            barrier.wait(timeout=DEADLINE_SECONDS)
            dossier, created = services.declare_and_submit(draft=draft, user=user, declared=True)
            outcomes.append((dossier.pk, created))
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, daemon=True) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + DEADLINE_SECONDS
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert errors == []
    assert Dossier.objects.count() == 1
    assert {pk for pk, _ in outcomes} == {Dossier.objects.get().pk}
    assert sum(created for _, created in outcomes) == 1
