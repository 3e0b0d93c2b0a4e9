"""``manage.py export_catalogue FILE [--code CODE …]``: write the catalogue as .json or .xlsx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from egov.procedures.importexport import CatalogueImportError, write_catalogue_file
from egov.procedures.importexport.export import catalogue_queryset, export_catalogue


class Command(BaseCommand):
    help = "Xuất danh mục thủ tục hành chính ra tệp .json hoặc .xlsx (định dạng egov-catalogue)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Tệp .json hoặc .xlsx sẽ ghi.")
        parser.add_argument(
            "--code", action="append", default=[], help="Chỉ xuất thủ tục có mã này (lặp lại được)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        procedures = catalogue_queryset()
        if options["code"]:
            procedures = procedures.filter(code__in=options["code"])
        document = export_catalogue(procedures)
        try:
            write_catalogue_file(document, path)
        except CatalogueImportError as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(
            _("Đã xuất %(count)d thủ tục vào %(path)s.")
            % {"count": len(document["procedures"]), "path": path}
        )
