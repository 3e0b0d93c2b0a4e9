"""Application form schemas (mẫu tờ khai điện tử), versioned.

A schema is data: a list of field specifications validated by ``rules.schema_problems``. A
published version never changes: a filled application keeps a reference to the version it was
filled with, and a change creates the next version (``services.publish_form_schema``), which
becomes the procedure's only current one.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from egov.core import clock
from egov.procedures.models.catalogue import Procedure


class FormSchema(models.Model):
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="form_schemas"
    )
    version = models.PositiveIntegerField(_("phiên bản"))
    is_current = models.BooleanField(_("đang dùng"), default=True)
    title = models.CharField(_("tên tờ khai"), max_length=255)
    fields: models.JSONField[list[dict[str, Any]], list[dict[str, Any]]] = models.JSONField(
        _("các trường"), default=list
    )
    created_at = models.DateTimeField(_("tạo lúc"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("mẫu tờ khai điện tử")
        verbose_name_plural = pgettext_lazy("plural", "mẫu tờ khai điện tử")
        ordering = ["procedure", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "version"],
                name="unique_schema_version",
                violation_error_message=_("Thủ tục đã có phiên bản tờ khai này."),
            ),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(is_current=True),
                name="one_current_schema_per_procedure",
                violation_error_message=_("Mỗi thủ tục chỉ có một phiên bản tờ khai đang dùng."),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="schema_version_positive",
                violation_error_message=_("Phiên bản bắt đầu từ 1."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(title)s (phiên bản %(version)d)") % {"title": self.title, "version": self.version}
