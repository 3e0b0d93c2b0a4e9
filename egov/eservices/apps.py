"""Citizen-facing online public services: procedure finder, application wizard, drafts, uploads, my
dossiers, documents wallet.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EservicesConfig(AppConfig):
    name = "egov.eservices"
    label = "eservices"
    verbose_name = _("Dịch vụ công trực tuyến")
