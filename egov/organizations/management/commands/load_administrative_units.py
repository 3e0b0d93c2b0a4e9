"""``manage.py load_administrative_units``: provinces and communes from the vietnam-provinces package."""

from __future__ import annotations

from typing import Any

import vietnam_provinces
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.organizations.services import load_administrative_units


class Command(BaseCommand):
    help = (
        "Nạp 34 tỉnh, thành phố và 3.321 xã, phường, đặc khu từ gói vietnam-provinces "
        "(chạy lại nhiều lần không sao: chỉ thêm hoặc sửa những gì khác)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province",
            type=int,
            metavar="CODE",
            help="Chỉ nạp xã, phường của một tỉnh (mã tỉnh, ví dụ 96 Cà Mau).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_administrative_units(province_code=options["province"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        data_version = vietnam_provinces.__data_version__
        source = f"vietnam-provinces {vietnam_provinces.__version__} (dữ liệu {data_version})"
        if not result.changed:
            self.stdout.write(
                f"Không có gì thay đổi: {result.unchanged} đơn vị hành chính đã khớp với {source}."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nạp từ {source}: {result.created} tạo mới, {result.updated} cập nhật, "
                f"{result.unchanged} giữ nguyên."
            )
        )
