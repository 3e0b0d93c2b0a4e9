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


def test_a_demo_dossier_has_its_result_signed_issued_and_verifiable_by_the_citizen(seeded: None) -> None:
    from django.core.files.storage import default_storage
    from django.test import Client
    from django.urls import reverse

    from egov.documents.rules import OutgoingStatus
    from egov.dossiers.models import DossierResult
    from egov.signatures.trust import current_anchors
    from egov.signatures.validation import validate_pdf

    result = DossierResult.objects.select_related("dossier", "result_document__issued_file").get(
        result_document__isnull=False
    )
    document = result.result_document
    assert document is not None and document.issued_file is not None
    assert document.status == OutgoingStatus.ISSUED and document.signer is not None
    assert document.signer.username == "lanhdao.baclieu"
    assert document.origin == f"dossiers:{result.dossier.code}"
    assert result.dossier.status == Status.FINISHED
    assert result.issued_by.username == "lanhdao.baclieu"

    # The signed and sealed PDF validates: the director's signature and the agency's seal.
    with default_storage.open(result.file_name, "rb") as handle:
        signed = handle.read()
    report = validate_pdf(signed, anchors=current_anchors())
    assert len(report.signatures) >= 2
    assert all(s.intact and s.modifications_accepted and s.trusted for s in report.signatures)

    # Signed by the chairman for the committee: the head's title, not a division head's.
    from egov.documents.extraction import stored_pdf_text

    text = stored_pdf_text(result.file_name)
    assert "TM. ỦY BAN NHÂN DÂN" in text and "CHỦ TỊCH" in text and "TRƯỞNG PHÒNG" not in text

    # The demo citizen sees it in "Hồ sơ của tôi" with its public verification link.
    token = document.issued_file.token
    assert token
    citizen = User.objects.get(username="congdan.an")
    assert selectors.visible_dossiers(citizen).filter(pk=result.dossier.pk).exists()
    client = Client()
    client.force_login(citizen)
    page = client.get(reverse("eservices:dossier", args=[result.dossier.code])).content.decode()
    assert reverse("signatures:verify", args=[token]) in page
    assert Client().get(reverse("signatures:verify", args=[token])).status_code == 200
