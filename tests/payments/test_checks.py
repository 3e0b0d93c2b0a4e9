"""The system checks guard the secret and say when production runs on the sandbox gateway."""

from typing import Any

from egov.payments.checks import SANDBOX, gateway_configured


def test_an_empty_secret_is_an_error(settings: Any):
    settings.EGOV_PAYMENT_GATEWAY_SECRET = ""
    assert [p.id for p in gateway_configured(None)] == ["payments.E001"]


def test_production_on_the_sandbox_gateway_is_warned(settings: Any):
    settings.PROFILE = "production"
    settings.EGOV_PAYMENT_GATEWAY = SANDBOX
    assert [p.id for p in gateway_configured(None)] == ["payments.W001"]
    settings.EGOV_PAYMENT_GATEWAY = "province.gateways.Intermediary"
    assert gateway_configured(None) == []
