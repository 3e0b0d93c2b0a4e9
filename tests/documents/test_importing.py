"""Import of an existing incoming register from Excel: all rows validated first, numbering continued."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from egov.core import clock
from egov.core.models import AuditEvent
from egov.documents import registers_export, services
from egov.documents.importing import import_incoming_register
from egov.documents.models import IncomingDocument, Register
from egov.organizations.models import Role
from tests.documents.conftest import assigned, local, member, register


def sheet(rows: list[list[object]]) -> bytes:
    book = Workbook()
    page = book.active
    page.append(["Sổ văn bản đến cũ"])
    page.append([str(c) for c in registers_export.INCOMING_COLUMNS])
    for row in rows:
        page.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ROWS = [
    [
        "02/01/2026",
        1,
        "UBND tỉnh Cà Mau",
        "01/KH-UBND",
        "01/01/2026",
        "Kế hoạch – Chuyển đổi số năm 2026",
        "",
        "",
        "",
        "",
    ],
    [
        "03/01/2026",
        "2",
        "Sở Nội vụ",
        "05/SNV-TCBC",
        date(2026, 1, 2),
        "Về việc tuyển dụng công chức",
        "",
        "",
        "",
        "",
    ],
    [
        "10/06/2026",
        412,
        "Sở Tài chính",
        "12/TB-STC",
        "09/06/2026",
        "Thông báo – Dự toán",
        "Phòng HCTP",
        "",
        "",
        "",
    ],
]


@pytest.fixture
def admin(world):
    return member(world.agency, Role.ADMINISTRATOR)


def incoming_register(world) -> Register:
    return services.register_for(agency=world.agency, kind=Register.Kind.INCOMING, secret=False)


def test_an_old_register_is_imported_and_new_numbers_continue_after_it(world, admin):
    target = incoming_register(world)
    result = import_incoming_register(actor=admin, register=target, year=2026, content=sheet(ROWS))
    assert result.imported == 3
    plan = IncomingDocument.objects.get(incoming_number=1)
    assert (plan.document_type.code, plan.summary, plan.status) == (
        "ke-hoach",
        "Chuyển đổi số năm 2026",
        "completed",
    )
    assert IncomingDocument.objects.get(incoming_number=2).document_type.code == "cong-van"
    with clock.frozen(local(2026, 7, 1, 9, 0)):
        assert register(world).incoming_number == 413
    assert AuditEvent.objects.filter(action="documents.register.import").count() == 1
    assert AuditEvent.objects.filter(action="counter.set_opening_value").count() == 1


def test_nothing_is_written_when_a_row_is_wrong(world, admin):
    bad = [*ROWS, ["31/02/2026", "x", "", "", "", "", "", "", "", ""]]
    with pytest.raises(ValidationError) as error:
        import_incoming_register(
            actor=admin, register=incoming_register(world), year=2026, content=sheet(bad)
        )
    assert any("Dòng 6" in message for message in error.value.messages)
    assert not IncomingDocument.objects.exists()


def test_a_number_already_in_the_register_is_refused(world, admin):
    with clock.frozen(local(2026, 1, 5, 9, 0)):
        register(world)
    with pytest.raises(ValidationError, match="đã có trong sổ"):
        import_incoming_register(
            actor=admin, register=incoming_register(world), year=2026, content=sheet(ROWS)
        )


def test_an_export_reads_back(world, admin):
    with clock.frozen(local(2026, 3, 2, 9, 0)):
        assigned(world)
    target = incoming_register(world)
    exported = registers_export.workbook(target, 2026)
    other = services.create_register(
        actor=admin,
        agency=world.agency,
        kind="incoming",
        name="Sổ thử nhập",
        document_type=IncomingDocument.objects.get().document_type,
    )
    assert import_incoming_register(actor=admin, register=other, year=2026, content=exported).imported == 1


def test_only_administrators_import(world):
    with pytest.raises(PermissionDenied):
        import_incoming_register(
            actor=world.clerk, register=incoming_register(world), year=2026, content=sheet(ROWS)
        )
