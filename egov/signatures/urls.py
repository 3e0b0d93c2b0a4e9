"""Public verification of issued files (no sign-in): by the QR token, or by uploading a PDF."""

from django.urls import URLPattern, URLResolver, path

from egov.signatures import views

app_name = "signatures"
urlpatterns: list[URLPattern | URLResolver] = [
    path("kiem-tra/", views.check_upload, name="check"),
    path("x/<str:token>/", views.verify, name="verify"),
    path("x/<str:token>/bao-cao.json", views.verify_json, name="verify_json"),
]
