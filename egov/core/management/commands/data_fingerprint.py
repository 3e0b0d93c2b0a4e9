"""Print a SHA-256 over every row of egov's data, leaving out credentials.

``make demo-check`` compares it before and after a second ``seed_demo`` to prove that a rerun
changes nothing but the freshly generated demo credentials.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

# Fields that legitimately change on every demo run (credentials) or on every request.
VOLATILE_FIELDS = {
    "accounts.user": {"password", "last_login"},
    "otp_totp.totpdevice": {
        "key",
        "last_t",
        "throttling_failure_timestamp",
        "throttling_failure_count",
        "drift",
        "last_used_at",
    },
    "otp_static.staticdevice": {"throttling_failure_timestamp", "throttling_failure_count", "last_used_at"},
}
# Whole tables of credentials, sessions, lockout counters, task runs, and the audit trail of the
# credential resets themselves.
VOLATILE_MODELS = {
    "otp_static.statictoken",
    "sessions.session",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "django_tasks_db.dbtaskresult",
    "admin.logentry",
    "core.auditevent",
    "core.auditchainhead",
    "contenttypes.contenttype",
    "auth.permission",
}


def model_rows(model: type[models.Model]) -> list[dict[str, Any]]:
    skipped = VOLATILE_FIELDS.get(model._meta.label_lower, set())
    names = [f.attname for f in model._meta.concrete_fields if f.name not in skipped]
    return list(model._default_manager.order_by("pk").values(*names))


def fingerprint() -> tuple[str, dict[str, int]]:
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label_lower):
        label = model._meta.label_lower
        if label in VOLATILE_MODELS or not model._meta.managed:
            continue
        rows = model_rows(model)
        counts[label] = len(rows)
        digest.update(label.encode())
        digest.update(json.dumps(rows, cls=_Encoder, sort_keys=True).encode())
    return digest.hexdigest(), counts


class _Encoder(DjangoJSONEncoder):
    """Binary columns (certificates, keys' public parts) enter the digest as hex."""

    def default(self, o: Any) -> Any:
        if isinstance(o, bytes | memoryview):
            return bytes(o).hex()
        return super().default(o)


class Command(BaseCommand):
    help = "In dấu vân tay SHA-256 của toàn bộ dữ liệu (trừ thông tin đăng nhập) để so sánh hai lần chạy."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--counts", action="store_true", help="In thêm số bản ghi của từng bảng.")

    def handle(self, *args: Any, **options: Any) -> None:
        digest, counts = fingerprint()
        if options["counts"]:
            for label, count in counts.items():
                self.stdout.write(f"{label}\t{count}")
        self.stdout.write(digest)
