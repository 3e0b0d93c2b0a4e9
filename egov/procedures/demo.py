"""The demo catalogue for ``manage.py seed_demo``: 28 common procedures over the demo agencies.

The data is ``data/demo_catalogue.json`` in the documented import format, loaded through the same
import service an administrator uses (upsert by code, so a second run changes nothing). Each
procedure names its sources; what could not be confirmed is marked ``is_illustrative`` ("dữ liệu
minh họa"). The agency codes in the file are the demo agencies' (``organizations.demo_data``).
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from egov.organizations.management.demo_seed import DemoSeed
from egov.procedures import services
from egov.procedures.importexport import read_catalogue_file

DEMO_CATALOGUE = Path(__file__).resolve().parent / "data" / "demo_catalogue.json"


def seed(demo: DemoSeed) -> None:
    report = services.import_catalogue(actor=None, document=read_catalogue_file(DEMO_CATALOGUE))
    demo.say(_("Thủ tục hành chính: %(summary)s") % {"summary": report.summary()})
