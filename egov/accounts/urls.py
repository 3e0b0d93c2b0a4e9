from django.urls import path

from egov.accounts.views import (
    authorisations,
    identity_provider,
    password_reset,
    profile,
    registration,
    second_factor,
    sign_in,
)

app_name = "accounts"
urlpatterns = [
    path("register/", registration.register, name="register"),
    path("login/", sign_in.SignInView.as_view(), name="login"),
    path("logout/", sign_in.SignOutView.as_view(), name="logout"),
    path("profile/", profile.profile, name="profile"),
    path("people/<int:pk>/", profile.person_detail, name="person_detail"),
    # The desk records who may act for an organisation (tax code).
    path("authorisations/", authorisations.authorisations_desk, name="authorisations"),
    path("authorisations/<int:pk>/revoke/", authorisations.revoke, name="authorisation_revoke"),
    # Under /accounts/otp/: reachable between the password and the code (see the middleware).
    path("otp/verify/", second_factor.verify, name="otp_verify"),
    path("otp/enrol/", second_factor.enrol, name="otp_enrol"),
    # Not under /accounts/otp/: only a fully verified official may see or renew backup codes.
    path("security/backup-codes/", second_factor.backup_codes, name="backup_codes"),
    path("password-reset/", password_reset.ResetRequestView.as_view(), name="password_reset"),
    path("password-reset/sent/", password_reset.ResetSentView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        password_reset.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", password_reset.ResetCompleteView.as_view(), name="password_reset_complete"),
    # Sign-in and identity verification through an OpenID Connect provider (VNeID).
    path("oidc/<slug:provider_name>/login/", identity_provider.start, name="oidc_start"),
    path("oidc/<slug:provider_name>/callback/", identity_provider.callback, name="oidc_callback"),
]
