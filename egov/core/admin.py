from __future__ import annotations

from django.contrib import admin

from egov.core.calendar import WEEKDAY_NAMES
from egov.core.models import WorkingDayOverride

# --- Working-day overrides (egov.core.calendar) ---------------------------------------------------


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(admin.ModelAdmin[WorkingDayOverride]):
    list_display = ("date", "weekday", "kind", "reason")
    list_filter = ("kind",)
    search_fields = ("reason",)
    date_hierarchy = "date"
    ordering = ("-date",)

    # The weekday is what an administrator checks when entering a swap ("Saturday 22/08 works").
    @admin.display(description="thứ", ordering="date")
    def weekday(self, obj: WorkingDayOverride) -> str:
        return WEEKDAY_NAMES[obj.date.weekday()]
