"""Read-only views of payments for administrators: money rows change only through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from egov.payments.models import FeeOrder, GatewayCallback, Payment, Receipt


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FeeOrder)
class FeeOrderAdmin(ReadOnly):
    list_display = ["description", "subject_label", "agency", "amount", "exempted_amount", "settled_at"]
    list_select_related = ["agency"]
    search_fields = ["subject_label", "payer_name", "idempotency_key"]


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = ["reference", "gateway", "amount", "status", "created_at", "paid_at"]
    list_filter = ["status", "gateway"]
    search_fields = ["reference", "gateway_payment_id"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnly):
    list_display = ["series", "year", "number", "payer_name", "amount", "issued_at"]
    list_filter = ["series", "year"]


@admin.register(GatewayCallback)
class GatewayCallbackAdmin(ReadOnly):
    list_display = ["received_at", "gateway", "reference", "verdict", "reason", "ip"]
    list_filter = ["verdict", "gateway"]
