"""Sub-assignment inside the lead's unit, within the document's deadline."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from egov.documents import services
from egov.documents.models import Assignment
from egov.organizations.models import Role
from tests.documents.conftest import assigned, assigned_to_unit, member, register
from tests.documents.test_views import signed_in


def test_the_lead_hands_part_of_the_work_to_a_colleague(world):
    document = assigned(world)
    helper = member(world.agency, Role.SPECIALIST, world.division)
    line = services.sub_assign(actor=world.specialist, document=document, assignee=helper, role="cooperate")
    assert (line.assignee, line.deadline, line.assigned_by) == (helper, date(2026, 12, 10), world.specialist)
    services.add_opinion(actor=helper, document=document, text="Đã rà soát phần số liệu.")


def test_sub_assignment_stays_inside_the_unit_and_the_deadline(world):
    document = assigned(world)
    stranger = member(world.agency, Role.SPECIALIST, world.office)
    with pytest.raises(ValidationError, match="trong đơn vị"):
        services.sub_assign(actor=world.specialist, document=document, assignee=stranger, role="cooperate")
    with pytest.raises(ValidationError, match="sau hạn"):
        services.sub_assign(
            actor=world.specialist,
            document=document,
            assignee=world.head,
            role="cooperate",
            deadline=date(2027, 1, 1),
        )
    with pytest.raises(ValidationError, match="chủ trì do lãnh đạo giao"):
        services.sub_assign(actor=world.specialist, document=document, assignee=world.head, role="lead")


def test_only_those_leading_may_sub_assign(world):
    document = assigned(world)
    services.sub_assign(actor=world.specialist, document=document, assignee=world.head, role="inform")
    with pytest.raises(PermissionDenied):  # for information only
        services.sub_assign(actor=world.head, document=document, assignee=world.colleague, role="inform")
    registered = register(world, notation="9/X")
    with pytest.raises(PermissionDenied):
        services.sub_assign(
            actor=world.specialist, document=registered, assignee=world.colleague, role="inform"
        )


def test_the_head_of_an_assigned_unit_sub_assigns_on_the_page(world):
    document = assigned_to_unit(world)
    client = signed_in(world.head)
    page = client.get(reverse("documents:incoming_detail", args=[document.pk])).content.decode()
    assert "Giao tiếp trong đơn vị" in page
    response = client.post(
        reverse("documents:incoming_sub_assign", args=[document.pk]),
        {"assignee": world.specialist.pk, "role": "cooperate"},
    )
    assert response.status_code == 302
    assert Assignment.objects.filter(document=document, assignee=world.specialist, role="cooperate").exists()
