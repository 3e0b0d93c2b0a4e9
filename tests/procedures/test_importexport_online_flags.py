"""Format version 2: ``accepts_docx`` and ``filled_online`` in JSON and Excel, old files still import."""

from __future__ import annotations

import json
from io import BytesIO
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from egov.core.models import AuditEvent
from egov.organizations.models import Agency
from egov.procedures import services
from egov.procedures.importexport import FORMAT_VERSION, CatalogueImportError, parse_catalogue
from egov.procedures.importexport.excel_file import read_workbook, write_workbook
from egov.procedures.importexport.export import export_catalogue
from egov.procedures.models import Procedure, RequiredDocument
from tests.procedures.conftest import catalogue_document, procedure_document


def load(document: dict[str, Any]) -> services.ImportReport:
    return services.import_catalogue(actor=None, document=document)


def problems(document: object) -> list[str]:
    with pytest.raises(CatalogueImportError) as refused:
        services.import_catalogue(actor=None, document=document)
    return [str(p) for p in refused.value.problems]


def excel_bytes(document: dict[str, Any]) -> bytes:
    buffer = BytesIO()
    write_workbook(document, buffer)
    return buffer.getvalue()


def saved(book: Workbook) -> bytes:
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def column_of(book: Workbook, sheet: str, name: str) -> int:
    header = [cell.value for cell in book[sheet][1]]
    return header.index(name) + 1


def flagged(code: str = "1.001193", **overrides: Any) -> dict[str, Any]:
    """A procedure accepting DOCX whose first document (the declaration) is filled online."""
    data = procedure_document(code, accepts_docx=True, **overrides)
    data["documents"][0]["filled_online"] = True
    return data


def without_flags(document: dict[str, Any]) -> dict[str, Any]:
    """The same document as a version 1 file, which has neither attribute."""
    for procedure in document["procedures"]:
        procedure.pop("accepts_docx", None)
        for item in procedure["documents"]:
            item.pop("filled_online", None)
    document["version"] = 1
    return document


def stored_flags(code: str = "1.001193") -> tuple[bool, list[bool]]:
    procedure = Procedure.objects.get(code=code)
    return procedure.accepts_docx, [d.filled_online for d in procedure.documents.order_by("order")]


# --- Round trips ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_json_round_trip_keeps_accepts_docx_and_filled_online(agencies: dict[str, Agency]) -> None:
    load(catalogue_document(flagged(), procedure_document("1.000656", name="Đăng ký khai tử")))
    exported = export_catalogue()
    assert exported["version"] == FORMAT_VERSION == 2
    khai_tu, khai_sinh = exported["procedures"]  # by code
    assert khai_sinh["accepts_docx"] is True and khai_tu["accepts_docx"] is False
    assert [d["filled_online"] for d in khai_sinh["documents"]] == [True, False]
    Procedure.objects.all().delete()
    load(json.loads(json.dumps(exported)))
    assert stored_flags() == (True, [True, False])
    assert stored_flags("1.000656") == (False, [False, False])
    assert export_catalogue() == exported


@pytest.mark.django_db
def test_the_excel_round_trip_keeps_accepts_docx_and_filled_online(agencies: dict[str, Agency]) -> None:
    load(catalogue_document(flagged(), procedure_document("1.000656", name="Đăng ký khai tử")))
    exported = export_catalogue()
    content = excel_bytes(exported)
    book = load_workbook(BytesIO(content))
    assert book["about"]["B2"].value == 2
    docx = column_of(book, "procedures", "accepts_docx")
    assert [book["procedures"].cell(row, docx).value for row in (2, 3)] == [False, True]  # by code
    online = column_of(book, "documents", "filled_online")
    assert [book["documents"].cell(row, online).value for row in range(2, 6)].count(True) == 1
    Procedure.objects.all().delete()
    load(read_workbook(content))
    assert stored_flags() == (True, [True, False])
    assert export_catalogue() == exported


@pytest.mark.django_db
def test_excel_accepts_co_and_khong_for_the_new_columns(agencies: dict[str, Agency]) -> None:
    book = load_workbook(BytesIO(excel_bytes(catalogue_document())))
    book["procedures"].cell(2, column_of(book, "procedures", "accepts_docx")).value = "có"
    online = column_of(book, "documents", "filled_online")
    book["documents"].cell(2, online).value = "có"
    book["documents"].cell(3, online).value = "không"
    load(read_workbook(saved(book)))
    assert stored_flags() == (True, [True, False])


@pytest.mark.django_db
def test_changing_only_a_flag_updates_in_place(agencies: dict[str, Agency]) -> None:
    load(catalogue_document(procedure_document()))
    ids = list(RequiredDocument.objects.order_by("order").values_list("pk", flat=True))
    report = load(catalogue_document(flagged()))
    assert report.updated == ["1.001193"]
    assert stored_flags() == (True, [True, False])
    assert list(RequiredDocument.objects.order_by("order").values_list("pk", flat=True)) == ids
    assert not load(catalogue_document(flagged())).changed


