from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from egov.core.models import AuditChainHead, AuditEvent, WorkingDayOverride

# --- Working-day overrides (egov.core.calendar) ---------------------------------------------------

# Indexed by date.weekday(); calendar.WEEKDAY_NAMES stays Vietnamese for documents, these follow the UI.
WEEKDAY_LABELS = (
    _("Thứ Hai"),
    _("Thứ Ba"),
    _("Thứ Tư"),
    _("Thứ Năm"),
    _("Thứ Sáu"),
    _("Thứ Bảy"),
    _("Chủ Nhật"),
)


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(admin.ModelAdmin[WorkingDayOverride]):
    list_display = ("date", "weekday", "kind", "reason")
    list_filter = ("kind",)
    search_fields = ("reason",)
    date_hierarchy = "date"
    ordering = ("-date",)

    # The weekday is what an administrator checks when entering a swap ("Saturday 22/08 works").
    @admin.display(description=_("thứ"), ordering="date")
    def weekday(self, obj: WorkingDayOverride) -> str:
        return str(WEEKDAY_LABELS[obj.date.weekday()])


# --- Audit log: read-only; the table grows to millions of rows ------------------------------
class ReadOnlyAdmin[M: models.Model](admin.ModelAdmin[M]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin[AuditEvent]):
    list_display = ["occurred_at", "chain", "seq", "actor_name", "action", "object_repr", "ip"]
    list_filter = ["chain", "actor_kind"]
    search_fields = ["action", "actor_id", "actor_name", "object_type", "object_id", "object_repr"]
    ordering = ["-occurred_at", "-id"]
    show_full_result_count = False  # a full COUNT(*) on every page would scan the whole log


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(ReadOnlyAdmin[AuditChainHead]):
    list_display = ["chain", "seq", "sealed_at", "hash"]
