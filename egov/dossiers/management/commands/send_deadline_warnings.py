"""``manage.py send_deadline_warnings``: e-mail the deadline warnings due now (cron, every 15 minutes).

Idempotent: a warning already sent is remembered (``DeadlineWarning``) and never sent again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from egov.dossiers import reminders


class Command(BaseCommand):
    help = "Gửi cảnh báo hồ sơ sắp đến hạn hoặc đã quá hạn cho cán bộ đang xử lý (chạy 15 phút một lần)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--horizon-hours",
            type=float,
            default=None,
            help="Số giờ làm việc trước thời hạn thì cảnh báo (mặc định EGOV_WARNING_HORIZON_HOURS, 4).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["horizon_hours"]
        if hours is not None and not hours > 0:
            raise CommandError(_("Số giờ cảnh báo trước phải lớn hơn 0."))
        within = timedelta(hours=hours) if hours is not None else None
        summary = reminders.send_deadline_warnings(within=within)
        self.stdout.write(
            _(
                "Đã xét %(dossiers)d hồ sơ, gửi %(warnings)d cảnh báo mới (%(emails)d thư điện tử); "
                "%(without)d cảnh báo không có người nhận."
            )
            % {
                "dossiers": summary.dossiers,
                "warnings": summary.warnings,
                "emails": summary.emails,
                "without": summary.without_recipient,
            }
        )
