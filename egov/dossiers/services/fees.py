"""A dossier's fees through ``egov.payments``: fixed fees ordered at submission, the financial
obligation a processing officer sets at status 6, the obligation met when its order is settled
(``receivers.settle_obligation``), and refunds of a refused or withdrawn dossier's payments.

The fee orders refer to the dossier through payments' generic reference; payments never imports
dossiers (ARCHITECTURE.md: dossiers → payments only).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from egov.dossiers.models import Dossier
from egov.dossiers.rules import Status
from egov.dossiers.services._base import Actor, actor_may
from egov.dossiers.services.processing import request_obligation
from egov.payments import selectors as payment_selectors
from egov.payments import services as payments
from egov.payments.models import FeeOrder, Payment
from egov.payments.rules import PaymentStatus

PURPOSE_FEE = "dossier_fee"  # a fixed fee of the procedure, payable at submission
PURPOSE_OBLIGATION = "financial_obligation"  # an amount the processing officer sets (status 6)


def refund_allowed(status: Status, *, accepted: bool, after_acceptance: bool) -> bool:
    """Whether a dossier's paid fees go back: refused (3) always; withdrawn (7) before acceptance
    always, after acceptance only where the setting says the rules allow it."""
    if status is Status.REFUSED:
        return True
    if status is Status.WITHDRAWN:
        return not accepted or after_acceptance
    return False


def order_submission_fees(*, dossier: Dossier, actor: Actor) -> list[FeeOrder]:
    """One fee order per fixed fee of the procedure (fees stated as a schedule are set later by an
    officer). Idempotent: the same dossier gives the same orders. The applicant or the desk."""
    user = dossier.applicant.user
    is_applicant = user is not None and user.pk == actor.pk
    if not is_applicant and not actor_may(actor, "dossiers.receive", dossier):
        raise PermissionDenied(_("Bạn không có quyền tạo yêu cầu nộp phí cho hồ sơ này."))
    orders = []
    with transaction.atomic():
        for fee in dossier.procedure.fees.filter(amount__gt=0).order_by("order"):
            assert fee.amount is not None
            orders.append(
                payments.create_fee_order(
                    actor=actor,
                    agency=dossier.agency,
                    subject=dossier,
                    subject_label=_("Hồ sơ %(code)s") % {"code": dossier.code},
                    purpose=PURPOSE_FEE,
                    description=fee.name,
                    amount=fee.amount,
                    payer=user,
                    payer_name=dossier.applicant.name,
                    idempotency_key=f"dossier:{dossier.pk}:fee:{fee.pk}",
                )
            )
    return orders


def request_fee_payment(
    *,
    dossier: Dossier,
    officer: Actor,
    amount: int,
    note: str,
    exemption: payments.ExemptionData | None = None,
) -> FeeOrder:
    """The processing officer sets the amount to pay (4 → 6, the clock pauses) and its fee order,
    in one transaction; an exemption with its ground may reduce it (a full one settles it, and
    the dossier goes back to processing after the commit)."""
    with transaction.atomic():
        dossier = request_obligation(dossier=dossier, officer=officer, note=note)
        count = payment_selectors.orders_for(dossier).filter(purpose=PURPOSE_OBLIGATION).count()
        order = payments.create_fee_order(
            actor=officer,
            agency=dossier.agency,
            subject=dossier,
            subject_label=_("Hồ sơ %(code)s") % {"code": dossier.code},
            purpose=PURPOSE_OBLIGATION,
            description=note.strip(),
            amount=amount,
            payer=dossier.applicant.user,
            payer_name=dossier.applicant.name,
            idempotency_key=f"dossier:{dossier.pk}:obligation:{count + 1}",
        )
        if exemption is not None:
            order = payments.grant_exemption(
                order=order, officer=officer, amount=exemption.amount, ground=exemption.ground
            )
    return order


def _refund_allowed_now(dossier: Dossier) -> bool:
    return refund_allowed(
        dossier.status_enum,
        accepted=dossier.is_accepted,
        after_acceptance=settings.EGOV_REFUND_ON_WITHDRAWAL_AFTER_ACCEPTANCE,
    )


def refundable_payments(dossier: Dossier) -> list[Payment]:
    """The paid payments a refund would give back: none unless the rules allow a refund now."""
    if not _refund_allowed_now(dossier):
        return []
    return _paid_payments(dossier)


def _paid_payments(dossier: Dossier) -> list[Payment]:
    orders = payment_selectors.orders_for(dossier)
    return list(Payment.objects.filter(order__in=orders, status=PaymentStatus.PAID).select_related("order"))


def refund_dossier_fees(*, dossier: Dossier, officer: Actor, reason: str) -> list[Payment]:
    """Refund every paid payment of a refused or withdrawn dossier, where the rules allow it."""
    dossier = Dossier.objects.get(pk=dossier.pk)
    if not _refund_allowed_now(dossier):
        raise PermissionDenied(_("Chỉ hoàn phí, lệ phí của hồ sơ bị từ chối hoặc đã rút theo quy định."))
    return [
        payments.refund_payment(payment=payment, officer=officer, reason=reason)
        for payment in _paid_payments(dossier)
    ]


def dossier_orders(dossier: Dossier) -> list[FeeOrder]:
    """The dossier's fee orders, for screens that already show the dossier to the actor."""
    return list(payment_selectors.orders_for(dossier))


def unpaid_orders(dossier: Dossier) -> list[FeeOrder]:
    """The dossier's fee orders still to be paid (neither paid nor exempted), oldest first."""
    return [order for order in payment_selectors.orders_for(dossier) if not order.is_settled]
