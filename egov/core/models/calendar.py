from __future__ import annotations

from django.db import models


class WorkingDayOverride(models.Model):
    """An administrator's correction of the holiday data for one date.

    The government announces swaps each year (a Saturday made a working day in exchange for a
    weekday off); the ``holidays`` package may lag behind, so an override always wins.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", "Ngày nghỉ"
        WORKING_DAY = "working_day", "Ngày làm việc"

    date = models.DateField("ngày", unique=True)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    reason = models.CharField("lý do, căn cứ", max_length=255)

    class Meta:
        verbose_name = "điều chỉnh ngày làm việc"
        verbose_name_plural = "điều chỉnh ngày làm việc"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y}: {self.get_kind_display()}"
