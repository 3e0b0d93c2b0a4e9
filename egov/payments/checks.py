"""System checks: a production instance needs the gateway's secret, and should know when it is
configured with the sandbox gateway (which moves no money)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register

SANDBOX = "egov.payments.gateways.sandbox.SandboxGateway"


@register()
def gateway_configured(app_configs: Any, **kwargs: Any) -> list[Error | Warning]:
    problems: list[Error | Warning] = []
    if not settings.EGOV_PAYMENT_GATEWAY_SECRET:
        problems.append(
            Error(
                "EGOV_PAYMENT_GATEWAY_SECRET is empty: callbacks cannot be verified.",
                hint="Set the secret shared with the payment gateway in the environment.",
                id="payments.E001",
            )
        )
    if getattr(settings, "PROFILE", "") == "production" and settings.EGOV_PAYMENT_GATEWAY == SANDBOX:
        problems.append(
            Warning(
                "The payment gateway is egov's SANDBOX: no money is collected.",
                hint="Set EGOV_PAYMENT_GATEWAY to the adapter of the province's payment intermediary.",
                id="payments.W001",
            )
        )
    return problems
