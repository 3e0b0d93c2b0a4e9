"""egov's SANDBOX payment gateway: a tiny WSGI application that plays a payment intermediary on
loopback, for development, demos and tests. It moves no money and keeps its state in memory.

Start it with ``manage.py run_sandbox_gateway --port 8765`` (the Procfile does); egov's adapter is
``egov.payments.gateways.sandbox.SandboxGateway``. Both sides share ``EGOV_PAYMENT_GATEWAY_SECRET``.

Protocol (every request from egov and every answer, callback and file from the sandbox is signed:
headers ``X-Signature-Timestamp`` (Unix time) and ``X-Signature`` = hex HMAC-SHA256 of
``"{timestamp}\\n{METHOD}\\n{path?query}\\n" + body``; answers use the method ``RESPONSE``):

- ``POST /api/payments`` ``{reference, amount, currency, description, return_url, callback_url}``
  → ``{gateway_payment_id, checkout_url}``; the same reference again returns the same payment
  (409 if the amount differs);
- ``GET /pay/<id>``: the payer's page (pay, or cancel); after the choice the sandbox POSTs the
  signed callback ``{event_id, merchant_id, reference, gateway_payment_id, amount, currency, status,
  at}`` to ``callback_url`` and redirects the browser (303) to ``return_url``;
- ``GET /api/payments/<reference>`` → the same report, signed (egov's server-side status query);
- ``POST /api/payments/<reference>/refund`` ``{amount}`` → the report after the refund;
- ``GET /api/settlement?date=YYYY-MM-DD`` → CSV ``reference,gateway_payment_id,amount,currency,
  status,paid_at`` of the payments paid that local day (status ``paid`` or ``refunded``);
- ``POST /api/sandbox/reset``: forget every payment (tests start from an empty gateway).
"""

from __future__ import annotations

import csv
import html
import io
import json
import logging
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from egov.core import clock
from egov.payments import rules

logger = logging.getLogger(__name__)

type StartResponse = Callable[[str, list[tuple[str, str]]], Any]
type Environ = dict[str, Any]

MAX_BODY = 64 * 1024
CALLBACK_TIMEOUT = 10
STATUS_TEXT = {
    200: "200 OK",
    303: "303 See Other",
    400: "400 Bad Request",
    401: "401 Unauthorized",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    409: "409 Conflict",
}


@dataclass
class SandboxPayment:
    gateway_payment_id: str
    reference: str
    amount: int
    currency: str
    description: str
    return_url: str
    callback_url: str
    status: str = "pending"
    paid_at: datetime | None = None
    form_token: str = ""
    callback_result: str = ""

    def report(self, *, merchant_id: str, event: str) -> dict[str, Any]:
        return {
            "event_id": f"{self.gateway_payment_id}:{event}",
            "merchant_id": merchant_id,
            "reference": self.reference,
            "gateway_payment_id": self.gateway_payment_id,
            "amount": self.amount,
            "currency": self.currency,
            "status": self.status,
            # When it was paid, once it was; the signature's own timestamp says when it was sent.
            "at": int((self.paid_at or clock.now()).timestamp()),
        }


