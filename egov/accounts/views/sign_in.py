from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from egov.accounts.forms import LoginForm
from egov.accounts.oidc.providers import configured_providers
from egov.accounts.requests import url_with_next


class SignInView(LoginView):
    """Password first; officials then go on to their second factor before reaching any page."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {"identity_providers": configured_providers()}

    def get_default_redirect_url(self) -> str:
        """Without a ``next``: officials go to their workspace, citizens to the home page."""
        if getattr(self.request.user, "is_official", False):
            return resolve_url(settings.OFFICIAL_HOME_URL)
        return super().get_default_redirect_url()

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        if form.get_user().is_official:
            return HttpResponseRedirect(url_with_next("accounts:otp_verify", self.get_success_url()))
        return response


class SignOutView(LogoutView):
    """POST only; Django's logout flushes the whole session."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("Bạn đã đăng xuất."))
        return response
