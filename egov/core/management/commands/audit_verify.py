"""``manage.py audit_verify``: prove the audit log's hash chains are intact, or name the first break.

Exit status 0 when every chain checked is intact (events left unsealed too long only warn), 1 with
the first tampered, missing, reordered or forked event otherwise. ``--seal`` first seals pending
events, which makes the command the cron job that also keeps quiet chains sealed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.core import audit


class Command(BaseCommand):
    help = "Kiểm tra chuỗi băm của nhật ký; báo sự kiện đầu tiên bị sửa, bị xoá, bị đổi chỗ hoặc rẽ nhánh."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--chain",
            action="append",
            dest="chains",
            metavar="TÊN",
            help="chuỗi cần kiểm tra (mặc định: audit); lặp lại để kiểm tra nhiều chuỗi",
        )
        parser.add_argument(
            "--seal", action="store_true", help="niêm các sự kiện đang chờ trước khi kiểm tra"
        )
        parser.add_argument(
            "--stale-minutes",
            type=int,
            default=int(audit.STALE_AFTER.total_seconds() // 60),
            help="cảnh báo khi có sự kiện chờ niêm lâu hơn số phút này",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stale_after = timedelta(minutes=options["stale_minutes"])
        broken: list[audit.VerificationResult] = []
        for chain in options["chains"] or ["audit"]:
            if options["seal"]:
                sealed = audit.seal_pending(chain)
                self.stdout.write(f"Đã niêm {sealed} sự kiện đang chờ vào chuỗi “{chain}”.")
            result = audit.verify_chain(chain, stale_after=stale_after)
            if result.ok:
                self._report(result)
            else:
                broken.append(result)
        for result in broken[1:]:
            self.stderr.write(self.style.ERROR(result.message))
        if broken:  # manage.py prints it on stderr and exits with status 1
            raise CommandError(broken[0].message, returncode=1)

    def _report(self, result: audit.VerificationResult) -> None:
        if result.stale_unsealed:
            self.stdout.write(self.style.WARNING(result.message))
        else:
            self.stdout.write(self.style.SUCCESS(result.message))
