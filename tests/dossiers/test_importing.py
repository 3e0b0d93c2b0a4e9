"""Taking over open dossiers from a previous system: all or nothing, codes kept, no collisions."""

from __future__ import annotations

import copy
import json
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from egov.core import clock, counters
from egov.core.models.audit import AuditEvent
from egov.dossiers.importing import DossierImportError, import_dossiers, read_file, read_workbook
from egov.dossiers.models import Dossier, StatusChange
from egov.dossiers.rules import Status
from egov.dossiers.services.reception import CODE_NAMESPACE
from tests.dossiers.conftest import AGENCY_CODE, APPLICANT_ID, World, local, record

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 10, 9, 30)


def document(world: World) -> dict[str, Any]:
    return {
        "format": "egov-dossiers",
        "version": 1,
        "dossiers": [
            {
                "code": f"{AGENCY_CODE}-260310-0042",
                "procedure": world.procedure.code,
                "agency": AGENCY_CODE,
                "channel": "desk",
                "status": 4,
                "submitted_at": "2026-03-10T07:40:00+07:00",
                "received_at": "2026-03-10T07:45:00+07:00",
                "due_at": "2026-03-17T07:45:00+07:00",
                "applicant": {
                    "kind": "person",
                    "name": "Lê Thị Cũ",
                    "national_id": APPLICANT_ID,
                    "phone": "0912000111",
                },
                "documents": [{"name": "Tờ khai", "form": "original"}],
                "history": [
                    {"at": "2026-03-10T07:40:00+07:00", "source": None, "target": 1},
                    {"at": "2026-03-10T07:45:00+07:00", "source": 1, "target": 2},
                    {"at": "2026-03-10T08:10:00+07:00", "source": 2, "target": 4, "note": "Chuyển phòng"},
                ],
            },
            {
                "code": f"{AGENCY_CODE}-260305-0007",
                "procedure": world.procedure.code,
                "agency": AGENCY_CODE,
                "status": 6,
                "submitted_at": "05/03/2026 14:00",
                "received_at": "05/03/2026 14:05",
                "due_at": "12/03/2026 14:05",
                "paused_since": "09/03/2026 10:00",
                "applicant": {"kind": "organisation", "name": "Công ty TNHH Cũ", "tax_code": "0101234567"},
            },
        ],
    }


def test_imported_dossiers_keep_codes_dates_status_and_history(world: World) -> None:
    with clock.frozen(NOW):
        report = import_dossiers(actor=None, document=document(world))
    assert report.imported == [f"{AGENCY_CODE}-260310-0042", f"{AGENCY_CODE}-260305-0007"]
    first = Dossier.objects.get(code=f"{AGENCY_CODE}-260310-0042")
    assert (first.status, first.received_at, first.due_at) == (
        Status.IN_PROGRESS,
        local(2026, 3, 10, 7, 45),
        local(2026, 3, 17, 7, 45),
    )
    assert list(first.status_changes.values_list("target", flat=True)) == [1, 2, 4]
    assert first.documents.count() == 1
    assert first.current_agency == world.agency
    paused = Dossier.objects.get(code=f"{AGENCY_CODE}-260305-0007")
    assert paused.paused_since == local(2026, 3, 9, 10, 0)
    assert paused.status_changes.get().target == Status.OBLIGATION_REQUESTED  # one row when no history
    assert AuditEvent.objects.filter(action="dossier.import").exists()


def test_the_next_code_of_the_same_agency_and_day_follows_the_imported_one(world: World) -> None:
    with clock.frozen(NOW):
        import_dossiers(actor=None, document=document(world))
        assert counters.peek(CODE_NAMESPACE, f"{AGENCY_CODE}:20260310") == 42
        assert record(world).code == f"{AGENCY_CODE}-260310-0043"


def test_a_series_already_past_the_imported_number_is_left_alone(world: World) -> None:
    with clock.frozen(NOW):
        for _ in range(3):
            record(world)
        data = document(world)
        data["dossiers"][0]["code"] = f"{AGENCY_CODE}-260310-0002"  # the old system's, below egov's 3
        data["dossiers"] = data["dossiers"][:1]
        report = import_dossiers(actor=None, document=data)
    assert report.counters_raised == {}
    assert counters.peek(CODE_NAMESPACE, f"{AGENCY_CODE}:20260310") == 3


def test_importing_the_same_file_again_imports_nothing(world: World) -> None:
    with clock.frozen(NOW):
        import_dossiers(actor=None, document=document(world))
        changes = StatusChange.objects.count()
        report = import_dossiers(actor=None, document=document(world))
    assert report.imported == [] and len(report.skipped) == 2
    assert StatusChange.objects.count() == changes


