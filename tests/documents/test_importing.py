"""Import of an existing incoming register from Excel: all rows validated first, numbering continued."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from openpyxl import Workbook

from egov.core import clock
from egov.core.models import AuditEvent
from egov.documents import registers_export, services
from egov.documents.importing import import_incoming_register, import_outgoing_register
from egov.documents.models import IncomingDocument, OutgoingDocument, Register
from egov.organizations.models import Role
from tests.documents.conftest import assigned, doc_type, local, member, register


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


# --- outgoing registers -------------------------------------------------------------------------


def outgoing_sheet(rows: list[list[object]]) -> bytes:
    book = Workbook()
    page = book.active
    page.append(["Sổ văn bản đi cũ – Sở Tư pháp"])
    page.append([str(c) for c in registers_export.OUTGOING_COLUMNS])
    for row in rows:
        page.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


OUTGOING_ROWS = [
    [
        "01/KH-STP",
        "05/01/2026",
        "Kế hoạch – Phổ biến pháp luật năm 2026",
        "KT. Trần Phó Giám Đốc",
        "UBND tỉnh; Sở Nội vụ",
        "HCTP",
        2,
        "",
        "",
        "",
    ],
    ["02/STP-VP", date(2026, 1, 9), "Về việc cử cán bộ dự tập huấn", "Nguyễn Văn Giám Đốc", "Sở Nội vụ", "VP"]
    + [""] * 4,
    ["412/STP-HCTP", "30/06/2026", "Báo cáo tình hình", "Lê Văn Đã Nghỉ", "", "", "", "", "", "Bản giấy"],
]


def outgoing_register(world) -> Register:
    return services.register_for(agency=world.agency, kind=Register.Kind.OUTGOING, secret=False)


def test_an_old_outgoing_register_becomes_issued_documents_and_numbering_continues(world, admin):
    target = outgoing_register(world)
    result = import_outgoing_register(
        actor=admin,
        register=target,
        year=2026,
        content=outgoing_sheet(OUTGOING_ROWS),
        default_division=world.division,
    )
    assert result.imported == 3
    plan = OutgoingDocument.objects.get(number=1)
    assert (plan.status, plan.notation, plan.issued_on, plan.document_type.code, plan.summary) == (
        "issued",
        "01/KH-STP",
        date(2026, 1, 5),
        "ke-hoach",
        "Phổ biến pháp luật năm 2026",
    )
    assert (plan.signer, plan.capacity, plan.division) == (world.deputy, "KT.", world.division)
    assert [r.name for r in plan.recipients.all()] == ["UBND tỉnh", "Sở Nội vụ"]
    assert not plan.versions.exists()  # metadata only, no file
    letter = OutgoingDocument.objects.get(number=2)
    assert (letter.document_type.code, letter.division, letter.signer) == (
        "cong-van",
        world.office,
        world.leader,
    )
    gone = OutgoingDocument.objects.get(number=412)
    # A signer who left the agency stays written in the entry, which the search finds.
    assert (gone.signer, gone.division) == (None, world.division)
    assert "Người ký: Lê Văn Đã Nghỉ." in gone.text and "Ghi chú: Bản giấy." in gone.text
    assert "le van da nghi" in gone.search_text
    with transaction.atomic():
        assert services.allocate_number(register=target, year=2026) == 413
    assert AuditEvent.objects.filter(action="documents.register.import").get().details["kind"] == "outgoing"


def test_bad_and_duplicate_outgoing_rows_are_named_and_nothing_is_written(world, admin):
    target = outgoing_register(world)
    bad = [
        *OUTGOING_ROWS,
        ["01/QĐ-STP", "06/01/2026", "Quyết định – Khen thưởng", "", "", "VP"] + [""] * 4,  # 1 again
        ["KH-STP", "06/01/2026", "Kế hoạch – Không số", "", "", "VP"] + [""] * 4,
        ["5/STP-VP", "06/01/2025", "Năm khác", "", "", "VP"] + [""] * 4,
        ["6/STP-VP", "07/01/2026", "Đơn vị lạ", "", "", "Phòng Không Có"] + [""] * 4,
    ]
    with pytest.raises(ValidationError) as error:
        import_outgoing_register(actor=admin, register=target, year=2026, content=outgoing_sheet(bad))
    messages = error.value.messages
    assert "Dòng 6: số 1 không hợp lệ hoặc đã có trong sổ." in messages
    assert any(m.startswith("Dòng 7: số, ký hiệu phải bắt đầu bằng số") for m in messages)
    assert "Dòng 8: ngày tháng văn bản phải là một ngày của năm 2026 (dd/mm/yyyy)." in messages
    assert any(m.startswith("Dòng 9: không rõ đơn vị soạn thảo “Phòng Không Có”") for m in messages)
    assert any(m.startswith("Dòng 5: không rõ đơn vị soạn thảo") for m in messages)  # no default unit
    assert not OutgoingDocument.objects.exists()
    assert not AuditEvent.objects.filter(
        action__in=["documents.register.import", "counter.set_opening_value"]
    )


def test_a_number_already_issued_in_the_register_is_refused(world, admin):
    target = outgoing_register(world)
    import_outgoing_register(
        actor=admin,
        register=target,
        year=2026,
        content=outgoing_sheet(OUTGOING_ROWS[:1]),
        default_division=world.division,
    )
    with pytest.raises(ValidationError, match="Dòng 3: số 1 không hợp lệ hoặc đã có trong sổ"):
        import_outgoing_register(
            actor=admin,
            register=target,
            year=2026,
            content=outgoing_sheet(OUTGOING_ROWS[:1]),
            default_division=world.division,
        )
    assert OutgoingDocument.objects.count() == 1


def test_an_outgoing_export_reads_back_into_a_register_for_one_type(world, admin):
    import_outgoing_register(
        actor=admin,
        register=outgoing_register(world),
        year=2026,
        content=outgoing_sheet(OUTGOING_ROWS[:2]),
        default_division=world.division,
    )
    exported = registers_export.workbook(outgoing_register(world), 2026)
    plans = services.create_register(
        actor=admin,
        agency=world.agency,
        kind="outgoing",
        name="Sổ kế hoạch",
        document_type=doc_type("ke-hoach"),
    )
    with pytest.raises(ValidationError, match="Dòng 4: sổ này chỉ dành cho Kế hoạch, không ghi Công văn"):
        import_outgoing_register(actor=admin, register=plans, year=2026, content=exported)
    OutgoingDocument.objects.all().delete()  # as if the export came from the agency's old system
    assert (
        import_outgoing_register(
            actor=admin, register=outgoing_register(world), year=2026, content=exported
        ).imported
        == 2
    )
    copy = OutgoingDocument.objects.get(number=1)
    assert (copy.signer, copy.capacity, copy.division, copy.recipients.count()) == (
        world.deputy,
        "KT.",
        world.division,
        2,
    )


def test_only_administrators_import_and_only_into_an_outgoing_register(world, admin):
    with pytest.raises(PermissionDenied):
        import_outgoing_register(
            actor=world.clerk,
            register=outgoing_register(world),
            year=2026,
            content=outgoing_sheet(OUTGOING_ROWS),
        )
    with pytest.raises(ValidationError, match="Chỉ nhập được sổ văn bản đi"):
        import_outgoing_register(
            actor=admin, register=incoming_register(world), year=2026, content=outgoing_sheet(OUTGOING_ROWS)
        )
    with pytest.raises(ValidationError, match="Không thấy dòng tiêu đề"):
        import_outgoing_register(
            actor=admin, register=outgoing_register(world), year=2026, content=sheet(ROWS)
        )
    with pytest.raises(ValidationError, match="Không đọc được tệp Excel"):
        import_outgoing_register(
            actor=admin, register=outgoing_register(world), year=2026, content=b"not excel"
        )


def test_import_outgoing_register_command(world, admin, tmp_path):
    path = tmp_path / "so-di.xlsx"
    path.write_bytes(outgoing_sheet(OUTGOING_ROWS))
    target = outgoing_register(world)
    out = io.StringIO()
    arguments = {"register": target.pk, "year": 2026, "by": admin.username}
    with pytest.raises(CommandError, match="Dòng 5: không rõ đơn vị soạn thảo"):
        call_command("import_outgoing_register", str(path), **arguments)
    call_command("import_outgoing_register", str(path), division=world.division.pk, stdout=out, **arguments)
    assert "Đã nhập 3 văn bản" in out.getvalue()
    with pytest.raises(CommandError, match="Không tìm thấy đơn vị"):
        call_command("import_outgoing_register", str(path), division=999_999, **arguments)
