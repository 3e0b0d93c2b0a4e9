"""The catalogue admin: lists load with few queries; a schema with problems is refused in Vietnamese."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from egov.organizations.models import Agency
from egov.procedures import services
from egov.procedures.models import FormSchema, Procedure
from tests.procedures.conftest import catalogue_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_with_catalogue(admin_client: Client, agencies: dict[str, Agency]) -> Client:
    services.import_catalogue(actor=None, document=catalogue_document())
    return admin_client


@pytest.mark.parametrize("model", ["procedure", "field", "processtemplate", "formschema"])
def test_the_lists_and_forms_load(admin_client_with_catalogue: Client, model: str) -> None:
    assert admin_client_with_catalogue.get(reverse(f"admin:procedures_{model}_changelist")).status_code == 200
    assert admin_client_with_catalogue.get(reverse(f"admin:procedures_{model}_add")).status_code == 200


def test_a_procedure_and_a_schema_version_open(admin_client_with_catalogue: Client) -> None:
    procedure = Procedure.objects.get()
    assert (
        admin_client_with_catalogue.get(
            reverse("admin:procedures_procedure_change", args=[procedure.pk])
        ).status_code
        == 200
    )
    schema = FormSchema.objects.get()
    page = admin_client_with_catalogue.get(reverse("admin:procedures_formschema_change", args=[schema.pk]))
    assert page.status_code == 200
    assert "ho_ten" in page.content.decode()


def test_publishing_a_schema_with_problems_shows_them_in_vietnamese(
    admin_client_with_catalogue: Client,
) -> None:
    procedure = Procedure.objects.get()
    fields: list[dict[str, Any]] = [{"key": "a", "label": "A", "type": "ngày"}]
    page = admin_client_with_catalogue.post(
        reverse("admin:procedures_formschema_add"),
        {"procedure": procedure.pk, "title": "Tờ khai", "fields_json": json.dumps(fields)},
    )
    assert "kiểu “ngày” không hợp lệ" in page.content.decode()
    fields[0]["type"] = "date"
    page = admin_client_with_catalogue.post(
        reverse("admin:procedures_formschema_add"),
        {"procedure": procedure.pk, "title": "Tờ khai", "fields_json": json.dumps(fields)},
    )
    assert page.status_code == 302
    assert [(s.version, s.is_current) for s in FormSchema.objects.order_by("version")] == [
        (1, False),
        (2, True),
    ]


def test_step_shares_that_do_not_add_up_are_refused_in_the_admin(admin_client_with_catalogue: Client) -> None:
    from egov.procedures.models import ProcessTemplate

    template = ProcessTemplate.objects.get()
    url = reverse("admin:procedures_processtemplate_change", args=[template.pk])
    data: dict[str, Any] = {
        "procedure": template.procedure_id,
        "name": template.name,
        "note": "",
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "3",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for index, step in enumerate(template.steps.order_by("order")):
        data |= {
            f"steps-{index}-id": step.pk,
            f"steps-{index}-template": template.pk,
            f"steps-{index}-order": step.order,
            f"steps-{index}-name": step.name,
            f"steps-{index}-role": step.role,
            f"steps-{index}-division_abbreviation": step.division_abbreviation,
            f"steps-{index}-share_percent": 10,
        }
    page = admin_client_with_catalogue.post(url, data)
    assert "Tổng thời gian các bước phải bằng 100 %; hiện là 30 %." in page.content.decode()
    data |= {"steps-0-share_percent": 80}
    assert admin_client_with_catalogue.post(url, data).status_code == 302


def test_illustrative_procedures_carry_a_notice_on_screen(agencies: dict[str, Agency]) -> None:
    from django.template.loader import render_to_string

    procedure = Procedure(is_illustrative=True)
    assert "Dữ liệu minh họa" in render_to_string(
        "procedures/includes/illustrative_notice.html", {"procedure": procedure}
    )
    procedure.is_illustrative = False
    assert "minh họa" not in render_to_string(
        "procedures/includes/illustrative_notice.html", {"procedure": procedure}
    )
