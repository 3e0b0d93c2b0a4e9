"""Public dossier lookup: by code and a second factor, by the receipt's QR token, and the kiosk.

Every answer about a dossier is the ``selectors.PublicTracking`` projection (no personal data), and
every page is ``never_cache``: the kiosk is a shared screen, and the back button must not bring the
previous citizen's dossier back. Forms are POSTed so the second factor never lands in a URL, a
proxy log or the kiosk's history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.accounts.requests import client_ip
from egov.core import clock
from egov.dossiers import selectors, services, throttling
from egov.dossiers.forms_public import KioskCodeForm, KioskScanForm, LookupForm, RatingForm
from egov.dossiers.models import Dossier
from egov.dossiers.rules import IllegalTransition

DEFAULT_KIOSK_TIMEOUT_SECONDS = 60


def not_found_message() -> str:
    # One message for an unknown code and a wrong second factor: telling them apart would let
    # anyone learn which codes exist.
    return _(
        "Không tìm thấy hồ sơ khớp với mã hồ sơ và 4 chữ số đã nhập. Hãy kiểm tra lại mã hồ sơ trên "
        "giấy hẹn và 4 chữ số cuối của số điện thoại hoặc số định danh đã ghi khi nộp hồ sơ."
    )


def throttled_message(until: datetime) -> str:
    minutes = max(1, math.ceil((until - clock.now()).total_seconds() / 60))
    local = until.astimezone(clock.local_zone())
    return _(
        "Bạn đã nhập sai quá nhiều lần. Để bảo vệ thông tin hồ sơ, việc tra cứu tạm dừng đến "
        "%(time)s ngày %(date)s. Vui lòng thử lại sau khoảng %(minutes)d phút."
    ) % {"time": f"{local:%H:%M}", "date": f"{local:%d/%m/%Y}", "minutes": minutes}


@dataclass(frozen=True)
class Outcome:
    tracking: selectors.PublicTracking | None = None
    retry_at: datetime | None = None


def find_by_code(request: HttpRequest, code: str, second_factor: str) -> Outcome:
    """The lookup behind both forms: throttle check, selector, failure count."""
    client = client_ip(request)
    until = throttling.retry_at(code=code, client=client)
    if until is not None:
        return Outcome(retry_at=until)
    dossier = selectors.dossier_for_lookup(code, second_factor)
    if dossier is None:
        throttling.record_failure(code=code, client=client)
        return Outcome()
    return Outcome(tracking=selectors.public_tracking(dossier, now=clock.now()))


def refuse(form: forms.Form, outcome: Outcome) -> int:
    """Put the no-oracle or throttle message on ``form``; the HTTP status to answer with."""
    if outcome.retry_at is not None:
        form.add_error(None, throttled_message(outcome.retry_at))
        return 429
    form.add_error(None, not_found_message())
    return 200


def with_retry_after(response: HttpResponse, outcome: Outcome) -> HttpResponse:
    if outcome.retry_at is not None:
        response["Retry-After"] = str(max(1, math.ceil((outcome.retry_at - clock.now()).total_seconds())))
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.POST if request.method == "POST" else None)
    outcome = Outcome()
    status = 200
    if form.is_valid():
        outcome = find_by_code(request, form.cleaned_data["code"], form.cleaned_data["second_factor"])
        if outcome.tracking is not None:
            return render(request, "dossiers/public/tracking.html", {"tracking": outcome.tracking})
        status = refuse(form, outcome)
    response = render(request, "dossiers/public/lookup.html", {"form": form}, status=status)
    return with_retry_after(response, outcome)


def qr_not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "dossiers/public/qr_not_found.html", status=404)


def qr_page(
    request: HttpRequest,
    dossier: Dossier,
    token: str,
    *,
    rating_form: RatingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The tracking page opened by the receipt's QR; holding the token lets the applicant rate."""
    tracking = selectors.public_tracking(dossier, now=clock.now())
    context: dict[str, Any] = {"tracking": tracking, "token": token}
    if tracking.may_be_rated:
        context["rating_form"] = rating_form or RatingForm()
    return render(request, "dossiers/public/tracking.html", context, status=status)


