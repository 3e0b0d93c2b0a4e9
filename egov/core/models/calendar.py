from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WorkingDayOverride(models.Model):
    """An administrator's correction of the holiday data for one date.

    The government announces swaps each year (a Saturday made a working day in exchange for a
    weekday off); the ``holidays`` package may lag behind, so an override always wins.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ")
        WORKING_DAY = "working_day", _("Ngày làm việc")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    reason = models.CharField(_("lý do, căn cứ"), max_length=255)

    class Meta:
        verbose_name = _("điều chỉnh ngày làm việc")
        verbose_name_plural = pgettext_lazy("plural", "điều chỉnh ngày làm việc")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y}: {self.get_kind_display()}"
