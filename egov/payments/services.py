"""Use cases that write payments: fee orders and exemptions, payments through the gateway and their
confirmation (callback or status query), refunds. Keyword-only, one transaction each, audited.

The money path (GOV.UK Pay's pattern): egov records the payment, creates it at the gateway
(idempotent by egov's reference), redirects the payer, and believes only the gateway's signed
callback or signed status query; the browser's return proves nothing. A callback that is forged,
stale, replayed, for another amount or currency, or that the transition table does not allow
changes nothing and is logged (``GatewayCallback`` row + audit event).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from egov.accounts.scope import require, scope_of
from egov.core import audit, clock, counters
from egov.organizations.models import Agency
from egov.payments import rules
from egov.payments.gateways import (
    CallbackRejected,
    CheckoutRequest,
    GatewayError,
    GatewayReport,
    ReportedStatus,
    get_gateway,
)
from egov.payments.models import Exemption, FeeOrder, GatewayCallback, Payment, Receipt
from egov.payments.rules import PaymentStatus
from egov.payments.signals import payment_settled

if TYPE_CHECKING:
    from egov.accounts.models import User

logger = logging.getLogger(__name__)

RECEIPT_COUNTER = "receipt"


class AlreadySettled(Exception):  # noqa: N818
    """The order needs no payment (paid or exempted)."""


class PaymentUnavailable(Exception):  # noqa: N818
    """The gateway could not be reached or refused; the message is for the payer."""


@dataclass(frozen=True)
class ExemptionData:
    amount: int
    ground: str


# --- Fee orders and exemptions ---------------------------------------------------------------------


def create_fee_order(
    *,
    actor: User | None,
    agency: Agency,
    subject: models.Model,
    subject_label: str,
    purpose: str,
    description: str,
    amount: int,
    payer: User | None,
    payer_name: str,
    idempotency_key: str,
) -> FeeOrder:
    """Record what someone owes ``agency`` for ``subject``; the same key returns the same order.

    Officials need ``payments.order`` in the agency; a citizen may only order what they pay
    themselves (their own fixed fees at submission); ``actor=None`` is the system.
    """
    if amount <= 0:
        raise ValidationError(_("Số tiền phải thu phải lớn hơn 0 đồng."), code="amount")
    description = description.strip()
    if not description:
        raise ValidationError(_("Hãy ghi nội dung khoản thu."), code="description")
    if actor is not None:
        if actor.is_official:
            require(actor, "payments.order", agency)
        elif payer is None or payer.pk != actor.pk:
            raise PermissionDenied(_("Bạn chỉ có thể tạo yêu cầu thanh toán cho chính mình."))
    with transaction.atomic():
        existing = FeeOrder.objects.select_for_update().filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.amount != amount or existing.agency_id != agency.pk:
                raise ValidationError(
                    _("Yêu cầu thanh toán này đã được tạo với số tiền khác."), code="idempotency_conflict"
                )
            return existing
        order = FeeOrder.objects.create(
            idempotency_key=idempotency_key,
            agency=agency,
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=subject.pk,
            subject_label=subject_label,
            purpose=purpose,
            description=description[:255],
            payer=payer,
            payer_name=payer_name,
            amount=amount,
            created_at=clock.now(),
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        audit.record(
            actor=actor,
            action="payment.order_create",
            obj=order,
            details={"amount": amount, "purpose": purpose, "subject": subject_label},
        )
    return order


def grant_exemption(*, order: FeeOrder, officer: User, amount: int, ground: str) -> FeeOrder:
    """Exempt or reduce an order (miễn, giảm) with its ground; a full exemption settles it."""
    ground = ground.strip()
    if not ground:
        raise ValidationError(
            _("Hãy ghi căn cứ miễn, giảm (văn bản, đối tượng được miễn, giảm)."), code="ground"
        )
    require(officer, "payments.order", order.agency_id)
    with transaction.atomic():
        order = FeeOrder.objects.select_for_update().get(pk=order.pk)
        if order.is_settled:
            raise AlreadySettled(_("Khoản thu này đã được nộp hoặc miễn, không thể miễn, giảm thêm."))
        if order.payments.filter(status__in=[s.value for s in rules.OPEN | {PaymentStatus.PAID}]).exists():
            raise ValidationError(
                _("Người nộp đang thanh toán khoản này; chỉ miễn, giảm được trước khi thanh toán."),
                code="open",
            )
        if hasattr(order, "exemption"):
            raise ValidationError(_("Khoản thu này đã có quyết định miễn, giảm."), code="twice")
        if not 0 < amount <= order.amount:
            raise ValidationError(
                _("Số tiền miễn, giảm phải từ 1 đồng đến %(max)s.") % {"max": rules.money_text(order.amount)},
                code="amount",
            )
        now = clock.now()
        Exemption.objects.create(
            order=order, amount=amount, ground=ground, granted_by=officer, granted_at=now
        )
        order.exempted_amount = amount
        fields = ["exempted_amount"]
        if order.amount_due == 0:
            order.settled_at = now
            fields.append("settled_at")
        order.save(update_fields=fields)
        audit.record(
            actor=officer,
            action="payment.exempt",
            obj=order,
            details={"amount": amount, "ground": ground, "full": order.amount_due == 0},
        )
        if order.amount_due == 0:
            _send_settled(order, payment=None)
    return order


# --- Paying --------------------------------------------------------------------------------------


def start_payment(*, order: FeeOrder, return_url: str, callback_url: str) -> Payment:
    """The payment to send the payer to: the open one if any (double click, second tab), else new.

    The caller (the pay page) has checked that the visitor may pay this order. The gateway call
    happens between two short transactions, never while holding a lock: the payment row exists
    first (status ``created``), so a crash or a gateway error leaves a retryable attempt, and the
    gateway is idempotent by our reference.
    """
    with transaction.atomic():
        order = FeeOrder.objects.select_for_update().get(pk=order.pk)
        if order.is_settled or order.payments.filter(status=PaymentStatus.PAID).exists():
            raise AlreadySettled(_("Khoản thu này đã được thanh toán."))
        payment = order.payments.filter(status__in=[s.value for s in rules.OPEN]).first()
        if payment is None:
            gateway_name = get_gateway().name
            payment = Payment.objects.create(
                order=order,
                gateway=gateway_name,
                amount=order.amount_due,
                status=PaymentStatus.CREATED,
                created_at=clock.now(),
            )
            audit.record(
                actor=order.payer, action="payment.create", obj=payment, details={"amount": payment.amount}
            )
    if payment.status == PaymentStatus.PENDING and payment.checkout_url:
        return payment
    try:
        checkout = get_gateway().create_checkout(
            CheckoutRequest(
                reference=payment.reference,
                amount=payment.amount,
                currency=payment.currency,
                description=f"{order.description} – {order.subject_label}"[:255],
                return_url=return_url,
                callback_url=callback_url,
            )
        )
    except GatewayError as error:
        logger.warning("payment %s: gateway refused or unreachable: %s", payment.reference, error)
        raise PaymentUnavailable(
            _(
                "Cổng thanh toán tạm thời không phản hồi. Vui lòng thử lại sau ít phút; "
                "chưa có khoản tiền nào bị trừ."
            )
        ) from error
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status == PaymentStatus.CREATED:
            rules.payment_transition(payment.status_enum, PaymentStatus.PENDING)
            payment.status = PaymentStatus.PENDING
            payment.gateway_payment_id = checkout.gateway_payment_id
            payment.checkout_url = checkout.checkout_url
            payment.save(update_fields=["status", "gateway_payment_id", "checkout_url"])
            audit.record(
                actor=None,
                action="payment.open_at_gateway",
                obj=payment,
                details={"gateway_payment_id": checkout.gateway_payment_id},
            )
    return payment


# --- Confirmation: callback or status query ---------------------------------------------------------

_TARGET = {
    ReportedStatus.PAID: PaymentStatus.PAID,
    ReportedStatus.FAILED: PaymentStatus.FAILED,
    ReportedStatus.CANCELLED: PaymentStatus.CANCELLED,
    ReportedStatus.REFUNDED: PaymentStatus.REFUNDED,
}


class ReportMismatch(Exception):  # noqa: N818
    """The gateway's statement does not fit the payment egov recorded; nothing was changed."""


