"""Many clicks on "Nộp hồ sơ" for one draft at the same moment give one dossier (PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from egov.dossiers.models import Dossier
from egov.eservices import services
from tests.eservices.conftest import ANSWERS, citizen, online_world, upload
from tests.eservices.racing import race

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

    def click() -> tuple[int, bool]:
        dossier, created = services.declare_and_submit(draft=draft, user=user, declared=True)
        return dossier.pk, created

    outcomes, errors = race(click, RACERS, DEADLINE_SECONDS)
    assert errors == []
    assert Dossier.objects.count() == 1
    assert {pk for pk, _ in outcomes} == {Dossier.objects.get().pk}
    assert sum(created for _, created in outcomes) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_submission_racing_a_revocation_waits_for_it_and_is_refused():
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from egov.accounts.models import OrganisationAuthorisation
    from egov.core import clock
    from tests.eservices.test_organisation import TAX_CODE, authorise

    world = online_world()
    user = citizen()
    grant = authorise(user)
    draft = services.start_draft(user=user, procedure=world.procedure)
    services.save_page(draft=draft, user=user, number=1, typed={}, cleaned=ANSWERS)
    services.add_upload(
        draft=draft, user=user, upload=upload(), required_document=world.procedure.documents.get(order=1)
    )
    services.choose_applicant(draft=draft, user=user, choice=TAX_CODE)
    revoking = threading.Event()
    outcome: list[BaseException | object] = []

    def revoke() -> None:
        try:
            with transaction.atomic():
                row = OrganisationAuthorisation.objects.select_for_update().get(pk=grant.pk)
                row.revoked_at = clock.now()
                row.save(update_fields=["revoked_at"])
                revoking.set()
                deadline = time.monotonic() + DEADLINE_SECONDS
                with connection.cursor() as cursor:  # commit only once the submission waits on the row
                    while time.monotonic() < deadline:
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                            "AND datname = current_database()"
                        )
                        if cursor.fetchone()[0]:
                            break
        finally:
            connection.close()

    def submit() -> None:
        try:
            outcome.append(services.declare_and_submit(draft=draft, user=user, declared=True))
        except BaseException as error:  # asserted below
            outcome.append(error)
        finally:
            connection.close()

    revoker = threading.Thread(target=revoke, daemon=True)
    revoker.start()
    assert revoking.wait(timeout=DEADLINE_SECONDS)
    submitter = threading.Thread(target=submit, daemon=True)
    submitter.start()
    revoker.join(timeout=DEADLINE_SECONDS)
    submitter.join(timeout=DEADLINE_SECONDS)
    assert len(outcome) == 1 and isinstance(outcome[0], ValidationError)
    assert outcome[0].code == "authorisation_lapsed"
    assert Dossier.objects.count() == 0
