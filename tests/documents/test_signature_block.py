"""The signature block of a composed document names the agency's head, not a division head (DOMAIN.md §2).

A division head's post is also of kind HEAD ("Trưởng phòng"); the head title above the signature
(GIÁM ĐỐC, KT. GIÁM ĐỐC) is the agency's own head post, the one without a division.
"""

from __future__ import annotations

import pytest

from egov.documents import extraction, rules, services
from egov.documents.models import OutgoingDocument, OutgoingVersion
from egov.documents.services.outgoing import _signature_lines
from egov.organizations.models import Membership, Position, Role
from tests.documents.conftest import World, composed_draft, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def department(world: World) -> World:
    """The Department of Justice of the fixtures, with a division head holding "Trưởng phòng"."""
    head_post = Position.objects.create(
        agency=world.agency, division=world.division, title="Trưởng phòng", kind=Position.Kind.HEAD
    )
    Membership.objects.filter(user=world.head, agency=world.agency).update(position=head_post)
    # Another division head appointed after the director: the order of memberships must not matter.
    other_post = Position.objects.create(
        agency=world.agency, division=world.office, title="Chánh Văn phòng", kind=Position.Kind.HEAD
    )
    member(world.agency, Role.DIVISION_HEAD, world.office, other_post, full_name="Lý Chánh Văn Phòng")
    return world


def _frozen_text(document: OutgoingDocument) -> str:
    frozen = document.versions.filter(kind=OutgoingVersion.Kind.FROZEN).order_by("-number").first()
    assert frozen is not None
    return extraction.stored_pdf_text(frozen.file_name)


def test_a_deputy_signs_kt_of_the_director_not_of_a_division_head(department: World) -> None:
    document = composed_draft(department)
    services.submit_for_review(drafter=department.specialist, document=document)
    services.approve_content(head=department.head, document=document)
    services.submit_for_signature(clerk=department.clerk, document=document, signer=department.deputy)
    document.refresh_from_db()

    assert document.capacity == rules.Capacity.DEPUTY.value
    text = _frozen_text(document)
    assert "KT. GIÁM ĐỐC" in text and "PHÓ GIÁM ĐỐC" in text and "Trần Phó Giám Đốc" in text
    assert "TRƯỞNG PHÒNG" not in text and "CHÁNH VĂN PHÒNG" not in text


def test_the_director_signs_under_her_own_title(department: World) -> None:
    document = composed_draft(department)
    lines = _signature_lines(document, department.leader, rules.Capacity.DIRECT)
    assert lines == ["GIÁM ĐỐC", "", "Nguyễn Văn Giám Đốc"]


def test_a_division_head_signing_by_order_names_the_director_and_her_own_title(department: World) -> None:
    document = composed_draft(department)
    lines = _signature_lines(document, department.head, rules.Capacity.BY_ORDER)
    assert lines == ["TL. GIÁM ĐỐC", "TRƯỞNG PHÒNG", "", "Phạm Trưởng Phòng"]


def test_an_agency_post_is_the_signers_title_before_a_division_post(department: World) -> None:
    """A deputy director who also heads a division signs KT. as Phó Giám đốc."""
    head_post = Position.objects.get(agency=department.agency, division=department.division)
    Membership.objects.create(
        user=department.deputy,
        agency=department.agency,
        division=department.division,
        position=head_post,
        role=Role.DIVISION_HEAD,
    )
    document = composed_draft(department)
    lines = _signature_lines(document, department.deputy, rules.Capacity.DEPUTY)
    assert lines == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "", "Trần Phó Giám Đốc"]
