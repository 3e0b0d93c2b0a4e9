"""Read-only admin views of dossiers and their history.

Every change to a dossier is a service call (permission, transition table, audit, notification),
so the admin only shows: no add, no change, no delete, here or in the inlines.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from egov.dossiers.models import (
    Apology,
    Applicant,
    Dossier,
    DossierDocument,
    DossierResult,
    Handover,
    StatusChange,
)


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DocumentInline(ReadOnlyMixin, admin.TabularInline[DossierDocument, Dossier]):
    model = DossierDocument
    fields = ["order", "name", "form", "count", "is_required", "received", "file_name", "file_sha256"]
    extra = 0


class StatusChangeInline(ReadOnlyMixin, admin.TabularInline[StatusChange, Dossier]):
    model = StatusChange
    fields = ["at", "source", "target", "actor", "form", "note"]
    extra = 0


class HandoverInline(ReadOnlyMixin, admin.TabularInline[Handover, Dossier]):
    model = Handover
    fields = ["step_name", "from_agency", "from_user", "to_agency", "to_division", "to_user", "handed_at",
              "received_at", "step_due_at", "completed_at", "note"]  # fmt: skip
    extra = 0


class ApologyInline(ReadOnlyMixin, admin.TabularInline[Apology, Dossier]):
    model = Apology
    fields = ["issued_at", "issued_by", "promised_at", "reason"]
    extra = 0


class ResultInline(ReadOnlyMixin, admin.StackedInline[DossierResult, Dossier]):
    model = DossierResult
    extra = 0


@admin.register(Dossier)
class DossierAdmin(ReadOnlyMixin, admin.ModelAdmin[Dossier]):
    list_display = ["code", "procedure", "agency", "status", "channel", "submitted_at", "due_at"]
    list_filter = ["status", "channel", "agency"]
    search_fields = ["code"]  # the unique index; the applicant is searched through the applicant page
    list_select_related = ["procedure", "agency"]
    show_full_result_count = False  # COUNT(*) over a million rows on every page is not free
    date_hierarchy = "submitted_at"
    raw_id_fields = ["procedure", "applicant", "form_schema"]
    inlines = [DocumentInline, StatusChangeInline, HandoverInline, ApologyInline, ResultInline]


@admin.register(Applicant)
class ApplicantAdmin(ReadOnlyMixin, admin.ModelAdmin[Applicant]):
    list_display = ["name", "kind", "national_id", "tax_code", "phone"]
    search_fields = ["=national_id", "=tax_code", "=phone"]
    show_full_result_count = False
