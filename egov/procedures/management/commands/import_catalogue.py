"""``manage.py import_catalogue FILE [--dry-run]``: load a catalogue file (.json or .xlsx).

All or nothing: every problem is printed with its place (JSON path, or sheet and row) and
nothing is written; a re-import updates by procedure code and changes only what differs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from egov.procedures import services
from egov.procedures.importexport import CatalogueImportError, read_catalogue_file


class Command(BaseCommand):
    help = "Nhập danh mục thủ tục hành chính từ tệp .json hoặc .xlsx (định dạng egov-catalogue)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Tệp .json hoặc .xlsx.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Kiểm tra và cho biết sẽ thay đổi gì, không ghi gì."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            document = read_catalogue_file(path)
            report = services.import_catalogue(actor=None, document=document, dry_run=options["dry_run"])
        except CatalogueImportError as refused:
            for problem in refused.problems:
                self.stderr.write(f"- {problem}")
            raise CommandError(
                _("Không nhập tệp %(name)s: %(count)d lỗi, chưa ghi dữ liệu nào.")
                % {"name": path.name, "count": len(refused.problems)}
            ) from refused
        prefix = _("Chạy thử (không ghi): ") if report.dry_run else ""
        self.stdout.write(prefix + report.summary())
        for label, codes in ((_("Tạo mới"), report.created), (_("Cập nhật"), report.updated)):
            if codes:
                self.stdout.write(f"{label}: {', '.join(codes)}")
