"""Receivers of signals sent by apps beside the one-stop shop: payments tells it a fee order is
settled; documents tells it an outgoing document was issued (a dossier's signed result)."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils.translation import gettext as _

from egov.documents.models import OutgoingDocument, OutgoingVersion
from egov.documents.signals import outgoing_issued
from egov.dossiers.models import Dossier
from egov.dossiers.rules import IllegalTransition, Status
from egov.dossiers.services.fees import PURPOSE_OBLIGATION
from egov.dossiers.services.processing import obligation_met
from egov.dossiers.services.result_document import finish_with_document
from egov.payments.models import FeeOrder, Receipt
from egov.payments.signals import payment_settled

logger = logging.getLogger(__name__)


@receiver(payment_settled, dispatch_uid="dossiers.settle_obligation")
def settle_obligation(
    sender: Any, *, order_id: int, payment_id: int | None, exempt: bool, **kwargs: Any
) -> None:
    """A paid (or fully exempted) obligation order takes its dossier from 6 back to 4 once every
    obligation order of the dossier is settled. Recorded as done by the officer who set the amount
    (the transition table asks for a processing official); if they may no longer act, the dossier
    stays at 6 for an officer to move, and the reason is logged."""
    order = FeeOrder.objects.select_related("created_by").get(pk=order_id)
    if order.purpose != PURPOSE_OBLIGATION or order.subject_type != ContentType.objects.get_for_model(
        Dossier
    ):
        return
    dossier = Dossier.objects.filter(pk=order.subject_id).first()
    if dossier is None or dossier.status != Status.OBLIGATION_REQUESTED:
        return
    open_orders = FeeOrder.objects.filter(
        subject_type=order.subject_type,
        subject_id=dossier.pk,
        purpose=PURPOSE_OBLIGATION,
        settled_at__isnull=True,
    )
    if open_orders.exists() or order.created_by is None:
        return
    if exempt:
        note = _("Được miễn nghĩa vụ tài chính.")
    else:
        receipt = Receipt.objects.filter(payment_id=payment_id).first() if payment_id else None
        note = (
            _("Đã nộp nghĩa vụ tài chính trực tuyến")
            + (f" ({_('biên lai')} {receipt})" if receipt else "")
            + "."
        )
    try:
        obligation_met(dossier=dossier, officer=order.created_by, note=note)
    except (PermissionDenied, IllegalTransition) as error:
        logger.warning("dossier %s: obligation paid but not moved to processing: %s", dossier.code, error)


@receiver(outgoing_issued, sender=OutgoingDocument, dispatch_uid="dossiers.finish_with_result_document")
def finish_with_result_document(
    sender: Any, *, document: OutgoingDocument, version: OutgoingVersion | None, **kwargs: Any
) -> None:
    """An issued result document (origin ``dossiers:<code>``) finishes its dossier with the signed
    PDF. Inside the issuing transaction: a refusal (``ValidationError``, in Vietnamese) rolls the
    issue back, so the document is never issued while its dossier stays unfinished."""
    finish_with_document(document=document, version=version)
