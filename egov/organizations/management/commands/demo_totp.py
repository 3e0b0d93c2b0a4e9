"""``manage.py demo_totp USERNAME``: the current TOTP code of a demo official (demo and test only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.organizations.management.demo_seed import current_totp


class Command(BaseCommand):
    help = "In mã TOTP hiện tại của một cán bộ trình diễn (chỉ ở chế độ trình diễn hoặc kiểm thử)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="Tên đăng nhập của cán bộ, ví dụ mc.stp")

    def handle(self, *args: Any, **options: Any) -> None:
        # Printing a second factor defeats it: never on a real deployment.
        if settings.PROFILE not in {"demo", "test"}:
            raise CommandError(
                "demo_totp chỉ dùng ở chế độ trình diễn hoặc kiểm thử, không dùng trên hệ thống thật."
            )
        username = options["username"]
        user = get_user_model().objects.filter(username=username, is_official=True).first()
        if user is None:
            raise CommandError(f"Không có cán bộ nào có tên đăng nhập “{username}”.")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            raise CommandError(f"Cán bộ “{username}” chưa có thiết bị TOTP: chạy `manage.py seed_demo`.")
        # The code alone on stdout, so that scripts can use $(manage.py demo_totp mc.stp).
        self.stdout.write(current_totp(device))