@never_cache
@require_GET
def track_by_qr(request: HttpRequest, token: str) -> HttpResponse:
    dossier = selectors.dossier_by_tracking_token(token)
    if dossier is None:
        return qr_not_found(request)
    return qr_page(request, dossier, token)


@never_cache
@require_POST
def rate(request: HttpRequest, token: str) -> HttpResponse:
    """The applicant's satisfaction rating, posted from the QR tracking page (once, after the return)."""
    dossier = selectors.dossier_by_tracking_token(token)
    if dossier is None:
        return qr_not_found(request)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return qr_page(request, dossier, token, rating_form=form, status=400)
    try:
        services.rate(
            dossier=dossier,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
            tracking_token=token,
        )
    except IllegalTransition as refused:
        messages.error(request, str(refused))
        return qr_page(request, dossier, token, status=409)
    except ValidationError as refused:
        if refused.code != "rated":
            for text in refused.messages:
                form.add_error(None, text)
            return qr_page(request, dossier, token, rating_form=form, status=400)
        # Rated already (a second click, a second tab): nothing to do, the page shows the rating.
        messages.info(request, _("Hồ sơ này đã được đánh giá. Cảm ơn bạn."))
        return redirect("lookup:qr", token=token)
    messages.success(request, _("Cảm ơn bạn đã đánh giá."))
    return redirect("lookup:qr", token=token)


# --- Kiosk ---------------------------------------------------------------------------------------


def kiosk_context(**extra: Any) -> dict[str, Any]:
    timeout = int(getattr(settings, "EGOV_KIOSK_TIMEOUT_SECONDS", DEFAULT_KIOSK_TIMEOUT_SECONDS))
    return {"kiosk_timeout": timeout, **extra}


def kiosk_start(
    request: HttpRequest,
    *,
    scan_form: KioskScanForm | None = None,
    code_form: KioskCodeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    pristine = scan_form is None and code_form is None
    if scan_form is None and code_form is not None:
        # The visitor is fixing the second form: the scan field must not take focus from it.
        scan_form = KioskScanForm()
        scan_form.fields["scan"].widget.attrs.pop("autofocus", None)
    context = kiosk_context(
        scan_form=scan_form or KioskScanForm(),
        code_form=code_form or KioskCodeForm(today=clock.today()),
        # An untouched start screen has nothing to reset; once something was typed it has.
        resets=not pristine,
    )
    return render(request, "dossiers/public/kiosk.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return kiosk_start(request)
    form = KioskCodeForm(request.POST, today=clock.today())
    if not form.is_valid():
        return kiosk_start(request, code_form=form)
    outcome = find_by_code(request, form.dossier_code(), form.cleaned_data["second_factor"])
    if outcome.tracking is not None:
        return render(
            request,
            "dossiers/public/kiosk_result.html",
            kiosk_context(tracking=outcome.tracking, resets=True),
        )
    status = refuse(form, outcome)
    return with_retry_after(kiosk_start(request, code_form=form, status=status), outcome)


@never_cache
@require_POST
def kiosk_scan(request: HttpRequest) -> HttpResponse:
    form = KioskScanForm(request.POST)
    if not form.is_valid():
        return kiosk_start(request, scan_form=form)
    dossier = selectors.dossier_by_tracking_token(form.cleaned_data["scan"])
    if dossier is None:
        form.add_error(
            "scan",
            _("Không tìm thấy hồ sơ theo mã QR này. Hãy quét lại, hoặc tra cứu bằng mã hồ sơ bên dưới."),
        )
        return kiosk_start(request, scan_form=form, status=404)
    tracking = selectors.public_tracking(dossier, now=clock.now())
    return render(request, "dossiers/public/kiosk_result.html", kiosk_context(tracking=tracking, resets=True))
