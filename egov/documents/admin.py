"""Admin for the data administrators maintain: document types (law as data), registers and
delegations. Documents themselves change only through services, so they are read-only here.
Register creation and delegations are audited; opening numbers are set with
``manage.py set_register_opening`` (audited by ``core.counters``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from egov.core import audit, clock
from egov.documents.models import Delegation, DocumentType, IncomingDocument, OutgoingDocument, Register


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin[DocumentType]):
    list_display = ["name", "abbreviation", "kind", "is_composable", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(Register)
class RegisterAdmin(admin.ModelAdmin[Register]):
    list_display = ["name", "agency", "kind", "is_secret", "document_type", "is_active"]
    list_filter = ["kind", "is_secret", "is_active"]
    exclude = ["created_at"]

    def save_model(self, request: HttpRequest, obj: Register, form: Any, change: bool) -> None:
        if not change:
            obj.created_at = clock.now()
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            action="documents.register.change" if change else "documents.register.create",
            obj=obj,
            details={"name": obj.name, "kind": obj.kind, "secret": obj.is_secret, "active": obj.is_active},
        )


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin[Delegation]):
    list_display = ["delegate", "kind", "agency", "valid_from", "valid_until"]
    list_filter = ["kind"]

    def save_model(self, request: HttpRequest, obj: Delegation, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            action="documents.delegation.change" if change else "documents.delegation.create",
            obj=obj,
            details={
                "delegate": obj.delegate_id,
                "kind": obj.kind,
                "from": obj.valid_from.isoformat(),
                "until": obj.valid_until.isoformat() if obj.valid_until else None,
            },
        )


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IncomingDocument)
class IncomingDocumentAdmin(ReadOnly, admin.ModelAdmin[IncomingDocument]):
    list_display = ["incoming_number", "year", "notation", "agency", "status", "secrecy"]
    list_filter = ["status", "secrecy"]
    exclude = ["text", "search_text"]


@admin.register(OutgoingDocument)
class OutgoingDocumentAdmin(ReadOnly, admin.ModelAdmin[OutgoingDocument]):
    list_display = ["notation", "summary", "agency", "status"]
    list_filter = ["status"]
    exclude = ["text", "search_text"]
