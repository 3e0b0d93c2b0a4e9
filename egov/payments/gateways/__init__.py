"""Payment gateway adapters behind one interface (``base.PaymentGateway``); ``get_gateway()`` returns
the one configured in ``EGOV_PAYMENT_GATEWAY``."""

from egov.payments.gateways.base import (
    CallbackRejected,
    Checkout,
    CheckoutRequest,
    GatewayError,
    GatewayReport,
    PaymentGateway,
    ReportedStatus,
    get_gateway,
)

__all__ = [
    "CallbackRejected",
    "Checkout",
    "CheckoutRequest",
    "GatewayError",
    "GatewayReport",
    "PaymentGateway",
    "ReportedStatus",
    "get_gateway",
]
