"""Import and export of the catalogue: round trips, all-or-nothing, idempotence, schema versions."""

from __future__ import annotations

import copy
import json
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from egov.core.models import AuditEvent
from egov.organizations.models import Agency, Role
from egov.procedures import services
from egov.procedures.importexport import CatalogueImportError, read_catalogue_file
from egov.procedures.importexport.excel_file import read_workbook, write_workbook
from egov.procedures.importexport.export import export_catalogue
from egov.procedures.models import Fee, FormSchema, Procedure, ProcessStep, RequiredDocument
from tests.factories import MembershipFactory, OfficialFactory
from tests.procedures.conftest import DEPARTMENT_CODE, catalogue_document, procedure_document

pytestmark = pytest.mark.django_db


def load(document: dict[str, Any], **kwargs: Any) -> services.ImportReport:
    return services.import_catalogue(actor=None, document=document, **kwargs)


def problems(document: object) -> list[str]:
    with pytest.raises(CatalogueImportError) as refused:
        services.import_catalogue(actor=None, document=document)
    return [str(p) for p in refused.value.problems]


def excel_bytes(document: dict[str, Any]) -> bytes:
    buffer = BytesIO()
    write_workbook(document, buffer)
    return buffer.getvalue()


def two_procedures() -> dict[str, Any]:
    second = procedure_document(
        "2.000815",
        name="Chứng thực bản sao từ bản chính",
        field="chung-thuc",
        offered_by=[DEPARTMENT_CODE],
        fees=[{"name": "Phí chứng thực", "schedule": "2.000 đồng/trang"}],
        process=None,
        form=None,
    )
    return catalogue_document(procedure_document(), second)


def test_an_import_creates_the_whole_catalogue(agencies: dict[str, Agency]) -> None:
    report = load(two_procedures())
    assert report.created == ["1.001193", "2.000815"]
    procedure = Procedure.objects.get(code="1.001193")
    assert list(procedure.offered_by.all()) == [agencies["commune"]]
    assert [d.name for d in procedure.documents.all()] == ["Tờ khai", "Giấy chứng sinh"]
    assert [s.share_percent for s in ProcessStep.objects.filter(template__procedure=procedure)] == [
        20,
        50,
        30,
    ]
    assert procedure.form_schemas.get().version == 1
    assert AuditEvent.objects.filter(action="procedures.create_procedure").count() == 2


def test_export_then_import_gives_the_same_catalogue(agencies: dict[str, Agency]) -> None:
    load(two_procedures())
    exported = export_catalogue()
    Procedure.objects.all().delete()
    load(json.loads(json.dumps(exported)))
    assert export_catalogue() == exported


def test_the_excel_round_trip_gives_the_same_catalogue(agencies: dict[str, Agency]) -> None:
    load(two_procedures())
    exported = export_catalogue()
    document = read_workbook(excel_bytes(exported))
    Procedure.objects.all().delete()
    load(document)
    assert export_catalogue() == exported


def test_a_reimport_of_the_same_file_changes_nothing(agencies: dict[str, Agency]) -> None:
    load(two_procedures())
    before = list(AuditEvent.objects.values_list("pk", flat=True))
    ids = sorted(RequiredDocument.objects.values_list("pk", flat=True))
    report = load(two_procedures())
    assert report.unchanged == ["1.001193", "2.000815"] and not report.changed
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == before
    assert sorted(RequiredDocument.objects.values_list("pk", flat=True)) == ids


def test_a_reimport_updates_in_place_by_code_and_order(agencies: dict[str, Agency]) -> None:
    load(two_procedures())
    kept = RequiredDocument.objects.get(procedure__code="1.001193", order=1).pk
    changed = procedure_document(name="Đăng ký khai sinh (sửa)", documents=[{"name": "Tờ khai mới"}])
    report = load(catalogue_document(changed))
    assert report.updated == ["1.001193"]
    assert Procedure.objects.get(code="1.001193").name == "Đăng ký khai sinh (sửa)"
    assert list(RequiredDocument.objects.filter(procedure__code="1.001193").values_list("pk", "name")) == [
        (kept, "Tờ khai mới")
    ]
    assert Procedure.objects.filter(code="2.000815").exists()  # absent from the file: left alone


