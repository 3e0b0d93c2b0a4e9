"""The loopback HTTP server: origin and host checks, CORS, limits, replay protection, and the three
endpoints of protocol version 1 (``GET /v1/status``, ``POST /v1/sign``, ``POST /v1/sign-batch``)."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import logging
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from . import PROTOCOL_VERSION, __version__
from .errors import AgentError, invalid
from .guards import RateLimiter, ReplayGuard
from .prompts import PromptContext, PromptProvider
from .protocol import DIGEST_LENGTHS, SignRequest, parse_sign, parse_sign_batch
from .token import Token, TokenCertificate, certificate_valid_now, short_digest

log = logging.getLogger("signing_agent")

LOOPBACK_HOSTS = ("127.0.0.1", "::1")
DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_origin(value: str) -> str:
    """``scheme://host[:port]`` in lower case without a default port; ValueError when not an origin."""
    parts = urlsplit(value.strip())
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an http(s) origin: {value!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"an origin has no path, query or user: {value!r}")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    suffix = f":{port}" if port and port != DEFAULT_PORTS[parts.scheme] else ""
    return f"{parts.scheme}://{host}{suffix}"


def is_loopback_name(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_allowed_origin(origin: str) -> str:
    """Configured origins must be https, except loopback http origins for development."""
    normalised = normalise_origin(origin)
    parts = urlsplit(normalised)
    if parts.scheme != "https" and not is_loopback_name(parts.hostname or ""):
        raise ValueError(f"an allowed origin must use https (except on loopback): {origin!r}")
    return normalised


@dataclass(frozen=True)
class AgentConfig:
    module: str
    allowed_origins: frozenset[str]
    token_label: str | None = None
    host: str = "127.0.0.1"
    port: int = 8766
    confirm_each_request: bool = False
    max_body_bytes: int = 256 * 1024
    max_batch_items: int = 100
    sign_requests_per_minute: int = 30
    status_requests_per_minute: int = 120
    replay_window_seconds: float = 600.0
    extra_chain: tuple[x509.Certificate, ...] = field(default=())


class Agent:
    """Everything the handlers share: configuration, token, prompts, guards."""

    def __init__(self, config: AgentConfig, *, token: Token, prompts: PromptProvider) -> None:
        if config.host not in LOOPBACK_HOSTS:
            raise ValueError("the signing agent listens on loopback only (127.0.0.1 or ::1)")
        if not config.allowed_origins:
            raise ValueError("at least one allowed origin is required")
        self.config = config
        self.token = token
        self.prompts = prompts
        self.replay = ReplayGuard(window=config.replay_window_seconds)
        self.sign_limit = RateLimiter(rate=config.sign_requests_per_minute)
        self.status_limit = RateLimiter(rate=config.status_requests_per_minute)
        self._signing = threading.Lock()

    # -- endpoints -----------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        state = self.token.state()
        certificates = []
        if state.present:
            try:
                certificates = [cert.describe() for cert in self.token.certificates()]
            except AgentError:
                certificates = []
        return {
            "protocol": PROTOCOL_VERSION,
            "agent_version": __version__,
            "token": state.describe(),
            "certificates": certificates,
            "digest_algorithms": sorted(DIGEST_LENGTHS),
            "max_batch_items": self.config.max_batch_items,
            "confirm_each_request": self.config.confirm_each_request,
        }

    def sign(self, request: SignRequest, *, origin: str) -> dict[str, Any]:
        self.replay.check_and_remember(request.request_id)
        if not self._signing.acquire(blocking=False):
            raise AgentError(
                "busy",
                "Trình ký số đang chờ bạn xử lý một yêu cầu ký khác; hãy hoàn tất yêu cầu đó trước.",
                status=409,
            )
        try:
            return self._sign_locked(request, origin=origin)
        finally:
            self._signing.release()

    def _sign_locked(self, request: SignRequest, *, origin: str) -> dict[str, Any]:
        certificate = self.token.certificate(request.certificate_serial)
        certificate_valid_now(certificate, dt.datetime.now(dt.UTC))
        state = self.token.state()
        note = ""
        if state.pin_final_try:
            note = "CHÚ Ý: token báo chỉ còn MỘT lần nhập mã PIN trước khi bị khoá."
        elif state.pin_count_low:
            note = "Chú ý: token báo số lần nhập mã PIN còn lại đã thấp."
        context = PromptContext(
            origin=origin,
            certificate_subject=certificate.subject,
            token_label=state.label,
            documents=tuple(item.document for item in request.items),
            note=note,
        )
        if self.config.confirm_each_request and not self.prompts.confirm(context):
            raise AgentError("user_refused", "Bạn đã từ chối ký; chưa văn bản nào được ký.", status=403)
        log.info("pin prompt request_id=%s documents=%d", request.request_id, len(request.items))
        pin = self.prompts.ask_pin(context)
        if not pin:
            raise AgentError(
                "user_cancelled", "Bạn đã huỷ nhập mã PIN; chưa văn bản nào được ký.", status=403
            )
        try:
            results = self.token.sign_digests(
                certificate=certificate,
                digest_algorithm=request.digest_algorithm,
                digests=[item.digest for item in request.items],
                pin=pin,
            )
        finally:
            del pin
        answer = {
            "protocol": PROTOCOL_VERSION,
            "agent_version": __version__,
            "request_id": request.request_id,
            "digest_algorithm": request.digest_algorithm,
            "cms_signature_algorithm": certificate.cms_signature_algorithm(request.digest_algorithm),
            "certificate": certificate.pem,
            "chain": self._chain(certificate),
        }
        signed = sum(isinstance(result, bytes) for result in results)
        log.info(
            "signed request_id=%s origin=%s certificate=%x algorithm=%s signed=%d/%d digests=%s",
            request.request_id,
            origin,
            certificate.serial,
            request.digest_algorithm,
            signed,
            len(results),
            ",".join(short_digest(item.digest) for item in request.items[:20]),
        )
        if not request.batch:
            result = results[0]
            if isinstance(result, AgentError):
                raise result
            return {**answer, "signature": base64.b64encode(result).decode("ascii")}
        items = []
        for item, result in zip(request.items, results, strict=True):
            if isinstance(result, AgentError):
                items.append({"item_id": item.item_id, "status": "failed", **result.as_json()})
            else:
                items.append(
                    {
                        "item_id": item.item_id,
                        "status": "signed",
                        "signature": base64.b64encode(result).decode(),
                    }
                )
        return {**answer, "results": items}

    def _chain(self, certificate: TokenCertificate) -> list[str]:
        """CA certificates stored on the token plus those configured with --chain-file."""
        seen = {certificate.certificate.fingerprint(hashes.SHA256())}
        chain = []
        candidates = [c.certificate for c in self.token.certificates() if c.describe()["is_ca"]]
        for cert in [*candidates, *self.config.extra_chain]:
            fingerprint = cert.fingerprint(hashes.SHA256())
            if fingerprint not in seen:
                seen.add(fingerprint)
                chain.append(cert.public_bytes(serialization.Encoding.PEM).decode("ascii"))
        return chain


class AgentServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        super().__init__((agent.config.host, agent.config.port), AgentHandler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class AgentHandler(BaseHTTPRequestHandler):
    server: AgentServer
    server_version = f"egov-signing-agent/{__version__}"
    sys_version = ""
    timeout = 30  # seconds to send a request: slow clients do not hold a thread forever

    # -- HTTP verbs ----------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_OPTIONS(self) -> None:
        self._handle("OPTIONS")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    ROUTES = {"/v1/status": "GET", "/v1/sign": "POST", "/v1/sign-batch": "POST"}

    def _handle(self, method: str) -> None:
        agent = self.server.agent
        origin: str | None = None
        try:
            self._check_host()
            origin = self._check_origin()
            path = urlsplit(self.path).path
            if path not in self.ROUTES:
                raise AgentError(
                    "not_found", "Địa chỉ không tồn tại trong giao thức của trình ký số.", status=404
                )
            if method == "OPTIONS":
                self._preflight(origin, path)
                return
            if method != self.ROUTES[path]:
                raise AgentError("method_not_allowed", "Phương thức không được hỗ trợ.", status=405)
            if path == "/v1/status":
                agent.status_limit.take()
                self._drain_body(limit=0)
                self._send(200, agent.status(), origin)
                return
            agent.sign_limit.take()
            body = self._json_body(agent.config.max_body_bytes)
            if path == "/v1/sign":
                request = parse_sign(body)
            else:
                request = parse_sign_batch(body, max_items=agent.config.max_batch_items)
            self._send(200, agent.sign(request, origin=origin), origin)
        except AgentError as error:
            headers = {}
            if "retry_after" in error.extra:
                headers["Retry-After"] = str(error.extra["retry_after"])
            self._send(error.status, error.as_json(), origin, headers=headers)
        except Exception:
            log.exception("internal error on %s %s", method, urlsplit(self.path).path)
            internal = AgentError(
                "internal_error", "Trình ký số gặp lỗi nội bộ; hãy xem nhật ký của trình ký số.", status=500
            )
            self._send(500, internal.as_json(), origin)

    # -- checks --------------------------------------------------------------------------------
    def _check_host(self) -> None:
        """Refuse a Host other than the loopback address and port we listen on (DNS rebinding)."""
        port = self.server.port
        allowed = {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}
        if (self.headers.get("Host") or "").lower() not in allowed:
            raise AgentError(
                "forbidden_host", "Yêu cầu không gửi tới địa chỉ loopback của trình ký số.", status=403
            )

    def _check_origin(self) -> str:
        values = self.headers.get_all("Origin") or []
        if len(values) == 1:
            try:
                origin = normalise_origin(values[0])
            except ValueError:
                origin = ""
            if origin in self.server.agent.config.allowed_origins:
                return origin
        raise AgentError(
            "forbidden_origin",
            "Trình ký số chỉ nhận yêu cầu từ trang egov đã được cấu hình.",
            status=403,
        )

    def _preflight(self, origin: str, path: str) -> None:
        method = (self.headers.get("Access-Control-Request-Method") or "").upper()
        if method != self.ROUTES[path]:
            raise AgentError("method_not_allowed", "Phương thức không được hỗ trợ.", status=403)
        requested = {
            h.strip().lower() for h in (self.headers.get("Access-Control-Request-Headers") or "").split(",")
        }
        if requested - {"", "content-type"}:
            raise AgentError("forbidden_header", "Tiêu đề yêu cầu không được hỗ trợ.", status=403)
        headers = {
            "Access-Control-Allow-Methods": method,
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": "600",
        }
        if (self.headers.get("Access-Control-Request-Private-Network") or "").lower() == "true":
            headers["Access-Control-Allow-Private-Network"] = "true"
        self._send(204, None, origin, headers=headers)

    def _drain_body(self, *, limit: int) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise AgentError("length_required", "Yêu cầu phải có Content-Length.", status=411)
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            if limit:
                raise AgentError("length_required", "Yêu cầu phải có Content-Length.", status=411)
            return b""
        try:
            length = int(raw_length)
        except ValueError:
            raise invalid("Content-Length không hợp lệ.") from None
        if length < 0 or length > limit:
            self.close_connection = True
            raise AgentError("payload_too_large", f"Yêu cầu lớn quá {limit} byte.", status=413)
        return self.rfile.read(length)

    def _json_body(self, limit: int) -> Any:
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise AgentError(
                "unsupported_media_type", "Yêu cầu phải có Content-Type: application/json.", status=415
            )
        raw = self._drain_body(limit=limit)
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise invalid("nội dung không phải JSON UTF-8 hợp lệ.") from None

    # -- output --------------------------------------------------------------------------------
    def _send(
        self, status: int, body: Any, origin: str | None, *, headers: dict[str, str] | None = None
    ) -> None:
        payload = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        if origin is not None:
            self.send_header("Access-Control-Allow-Origin", origin)
        self.send_header("Vary", "Origin")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = code.value if isinstance(code, HTTPStatus) else code
        log.info(
            "%s %s -> %s origin=%s",
            self.command,
            urlsplit(self.path).path[:80],
            status,
            (headers.get("Origin") or "-")[:100] if (headers := getattr(self, "headers", None)) else "-",
        )

    def log_message(self, format: str, *args: Any) -> None:
        log.warning("http: " + format, *args)
