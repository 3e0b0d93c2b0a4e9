"""The citizen's pay page, the gateway's callback and return, receipts, the finance officer's
reconciliation screen. Thin: services and selectors do the work."""

from __future__ import annotations

import logging
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.accounts.decorators import login_required
from egov.accounts.requests import client_ip
from egov.accounts.scope import scope_of
from egov.core import clock
from egov.payments import reconciliation, selectors, services
from egov.payments.forms import ReconcileForm
from egov.payments.gateways import GatewayError, get_gateway
from egov.payments.models import FeeOrder, GatewayCallback
from egov.payments.receipts import receipt_filename, receipt_pdf
from egov.payments.rules import PaymentStatus

logger = logging.getLogger(__name__)


def _public_url(request: HttpRequest, path: str) -> str:
    base = settings.EGOV_PAYMENT_PUBLIC_URL.rstrip("/")
    return base + path if base else request.build_absolute_uri(path)


def _gateway_origin() -> str:
    parts = urlsplit(settings.EGOV_PAYMENT_GATEWAY_URL)
    return f"{parts.scheme}://{parts.netloc}"


def _order_for(request: HttpRequest, token: str) -> FeeOrder:
    try:
        return selectors.payable_order(request.user, token)
    except Http404:
        raise Http404(_("Không tìm thấy yêu cầu thanh toán.")) from None


def _page(request: HttpRequest, order: FeeOrder, template: str, **extra: Any) -> HttpResponse:
    payment = selectors.latest_payment(order)
    receipt = getattr(payment, "receipt", None) if payment and payment.status == PaymentStatus.PAID else None
    context = {
        "order": order,
        "payment": payment,
        "receipt": receipt,
        "exemption": getattr(order, "exemption", None),
        "payable": not order.is_settled and order.amount_due > 0,
        **extra,
    }
    response = render(request, template, context)
    # The pay form's POST is answered with a redirect to the gateway's page: the CSP's
    # form-action must allow the gateway's origin (browsers check redirects of form submissions).
    response._csp_config = {  # type: ignore[attr-defined]
        **settings.SECURE_CSP,
        "form-action": [CSP.SELF, _gateway_origin()],
    }
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, token: str) -> HttpResponse:
    """The fee order's page: what is owed, then "Thanh toán trực tuyến" → the gateway's page."""
    order = _order_for(request, token)
    if request.method == "POST":
        try:
            payment = services.start_payment(
                order=order,
                return_url=_public_url(request, reverse("payments:returned", args=[order.token])),
                callback_url=_public_url(request, reverse("payments:callback", args=[_gateway_name()])),
            )
        except services.AlreadySettled as settled:
            messages.info(request, str(settled))
            return redirect("payments:pay", token=order.token)
        except services.PaymentUnavailable as unavailable:
            messages.error(request, str(unavailable))
            return redirect("payments:pay", token=order.token)
        return redirect(payment.checkout_url)
    return _page(request, order, "payments/pay.html")


def _gateway_name() -> str:
    return get_gateway().name


@never_cache
@require_GET
def returned(request: HttpRequest, token: str) -> HttpResponse:
    """Where the gateway sends the payer back. Nothing in the address is believed: the status is
    what the signed callback recorded, else what a signed status query says now."""
    order = _order_for(request, token)
    payment = selectors.latest_payment(order)
    if payment is not None and payment.status == PaymentStatus.PENDING:
        services.refresh_from_gateway(payment=payment)
        order = _order_for(request, token)
    return _page(request, order, "payments/result.html")


@csrf_exempt  # a server-to-server call authenticated by its HMAC signature, not by a cookie
@require_POST
def callback(request: HttpRequest, gateway: str) -> HttpResponse:
    if gateway != _gateway_name():
        raise Http404
    log = services.receive_callback(
        body=request.body, headers=dict(request.headers), path=request.path, ip=client_ip(request)
    )
    if log.verdict == GatewayCallback.Verdict.REJECTED:
        return JsonResponse({"ok": False}, status=400)
    return JsonResponse({"ok": True, "verdict": log.verdict})


@never_cache
@require_GET
def receipt(request: HttpRequest, token: str, reference: str) -> HttpResponse:
    order = _order_for(request, token)
    payment = next((p for p in order.payments.all() if p.reference == reference), None)
    found = getattr(payment, "receipt", None) if payment is not None else None
    if found is None:
        raise Http404(_("Không tìm thấy biên lai."))
    response = HttpResponse(receipt_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{receipt_filename(found)}"'
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def reconcile(request: HttpRequest) -> HttpResponse:
    """The finance officer's screen: fetch the gateway's settlement file for a day, list mismatches."""
    if not scope_of(request.user).agencies_where("payments.reconcile"):
        raise PermissionDenied(_("Bạn không có quyền đối soát thanh toán."))
    form = ReconcileForm(request.POST or None, initial={"day": clock.today().strftime("%d/%m/%Y")})
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = reconciliation.reconcile(actor=cast("Any", request.user), day=form.cleaned_data["day"])
        except GatewayError:
            form.add_error(None, _("Không lấy được tệp đối soát từ cổng thanh toán. Vui lòng thử lại sau."))
        except ValidationError as error:
            form.add_error(None, error)
    return render(request, "payments/reconcile.html", {"form": form, "report": report})
