"""``manage.py import_outgoing_register``: bring an agency's existing outgoing register (Excel,
Decree 30 columns) into egov as issued documents with their original numbers (metadata only); all
rows validated first, written together, numbering continued after the highest number."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from egov.documents.importing import ImportResult, import_outgoing_register
from egov.documents.management.commands.import_incoming_register import Command as ImportCommand
from egov.documents.models import Register
from egov.organizations.models import Division


class Command(ImportCommand):
    help = "Nhập sổ văn bản đi từ tệp Excel (các cột theo Nghị định 30/2020)."
    register_help = "Mã (id) của sổ văn bản đi."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--division",
            type=int,
            help=(
                "Mã (id) đơn vị soạn thảo cho các dòng không ghi đơn vị của cơ quan "
                "(cột “Đơn vị, người nhận bản lưu”)."
            ),
        )

    def run(self, register: Register, options: dict[str, Any], **kwargs: Any) -> ImportResult:
        division = None
        if options.get("division") is not None:
            division = Division.objects.filter(pk=options["division"]).first()
            if division is None:
                raise CommandError(_("Không tìm thấy đơn vị."))
        return import_outgoing_register(register=register, default_division=division, **kwargs)
