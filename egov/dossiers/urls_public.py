"""Public dossier lookup (by code and a second factor, or by the receipt's QR token) and the kiosk."""

from django.urls import URLPattern, path

from egov.dossiers.views import public

app_name = "lookup"
urlpatterns: list[URLPattern] = [
    path("", public.lookup, name="index"),
    path("qr/<str:token>/", public.track_by_qr, name="qr"),
    path("qr/<str:token>/danh-gia/", public.rate, name="rate"),
    path("kiosk/", public.kiosk, name="kiosk"),
    path("kiosk/qr/", public.kiosk_scan, name="kiosk_scan"),
]
