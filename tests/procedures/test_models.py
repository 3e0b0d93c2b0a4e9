"""Invariants the database keeps, and the procedure's processing time in the calendar's terms."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from egov.core.calendar import ProcessingTime, Unit, add_working_time, build_calendar
from egov.procedures.models import (
    Fee,
    Field,
    FormSchema,
    Procedure,
    ProcessStep,
    ProcessTemplate,
    RequiredDocument,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure() -> Procedure:
    field = Field.objects.create(code="ho-tich", name="Hộ tịch")
    return Procedure.objects.create(
        code="1.001193",
        name="Đăng ký khai sinh",
        field=field,
        level="commune",
        processing_amount=0,
        cutoff_rule=True,
    )


def refused(callable_: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()  # type: ignore[operator]


def test_the_national_code_is_unique(procedure: Procedure) -> None:
    refused(
        lambda: Procedure.objects.create(
            code="1.001193", name="x", field=procedure.field, level="commune", processing_amount=1
        )
    )


def test_a_badly_formed_code_is_refused_by_validation(procedure: Procedure) -> None:
    procedure.code = "1-001193"
    with pytest.raises(ValidationError) as error:
        procedure.full_clean()
    assert "nhóm chữ số" in str(error.value)


def test_a_same_day_procedure_with_the_cutoff_maps_onto_the_calendar(procedure: Procedure) -> None:
    assert procedure.processing_time() == ProcessingTime.same_day()
    assert procedure.same_day_cutoff() == time(15, 0)
    cal = build_calendar(years=[2026])
    from zoneinfo import ZoneInfo

    received = datetime(2026, 3, 9, 15, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    due = add_working_time(
        received, procedure.processing_time(), cal=cal, same_day_cutoff=procedure.same_day_cutoff()
    )
    assert due == datetime(2026, 3, 10, 17, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def test_every_unit_maps_onto_processing_time(procedure: Procedure) -> None:
    for unit in Unit:
        procedure.processing_amount, procedure.processing_unit = 3, unit.value
        assert procedure.processing_time() == ProcessingTime(3, unit)
    procedure.cutoff_rule = False
    assert procedure.same_day_cutoff() is None


def test_a_fee_needs_an_amount_or_a_schedule(procedure: Procedure) -> None:
    refused(lambda: Fee.objects.create(procedure=procedure, name="Lệ phí"))
    Fee.objects.create(procedure=procedure, name="Lệ phí", amount=0)
    Fee.objects.create(procedure=procedure, order=2, name="Phí", schedule="2.000 đồng/trang")


def test_documents_count_at_least_one_and_have_a_unique_order(procedure: Procedure) -> None:
    refused(lambda: RequiredDocument.objects.create(procedure=procedure, name="Tờ khai", count=0))
    RequiredDocument.objects.create(procedure=procedure, name="Tờ khai")
    refused(lambda: RequiredDocument.objects.create(procedure=procedure, name="Khác"))


def test_a_step_needs_an_actor_and_a_share_between_1_and_100(procedure: Procedure) -> None:
    template = ProcessTemplate.objects.create(procedure=procedure, name="Quy trình")
    refused(lambda: ProcessStep.objects.create(template=template, order=1, name="Bước", share_percent=50))
    refused(
        lambda: ProcessStep.objects.create(
            template=template, order=1, name="Bước", role="specialist", share_percent=0
        )
    )
    ProcessStep.objects.create(
        template=template, order=1, name="Bước", division_abbreviation="MC", share_percent=100
    )


def test_only_one_schema_version_is_current(procedure: Procedure) -> None:
    FormSchema.objects.create(procedure=procedure, version=1, title="Tờ khai", fields=[])
    refused(lambda: FormSchema.objects.create(procedure=procedure, version=2, title="Tờ khai", fields=[]))
    refused(
        lambda: FormSchema.objects.create(
            procedure=procedure, version=1, is_current=False, title="T", fields=[]
        )
    )
    FormSchema.objects.create(procedure=procedure, version=2, is_current=False, title="Tờ khai", fields=[])
    assert str(FormSchema.objects.get(version=2)) == "Tờ khai (phiên bản 2)"
