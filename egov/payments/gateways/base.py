"""The interface every payment gateway adapter implements (the pattern of GOV.UK Pay and PayGov):

1. egov creates the payment server-side (``create_checkout``, idempotent by egov's reference) and
   redirects the payer to the gateway's ``checkout_url``;
2. the gateway confirms by a signed server-to-server callback (``parse_callback`` verifies it) and
   answers signed status queries (``query``); the browser's return to egov proves nothing;
3. refunds (``refund``) and the daily settlement file (``settlement_file``) for reconciliation.

Adapters raise ``GatewayError`` for anything the gateway did not clearly answer (network, HTTP
errors, unsigned or badly signed answers) and ``CallbackRejected`` for a callback egov must not act on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


class ReportedStatus(StrEnum):
    """A payment's status as the gateway reports it."""

    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


@dataclass(frozen=True)
class CheckoutRequest:
    reference: str
    amount: int
    currency: str
    description: str
    return_url: str
    callback_url: str


@dataclass(frozen=True)
class Checkout:
    gateway_payment_id: str
    checkout_url: str


@dataclass(frozen=True)
class GatewayReport:
    """A statement by the gateway, already authenticated by the adapter."""

    event_id: str
    reference: str
    gateway_payment_id: str
    amount: int
    currency: str
    status: ReportedStatus
    at: datetime


class GatewayError(Exception):
    """The gateway could not be reached or did not answer in a way egov can trust."""


class CallbackRejected(Exception):  # noqa: N818 - "except CallbackRejected" reads as the domain says
    """A callback egov must not act on: bad signature, stale, malformed. ``reason`` goes to the log."""

    def __init__(self, reason: str, *, reference: str = "", event_id: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.reference = reference
        self.event_id = event_id


class PaymentGateway(ABC):
    name: str

    @abstractmethod
    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        """Create the payment at the gateway; the same reference twice gives the same payment."""

    @abstractmethod
    def parse_callback(self, *, body: bytes, headers: Mapping[str, str], path: str) -> GatewayReport:
        """Authenticate a server-to-server callback (signature, time window) and read it."""

    @abstractmethod
    def query(self, reference: str) -> GatewayReport:
        """The gateway's current, signed statement about a payment."""

    @abstractmethod
    def refund(self, reference: str, amount: int) -> GatewayReport:
        """Give a paid payment back in full."""

    @abstractmethod
    def settlement_file(self, day: date) -> str:
        """The gateway's settlement file (CSV) for one local day."""


@cache
def _load(path: str) -> type[PaymentGateway]:
    cls: type[PaymentGateway] = import_string(path)
    return cls


def get_gateway() -> PaymentGateway:
    """The configured adapter, built from the current settings (cheap: no connection is opened)."""
    return _load(settings.EGOV_PAYMENT_GATEWAY)()
