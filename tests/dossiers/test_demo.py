"""The demo dossiers of ``seed_demo``: every status, late and due ones, written once."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from egov.accounts.models import User
from egov.core import clock
from egov.core.management.commands.data_fingerprint import fingerprint
from egov.core.models.counters import Counter
from egov.dossiers import selectors
from egov.dossiers.demo import MARKER_NATIONAL_ID
from egov.dossiers.models import Apology, Dossier, Handover, Rating
from egov.dossiers.rules import Status
from egov.organizations.models import Agency
from tests.dossiers.conftest import local

pytestmark = pytest.mark.django_db

# A Tuesday morning: the demo counts its instants back from here.
NOW = local(2026, 3, 10, 9, 30)


@pytest.fixture
def seeded(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    with clock.frozen(NOW):
        call_command("seed_demo", "--quiet", stdout=StringIO())


def test_the_demo_has_dossiers_in_every_status(seeded: None) -> None:
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert statuses == {s.value for s in Status}


def test_some_demo_dossiers_are_late_and_one_is_due_today(seeded: None) -> None:
    late = [d for d in Dossier.objects.all() if selectors.is_late(d, NOW)]
    assert len(late) >= 3
    baclieu_desk = User.objects.get(username="truongphong.baclieu")
    assert selectors.due_today(actor=baclieu_desk, now=NOW).exists()
    assert selectors.at_risk(actor=baclieu_desk, now=NOW).count() >= 2
    assert selectors.late_dossiers(actor=User.objects.get(username="lanhdao.stp"), now=NOW).exists()


def test_demo_dossiers_carry_their_history(seeded: None) -> None:
    assert Handover.objects.filter(to_agency__code="000.00.04.H12").exists()  # inter-agency step
    assert Apology.objects.exists()
    assert Rating.objects.count() >= 2
    resubmitted = Dossier.objects.filter(status_changes__source=Status.SUPPLEMENT_REQUESTED).distinct()
    assert resubmitted.count() >= 2
    citizen = User.objects.get(username="congdan.an")
    assert selectors.visible_dossiers(citizen).filter(status=Status.RETURNED).exists()
    # The public service centre receives for other agencies.
    assert Dossier.objects.filter(receiving_agency__kind=Agency.Kind.SERVICE_CENTRE).exists()


def test_a_second_seed_changes_nothing_and_allocates_no_code(seeded: None) -> None:
    before = fingerprint()[0]
    counters = list(Counter.objects.order_by("pk").values())
    with clock.frozen(NOW):
        call_command("seed_demo", "--quiet", stdout=StringIO())
    assert fingerprint()[0] == before
    assert list(Counter.objects.order_by("pk").values()) == counters
    assert Dossier.objects.filter(applicant__national_id=MARKER_NATIONAL_ID).count() == 1


def test_the_demo_dossier_waiting_for_its_fee_has_an_order_payable_online(seeded: None) -> None:
    from egov.dossiers.services.fees import PURPOSE_OBLIGATION, dossier_orders

    waiting = Dossier.objects.filter(status=Status.OBLIGATION_REQUESTED)
    orders = [order for dossier in waiting for order in dossier_orders(dossier)]
    assert [(o.amount, o.purpose) for o in orders] == [(100_000, PURPOSE_OBLIGATION)]
