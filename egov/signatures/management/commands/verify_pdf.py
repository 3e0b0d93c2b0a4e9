"""``manage.py verify_pdf FILE [--json]``: the validation report; exit status 1 unless all valid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.signatures import trust
from egov.signatures.validation import describe, validate_pdf


class Command(BaseCommand):
    help = "Kiểm tra các chữ ký số trong một tệp PDF (theo các chứng thư tin cậy đã cấu hình)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="in báo cáo dạng JSON")
        parser.add_argument("--offline", action="store_true", help="không tải OCSP/CRL qua mạng")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc.strerror}") from exc
        anchors = trust.current_anchors()
        if options["offline"]:
            anchors = type(anchors)(
                roots=anchors.roots, intermediates=anchors.intermediates, allow_fetching=False
            )
        report = validate_pdf(data, anchors=anchors)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        else:
            for line in describe(report):
                self.stdout.write(line)
        if not report.ok:
            raise SystemExit(1)
