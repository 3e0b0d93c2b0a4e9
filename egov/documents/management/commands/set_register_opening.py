"""``manage.py set_register_opening``: continue a register's numbering (an agency joining mid-year).

Example: ``--register 12 --year 2026 --last 412 --reason "Sổ giấy đến số 412" --by quantri.stp``
makes the register's next number in 2026 the 413th.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.core.counters import OpeningValueTooLowError
from egov.documents import services
from egov.documents.models import Register


class Command(BaseCommand):
    help = (
        "Đặt số cuối cùng đã cấp của một sổ văn bản trong năm (số tiếp theo là số này + 1); có ghi nhật ký."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--register", type=int, required=True, help="Mã (id) của sổ.")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--last", type=int, required=True, help="Số cuối cùng đã cấp trước khi dùng egov."
        )
        parser.add_argument("--reason", required=True, help="Căn cứ, lý do.")
        parser.add_argument("--by", required=True, help="Tên đăng nhập của quản trị viên thực hiện.")

    def handle(self, *args: Any, **options: Any) -> None:
        register = Register.objects.filter(pk=options["register"]).first()
        actor = User.objects.filter(username=options["by"]).first()
        if register is None or actor is None:
            raise CommandError(_("Không tìm thấy sổ hoặc người thực hiện."))
        try:
            services.set_opening_number(
                actor=actor,
                register=register,
                year=options["year"],
                last_number=options["last"],
                reason=options["reason"],
            )
        except (PermissionDenied, OpeningValueTooLowError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Sổ “%(r)s” năm %(y)d: số tiếp theo là %(n)02d.")
            % {"r": register.name, "y": options["year"], "n": options["last"] + 1}
        )
