"""The demo's signed and issued documents: signed in-process during ``seed_demo`` with the dev PKI
(its own TSA on a free port), sealed with the Department of Justice's seal, delivered and checked
valid on arrival, one recalled; images and seals drawn for the demo; a second run changes nothing."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from egov.core import clock
from egov.core.models import AuditEvent
from egov.documents.models import IncomingDocument, OutgoingDocument, OutgoingVersion
from egov.documents.rules import IncomingStatus, OutgoingStatus
from egov.organizations.management.demo_data import AGENCIES, OFFICIALS
from egov.organizations.models import Role
from egov.signatures.models import AgencySeal, IssuedFile, SignatureImage
from egov.signatures.trust import current_anchors
from egov.signatures.validation import validate_pdf
from tests.documents.conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="session")
def demo_pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's dev PKI built once per test session (27 RSA keys take seconds to make and load);
    each seeded test copies it, and ``run_dev_pki`` finds the copy up to date."""
    directory = tmp_path_factory.mktemp("demo-pki") / "dev-pki"
    call_command(
        "run_dev_pki", "--directory", str(directory), "--port", "8091", "--build-only", stdout=StringIO()
    )
    return directory


def seed_demo_with(demo_pki: Path, settings: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """``seed_demo`` in a fresh var directory holding a copy of the session's dev PKI."""
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("EGOV_DEV_PKI_PORT", "8091")
    if not (tmp_path / "dev-pki").exists():
        shutil.copytree(demo_pki, tmp_path / "dev-pki", symlinks=True)
    with clock.frozen(local(2026, 11, 30, 9, 30)):
        call_command("seed_demo", "--quiet", stdout=StringIO())


@pytest.fixture
def seeded(demo_pki: Path, settings: Any, tmp_path: Path, monkeypatch: Any) -> None:
    seed_demo_with(demo_pki, settings, tmp_path, monkeypatch)


def test_the_demo_issues_sealed_documents_valid_on_arrival_and_written_once(
    seeded: None, demo_pki: Path, settings: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    issued = OutgoingDocument.objects.filter(agency__code="000.00.03.H12", issued_file__isnull=False).exclude(
        number=None
    )
    assert sorted(issued.values_list("status", flat=True)) == [
        OutgoingStatus.ISSUED,
        OutgoingStatus.ISSUED,
        OutgoingStatus.RECALLED,
    ]
    for document in issued:
        final = document.versions.get(kind=OutgoingVersion.Kind.ISSUED)
        with default_storage.open(final.file_name, "rb") as handle:
            report = validate_pdf(handle.read(), anchors=current_anchors())
        assert report.ok and len(report.signatures) == 2, report.as_json()
        assert IssuedFile.objects.get(pk=document.issued_file_id).sha256 == final.file_sha256
        copies = IncomingDocument.objects.filter(source_outgoing=document)
        assert copies and {c.signature_status for c in copies} == {"valid"}
        assert {c.file_sha256 for c in copies} == {final.file_sha256}
    assert IncomingDocument.objects.filter(status=IncomingStatus.RECALLED).count() == 1

    leaders = {s.username for s in OFFICIALS if s.role == Role.AGENCY_LEADER}
    assert set(SignatureImage.objects.values_list("user__username", flat=True)) == leaders
    assert set(AgencySeal.objects.values_list("key_name", flat=True)) == {
        f"agency:{a.code}" for a in AGENCIES
    }

    counts = (OutgoingVersion.objects.count(), IncomingDocument.objects.count(), IssuedFile.objects.count())
    sealed = AuditEvent.objects.filter(action="signatures.seal").count()
    seed_demo_with(demo_pki, settings, tmp_path, monkeypatch)
    assert (
        OutgoingVersion.objects.count(),
        IncomingDocument.objects.count(),
        IssuedFile.objects.count(),
    ) == counts
    # The Department of Justice's three documents and the dossiers demo's signed result (issue 6).
    assert AuditEvent.objects.filter(action="signatures.seal").count() == sealed == 4
