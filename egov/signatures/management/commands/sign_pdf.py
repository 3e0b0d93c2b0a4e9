"""``manage.py sign_pdf IN OUT --key NAME --as official|agency|copy``: sign with a configured key.

The PIN is read from the terminal (or from the environment variable named by ``--pin-env``, for
scripts): never from the command line, which other users of the machine can read.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.core import audit, clock
from egov.signatures import appearances, pades, signers, trust
from egov.signatures.pades import Level, PdfProblem, SigningPolicy


class Command(BaseCommand):
    help = "Ký số một tệp PDF bằng khóa đã cấu hình (người có thẩm quyền, cơ quan, hoặc bản sao)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path)
        parser.add_argument("output", type=Path)
        parser.add_argument("--key", required=True, help="tên khóa trong EGOV_SIGNING_KEYS(_FILE)")
        parser.add_argument("--as", dest="role", choices=["official", "agency", "copy"], default="official")
        parser.add_argument("--image", type=Path, help="ảnh chữ ký (official) hoặc ảnh dấu (agency), PNG")
        parser.add_argument("--agency-name", default="", help="tên cơ quan hiện trên chữ ký cơ quan")
        parser.add_argument("--number", default="", help="số, ký hiệu điền vào ô số (agency)")
        parser.add_argument("--date", default="", help="ngày tháng điền vào ô ngày (agency)")
        parser.add_argument("--copy-text", action="append", default=[], help="dòng chữ của bản sao (copy)")
        parser.add_argument("--level", choices=[level.value for level in Level])
        parser.add_argument("--tsa", default="", help="địa chỉ TSA (mặc định EGOV_TSA_URL)")
        parser.add_argument("--pin-env", default="", help="đọc PIN từ biến môi trường này thay vì hỏi")

    def handle(self, *args: Any, **options: Any) -> None:
        data = options["input"].read_bytes()
        base = pades.policy_from_settings()
        policy = SigningPolicy(
            level=Level(options["level"] or base.level), tsa_url=options["tsa"] or base.tsa_url
        )
        key = signers.configured_key(options["key"])
        pin = os.environ.get(options["pin_env"], "") if options["pin_env"] else getpass.getpass("PIN: ")
        context = trust.current_anchors().context() if policy.level != Level.B_T else None
        role = options["role"]
        image = options["image"].read_bytes() if options["image"] else None
        try:
            with signers.open_signer(key, pin=pin) as signer:
                if role == "official":
                    if image is None:
                        raise CommandError("Cần --image (ảnh chữ ký).")
                    result = pades.sign(
                        data,
                        signer=signer,
                        policy=policy,
                        field_name=pades.SIGNER_FIELD,
                        style=appearances.signer_style(image),
                        validation_context=context,
                    )
                elif role == "agency":
                    if image is None:
                        raise CommandError("Cần --image (ảnh dấu).")
                    values = {
                        k: v
                        for k, v in (
                            (pades.NUMBER_FIELD, options["number"]),
                            (pades.DATE_FIELD, options["date"]),
                        )
                        if v
                    }
                    filled = pades.fill_fields(data, values) if values else data
                    style = appearances.agency_style(
                        seal_image=image, agency_name=options["agency_name"], signing_time=clock.localnow()
                    )
                    result = pades.sign(
                        filled,
                        signer=signer,
                        policy=policy,
                        field_name=pades.AGENCY_FIELD,
                        style=style,
                        validation_context=context,
                    )
                else:
                    width, height = pades.page_size(data)
                    style = appearances.text_only_style(options["copy_text"], signing_time=clock.localnow())
                    placement = appearances.top_right_placement(page_width=width, page_height=height)
                    result = pades.sign(
                        data,
                        signer=signer,
                        policy=policy,
                        field_name="ChuKySaoY",
                        style=style,
                        new_field=placement,
                        validation_context=context,
                    )
        except (signers.SignerUnavailable, PdfProblem) as exc:
            raise CommandError(str(exc)) from exc
        options["output"].write_bytes(result)
        audit.record(
            actor=None,
            action="signatures.sign_cli",
            details={"key": options["key"], "as": role, "output": str(options["output"])},
        )
        self.stdout.write(f"Đã ký: {options['output']}")
