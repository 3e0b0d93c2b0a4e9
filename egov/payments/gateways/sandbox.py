"""The adapter for egov's SANDBOX payment gateway (``manage.py run_sandbox_gateway``).

The sandbox is a separate HTTP server that behaves like a payment intermediary: it shows its own
payment page, lets the tester pay or cancel, sends an HMAC-signed callback to egov and redirects
the browser back. It moves no money. This adapter speaks its protocol (``egov.payments.sandbox_server``
documents it); a real intermediary gets an adapter of its own behind the same interface.

Every request egov sends is signed with the shared secret; every answer and callback the sandbox
sends is signed too, and egov refuses anything unsigned, badly signed or outside the time window.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from egov.core import clock
from egov.payments import rules
from egov.payments.gateways.base import (
    CallbackRejected,
    Checkout,
    CheckoutRequest,
    GatewayError,
    GatewayReport,
    PaymentGateway,
    ReportedStatus,
)

TIMEOUT_SECONDS = 10
MERCHANT_HEADER = "X-Merchant-Id"
TIMESTAMP_HEADER = "X-Signature-Timestamp"
SIGNATURE_HEADER = "X-Signature"


def _header(headers: Mapping[str, str], name: str) -> str:
    lowered = {key.lower(): value for key, value in headers.items()}
    return lowered.get(name.lower(), "")


def read_report(data: Any) -> GatewayReport:
    """A report from the sandbox's JSON; ``ValueError`` when a field is missing or of the wrong kind."""
    if not isinstance(data, dict):
        raise ValueError("not an object")
    amount = data.get("amount")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise ValueError("amount must be a whole number of đồng")
    at = data.get("at")
    if not isinstance(at, int):
        raise ValueError("at must be a Unix time")
    texts = {
        key: data.get(key) for key in ("event_id", "reference", "gateway_payment_id", "currency", "status")
    }
    if not all(isinstance(value, str) and value for value in texts.values()):
        raise ValueError("missing text fields")
    return GatewayReport(
        event_id=str(texts["event_id"]),
        reference=str(texts["reference"]),
        gateway_payment_id=str(texts["gateway_payment_id"]),
        amount=amount,
        currency=str(texts["currency"]),
        status=ReportedStatus(str(texts["status"])),
        at=datetime.fromtimestamp(at, tz=UTC),
    )


class SandboxGateway(PaymentGateway):
    name = "sandbox"

    def __init__(self) -> None:
        self.base_url = settings.EGOV_PAYMENT_GATEWAY_URL.rstrip("/")
        self.merchant_id = settings.EGOV_PAYMENT_MERCHANT_ID
        self.secret = settings.EGOV_PAYMENT_GATEWAY_SECRET
        self.window = settings.EGOV_PAYMENT_SIGNATURE_WINDOW_SECONDS
        if not self.secret:
            raise ImproperlyConfigured("EGOV_PAYMENT_GATEWAY_SECRET is empty: set it in the environment")

    # --- egov → gateway ------------------------------------------------------------------------

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        answer = self._call(
            "POST",
            "/api/payments",
            {
                "reference": request.reference,
                "amount": request.amount,
                "currency": request.currency,
                "description": request.description,
                "return_url": request.return_url,
                "callback_url": request.callback_url,
            },
        )
        try:
            return Checkout(
                gateway_payment_id=str(answer["gateway_payment_id"]), checkout_url=str(answer["checkout_url"])
            )
        except KeyError as error:
            raise GatewayError(f"sandbox answer without {error}") from error

    def query(self, reference: str) -> GatewayReport:
        return self._report(self._call("GET", f"/api/payments/{reference}"))

    def refund(self, reference: str, amount: int) -> GatewayReport:
        return self._report(self._call("POST", f"/api/payments/{reference}/refund", {"amount": amount}))

    def settlement_file(self, day: date) -> str:
        return self._call("GET", "/api/settlement?" + urlencode({"date": day.isoformat()}), raw=True)

    # --- gateway → egov ------------------------------------------------------------------------

    def parse_callback(self, *, body: bytes, headers: Mapping[str, str], path: str) -> GatewayReport:
        self._verify("POST", path, body, headers, what="callback")
        try:
            report = read_report(json.loads(body))
        except (ValueError, UnicodeDecodeError) as error:  # JSONDecodeError is a ValueError
            raise CallbackRejected(f"malformed callback: {error}") from error
        if json.loads(body).get("merchant_id") != self.merchant_id:
            raise CallbackRejected("callback for another merchant", reference=report.reference)
        return report

    # --- plumbing ------------------------------------------------------------------------------

    def _verify(self, method: str, path: str, body: bytes, headers: Mapping[str, str], *, what: str) -> None:
        try:
            timestamp = int(_header(headers, TIMESTAMP_HEADER))
        except ValueError as error:
            raise CallbackRejected(f"{what} without a signature timestamp") from error
        signature = _header(headers, SIGNATURE_HEADER)
        if not rules.signature_valid(
            self.secret, signature, timestamp=timestamp, method=method, path=path, body=body
        ):
            raise CallbackRejected(f"{what} with a wrong HMAC signature")
        if not rules.timestamp_fresh(timestamp, clock.now(), window_seconds=self.window):
            raise CallbackRejected(f"{what} signed outside the {self.window}-second window")

    def _report(self, answer: Any) -> GatewayReport:
        try:
            return read_report(answer)
        except ValueError as error:
            raise GatewayError(f"unreadable sandbox report: {error}") from error

    def _call(
        self, method: str, path: str, payload: dict[str, Any] | None = None, *, raw: bool = False
    ) -> Any:
        body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
        timestamp = int(clock.now().timestamp())
        signed_path = urlsplit(path).path + (("?" + urlsplit(path).query) if urlsplit(path).query else "")
        request = urllib.request.Request(  # noqa: S310 - the configured gateway URL, http(s) only (checked)
            self.base_url + path,
            data=body if method == "POST" else None,
            method=method,
            headers={
                "Content-Type": "application/json",
                MERCHANT_HEADER: self.merchant_id,
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: rules.sign(
                    self.secret, timestamp=timestamp, method=method, path=signed_path, body=body
                ),
            },
        )
        if urlsplit(self.base_url).scheme not in {"http", "https"}:
            raise ImproperlyConfigured("EGOV_PAYMENT_GATEWAY_URL must be an http(s) URL")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                content: bytes = response.read()
                headers = dict(response.headers.items())
        except urllib.error.HTTPError as error:
            detail = error.read()[:300].decode(errors="replace")
            raise GatewayError(f"sandbox gateway answered {error.code}: {detail}") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise GatewayError(f"sandbox gateway unreachable: {error}") from error
        try:
            self._verify("RESPONSE", signed_path, content, headers, what="gateway answer")
        except CallbackRejected as error:
            raise GatewayError(error.reason) from error
        if raw:
            return content.decode()
        try:
            return json.loads(content)
        except ValueError as error:
            raise GatewayError("sandbox answer is not JSON") from error
