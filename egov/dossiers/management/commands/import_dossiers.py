"""``manage.py import_dossiers FILE [--dry-run]``: take over open dossiers from a previous system."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.dossiers.importing import DossierImportError, import_dossiers, read_file


class Command(BaseCommand):
    help = "Nhập hồ sơ đang giải quyết từ hệ thống cũ (JSON hoặc Excel, xem docs/dossier-import-format.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Tệp .json hoặc .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi gì.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}")
        try:
            document, locs = read_file(path)
            report = import_dossiers(actor=None, document=document, locs=locs, dry_run=options["dry_run"])
        except DossierImportError as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"Tệp bị từ chối: {len(refused.problems)} lỗi, chưa ghi hồ sơ nào."
            ) from refused
        self.stdout.write(report.summary())
