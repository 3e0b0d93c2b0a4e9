"""``manage.py run_sandbox_idp --port 8090``: the SANDBOX identity provider for the demo (not VNeID)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from egov.accounts.sandbox_idp.provider import SandboxClient
from egov.accounts.sandbox_idp.server import SandboxServer


class Command(BaseCommand):
    help = "Run the sandbox OpenID Connect identity provider on loopback (demo citizens, not VNeID)."

    def add_arguments(self, parser: CommandParser) -> None:
        sandbox = getattr(settings, "EGOV_SANDBOX_IDP", {})
        parser.add_argument("--port", type=int, default=int(sandbox.get("port", 8090)))
        parser.add_argument("--client-id", default=sandbox.get("client_id", "egov-demo"))
        parser.add_argument("--client-secret", default=sandbox.get("client_secret", ""))
        parser.add_argument(
            "--redirect-uri",
            action="append",
            dest="redirect_uris",
            help="a redirect URI registered for the client (repeatable); default: egov's on loopback",
        )
        parser.add_argument("--no-faults", action="store_true", help="hide the fault simulation on the page")

    def handle(self, *args: Any, **options: Any) -> None:
        sandbox = getattr(settings, "EGOV_SANDBOX_IDP", {})
        secret = options["client_secret"]
        if not secret:
            self.stderr.write("no client secret: pass --client-secret or set EGOV_SANDBOX_IDP_CLIENT_SECRET")
            raise SystemExit(2)
        redirect_uris = options["redirect_uris"] or list(sandbox.get("redirect_uris", []))
        server = SandboxServer(
            port=options["port"],
            clients=[SandboxClient(options["client_id"], secret, redirect_uris)],
            allow_faults=not options["no_faults"],
        )
        self.stdout.write(
            f"Sandbox identity provider (NOT VNeID) at {server.issuer} for client {options['client_id']}; "
            f"redirect URIs: {', '.join(redirect_uris) or '(none)'}",
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
