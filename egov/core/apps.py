from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "egov.core"
    label = "core"
    verbose_name = "Lõi hệ thống"

    def ready(self) -> None:
        from egov.core import calendar

        calendar.connect_signals()
