"""Reconciliation of egov's payments against the gateway's settlement file for one local day.

egov's side is every payment paid that day (``paid`` or ``refunded`` now), plus every payment the
file names whatever its day or status (so "paid at the gateway, cancelled in egov" shows as a
status difference rather than an unknown line). ``rules.reconcile_lines`` lists every mismatch.
An official sees the mismatches of the agencies where they hold ``payments.reconcile`` and the
lines nobody in egov knows (no agency to attribute them to).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.accounts.scope import scope_of
from egov.core import audit, clock
from egov.payments import rules
from egov.payments.gateways import get_gateway
from egov.payments.models import Payment
from egov.payments.rules import Mismatch, PaymentStatus, SettlementLine

if TYPE_CHECKING:
    from egov.accounts.models import User

COLUMNS = ["reference", "gateway_payment_id", "amount", "currency", "status", "paid_at"]
MAX_LINES = 200_000


@dataclass(frozen=True)
class ReconciliationReport:
    day: date
    gateway: str
    lines_in_file: int
    payments_in_egov: int
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return not self.mismatches


def parse_settlement(text: str) -> list[SettlementLine]:
    """The gateway's CSV; ``ValidationError`` (Vietnamese, with the line number) on anything odd."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header != COLUMNS:
        raise ValidationError(
            _("Tệp đối soát không đúng định dạng: dòng tiêu đề phải là %(columns)s.")
            % {"columns": ",".join(COLUMNS)}
        )
    lines: list[SettlementLine] = []
    for number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(lines) >= MAX_LINES:
            raise ValidationError(_("Tệp đối soát quá lớn."))
        if len(row) != len(COLUMNS):
            raise ValidationError(_("Dòng %(line)d của tệp đối soát không đủ cột.") % {"line": number})
        reference, _gateway_id, amount, currency, status, _paid_at = row
        if not amount.isdigit():
            raise ValidationError(_("Dòng %(line)d: số tiền không phải số nguyên đồng.") % {"line": number})
        lines.append(
            SettlementLine(reference=reference, amount=int(amount), currency=currency, status=status)
        )
    return lines


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=clock.local_zone())
    return start, start + timedelta(days=1)


def reconcile(*, actor: User, day: date, settlement_text: str | None = None) -> ReconciliationReport:
    """Compare one day; the file is fetched from the gateway (signed) unless given. Audited."""
    scope = scope_of(actor)
    agencies = scope.agencies_where("payments.reconcile")
    if not agencies:
        raise PermissionDenied(_("Bạn không có quyền đối soát thanh toán."))
    gateway = get_gateway()
    if settlement_text is None:
        settlement_text = gateway.settlement_file(day)
    theirs = parse_settlement(settlement_text)
    start, end = _day_bounds(day)
    settled = [PaymentStatus.PAID.value, PaymentStatus.REFUNDED.value]
    ours_rows = Payment.objects.filter(
        gateway=gateway.name, status__in=settled, paid_at__gte=start, paid_at__lt=end
    )
    named = Payment.objects.filter(gateway=gateway.name, reference__in=[line.reference for line in theirs])
    payments = {p.reference: p for p in (ours_rows | named).select_related("order").distinct()}
    ours = [
        SettlementLine(reference=p.reference, amount=p.amount, currency=p.currency, status=p.status)
        for p in payments.values()
    ]
    mismatches = [
        m
        for m in rules.reconcile_lines(ours, theirs)
        if m.reference not in payments or payments[m.reference].order.agency_id in agencies
    ]
    report = ReconciliationReport(
        day=day,
        gateway=gateway.name,
        lines_in_file=len(theirs),
        payments_in_egov=len(ours_rows),
        mismatches=mismatches,
    )
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="payment.reconcile",
            details={
                "day": day.isoformat(),
                "gateway": gateway.name,
                "lines": report.lines_in_file,
                "mismatches": [f"{m.kind.value}:{m.reference}" for m in mismatches][:200],
            },
        )
    return report
