"""``manage.py import_incoming_register``: bring an agency's existing incoming register (Excel,
Decree 30 columns) into egov; all rows validated first, written together, numbering continued.
``import_outgoing_register`` is the same command for an outgoing register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.documents.importing import ImportResult, import_incoming_register
from egov.documents.models import Register


class Command(BaseCommand):
    help = "Nhập sổ văn bản đến từ tệp Excel (các cột theo Nghị định 30/2020)."
    register_help = "Mã (id) của sổ văn bản đến."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--register", type=int, required=True, help=self.register_help)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--by", required=True, help="Tên đăng nhập của quản trị viên thực hiện.")

    def run(self, register: Register, options: dict[str, Any], **kwargs: Any) -> ImportResult:
        return import_incoming_register(register=register, **kwargs)

    def handle(self, *args: Any, **options: Any) -> None:
        register = Register.objects.select_related("agency").filter(pk=options["register"]).first()
        actor = User.objects.filter(username=options["by"]).first()
        if register is None or actor is None:
            raise CommandError(_("Không tìm thấy sổ hoặc người thực hiện."))
        try:
            content = options["file"].read_bytes()
        except OSError as error:
            raise CommandError(_("Không đọc được tệp %(f)s.") % {"f": options["file"]}) from error
        try:
            result = self.run(register, options, actor=actor, year=options["year"], content=content)
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Đã nhập %(n)d văn bản vào “%(r)s”.") % {"n": result.imported, "r": register.name}
        )
