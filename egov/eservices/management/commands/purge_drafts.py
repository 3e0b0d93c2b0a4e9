"""``manage.py purge_drafts``: delete application drafts abandoned for a long time (cron, daily)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from egov.eservices import services

DEFAULT_DAYS = 180


class Command(BaseCommand):
    help = "Xóa hồ sơ đang soạn trực tuyến không được nộp và không sửa quá số ngày cho trước (mặc định 180)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=DEFAULT_DAYS, help="Số ngày không sửa (mặc định 180)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days < 1:
            raise CommandError(_("Số ngày phải từ 1 trở lên."))
        deleted = services.purge_abandoned_drafts(older_than=timedelta(days=days))
        self.stdout.write(_("Đã xóa %(n)d hồ sơ đang soạn.") % {"n": deleted})
