"""Statistics of the one-stop shop; later the service index (Decision 766), plans and dashboards."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "egov.reports"
    label = "reports"
    verbose_name = _("Báo cáo, thống kê")
