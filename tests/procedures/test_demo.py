"""The demo catalogue: at least 25 sourced procedures, valid data, and a seed that is idempotent."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command

from egov.core.management.commands.data_fingerprint import fingerprint
from egov.procedures.demo import DEMO_CATALOGUE
from egov.procedures.importexport import parse_catalogue, read_catalogue_file
from egov.procedures.models import FormSchema, Procedure
from egov.procedures.rules import share_problems


def test_the_demo_file_is_a_valid_catalogue_of_at_least_25_sourced_procedures() -> None:
    catalogue, problems = parse_catalogue(read_catalogue_file(DEMO_CATALOGUE))
    assert problems == [] and catalogue is not None
    assert len(catalogue.procedures) >= 25
    for procedure in catalogue.procedures:
        assert procedure.source, procedure.code
        assert procedure.is_illustrative or "minh họa" not in procedure.processing_note, procedure.code
        assert procedure.documents and procedure.form and procedure.process, procedure.code
        assert share_problems([s.share_percent for s in procedure.process.steps]) == []
    assert {p.level for p in catalogue.procedures} >= {"province", "commune"}


@pytest.mark.django_db
@pytest.mark.slow
def test_seeding_twice_changes_nothing(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", "--quiet", stdout=StringIO())
    first, counts = fingerprint()
    call_command("seed_demo", "--quiet", stdout=StringIO())
    assert fingerprint()[0] == first
    assert counts["procedures.procedure"] >= 25
    assert FormSchema.objects.filter(is_current=True).count() == Procedure.objects.count()
    offered = {a.code for p in Procedure.objects.prefetch_related("offered_by") for a in p.offered_by.all()}
    assert len(offered) >= 8  # departments, the committee and the three communes
    assert Procedure.objects.filter(is_illustrative=False).exists()
    assert apps.get_app_config("procedures")
