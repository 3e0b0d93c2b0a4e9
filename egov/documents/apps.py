"""Official documents per Decree 30/2020: registers, numbering, incoming processing, drafting, review,
issuing, search.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "egov.documents"
    label = "documents"
    verbose_name = _("Quản lý văn bản")
