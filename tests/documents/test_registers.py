"""Document types as data, registers per agency, numbering per register and year, opening numbers."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from egov.core import clock, counters
from egov.core.models import AuditEvent
from egov.documents import services
from egov.documents.models import DocumentType, Register
from egov.organizations.models import Role
from tests.documents.conftest import doc_type, ensure_document_types, local, member, register


@pytest.mark.django_db
def test_the_29_types_and_the_three_copy_forms_are_loaded_with_their_abbreviations():
    # What migration 0002 loads (load_types); loaded again, since a transactional test run earlier
    # in this process flushes the table. Loading twice changes nothing.
    ensure_document_types()
    ensure_document_types()
    documents = DocumentType.objects.filter(kind="document")
    assert documents.count() == 29
    assert set(documents.filter(abbreviation="").values_list("name", flat=True)) == {"Công văn", "Thư công"}
    assert doc_type("quyet-dinh").abbreviation == "QĐ"
    assert doc_type("quy-dinh").abbreviation == "QyĐ"
    assert set(DocumentType.objects.filter(kind="copy").values_list("abbreviation", flat=True)) == {
        "SY",
        "TrS",
        "SL",
    }
    assert set(DocumentType.objects.filter(is_composable=True).values_list("code", flat=True)) == {
        "cong-van",
        "thong-bao",
        "giay-moi",
        "ke-hoach",
    }


def test_general_registers_are_created_once_per_kind_and_secrecy(world):
    first = services.register_for(agency=world.agency, kind=Register.Kind.INCOMING, secret=False)
    again = services.register_for(agency=world.agency, kind=Register.Kind.INCOMING, secret=False)
    secret = services.register_for(agency=world.agency, kind=Register.Kind.INCOMING, secret=True)
    outgoing = services.register_for(agency=world.agency, kind=Register.Kind.OUTGOING, secret=False)
    assert first == again
    assert len({first.pk, secret.pk, outgoing.pk}) == 3
    assert secret.is_secret


def test_an_administrator_adds_a_register_for_decisions_which_then_numbers_them(world):
    admin = member(world.agency, Role.ADMINISTRATOR)
    decisions = services.create_register(
        actor=admin,
        agency=world.agency,
        kind=Register.Kind.OUTGOING,
        name="Sổ quyết định",
        document_type=doc_type("quyet-dinh"),
    )
    chosen = services.register_for(
        agency=world.agency, kind=Register.Kind.OUTGOING, secret=False, document_type=doc_type("quyet-dinh")
    )
    general = services.register_for(
        agency=world.agency, kind=Register.Kind.OUTGOING, secret=False, document_type=doc_type("ke-hoach")
    )
    assert chosen == decisions
    assert general != decisions
    assert AuditEvent.objects.filter(action="documents.register.create").count() == 1


def test_a_clerk_cannot_add_registers(world):
    with pytest.raises(PermissionDenied):
        services.create_register(actor=world.clerk, agency=world.agency, kind="incoming", name="Sổ riêng")


def test_numbers_are_consecutive_within_a_register_and_restart_on_1_january(world):
    reg = services.register_for(agency=world.agency, kind=Register.Kind.OUTGOING, secret=False)
    with transaction.atomic():
        numbers = [services.allocate_number(register=reg, year=2026) for _ in range(3)]
        first_of_next_year = services.allocate_number(register=reg, year=2027)
    assert numbers == [1, 2, 3]
    assert first_of_next_year == 1


def test_a_rolled_back_issue_gives_its_number_back(world):
    reg = services.register_for(agency=world.agency, kind=Register.Kind.OUTGOING, secret=False)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.allocate_number(register=reg, year=2026)
        raise RuntimeError("issue failed")
    with transaction.atomic():
        assert services.allocate_number(register=reg, year=2026) == 1


def test_an_agency_joining_in_july_continues_its_numbering_audited(world):
    admin = member(world.agency, Role.ADMINISTRATOR)
    reg = services.register_for(agency=world.agency, kind=Register.Kind.INCOMING, secret=False)
    services.set_opening_number(
        actor=admin, register=reg, year=2026, last_number=412, reason="Sổ giấy đến số 412"
    )
    with clock.frozen(local(2026, 7, 1, 9, 0)):
        document = register(world)
    assert document.incoming_number == 413
    event = AuditEvent.objects.get(action="counter.set_opening_value")
    assert event.details["reason"] == "Sổ giấy đến số 412"


def test_an_opening_number_below_numbers_already_given_is_refused(world):
    admin = member(world.agency, Role.ADMINISTRATOR)
    with clock.frozen(local(2026, 7, 1, 9, 0)):
        register(world)
        register(world, notation="126/KH-UBND")
    reg = services.register_for(agency=world.agency, kind=Register.Kind.INCOMING, secret=False)
    with pytest.raises(counters.OpeningValueTooLowError):
        services.set_opening_number(actor=admin, register=reg, year=2026, last_number=1, reason="sai")


def test_only_administrators_set_opening_numbers(world):
    reg = services.register_for(agency=world.agency, kind=Register.Kind.INCOMING, secret=False)
    with pytest.raises(PermissionDenied):
        services.set_opening_number(actor=world.clerk, register=reg, year=2026, last_number=5, reason="x")
