"""The demo documents of ``seed_demo``: every incoming state, drafts at each step, written once."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from egov.core import clock, search
from egov.documents.models import IncomingDocument, OutgoingDocument
from egov.documents.rules import IncomingStatus, OutgoingStatus
from tests.documents.conftest import local
from tests.documents.test_issue_signed_demo import demo_pki, seed_demo_with  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def seeded(
    demo_pki: Path,  # noqa: F811 - the session's dev PKI, copied into each var directory
    settings: Any,
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    seed_demo_with(demo_pki, settings, tmp_path, monkeypatch)


def test_the_demo_has_documents_in_every_state_and_is_written_once(seeded: None) -> None:
    assert set(IncomingDocument.objects.values_list("status", flat=True)) == {s.value for s in IncomingStatus}
    assert set(OutgoingDocument.objects.values_list("status", flat=True)) == {
        OutgoingStatus.DRAFT,
        OutgoingStatus.CONTENT_REVIEW,
        OutgoingStatus.FORMAT_REVIEW,
        OutgoingStatus.AWAITING_SIGNATURE,
        OutgoingStatus.ISSUED,
        OutgoingStatus.RECALLED,
    }
    counts = (IncomingDocument.objects.count(), OutgoingDocument.objects.count())
    with clock.frozen(local(2026, 11, 30, 10, 0)):
        call_command("seed_demo", "--quiet", stdout=StringIO())
    assert (IncomingDocument.objects.count(), OutgoingDocument.objects.count()) == counts


def test_demo_documents_are_found_by_an_accent_free_search(seeded: None) -> None:
    found = search.matching(IncomingDocument.objects.all(), "ke hoach chuyen doi so")
    assert "Kế hoạch chuyển đổi số tỉnh Cà Mau năm 2027" in {d.summary for d in found}
    assert IncomingDocument.objects.filter(secrecy="confidential", file_name="").exists()