def apply_report(*, report: GatewayReport, source: str) -> tuple[Payment, bool]:
    """Apply a verified gateway statement to its payment; ``(payment, changed)``.

    Checks that the statement is about this payment (gateway id), for its amount and currency, and
    that the table allows the move; raises ``ReportMismatch`` otherwise. A statement of the status
    the payment already has changes nothing (idempotent). ``refunded`` is applied only by
    ``refund_payment``: a refund egov did not ask for is a mismatch for reconciliation.
    """
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .select_related("order")
            .filter(reference=report.reference)
            .first()
        )
        if payment is None:
            raise ReportMismatch(f"unknown reference {report.reference}")
        if payment.gateway != get_gateway().name:
            raise ReportMismatch(f"payment {payment.reference} belongs to gateway {payment.gateway}")
        if payment.gateway_payment_id and payment.gateway_payment_id != report.gateway_payment_id:
            raise ReportMismatch(
                f"gateway id {report.gateway_payment_id} is not {payment.gateway_payment_id}"
            )
        if report.amount != payment.amount:
            raise ReportMismatch(f"amount {report.amount} differs from {payment.amount}")
        if report.currency != payment.currency:
            raise ReportMismatch(f"currency {report.currency} is not {payment.currency}")
        target = _TARGET.get(report.status)
        if target is None or target is payment.status_enum:
            return payment, False
        if target is PaymentStatus.REFUNDED:
            raise ReportMismatch("a refund egov did not record")
        try:
            row = rules.payment_transition(payment.status_enum, target)
        except rules.IllegalPaymentTransition as error:
            raise ReportMismatch(f"{payment.status} → {target.value} is not in the table") from error
        now = clock.now()
        payment.status = target
        payment.closed_at = now
        fields = ["status", "closed_at"]
        if target is PaymentStatus.PAID:
            payment.paid_at = report.at
            fields.append("paid_at")
        payment.save(update_fields=fields)
        audit.record(
            actor=None,
            action=f"payment.{row.name}",
            obj=payment,
            details={"source": source, "event_id": report.event_id, "amount": report.amount},
        )
        if target is PaymentStatus.PAID:
            order = FeeOrder.objects.select_for_update().get(pk=payment.order_id)
            order.settled_at = now
            order.save(update_fields=["settled_at"])
            issue_receipt(payment=payment, order=order)  # last: the receipt series stays locked until commit
            _send_settled(order, payment=payment)
    return payment, True