def test_a_changed_schema_becomes_a_new_version_and_old_ones_are_kept(agencies: dict[str, Agency]) -> None:
    load(catalogue_document(procedure_document()))
    changed = procedure_document()
    changed["form"]["fields"][0]["label"] = "Họ và tên"
    report = load(catalogue_document(changed))
    assert report.new_schema_versions == ["1.001193"]
    versions = FormSchema.objects.filter(procedure__code="1.001193").order_by("version")
    assert [(s.version, s.is_current) for s in versions] == [(1, False), (2, True)]
    assert versions[0].fields[0]["label"] == "Họ, chữ đệm và tên"
    load(catalogue_document(changed))
    assert FormSchema.objects.filter(procedure__code="1.001193").count() == 2


def test_a_schema_differing_only_in_defaults_is_the_same_version(agencies: dict[str, Agency]) -> None:
    load(catalogue_document(procedure_document()))
    same = procedure_document()
    for spec in same["form"]["fields"]:
        if spec.get("required") is False:
            del spec["required"]
        spec["help"] = ""
    load(catalogue_document(same))
    assert FormSchema.objects.filter(procedure__code="1.001193").count() == 1


def test_bad_json_rows_are_reported_by_path_and_nothing_is_written(agencies: dict[str, Agency]) -> None:
    good = procedure_document("1.000656", name="Đăng ký khai tử")
    bad = procedure_document(
        "1.0-01",
        level="district",
        offered_by=["000.00.99.H99"],
        fees=[{"name": "Lệ phí"}],
        documents=[{"name": "Tờ khai", "count": 0}],
    )
    bad["process"]["steps"][0]["share_percent"] = 10
    bad["form"]["fields"][3]["show_if"] = {"field": "nhan_ket_qua", "equals": "fax"}
    found = problems(catalogue_document(good, bad))
    assert any(p.startswith("$.procedures[1].code:") for p in found)
    assert any(p.startswith("$.procedures[1].level: giá trị “district” không hợp lệ") for p in found)
    assert "$.procedures[1].fees[0].amount: hãy nhập mức thu (đồng) hoặc biểu phí." in found
    assert any(p.startswith("$.procedures[1].documents[0].count:") for p in found)
    assert any("Tổng thời gian các bước phải bằng 100" in p for p in found)
    assert any(p.startswith("$.procedures[1].form.fields[3].show_if.equals:") for p in found)
    assert not Procedure.objects.exists()


def test_unknown_agencies_and_fields_are_reported_before_anything_is_written(
    agencies: dict[str, Agency],
) -> None:
    bad = procedure_document("1.000656", field="khong-co", offered_by=["000.00.99.H99"])
    bad["process"]["steps"][0]["other_agency"] = "000.00.98.H99"
    found = problems(catalogue_document(procedure_document(), bad))
    assert found == [
        "$.procedures[1].field: lĩnh vực “khong-co” chưa có trong danh mục.",
        "$.procedures[1].offered_by: không có cơ quan mang mã “000.00.99.H99”.",
        "$.procedures[1].process.steps[0].other_agency: không có cơ quan mang mã “000.00.98.H99”.",
    ]
    assert not Procedure.objects.exists()


def test_bad_excel_rows_are_reported_with_sheet_and_row_and_nothing_is_imported(
    agencies: dict[str, Agency],
) -> None:
    document = two_procedures()
    document["procedures"][1]["fees"][0] = {"name": "Phí", "amount": None, "schedule": ""}
    workbook = load_workbook(BytesIO(excel_bytes(document)))
    workbook["documents"]["E3"] = "hai"  # count of the second document of the first procedure
    workbook["form_fields"]["D2"] = "ngày giờ"  # type of the first form field
    buffer = BytesIO()
    workbook.save(buffer)
    with pytest.raises(CatalogueImportError) as refused:
        read_workbook(buffer.getvalue())
    assert [str(p) for p in refused.value.problems] == [
        "trang “documents”, dòng 3, cột “count”: phải là số nguyên, không phải “hai”."
    ]
    workbook["documents"]["E3"] = 1
    buffer = BytesIO()
    workbook.save(buffer)
    found = problems(read_workbook(buffer.getvalue()))
    assert "trang “fees”, dòng 3, cột “amount”: hãy nhập mức thu (đồng) hoặc biểu phí." in found
    assert any(
        p.startswith("trang “form_fields”, dòng 2, cột “type”: Trường “ho_ten”: kiểu “ngày giờ”")
        for p in found
    )
    assert not Procedure.objects.exists()


