"""The officials' second factor: authenticator enrolment, verification, backup codes."""

from __future__ import annotations

from base64 import b32encode
from typing import cast

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp.middleware import is_verified
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import lockout, selectors, services
from egov.accounts.decorators import login_required
from egov.accounts.forms import EnrolmentForm, SecondFactorForm
from egov.accounts.models import User
from egov.accounts.requests import client_ip, next_url, url_with_next
from egov.accounts.services import CodeOutcome

BACKUP_CODES_SESSION_KEY = "egov_backup_codes"
CODE_ERRORS = {
    CodeOutcome.REFUSED: gettext_lazy(
        "Mã không đúng, đã hết hạn hoặc đã được dùng. Hãy nhập mã đang hiện trong ứng dụng."
    ),
    CodeOutcome.DEFERRED: gettext_lazy("Bạn vừa nhập sai mã. Hãy chờ vài giây rồi nhập lại."),
}


def _official(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not user.is_official:
        raise PermissionDenied(_("Trang này dành cho cán bộ, công chức."))
    return user


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for a code from the authenticator, or a backup code; five wrong codes lock the account."""
    user = cast(User, request.user)
    if not user.is_official or is_verified(user):
        return redirect(next_url(request))
    if selectors.confirmed_totp_device(user) is None:
        return redirect(url_with_next("accounts:otp_enrol", next_url(request)))
    if lockout.is_locked_out(request, user):
        return _lock_out(request, user)
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        check = services.verify_second_factor(
            user=user, token=form.cleaned_data["code"], ip=client_ip(request)
        )
        if check.device is not None:
            _complete_sign_in(request, user, check.device)
            return redirect(next_url(request))
        if check.outcome is CodeOutcome.REFUSED and lockout.count_failed_code(request, user):
            return _lock_out(request, user)
        form.add_error("code", CODE_ERRORS[check.outcome])
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then confirm with a code."""
    user = _official(request)
    if selectors.confirmed_totp_device(user) is not None:
        # Already enrolled: a new device needs the old one first, never only a password.
        return redirect(url_with_next("accounts:otp_verify", next_url(request)))
    device = services.start_totp_enrolment(user=user, ip=client_ip(request))
    form = EnrolmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.confirm_totp_enrolment(
                user=user, device=device, token=form.cleaned_data["code"], ip=client_ip(request)
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            _complete_sign_in(request, user, device)
            request.session[BACKUP_CODES_SESSION_KEY] = codes
            return redirect(url_with_next("accounts:backup_codes", next_url(request)))
    context = {
        "form": form,
        "qr_uri": _qr_data_uri(device),
        "secret": _secret_text(device),
        "next": next_url(request),
    }
    return render(request, "accounts/otp_enrol.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def backup_codes(request: HttpRequest) -> HttpResponse:
    """Backup codes, shown once after they are made; a verified official may make new ones."""
    user = _official(request)
    if not is_verified(user):
        return redirect(url_with_next("accounts:otp_verify", request.get_full_path()))
    if request.method == "POST":
        request.session[BACKUP_CODES_SESSION_KEY] = services.issue_backup_codes(
            user=user, ip=client_ip(request)
        )
        messages.success(request, _("Đã tạo mã dự phòng mới. Các mã cũ không còn dùng được."))
        return redirect(url_with_next("accounts:backup_codes", next_url(request)))
    codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
    context = {
        "codes": [_grouped(code, 5) for code in codes or []],
        "codes_left": selectors.backup_codes_left(user),
        "next": next_url(request),
    }
    return render(request, "accounts/backup_codes.html", context)


def _complete_sign_in(request: HttpRequest, user: User, device: Device) -> None:
    django_otp.login(request, device)
    request.session.cycle_key()  # more rights now: a session id seen before the code is worth nothing
    lockout.clear_failures(user)


def _lock_out(request: HttpRequest, user: User) -> HttpResponse:
    logout(request)
    return lockout.lockout_response(request, user)


def _qr_data_uri(device: TOTPDevice) -> str:
    # A data: URI image, since the CSP allows neither inline scripts nor inline styles.
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2))


def _secret_text(device: TOTPDevice) -> str:
    return _grouped(b32encode(device.bin_key).decode("ascii"), 4)


def _grouped(text: str, size: int) -> str:
    return " ".join(text[i : i + size] for i in range(0, len(text), size))
