"""``manage.py seed_demo``: the demo province, its agencies, officials and citizens, with fresh credentials.

Idempotent: everything is found or created by natural keys, so a second run changes nothing but
the credentials: every run sets new random passwords for all demo accounts and a new TOTP secret
for every official, prints them, and writes them to ``VAR_DIR/demo-accounts.txt`` (mode 600).

Later apps add their demo data through the hook described in
``egov.organizations.management.demo_seed`` (an ``<app>/demo.py`` module with ``seed(demo)``).
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from egov.core import clock
from egov.organizations.management import demo_data
from egov.organizations.management.demo_seed import (
    ORGANIZATION_STEPS,
    DemoAccount,
    DemoSeed,
    Step,
    rotate_credentials,
)

ACCOUNTS_FILE = "demo-accounts.txt"
_OWN_APP = "egov.organizations"


def app_steps() -> Iterator[tuple[str, Step]]:
    """The steps to run, named: organizations' own first, then ``<app>.demo.seed`` of each egov app
    in INSTALLED_APPS order (third-party apps are not asked: a ``demo`` module there means nothing)."""
    for step in ORGANIZATION_STEPS:
        yield f"{_OWN_APP}.{step.__name__}", step
    for config in apps.get_app_configs():
        if config.name == _OWN_APP or not config.name.startswith("egov."):
            continue
        module_name = f"{config.name}.demo"
        if importlib.util.find_spec(module_name) is None:
            continue
        seed = getattr(importlib.import_module(module_name), "seed", None)
        if seed is not None:
            yield f"{module_name}.seed", seed


class Command(BaseCommand):
    help = "Tạo dữ liệu trình diễn (tỉnh Cà Mau) và cấp lại mật khẩu, khóa TOTP cho các tài khoản trình diễn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--quiet", action="store_true", help="Không in gì ra màn hình (vẫn ghi tệp tài khoản)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PROFILE not in {"demo", "test"}:
            raise CommandError(
                "seed_demo chỉ chạy ở chế độ trình diễn hoặc kiểm thử (EGOV_PROFILE=demo): "
                "lệnh này tạo tài khoản với mật khẩu in ra màn hình."
            )
        quiet = options["quiet"]
        started = time.perf_counter()
        demo = DemoSeed(stdout=io.StringIO() if quiet else self.stdout)
        with transaction.atomic():
            for name, step in app_steps():
                if options["verbosity"] > 1:
                    demo.say(f"→ {name}")
                step(demo)
            rotate_credentials(demo)
        table = render_accounts(demo.accounts)
        path = write_accounts_file(table)
        if not quiet:
            self.stdout.write(table)
            self.stdout.write(
                f"Đã ghi danh sách tài khoản vào {path} ({time.perf_counter() - started:.1f} giây)."
            )


def render_accounts(accounts: list[DemoAccount]) -> str:
    """A plain-text table: a newcomer reads it in a terminal or in the file."""
    header = ("Vai trò", "Cơ quan", "Đăng nhập bằng", "Mật khẩu", "Khóa TOTP (base32)", "Mã TOTP lúc tạo")
    rows = [header] + [
        (a.role, a.agency or "—", a.login, a.password, a.totp_secret or "—", a.totp_code or "—")
        for a in accounts
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    now = timezone.localtime(clock.now()).strftime("%d/%m/%Y %H:%M")
    intro = (
        f"Tài khoản trình diễn egov – tỉnh Cà Mau (mã {demo_data.PROVINCE_CODE:02d}), tạo lúc {now}.\n"
        "Mỗi lần chạy `manage.py seed_demo` cấp mật khẩu và khóa TOTP mới; bảng cũ hết hiệu lực.\n"
        "Cán bộ đăng nhập bằng tên đăng nhập rồi nhập mã TOTP: thêm khóa base32 vào ứng dụng xác thực,\n"
        "hoặc lấy mã hiện tại bằng `manage.py demo_totp <tên đăng nhập>` (mã đổi mỗi 30 giây).\n"
        "Công dân đăng nhập bằng thư điện tử hoặc số điện thoại.\n"
    )
    return intro + "\n" + "\n".join(lines) + "\n"


def write_accounts_file(table: str) -> Path:
    """``VAR_DIR/demo-accounts.txt``, readable by its owner only: it holds working passwords."""
    path = Path(settings.VAR_DIR) / ACCOUNTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an older file may have been created with wider permissions
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(table)
    return path