class HttpProblem(Exception):  # noqa: N818
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SandboxGateway:
    """The WSGI application. ``public_url`` is how browsers and egov reach it."""

    def __init__(self, *, merchant_id: str, secret: str, public_url: str, window_seconds: int = 300) -> None:
        if not secret:
            raise ValueError("the sandbox gateway needs the shared secret")
        self.merchant_id = merchant_id
        self.secret = secret
        self.public_url = public_url.rstrip("/")
        self.window = window_seconds
        self.payments: dict[str, SandboxPayment] = {}  # by egov's reference
        self.by_id: dict[str, SandboxPayment] = {}
        self.lock = threading.Lock()

    # --- WSGI ----------------------------------------------------------------------------------

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "/")
        query = environ.get("QUERY_STRING", "")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            if length > MAX_BODY:
                raise HttpProblem(400, "body too large")
            body = environ["wsgi.input"].read(length) if length else b""
            if path.startswith("/api/"):
                self._authenticate(environ, method, path, query, body)
                status, payload, content_type = self._api(method, path, query, body)
                signed_path = path + (f"?{query}" if query else "")
                return self._signed(start_response, status, payload, content_type, signed_path)
            if path.startswith("/pay/"):
                return self._page(environ, start_response, method, path.removeprefix("/pay/"), body)
            if path == "/":
                return self._html(
                    start_response, 200, self._layout("Cổng thanh toán thử nghiệm", "<p>Sẵn sàng.</p>")
                )
            raise HttpProblem(404, "not found")
        except HttpProblem as problem:
            content = json.dumps({"error": problem.message}).encode()
            start_response(STATUS_TEXT[problem.status], [("Content-Type", "application/json")])
            return [content]

    # --- API (egov → sandbox) --------------------------------------------------------------------

    def _authenticate(self, environ: Environ, method: str, path: str, query: str, body: bytes) -> None:
        if environ.get("HTTP_X_MERCHANT_ID") != self.merchant_id:
            raise HttpProblem(401, "unknown merchant")
        try:
            timestamp = int(environ.get("HTTP_X_SIGNATURE_TIMESTAMP", ""))
        except ValueError as error:
            raise HttpProblem(401, "missing timestamp") from error
        signed_path = path + (f"?{query}" if query else "")
        signature = environ.get("HTTP_X_SIGNATURE", "")
        if not rules.signature_valid(
            self.secret, signature, timestamp=timestamp, method=method, path=signed_path, body=body
        ):
            raise HttpProblem(401, "bad signature")
        if not rules.timestamp_fresh(timestamp, clock.now(), window_seconds=self.window):
            raise HttpProblem(401, "stale signature")

    def _api(self, method: str, path: str, query: str, body: bytes) -> tuple[int, bytes, str]:
        parts = path.strip("/").split("/")  # api, payments[, reference[, refund]]
        if parts == ["api", "payments"] and method == "POST":
            return self._create(self._json(body))
        if len(parts) == 3 and parts[1] == "payments" and method == "GET":
            payment = self._find(parts[2])
            return (
                200,
                self._dump(payment.report(merchant_id=self.merchant_id, event=payment.status)),
                "application/json",
            )
        if len(parts) == 4 and parts[1] == "payments" and parts[3] == "refund" and method == "POST":
            return self._refund(parts[2], self._json(body))
        if parts == ["api", "sandbox", "reset"] and method == "POST":
            with self.lock:  # tests start each case from an empty gateway
                self.payments.clear()
                self.by_id.clear()
            return 200, self._dump({"reset": True}), "application/json"
        if parts == ["api", "settlement"] and method == "GET":
            day = parse_qs(query).get("date", [""])[0]
            try:
                wanted = date.fromisoformat(day)
            except ValueError as error:
                raise HttpProblem(400, "date=YYYY-MM-DD expected") from error
            return 200, self.settlement_csv(wanted).encode(), "text/csv; charset=utf-8"
        raise HttpProblem(404 if method in {"GET", "POST"} else 405, "no such API")

    def _create(self, data: dict[str, Any]) -> tuple[int, bytes, str]:
        amount = data.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise HttpProblem(400, "amount must be a positive whole number of đồng")
        if data.get("currency") != rules.CURRENCY:
            raise HttpProblem(400, "only VND")
        texts = [data.get(k) for k in ("reference", "description", "return_url", "callback_url")]
        if not all(isinstance(t, str) and t for t in texts):
            raise HttpProblem(400, "reference, description, return_url, callback_url are required")
        reference, description, return_url, callback_url = (str(t) for t in texts)
        for url in (return_url, callback_url):
            if urlsplit(url).scheme not in {"http", "https"}:
                raise HttpProblem(400, "http(s) URLs only")
        with self.lock:
            existing = self.payments.get(reference)
            if existing is not None:
                if existing.amount != amount:
                    raise HttpProblem(409, "reference already used with another amount")
                payment = existing
            else:
                payment = SandboxPayment(
                    gateway_payment_id="SBX" + secrets.token_hex(8).upper(),
                    reference=reference,
                    amount=amount,
                    currency=rules.CURRENCY,
                    description=description[:255],
                    return_url=return_url,
                    callback_url=callback_url,
                    form_token=secrets.token_urlsafe(16),
                )
                self.payments[reference] = payment
                self.by_id[payment.gateway_payment_id] = payment
        answer = {
            "gateway_payment_id": payment.gateway_payment_id,
            "checkout_url": f"{self.public_url}/pay/{payment.gateway_payment_id}",
        }
        return 200, self._dump(answer), "application/json"

    def _refund(self, reference: str, data: dict[str, Any]) -> tuple[int, bytes, str]:
        with self.lock:
            payment = self._find(reference)
            if payment.status != "paid":
                raise HttpProblem(409, f"cannot refund a payment that is {payment.status}")
            if data.get("amount") != payment.amount:
                raise HttpProblem(409, "refunds are of the full amount")
            payment.status = "refunded"
        return (
            200,
            self._dump(payment.report(merchant_id=self.merchant_id, event="refunded")),
            "application/json",
        )

    def settlement_csv(self, day: date) -> str:
        """The settlement file of one local day: what the intermediary says it collected."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["reference", "gateway_payment_id", "amount", "currency", "status", "paid_at"])
        with self.lock:
            rows = [
                p
                for p in self.payments.values()
                if p.paid_at is not None and p.paid_at.astimezone(clock.local_zone()).date() == day
            ]
        for p in sorted(rows, key=lambda p: (p.paid_at, p.reference)):
            assert p.paid_at is not None
            writer.writerow(
                [p.reference, p.gateway_payment_id, p.amount, p.currency, p.status, p.paid_at.isoformat()]
            )
        return out.getvalue()

    # --- the payer's page --------------------------------------------------------------------------

    def _page(
        self, environ: Environ, start_response: StartResponse, method: str, gid: str, body: bytes
    ) -> Iterable[bytes]:
        payment = self.by_id.get(gid)
        if payment is None:
            return self._html(
                start_response,
                404,
                self._layout("Không tìm thấy giao dịch", "<p>Giao dịch không tồn tại.</p>"),
            )
        if method == "POST":
            form = {k: v[0] for k, v in parse_qs(body.decode(errors="replace")).items()}
            if not secrets.compare_digest(form.get("token", ""), payment.form_token):
                raise HttpProblem(400, "bad form token")
            with self.lock:
                if payment.status == "pending":
                    action = form.get("action")
                    if action == "pay":
                        payment.status = "paid"
                        payment.paid_at = clock.now()
                    elif action == "cancel":
                        payment.status = "cancelled"
                    else:
                        raise HttpProblem(400, "action must be pay or cancel")
                    deliver = form.get("drop_callback") != "1"
                else:
                    deliver = False
            if deliver:
                payment.callback_result = self.send_callback(payment)
            start_response(
                STATUS_TEXT[303], [("Location", payment.return_url), ("Cache-Control", "no-store")]
            )
            return [b""]
        if method != "GET":
            raise HttpProblem(405, "GET or POST")
        amount = html.escape(rules.money_text(payment.amount))
        if payment.status != "pending":
            content = (
                f"<p>Giao dịch <strong>{html.escape(payment.reference)}</strong> đã kết thúc "
                f"({html.escape(payment.status)}).</p>"
                f'<p><a href="{html.escape(payment.return_url)}">Quay lại trang dịch vụ công</a></p>'
            )
            return self._html(start_response, 200, self._layout("Giao dịch đã kết thúc", content))
        token = html.escape(payment.form_token)
        content = f"""
