"""The management commands: reminders (cron), opening numbers and register import (administrators)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from egov.core import clock
from egov.documents import services
from egov.documents.models import Register
from egov.organizations.models import Role
from tests.documents.conftest import assigned, local, member, register
from tests.documents.test_importing import ROWS, sheet


def test_send_document_reminders_reports_what_it_sent(world):
    with clock.frozen(local(2026, 12, 9, 8, 0)):
        assigned(world)
        out = StringIO()
        call_command("send_document_reminders", stdout=out)
        call_command("send_document_reminders", stdout=out)
    assert "gửi 2 lời nhắc mới" in out.getvalue()
    assert "gửi 0 lời nhắc mới" in out.getvalue()


def test_set_register_opening_continues_the_numbering(world):
    admin = member(world.agency, Role.ADMINISTRATOR, username="quantri.thu")
    target = services.register_for(agency=world.agency, kind=Register.Kind.INCOMING, secret=False)
    out = StringIO()
    call_command(
        "set_register_opening",
        register=target.pk,
        year=2026,
        last=41,
        reason="Sổ giấy",
        by=admin.username,
        stdout=out,
    )
    assert "số tiếp theo là 42" in out.getvalue()
    with clock.frozen(local(2026, 8, 1, 9, 0)):
        assert register(world).incoming_number == 42
    with pytest.raises(CommandError):
        call_command(
            "set_register_opening", register=target.pk, year=2026, last=1, reason="x", by=admin.username
        )


def test_import_incoming_register_command(world, tmp_path):
    admin = member(world.agency, Role.ADMINISTRATOR, username="quantri.nhap")
    target = services.register_for(agency=world.agency, kind=Register.Kind.INCOMING, secret=False)
    path = tmp_path / "so.xlsx"
    path.write_bytes(sheet(ROWS))
    out = StringIO()
    call_command(
        "import_incoming_register", str(path), register=target.pk, year=2026, by=admin.username, stdout=out
    )
    assert "Đã nhập 3 văn bản" in out.getvalue()
    with pytest.raises(CommandError, match="đã có trong sổ"):
        call_command("import_incoming_register", str(path), register=target.pk, year=2026, by=admin.username)
