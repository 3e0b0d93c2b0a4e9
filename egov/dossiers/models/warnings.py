"""Deadline warnings already sent (``reminders.send_deadline_warnings``), so a rerun sends nothing.

One row per dossier, kind and deadline: a warning is about one deadline, so the next step's own
deadline, or a due date moved by a resumed pause, is warned about again; the same one never is.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.dossiers.models.dossier import Dossier


class WarningKind(models.TextChoices):
    STEP_DUE_SOON = "step_due_soon", _("Sắp đến hạn bước xử lý")
    DOSSIER_DUE_SOON = "dossier_due_soon", _("Sắp đến hạn trả kết quả")
    LATE = "late", _("Quá hạn trả kết quả")


class DeadlineWarning(models.Model):
    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="deadline_warnings"
    )
    kind = models.CharField(_("loại cảnh báo"), max_length=20, choices=WarningKind.choices)
    deadline = models.DateTimeField(_("thời hạn được cảnh báo"))
    sent_at = models.DateTimeField(_("gửi lúc"))
    recipient_count = models.PositiveSmallIntegerField(_("số người nhận"), default=0)

    class Meta:
        verbose_name = _("cảnh báo thời hạn")
        verbose_name_plural = pgettext_lazy("plural", "cảnh báo thời hạn")
        ordering = ["dossier", "sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind", "deadline"],
                name="unique_deadline_warning",
                violation_error_message=_("Cảnh báo này đã được gửi."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.kind}"