# --- Older files ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_version_1_json_file_without_the_flags_imports_with_defaults(agencies: dict[str, Agency]) -> None:
    report = load(without_flags(catalogue_document(procedure_document())))
    assert report.created == ["1.001193"]
    assert stored_flags() == (False, [False, False])


@pytest.mark.django_db
def test_a_version_1_file_leaves_flags_set_since_unchanged(agencies: dict[str, Agency]) -> None:
    """An old file cannot say either value, so re-importing it keeps what an administrator set."""
    load(catalogue_document(flagged()))
    before = AuditEvent.objects.count()
    report = load(without_flags(catalogue_document(procedure_document())))
    assert report.unchanged == ["1.001193"] and not report.changed
    assert stored_flags() == (True, [True, False])
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_a_version_2_file_omitting_the_flags_means_false(agencies: dict[str, Agency]) -> None:
    load(catalogue_document(flagged()))
    report = load(catalogue_document(procedure_document()))
    assert report.updated == ["1.001193"]
    assert stored_flags() == (False, [False, False])


@pytest.mark.django_db
def test_a_version_1_workbook_without_the_new_columns_imports_with_defaults(
    agencies: dict[str, Agency],
) -> None:
    book = load_workbook(BytesIO(excel_bytes(catalogue_document(flagged()))))
    book["about"]["B2"] = 1
    book["procedures"].delete_cols(column_of(book, "procedures", "accepts_docx"))
    book["documents"].delete_cols(column_of(book, "documents", "filled_online"))
    document = read_workbook(saved(book))
    assert "accepts_docx" not in document["procedures"][0]
    load(document)
    assert stored_flags() == (False, [False, False])


# --- Bad values ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bad_flag_values_in_json_are_reported_by_path_and_nothing_is_written(
    agencies: dict[str, Agency],
) -> None:
    good = flagged("1.000656", name="Đăng ký khai tử")
    bad = procedure_document(accepts_docx="có")
    bad["documents"][1]["filled_online"] = None
    assert problems(catalogue_document(good, bad)) == [
        "$.procedures[1].accepts_docx: phải là true hoặc false.",
        "$.procedures[1].documents[1].filled_online: phải là true hoặc false.",
    ]
    assert not Procedure.objects.exists()


@pytest.mark.django_db
def test_bad_flag_values_in_excel_are_reported_with_sheet_and_row_and_nothing_is_imported(
    agencies: dict[str, Agency],
) -> None:
    document = catalogue_document(procedure_document("1.000656", name="Đăng ký khai tử"), flagged())
    book = load_workbook(BytesIO(excel_bytes(document)))
    book["procedures"].cell(3, column_of(book, "procedures", "accepts_docx")).value = "có lẽ"
    book["documents"].cell(4, column_of(book, "documents", "filled_online")).value = 2
    with pytest.raises(CatalogueImportError) as refused:
        load(read_workbook(saved(book)))
    assert [str(p) for p in refused.value.problems] == [
        "trang “procedures”, dòng 3, cột “accepts_docx”: ghi “có” hoặc “không”, không phải “có lẽ”.",
        "trang “documents”, dòng 4, cột “filled_online”: ghi “có” hoặc “không”, không phải “2”.",
    ]
    assert not Procedure.objects.exists()


# --- Without the database ------------------------------------------------------------------------


@given(docx=st.booleans(), online=st.lists(st.booleans(), min_size=2, max_size=2))
def test_any_flags_survive_writing_and_reading_a_workbook(docx: bool, online: list[bool]) -> None:
    procedure = procedure_document(accepts_docx=docx)
    for item, value in zip(procedure["documents"], online, strict=True):
        item["filled_online"] = value
    catalogue, found = parse_catalogue(read_workbook(excel_bytes(catalogue_document(procedure))))
    assert not found and catalogue is not None
    (row,) = catalogue.procedures
    assert row.accepts_docx is docx
    assert [d.filled_online for d in row.documents] == online


@given(version=st.sampled_from([1, 2]), docx=st.none() | st.booleans())
def test_an_absent_flag_is_unsaid_in_version_1_and_false_in_version_2(
    version: int, docx: bool | None
) -> None:
    procedure = procedure_document() if docx is None else procedure_document(accepts_docx=docx)
    catalogue, found = parse_catalogue(catalogue_document(procedure, version=version))
    assert not found and catalogue is not None
    row = catalogue.procedures[0]
    expected = docx if docx is not None else (None if version == 1 else False)
    assert row.accepts_docx is expected
    assert [d.filled_online for d in row.documents] == [None if version == 1 else False] * 2


@pytest.mark.parametrize("version", [0, 3, True, 2.0, "2", None])
def test_only_versions_1_and_2_are_read(version: object) -> None:
    catalogue, found = parse_catalogue({"format": "egov-catalogue", "version": version, "procedures": []})
    assert catalogue is None
    assert [str(p) for p in found] == ["$.format: tệp phải có “format”: “egov-catalogue” và “version”: 2."]
