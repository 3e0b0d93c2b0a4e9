"""Catalogue reads: what each selector returns and how many queries it takes."""

from __future__ import annotations

from typing import Any

import pytest

from egov.organizations.models import Agency
from egov.procedures import selectors, services
from egov.procedures.models import Procedure
from tests.procedures.conftest import DEPARTMENT_CODE, catalogue_document, procedure_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(agencies: dict[str, Agency]) -> dict[str, Agency]:
    procedures = [procedure_document(f"1.00{n}", name=f"Thủ tục {n}") for n in range(5)]
    procedures.append(procedure_document("2.0001", name="Thủ tục của Sở", offered_by=[DEPARTMENT_CODE]))
    procedures.append(procedure_document("2.0002", name="Thủ tục đã bãi bỏ", is_active=False))
    services.import_catalogue(actor=None, document=catalogue_document(*procedures))
    return agencies


def test_active_procedures_leave_out_repealed_ones_in_one_query(
    catalogue: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        rows = [(p.code, p.field.name) for p in selectors.active_procedures()]
    assert len(rows) == 6 and "2.0002" not in {code for code, _ in rows}


def test_procedures_offered_by_an_agency_load_fees_and_documents_in_three_queries(
    catalogue: dict[str, Agency], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(3):
        found = [
            (p.code, p.field.name, len(p.fees.all()), len(p.documents.all()))
            for p in selectors.procedures_offered_by(catalogue["commune"])
        ]
    assert [row[0] for row in found] == ["1.000", "1.001", "1.002", "1.003", "1.004"]
    assert found[0][2:] == (1, 2)
    assert [p.code for p in selectors.procedures_offered_by(catalogue["department"].pk)] == ["2.0001"]


def test_procedure_by_code_loads_everything_the_desk_shows_in_a_fixed_number_of_queries(
    catalogue: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(6):
        procedure = selectors.procedure_by_code("1.001")
        schema = selectors.current_form_schema(procedure)
        steps = [(s.name, s.other_agency) for s in procedure.process_template.steps.all()]
        parts = (
            procedure.field.name,
            list(procedure.offered_by.all()),
            list(procedure.fees.all()),
            list(procedure.documents.all()),
        )
    assert schema is not None and schema.version == 1
    assert [name for name, _ in steps] == ["Tiếp nhận", "Thẩm định", "Phê duyệt"]
    assert parts[0] == "Hộ tịch" and len(parts[3]) == 2
    with pytest.raises(Procedure.DoesNotExist):
        selectors.procedure_by_code("9.999")


def test_a_schema_version_stays_readable_after_a_new_one(catalogue: Any) -> None:
    procedure = Procedure.objects.get(code="1.001")
    services.publish_form_schema(
        actor=None,
        procedure=procedure,
        title="Tờ khai mới",
        fields=[{"key": "a", "label": "A", "type": "text"}],
    )
    assert selectors.current_form_schema(procedure).version == 2  # type: ignore[union-attr]
    assert selectors.form_schema_version(procedure, 1).title == "Tờ khai đăng ký khai sinh"
