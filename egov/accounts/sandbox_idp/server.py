"""Serve the sandbox identity provider on loopback: in a thread (tests) or in the foreground (demo)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from egov.accounts.sandbox_idp.provider import SandboxClient, SandboxIdentityProvider

logger = logging.getLogger(__name__)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        logger.debug("sandbox IdP: " + format, *args)


class SandboxServer:
    """A ``SandboxIdentityProvider`` listening on ``host:port`` (port 0: any free port)."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clients: Iterable[SandboxClient] = (),
        allow_faults: bool = True,
        claims_in_id_token: bool = True,
        issuer: str = "",
    ) -> None:
        if host not in {"127.0.0.1", "localhost", "::1"}:
            raise ValueError("the sandbox identity provider listens on loopback only")
        self.provider = SandboxIdentityProvider(
            clients=clients, allow_faults=allow_faults, claims_in_id_token=claims_in_id_token
        )
        self._server = make_server(
            host, port, self.provider, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.port = self._server.server_address[1]
        self.provider.issuer = issuer or f"http://{host}:{self.port}"
        self._thread: threading.Thread | None = None

    @property
    def issuer(self) -> str:
        return self.provider.issuer

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="sandbox-idp", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
