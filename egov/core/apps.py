from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "egov.core"
    label = "core"
    verbose_name = _("Lõi hệ thống")

    def ready(self) -> None:
        from django.core import checks

        from egov.core import calendar, sms

        calendar.connect_signals()
        checks.register(sms.check_sms_gateway)