def test_a_code_turned_into_a_number_by_excel_is_reported(agencies: dict[str, Agency]) -> None:
    workbook = load_workbook(BytesIO(excel_bytes(catalogue_document())))
    workbook["procedures"]["A2"] = 1.001193
    buffer = BytesIO()
    workbook.save(buffer)
    with pytest.raises(CatalogueImportError) as refused:
        read_workbook(buffer.getvalue())
    assert "Excel đã đổi mã thành số" in str(refused.value)


def test_the_format_and_version_are_checked() -> None:
    assert problems({"format": "other", "version": 1}) == [
        "$.format: tệp phải có “format”: “egov-catalogue” và “version”: 2."
    ]
    assert problems([]) == ["$: Tệp không chứa một đối tượng JSON."]


def test_a_dry_run_reports_without_writing(agencies: dict[str, Agency]) -> None:
    report = load(two_procedures(), dry_run=True)
    assert report.created == ["1.001193", "2.000815"]
    assert not Procedure.objects.exists()
    assert not AuditEvent.objects.exists()


def test_only_catalogue_managers_may_import(
    agencies: dict[str, Agency], monkeypatch: pytest.MonkeyPatch
) -> None:
    from egov.accounts import permissions

    official = OfficialFactory()
    root = Agency.objects.create(
        code="000.00.00.H99", name="UBND tỉnh Thử", abbreviation="UBND", kind="committee"
    )
    MembershipFactory(user=official, agency=root, role=Role.ADMINISTRATOR)
    if "procedures.manage" not in permissions.permissions_of(Role.ADMINISTRATOR):
        with pytest.raises(PermissionDenied):
            services.import_catalogue(actor=official, document=two_procedures())
        monkeypatch.setitem(
            permissions.ROLE_PERMISSIONS,
            Role.ADMINISTRATOR,
            permissions.ROLE_PERMISSIONS[Role.ADMINISTRATOR] | {"procedures.manage"},
        )
        if hasattr(official, "_egov_actor_scope"):
            del official._egov_actor_scope
    assert services.import_catalogue(actor=official, document=two_procedures()).created
    agencies["department"].parent = root  # a department: not a top-level agency
    agencies["department"].save()
    department_admin = MembershipFactory(agency=agencies["department"], role=Role.ADMINISTRATOR).user
    with pytest.raises(PermissionDenied):
        services.import_catalogue(actor=department_admin, document=two_procedures())


def test_the_commands_import_and_export_by_extension(agencies: dict[str, Agency], tmp_path: Path) -> None:
    source = tmp_path / "catalogue.json"
    source.write_text(json.dumps(two_procedures(), ensure_ascii=False), encoding="utf-8")
    call_command("import_catalogue", str(source), stdout=(out := _Sink()))
    assert "2 thủ tục tạo mới" in out.text
    for name in ("out.json", "out.xlsx"):
        call_command("export_catalogue", str(tmp_path / name), stdout=_Sink())
        assert read_catalogue_file(tmp_path / name)["procedures"][0]["code"] == "1.001193"


def test_the_import_command_lists_problems_and_fails(agencies: dict[str, Agency], tmp_path: Path) -> None:
    source = tmp_path / "bad.json"
    bad = copy.deepcopy(two_procedures())
    bad["procedures"][0]["level"] = "district"
    source.write_text(json.dumps(bad), encoding="utf-8")
    err = _Sink()
    with pytest.raises(CommandError, match="chưa ghi dữ liệu nào"):
        call_command("import_catalogue", str(source), stderr=err)
    assert "$.procedures[0].level" in err.text
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(tmp_path / "catalogue.csv"))


class _Sink:
    def __init__(self) -> None:
        self.text = ""

    def write(self, message: str) -> None:
        self.text += message

    def flush(self) -> None:
        pass


def test_fees_keep_their_kinds(agencies: dict[str, Agency]) -> None:
    load(two_procedures())
    assert list(Fee.objects.order_by("procedure__code").values_list("amount", "schedule")) == [
        (8000, ""),
        (None, "2.000 đồng/trang"),
    ]