def receive_callback(
    *, body: bytes, headers: Mapping[str, str], path: str, ip: str | None
) -> GatewayCallback:
    """Handle a server-to-server callback: verify, de-duplicate, apply; log every outcome."""
    gateway = get_gateway()
    now = clock.now()
    log = GatewayCallback(
        received_at=now, gateway=gateway.name, ip=ip, body=body[:4000].decode(errors="replace")
    )
    try:
        report = gateway.parse_callback(body=body, headers=headers, path=path)
    except CallbackRejected as rejected:
        return _refuse(log, rejected.reason)
    log.event_id = report.event_id[:80]
    log.reference = report.reference[:40]
    if GatewayCallback.objects.filter(
        gateway=gateway.name, event_id=log.event_id, verdict=GatewayCallback.Verdict.APPLIED
    ).exists():
        return _duplicate(log)
    try:
        with transaction.atomic():
            _payment, changed = apply_report(report=report, source="callback")
            log.verdict = GatewayCallback.Verdict.APPLIED if changed else GatewayCallback.Verdict.DUPLICATE
            if not changed:
                log.reason = "status already recorded"
            log.save()
    except ReportMismatch as mismatch:
        return _refuse(log, str(mismatch))
    except IntegrityError:  # the same event applied by a concurrent delivery a moment ago
        return _duplicate(log)
    return log


def _refuse(log: GatewayCallback, reason: str) -> GatewayCallback:
    log.verdict = GatewayCallback.Verdict.REJECTED
    log.reason = reason[:255]
    with transaction.atomic():
        log.save()
        audit.record(
            actor=None,
            action="payment.callback_rejected",
            obj=log,
            ip=log.ip,
            details={"reason": log.reason, "reference": log.reference, "event_id": log.event_id},
        )
    logger.warning("payment callback rejected from %s: %s", log.ip, log.reason)
    return log


def _duplicate(log: GatewayCallback) -> GatewayCallback:
    log.verdict = GatewayCallback.Verdict.DUPLICATE
    log.reason = "event already applied (replay or retry)"
    with transaction.atomic():
        log.save()
        audit.record(
            actor=None,
            action="payment.callback_replayed",
            obj=log,
            ip=log.ip,
            details={"reference": log.reference, "event_id": log.event_id},
        )
    return log


