"""Password reset by e-mail: Django's views with Vietnamese pages and message."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy

from egov.accounts import services
from egov.accounts.forms import NewPasswordForm, PasswordResetRequestForm
from egov.accounts.requests import client_ip


class ResetRequestView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self) -> dict[str, Any]:  # type: ignore[override]
        return {"site_name": settings.EGOV_SITE_NAME}


class ResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: NewPasswordForm) -> HttpResponse:  # type: ignore[override]
        # Through the service rather than form.save(): audited, and it lifts a lockout.
        services.reset_password(
            user=form.user, password=form.cleaned_data["new_password1"], ip=client_ip(self.request)
        )
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
