"""Fee orders, the payment transition table, gateway adapters (a sandbox gateway for development and
tests), callbacks, refunds, e-receipts.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "egov.payments"
    label = "payments"
    verbose_name = _("Thanh toán")

    def ready(self) -> None:
        from egov.payments import checks  # noqa: F401 - registers the system checks