<p class="warning"><strong>Môi trường thử nghiệm:</strong> không có tiền thật được chuyển.</p>
<dl>
  <dt>Nội dung</dt><dd>{html.escape(payment.description)}</dd>
  <dt>Mã giao dịch</dt><dd>{html.escape(payment.reference)}</dd>
  <dt>Số tiền</dt><dd><strong>{amount}</strong></dd>
</dl>
<form method="post">
  <input type="hidden" name="token" value="{token}">
  <p><label><input type="checkbox" name="drop_callback" value="1">
    Giả lập mất thông báo gửi tới egov</label></p>
  <button type="submit" name="action" value="pay">Thanh toán {amount}</button>
  <button type="submit" name="action" value="cancel" class="secondary">Hủy giao dịch</button>
</form>"""
        return self._html(start_response, 200, self._layout("Thanh toán trực tuyến", content))

    def send_callback(self, payment: SandboxPayment) -> str:
        """POST the signed callback to egov; returns what happened (kept for the demo's curiosity)."""
        body = self._dump(payment.report(merchant_id=self.merchant_id, event=payment.status))
        target = urlsplit(payment.callback_url)
        timestamp = int(clock.now().timestamp())
        signed_path = target.path + (f"?{target.query}" if target.query else "")
        request = urllib.request.Request(  # noqa: S310 - the http(s) callback URL egov registered (checked)
            payment.callback_url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Signature-Timestamp": str(timestamp),
                "X-Signature": rules.sign(
                    self.secret, timestamp=timestamp, method="POST", path=signed_path, body=body
                ),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=CALLBACK_TIMEOUT) as response:  # noqa: S310
                return f"{response.status}"
        except urllib.error.HTTPError as error:
            logger.warning("sandbox gateway: callback for %s answered %s", payment.reference, error.code)
            return f"{error.code}"
        except (urllib.error.URLError, OSError) as error:
            logger.warning("sandbox gateway: callback for %s failed: %s", payment.reference, error)
            return "unreachable"

    # --- helpers -------------------------------------------------------------------------------------

    def _find(self, reference: str) -> SandboxPayment:
        payment = self.payments.get(reference)
        if payment is None:
            raise HttpProblem(404, "unknown reference")
        return payment

    @staticmethod
    def _json(body: bytes) -> dict[str, Any]:
        try:
            data = json.loads(body)
        except ValueError as error:
            raise HttpProblem(400, "JSON expected") from error
        if not isinstance(data, dict):
            raise HttpProblem(400, "a JSON object expected")
        return data

    @staticmethod
    def _dump(data: dict[str, Any]) -> bytes:
        return json.dumps(data, ensure_ascii=False, sort_keys=True).encode()

    def _signed(
        self, start_response: StartResponse, status: int, content: bytes, content_type: str, path: str
    ) -> list[bytes]:
        timestamp = int(clock.now().timestamp())
        signature = rules.sign(self.secret, timestamp=timestamp, method="RESPONSE", path=path, body=content)
        start_response(
            STATUS_TEXT[status],
            [
                ("Content-Type", content_type),
                ("X-Signature-Timestamp", str(timestamp)),
                ("X-Signature", signature),
            ],
        )
        return [content]

    @staticmethod
    def _html(start_response: StartResponse, status: int, page: str) -> list[bytes]:
        start_response(
            STATUS_TEXT[status],
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Cache-Control", "no-store"),
                ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action *"),
            ],
        )
        return [page.encode()]

    @staticmethod
    def _layout(title: str, content: str) -> str:
        return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} – Cổng thanh toán THỬ NGHIỆM</title>
<style>
body {{ font-family: sans-serif; margin: 0; color: #1a1a1a; line-height: 1.5; }}
header {{ background: #0b4f6c; color: #fff; padding: .75rem 1rem; }}
main {{ max-width: 32rem; margin: 0 auto; padding: 1rem; }}
.warning {{ background: #fff4ce; border-left: 5px solid #8a6d00; padding: .5rem .75rem; }}
dt {{ font-weight: bold; }} dd {{ margin: 0 0 .5rem; }}
button {{ font: inherit; font-weight: bold; padding: .6rem 1rem; margin: 0 .5rem .5rem 0;
  border: 2px solid #0b4f6c; background: #0b4f6c; color: #fff; border-radius: 4px; cursor: pointer; }}
button.secondary {{ background: #fff; color: #0b4f6c; }}
</style></head>
<body><header><strong>Cổng thanh toán THỬ NGHIỆM (sandbox)</strong></header>
<main><h1>{html.escape(title)}</h1>{content}</main></body></html>"""


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("sandbox gateway: " + format, *args)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


def make_sandbox_server(app: SandboxGateway, *, host: str, port: int) -> WSGIServer:
    return make_server(host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