def test_bad_rows_are_all_reported_with_where_and_nothing_is_written(world: World) -> None:
    data = document(world)
    bad = copy.deepcopy(data["dossiers"][0])
    bad["code"] = f"{AGENCY_CODE}-260399-0001"  # no 99th month
    bad["applicant"]["national_id"] = "12345"
    bad["status"] = 10
    data["dossiers"].append(bad)
    data["dossiers"].append(copy.deepcopy(data["dossiers"][1]))  # duplicate code
    with clock.frozen(NOW), pytest.raises(DossierImportError) as refused:
        import_dossiers(actor=None, document=data)
    where = {p.where for p in refused.value.problems}
    assert "$.dossiers[2].code" in where
    assert "$.dossiers[2].applicant.national_id" in where
    assert "$.dossiers[2].status" in where
    assert "$.dossiers[3].code" in where  # "trùng"
    assert any("trùng" in p.message for p in refused.value.problems)
    assert not Dossier.objects.exists()


def test_a_status_missing_its_dates_is_refused(world: World) -> None:
    data = document(world)
    del data["dossiers"][1]["paused_since"]
    data["dossiers"][0]["history"][-1]["target"] = 2
    with clock.frozen(NOW), pytest.raises(DossierImportError) as refused:
        import_dossiers(actor=None, document=data)
    where = {p.where for p in refused.value.problems}
    assert where == {"$.dossiers[1].paused_since", "$.dossiers[0].history"}


def test_a_dry_run_checks_without_writing(world: World) -> None:
    with clock.frozen(NOW):
        report = import_dossiers(actor=None, document=document(world), dry_run=True)
    assert len(report.imported) == 2
    assert not Dossier.objects.exists()
    assert counters.peek(CODE_NAMESPACE, f"{AGENCY_CODE}:20260310") == 0


def workbook(world: World, *, bad_phone: bool = False) -> bytes:
    book = Workbook()
    about = book.active
    assert about is not None
    about.title = "about"
    about.append(["format", "egov-dossiers"])
    about.append(["version", 1])
    sheet = book.create_sheet("dossiers")
    sheet.append(["code", "procedure", "agency", "status", "submitted_at", "received_at", "due_at",
                  "applicant_name", "national_id", "phone", "documents"])  # fmt: skip
    submitted = local(2026, 3, 9, 8).replace(tzinfo=None)  # Excel keeps local times without offset
    sheet.append([f"{AGENCY_CODE}-260309-0005", world.procedure.code, AGENCY_CODE, 2, submitted,
                  "09/03/2026 08:05", "16/03/2026 08:05", "Trần Văn Excel", APPLICANT_ID,
                  "12" if bad_phone else "0912000222", "Tờ khai; Giấy ủy quyền"])  # fmt: skip
    history = book.create_sheet("history")
    history.append(["code", "at", "source", "target", "note"])
    history.append([f"{AGENCY_CODE}-260309-0005", "09/03/2026 08:00", None, 1, ""])
    history.append([f"{AGENCY_CODE}-260309-0005", "09/03/2026 08:05", 1, 2, "Tiếp nhận"])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_workbook_imports_the_same_way(world: World) -> None:
    data, locs = read_workbook(workbook(world))
    with clock.frozen(NOW):
        import_dossiers(actor=None, document=data, locs=locs)
    dossier = Dossier.objects.get(code=f"{AGENCY_CODE}-260309-0005")
    assert dossier.status == Status.ACCEPTED
    assert [d.name for d in dossier.documents.all()] == ["Tờ khai", "Giấy ủy quyền"]
    assert dossier.status_changes.count() == 2


def test_a_bad_excel_row_is_reported_by_sheet_row_and_column(world: World) -> None:
    data, locs = read_workbook(workbook(world, bad_phone=True))
    with clock.frozen(NOW), pytest.raises(DossierImportError) as refused:
        import_dossiers(actor=None, document=data, locs=locs)
    assert [p.where for p in refused.value.problems] == ["trang “dossiers”, dòng 2, cột “phone”"]


def test_the_command_imports_json_and_refuses_a_bad_file(world: World, tmp_path: Path) -> None:
    good = tmp_path / "ho-so.json"
    good.write_text(json.dumps(document(world), ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    with clock.frozen(NOW):
        call_command("import_dossiers", str(good), "--dry-run", stdout=out)
        assert not Dossier.objects.exists()
        call_command("import_dossiers", str(good), stdout=out)
    assert Dossier.objects.count() == 2
    bad = tmp_path / "hong.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(DossierImportError):
        read_file(bad)
    with pytest.raises(CommandError):
        call_command("import_dossiers", str(bad), stdout=out, stderr=StringIO())
