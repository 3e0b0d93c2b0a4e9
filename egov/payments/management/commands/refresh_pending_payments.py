"""Ask the gateway about payments still pending after a while (cron, e.g. every 10 minutes).

A payer who paid but closed the browser before returning, with the callback lost on the way, is
confirmed here instead of waiting for the day's reconciliation.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand

from egov.core import clock
from egov.payments import services
from egov.payments.models import Payment
from egov.payments.rules import PaymentStatus


class Command(BaseCommand):
    help = "Hỏi cổng thanh toán về các giao dịch còn chờ xác nhận quá N phút."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--older-than-minutes", type=int, default=10)
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args: Any, older_than_minutes: int, limit: int, **options: Any) -> None:
        cutoff = clock.now() - timedelta(minutes=older_than_minutes)
        waiting = Payment.objects.filter(status=PaymentStatus.PENDING, created_at__lt=cutoff).order_by(
            "created_at"
        )
        changed = 0
        checked = 0
        for payment in waiting[:limit]:
            checked += 1
            if services.refresh_from_gateway(payment=payment).status != PaymentStatus.PENDING:
                changed += 1
        self.stdout.write(f"{checked} pending payments asked, {changed} settled or closed")
