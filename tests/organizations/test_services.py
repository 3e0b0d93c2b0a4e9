"""Agency, division, position and membership services: validation, permission, audit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from egov.accounts.permissions import ROLE_PERMISSIONS
from egov.core.models.audit import AuditEvent
from egov.organizations import services
from egov.organizations.models import Agency, Division, Membership, Position, Role

pytestmark = pytest.mark.django_db


def _create_department(actor: Any, parent: Agency, code: str = "000.00.05.H49") -> Agency:
    return services.create_agency(
        actor=actor,
        code=code,
        name="Sở Xây dựng",
        abbreviation="SXD",
        kind=Agency.Kind.DEPARTMENT,
        parent=parent,
    )


def test_managing_roles_are_the_roles_that_hold_organizations_manage() -> None:
    holders = {
        role for role, permissions in ROLE_PERMISSIONS.items() if "organizations.manage" in permissions
    }
    assert holders == services.MANAGING_ROLES


# --- create_agency --------------------------------------------------------------------------


def test_an_administrator_of_the_province_creates_a_department_and_it_is_audited(
    province_committee: Agency, make_official: Callable[..., Any]
) -> None:
    admin = make_official("qt.ubnd", province_committee, Role.ADMINISTRATOR)

    agency = _create_department(admin, province_committee)

    assert Agency.objects.get(code="000.00.05.H49").parent == province_committee
    event = AuditEvent.objects.get(action="organizations.create_agency")
    assert (event.actor_id, event.object_id) == (str(admin.pk), str(agency.pk))
    assert event.details == {
        "code": "000.00.05.H49",
        "name": "Sở Xây dựng",
        "kind": "department",
        "parent": "000.00.00.H49",
    }


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("000.00.05.h49", "chữ in hoa"),
        ("000..05.H49", "nhóm rỗng"),
        ("000.00.05.HĐ9", "không dấu"),
        ("", "không được để trống"),
    ],
)
def test_an_invalid_electronic_id_is_refused_on_the_code_field_in_vietnamese(
    province_committee: Agency, code: str, words: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        _create_department(None, province_committee, code=code)

    assert words in raised.value.message_dict["code"][0]
    assert not Agency.objects.filter(name="Sở Xây dựng").exists()
    assert not AuditEvent.objects.exists()


def test_an_electronic_id_already_taken_is_refused(province_committee: Agency) -> None:
    with pytest.raises(ValidationError) as raised:
        _create_department(None, province_committee, code="000.00.00.H49")
    assert "code" in raised.value.message_dict


def test_a_specialist_may_not_create_an_agency(
    province_committee: Agency, make_official: Callable[..., Any]
) -> None:
    specialist = make_official("cv.ubnd", province_committee, Role.SPECIALIST)
    with pytest.raises(PermissionDenied):
        _create_department(specialist, province_committee)


def test_an_administrator_elsewhere_may_not_create_an_agency_here(
    province_committee: Agency, make_official: Callable[..., Any]
) -> None:
    other = Agency.objects.create(
        code="000.00.00.H56", name="UBND tỉnh Thanh Hóa", abbreviation="UBND", kind="committee"
    )
    admin = make_official("qt.thanhhoa", other, Role.ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        _create_department(admin, province_committee)


def test_an_inactive_administrator_membership_gives_no_right(
    province_committee: Agency, make_official: Callable[..., Any]
) -> None:
    admin = make_official("qt.ubnd", province_committee, Role.ADMINISTRATOR)
    Membership.objects.filter(user=admin).update(is_active=False)
    with pytest.raises(PermissionDenied):
        _create_department(admin, province_committee)


def test_only_a_superuser_creates_a_top_level_agency(
    province_committee: Agency, make_official: Callable[..., Any]
) -> None:
    admin = make_official("qt.ubnd", province_committee, Role.ADMINISTRATOR)
    root = get_user_model().objects.create_superuser(
        username="root", email="root@example.vn", password="x" * 12
    )
    kwargs: dict[str, Any] = {"code": "000.00.00.H56", "name": "UBND tỉnh Thanh Hóa", "abbreviation": "UBND"}

    with pytest.raises(PermissionDenied):
        services.create_agency(actor=admin, kind=Agency.Kind.COMMITTEE, **kwargs)
    assert services.create_agency(actor=root, kind=Agency.Kind.COMMITTEE, **kwargs).parent is None


# --- update_agency --------------------------------------------------------------------------


def test_updating_an_agency_records_what_changed(
    department: Agency, province_committee: Agency, make_official: Callable[..., Any]
) -> None:
    admin = make_official("qt.ubnd", province_committee, Role.ADMINISTRATOR)  # manages the children too

    services.update_agency(
        actor=admin, agency=department, name="Sở Tư pháp tỉnh Quảng Ninh", phone="0203 3835 xxx"
    )

    department.refresh_from_db()
    assert department.name == "Sở Tư pháp tỉnh Quảng Ninh"
    event = AuditEvent.objects.get(action="organizations.update_agency")
    assert event.details == {
        "changes": {
            "name": ["Sở Tư pháp", "Sở Tư pháp tỉnh Quảng Ninh"],
            "phone": ["", "0203 3835 xxx"],
        }
    }


def test_an_update_that_changes_nothing_writes_nothing(department: Agency) -> None:
    services.update_agency(actor=None, agency=department, name=department.name)
    assert not AuditEvent.objects.exists()


def test_an_update_to_an_invalid_electronic_id_is_refused(department: Agency) -> None:
    with pytest.raises(ValidationError) as raised:
        services.update_agency(actor=None, agency=department, code="000.00.12.h49")
    assert "chữ in hoa" in raised.value.message_dict["code"][0]
    department.refresh_from_db()
    assert department.code == "000.00.12.H49"


def test_an_agency_may_not_be_moved_under_its_own_child(
    department: Agency, province_committee: Agency
) -> None:
    with pytest.raises(ValidationError) as raised:
        services.update_agency(actor=None, agency=province_committee, parent=department)
    assert "cơ quan cấp dưới" in raised.value.message_dict["parent"][0]


def test_the_parent_and_the_unit_are_audited_by_their_codes(department: Agency) -> None:
    other = Agency.objects.create(
        code="000.00.00.H56", name="UBND tỉnh Thanh Hóa", abbreviation="UBND", kind="committee"
    )
    services.update_agency(actor=None, agency=department, parent=other)
    assert AuditEvent.objects.get().details == {"changes": {"parent": ["000.00.00.H49", "000.00.00.H56"]}}


# --- divisions, positions, memberships -------------------------------------------------------


def test_a_division_is_added_and_audited(department: Agency) -> None:
    desk = services.add_division(
        actor=None, agency=department, name="Bộ phận Một cửa", abbreviation="MC", is_one_stop_desk=True
    )
    assert desk.is_one_stop_desk
    assert AuditEvent.objects.get(action="organizations.add_division").object_id == str(desk.pk)


def test_two_divisions_of_one_agency_may_not_share_an_abbreviation(department: Agency) -> None:
    services.add_division(actor=None, agency=department, name="Văn phòng", abbreviation="VP")
    with pytest.raises(ValidationError):
        services.add_division(actor=None, agency=department, name="Văn phòng 2", abbreviation="VP")


def test_a_specialist_may_not_add_a_division(department: Agency, make_official: Callable[..., Any]) -> None:
    specialist = make_official("cv.stp", department, Role.SPECIALIST)
    with pytest.raises(PermissionDenied):
        services.add_division(actor=specialist, agency=department, name="Văn phòng", abbreviation="VP")


def test_a_position_in_a_division_of_another_agency_is_refused(
    department: Agency, province_committee: Agency
) -> None:
    office = Division.objects.create(agency=province_committee, name="Văn phòng", abbreviation="VP")
    with pytest.raises(ValidationError) as raised:
        services.add_position(
            actor=None, agency=department, title="Chuyên viên", kind=Position.Kind.SPECIALIST, division=office
        )
    assert "không thuộc Sở Tư pháp" in raised.value.message_dict["division"][0]


def test_a_position_is_added_and_audited(department: Agency) -> None:
    head = services.add_position(actor=None, agency=department, title="Giám đốc", kind=Position.Kind.HEAD)
    assert AuditEvent.objects.get(action="organizations.add_position").object_id == str(head.pk)


def test_an_official_gets_a_role_with_division_and_position(
    department: Agency, make_official: Callable[..., Any]
) -> None:
    desk = Division.objects.create(
        agency=department, name="Bộ phận Một cửa", abbreviation="MC", is_one_stop_desk=True
    )
    post = Position.objects.create(agency=department, division=desk, title="Chuyên viên", kind="specialist")
    officer = make_official("mc.stp")

    membership = services.add_membership(
        actor=None, user=officer, agency=department, role=Role.ONE_STOP_OFFICER, division=desk, position=post
    )

    assert (membership.division, membership.position) == (desk, post)
    assert AuditEvent.objects.get(action="organizations.add_membership").details == {
        "user": "mc.stp",
        "agency": "000.00.12.H49",
        "division": "MC",
        "role": "one_stop_officer",
    }


def test_a_citizen_may_not_be_given_a_role(department: Agency, citizen: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        services.add_membership(actor=None, user=citizen, agency=department, role=Role.SPECIALIST)
    assert "cán bộ, công chức" in raised.value.message_dict["user"][0]


def test_the_same_role_twice_in_the_same_place_is_refused_in_vietnamese(
    department: Agency, make_official: Callable[..., Any]
) -> None:
    official = make_official("cv.stp", department, Role.SPECIALIST)
    with pytest.raises(ValidationError, match="đã có vai trò Chuyên viên tại Sở Tư pháp"):
        services.add_membership(actor=None, user=official, agency=department, role=Role.SPECIALIST)


def test_a_position_of_another_division_is_refused(
    department: Agency, make_official: Callable[..., Any]
) -> None:
    office = Division.objects.create(agency=department, name="Văn phòng", abbreviation="VP")
    desk = Division.objects.create(agency=department, name="Bộ phận Một cửa", abbreviation="MC")
    clerk_post = Position.objects.create(agency=department, division=office, title="Văn thư", kind="clerk")
    with pytest.raises(ValidationError) as raised:
        services.add_membership(
            actor=None,
            user=make_official("vt.stp"),
            agency=department,
            role=Role.CLERK,
            division=desk,
            position=clerk_post,
        )
    assert "đơn vị khác" in raised.value.message_dict["position"][0]


def test_an_administrator_of_the_agency_gives_roles_there(
    department: Agency, make_official: Callable[..., Any]
) -> None:
    admin = make_official("qt.stp", department, Role.ADMINISTRATOR)
    membership = services.add_membership(
        actor=admin, user=make_official("cv.stp"), agency=department, role=Role.SPECIALIST
    )
    assert membership.pk is not None
