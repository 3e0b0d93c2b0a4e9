"""``manage.py send_document_reminders``: e-mail reminders of document deadlines (cron, daily or hourly).

Idempotent: a reminder already sent is remembered (``Reminder``) and never sent again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from egov.documents import reminders


class Command(BaseCommand):
    help = "Nhắc hạn xử lý văn bản đến cho người, đơn vị được giao (sắp đến hạn và quá hạn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Số ngày trước hạn thì nhắc (mặc định 2).")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and days < 0:
            raise CommandError(_("Số ngày nhắc trước không được âm."))
        summary = reminders.send_document_reminders(days=days)
        self.stdout.write(
            _("Đã xét %(n)d phân công, gửi %(sent)d lời nhắc mới.")
            % {"n": summary.considered, "sent": summary.sent}
        )
