"""Reads of payments, scoped by the actor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from egov.accounts.scope import scope_of
from egov.payments.models import FeeOrder, Payment

if TYPE_CHECKING:
    from egov.accounts.models import User

OFFICIAL_PERMISSIONS = ("payments.order", "payments.refund", "payments.reconcile")


def payable_order(actor: User | AnonymousUser, token: str) -> FeeOrder:
    """The order behind a pay page's address, or 404 (the same for unknown and not yours).

    Whoever holds the address may pay an order without a payer account (a desk applicant); an
    order with a payer account is shown only to that account once signed in.
    """
    order = (
        FeeOrder.objects.select_related("agency", "exemption")
        .prefetch_related(
            Prefetch(
                "payments", queryset=Payment.objects.select_related("receipt").order_by("-created_at", "-pk")
            )
        )
        .filter(token=token)
        .first()
    )
    if order is None:
        raise Http404
    if order.payer_id is not None and (not actor.is_authenticated or actor.pk != order.payer_id):
        raise Http404
    return order


def visible_orders(actor: User | AnonymousUser) -> QuerySet[FeeOrder]:
    """Orders of the agencies where the official handles payments; a citizen's own orders."""
    if not actor.is_authenticated:
        return FeeOrder.objects.none()
    scope = scope_of(actor)
    agencies: set[int] = set()
    for permission in OFFICIAL_PERMISSIONS:
        agencies |= scope.agencies_where(permission)
    if scope.is_official:
        return FeeOrder.objects.filter(agency_id__in=agencies)
    return FeeOrder.objects.filter(payer_id=actor.pk)


def orders_for(subject: models.Model) -> QuerySet[FeeOrder]:
    """Every order for one subject (a dossier), oldest first, with its payments.

    Not scoped: the caller has already checked that the actor may see ``subject``.
    """
    return (
        FeeOrder.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
        )
        .select_related("exemption")
        .prefetch_related("payments")
        .order_by("created_at", "pk")
    )


def latest_payment(order: FeeOrder) -> Payment | None:
    payments = list(order.payments.all())  # prefetched, newest first
    return payments[0] if payments else None
