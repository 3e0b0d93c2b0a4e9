from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.accounts import services
from egov.accounts.forms import RegistrationForm
from egov.accounts.requests import client_ip

IDENTIFIER_BACKEND = "egov.accounts.backends.IdentifierBackend"


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """A citizen creates an account and is signed in straight away."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register_citizen(
                full_name=data["full_name"],
                national_id=data["national_id"],
                password=data["password"],
                email=data["email"],
                phone=data["phone"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend=IDENTIFIER_BACKEND)
            messages.success(request, _("Đã tạo tài khoản. Bạn đã đăng nhập."))
            return redirect("accounts:profile")
    return render(request, "accounts/register.html", {"form": form})
