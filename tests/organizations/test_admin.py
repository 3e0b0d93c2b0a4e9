"""The organisations admin: Vietnamese validation, writes through the services, bounded queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from egov.core.models.audit import AuditEvent
from egov.organizations.models import AdministrativeUnit, Agency, Division, Membership, Position, Role
from egov.organizations.services import load_administrative_units

pytestmark = pytest.mark.django_db

AGENCY_FORM = {
    "code": "000.00.05.H49",
    "name": "Sở Xây dựng",
    "abbreviation": "SXD",
    "kind": "department",
    "parent": "",
    "administrative_unit": "",
    "address": "",
    "phone": "",
    "email": "",
    "website": "",
    "is_active": "on",
    "divisions-TOTAL_FORMS": "0",
    "divisions-INITIAL_FORMS": "0",
    "divisions-MIN_NUM_FORMS": "0",
    "divisions-MAX_NUM_FORMS": "1000",
}


def test_an_agency_with_a_lowercase_electronic_id_is_refused_in_vietnamese(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:organizations_agency_add"), {**AGENCY_FORM, "code": "000.00.05.h49"}
    )

    assert response.status_code == 200
    assert "chỉ gồm chữ số 0-9 và chữ in hoa A-Z" in response.content.decode()
    assert not Agency.objects.exists()


def test_an_agency_added_in_the_admin_goes_through_the_service_and_is_audited(
    admin_client: Client, province_committee: Agency
) -> None:
    response = admin_client.post(
        reverse("admin:organizations_agency_add"),
        {
            **AGENCY_FORM,
            "parent": str(province_committee.pk),
            "divisions-TOTAL_FORMS": "1",
            "divisions-0-name": "Văn phòng Sở",
            "divisions-0-abbreviation": "VP",
        },
    )

    assert response.status_code == 302, response.content.decode()
    agency = Agency.objects.get(code="000.00.05.H49")
    assert agency.parent == province_committee
    assert agency.divisions.get().abbreviation == "VP"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"organizations.create_agency", "organizations.add_division"} <= actions


def test_an_agency_changed_in_the_admin_is_audited_with_its_changes(
    admin_client: Client, department: Agency
) -> None:
    url = reverse("admin:organizations_agency_change", args=[department.pk])
    form = {
        **AGENCY_FORM,
        "code": department.code,
        "name": "Sở Tư pháp tỉnh Quảng Ninh",
        "abbreviation": "STP",
    }
    form["parent"] = str(department.parent_id)

    response = admin_client.post(url, form)

    assert response.status_code == 302, response.content.decode()
    event = AuditEvent.objects.get(action="organizations.update_agency")
    assert event.details["changes"]["name"] == ["Sở Tư pháp", "Sở Tư pháp tỉnh Quảng Ninh"]


def test_an_agency_cannot_be_put_under_its_own_child_in_the_admin(
    admin_client: Client, department: Agency, province_committee: Agency
) -> None:
    url = reverse("admin:organizations_agency_change", args=[province_committee.pk])
    form = {
        **AGENCY_FORM,
        "code": province_committee.code,
        "name": province_committee.name,
        "kind": "committee",
    }
    form["abbreviation"], form["parent"] = "UBND", str(department.pk)

    response = admin_client.post(url, form)

    assert response.status_code == 200
    assert "cơ quan cấp dưới" in response.content.decode()


def test_administrative_units_cannot_be_added_or_deleted_in_the_admin(admin_client: Client) -> None:
    load_administrative_units(province_code=96)
    unit = AdministrativeUnit.objects.get(code="31825")

    assert admin_client.get(reverse("admin:organizations_administrativeunit_add")).status_code == 403
    delete_url = reverse("admin:organizations_administrativeunit_delete", args=[unit.pk])
    assert admin_client.get(delete_url).status_code == 403


def test_administrative_units_are_searchable_by_name(admin_client: Client) -> None:
    load_administrative_units(province_code=96)
    response = admin_client.get(
        reverse("admin:organizations_administrativeunit_changelist"), {"q": "Đất Mũi"}
    )
    assert "Xã Đất Mũi" in response.content.decode()


def _populate(make_official: Callable[..., Any], agency: Agency, count: int) -> None:
    division = Division.objects.create(agency=agency, name="Văn phòng", abbreviation="VP")
    position = Position.objects.create(
        agency=agency, division=division, title="Chuyên viên", kind="specialist"
    )
    for index in range(count):
        user = make_official(f"cv{index}")
        Membership.objects.create(
            user=user, agency=agency, division=division, position=position, role=Role.SPECIALIST
        )


@pytest.mark.parametrize("model", ["administrativeunit", "agency", "division", "position", "membership"])
def test_change_lists_use_a_fixed_number_of_queries(
    admin_client: Client,
    department: Agency,
    make_official: Callable[..., Any],
    django_assert_max_num_queries: Any,
    model: str,
) -> None:
    load_administrative_units(province_code=96)
    _populate(make_official, department, 20)
    url = reverse(f"admin:organizations_{model}_changelist")

    with django_assert_max_num_queries(12):
        response = admin_client.get(url)

    assert response.status_code == 200


def test_a_membership_added_in_the_admin_goes_through_the_service(
    admin_client: Client, department: Agency, make_official: Callable[..., Any]
) -> None:
    official = make_official("mc.stp")
    response = admin_client.post(
        reverse("admin:organizations_membership_add"),
        {
            "user": str(official.pk),
            "agency": str(department.pk),
            "role": Role.ONE_STOP_OFFICER,
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()
    assert Membership.objects.get(user=official).role == Role.ONE_STOP_OFFICER
    assert AuditEvent.objects.filter(action="organizations.add_membership").count() == 1


def test_the_admin_autocomplete_finds_a_commune_for_an_agency(admin_client: Client) -> None:
    load_administrative_units(province_code=96)
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Bạc Liêu",
            "app_label": "organizations",
            "model_name": "agency",
            "field_name": "administrative_unit",
        },
    )
    assert response.status_code == 200
    assert "Phường Bạc Liêu" in {item["text"] for item in response.json()["results"]}


def test_a_membership_deleted_in_the_admin_leaves_an_audit_event(
    admin_client: Client, department: Agency, make_official: Callable[..., Any]
) -> None:
    official = make_official("cv.stp", department, Role.SPECIALIST)
    membership = Membership.objects.get(user=official)

    response = admin_client.post(
        reverse("admin:organizations_membership_delete", args=[membership.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Membership.objects.exists()
    event = AuditEvent.objects.get(action="organizations.delete_membership")
    assert event.object_id == str(membership.pk)
