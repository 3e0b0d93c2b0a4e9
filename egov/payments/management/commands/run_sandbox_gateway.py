"""Serve egov's SANDBOX payment gateway on loopback (development, demo, tests). Moves no money."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from egov.payments.sandbox_server import SandboxGateway, make_sandbox_server


class Command(BaseCommand):
    help = "Chạy cổng thanh toán THỬ NGHIỆM (sandbox) trên máy này: không có tiền thật."
    requires_system_checks: list[str] = []  # starts in a second; it touches no database

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--public-url", default="", help="how browsers reach it (default http://HOST:PORT)"
        )

    def handle(self, *args: Any, host: str, port: int, public_url: str, **options: Any) -> None:
        secret = settings.EGOV_PAYMENT_GATEWAY_SECRET
        if not secret:
            raise CommandError(
                "EGOV_PAYMENT_GATEWAY_SECRET is empty: the sandbox signs with the shared secret"
            )
        server = make_sandbox_server(
            SandboxGateway(
                merchant_id=settings.EGOV_PAYMENT_MERCHANT_ID,
                secret=secret,
                public_url=public_url or f"http://{host}:{port}",
                window_seconds=settings.EGOV_PAYMENT_SIGNATURE_WINDOW_SECONDS,
            ),
            host=host,
            port=port,
        )
        actual = server.server_address[1]
        self.stdout.write(
            f"sandbox payment gateway listening on http://{host}:{actual}/ (no real money)", ending="\n"
        )
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:  # pragma: no cover - interactive stop
            pass
        finally:
            server.server_close()