def refresh_from_gateway(*, payment: Payment) -> Payment:
    """Ask the gateway (signed status query) about a payment still waiting; apply what it says.

    What the return page uses when the callback has not arrived yet. Gateway problems leave the
    payment as it is (the callback or the next visit will tell).
    """
    if payment.status_enum not in rules.OPEN or not payment.gateway_payment_id:
        return payment
    try:
        report = get_gateway().query(payment.reference)
        payment, _changed = apply_report(report=report, source="query")
    except GatewayError as error:
        logger.warning("payment %s: status query failed: %s", payment.reference, error)
    except ReportMismatch as mismatch:
        logger.warning("payment %s: status query does not match: %s", payment.reference, mismatch)
        audit.record(
            actor=None, action="payment.query_mismatch", obj=payment, details={"reason": str(mismatch)}
        )
    return Payment.objects.select_related("order").get(pk=payment.pk)


# --- Receipts ------------------------------------------------------------------------------------


def issue_receipt(*, payment: Payment, order: FeeOrder) -> Receipt:
    """The e-receipt of a paid payment: a number gap-free within the series and year.

    Runs inside the confirming transaction, after everything else: the counter's row stays
    locked until commit, and a rollback gives the number back (``core.counters``).
    """
    issued_at = clock.now()
    year = issued_at.astimezone(clock.local_zone()).year
    series = settings.EGOV_RECEIPT_SERIES
    number = counters.next_value(namespace=RECEIPT_COUNTER, key=rules.receipt_counter_key(series, year))
    receipt = Receipt.objects.create(
        payment=payment,
        series=series,
        year=year,
        number=number,
        issued_at=issued_at,
        agency_name=order.agency.name,
        payer_name=order.payer_name,
        description=f"{order.description} – {order.subject_label}"[:255],
        amount=payment.amount,
    )
    audit.record(
        actor=None,
        action="payment.receipt_issue",
        obj=receipt,
        details={"series": series, "year": year, "number": number, "payment": payment.reference},
    )
    return receipt


# --- Refunds -------------------------------------------------------------------------------------


def refund_payment(*, payment: Payment, officer: User, reason: str) -> Payment:
    """Give a paid payment back in full through the gateway (paid → refunded), with the reason.

    The caller decides whether the rules allow a refund (e.g. ``dossiers.services.fees``); this
    checks the officer's ``payments.refund`` permission and the transition table.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Hãy ghi lý do hoàn tiền."), code="reason")
    require(officer, "payments.refund", payment.order.agency_id)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        row = rules.payment_transition(payment.status_enum, PaymentStatus.REFUNDED)
        try:
            report = get_gateway().refund(payment.reference, payment.amount)
        except GatewayError as error:
            raise PaymentUnavailable(
                _("Cổng thanh toán chưa thực hiện được việc hoàn tiền. Vui lòng thử lại sau.")
            ) from error
        if report.status is not ReportedStatus.REFUNDED or report.amount != payment.amount:
            raise PaymentUnavailable(_("Cổng thanh toán trả lời không khớp với yêu cầu hoàn tiền."))
        now = clock.now()
        payment.status = PaymentStatus.REFUNDED
        payment.refunded_at = now
        payment.refund_reason = reason
        payment.save(update_fields=["status", "refunded_at", "refund_reason"])
        audit.record(
            actor=officer,
            action=f"payment.{row.name}",
            obj=payment,
            details={"amount": payment.amount, "reason": reason, "event_id": report.event_id},
        )
    return payment


def may_refund(actor: User, payment: Payment) -> bool:
    return scope_of(actor).can("payments.refund", payment.order.agency_id)


# --- Signal ---------------------------------------------------------------------------------------


def _send_settled(order: FeeOrder, *, payment: Payment | None) -> None:
    order_id, payment_id = order.pk, payment.pk if payment else None

    def send() -> None:
        for receiver, result in payment_settled.send_robust(
            sender=FeeOrder, order_id=order_id, payment_id=payment_id, exempt=payment_id is None
        ):
            if isinstance(result, Exception):
                logger.error(
                    "payment_settled receiver %s failed for order %s: %r", receiver, order_id, result
                )

    transaction.on_commit(send)
