"""Public dossier lookup (by code and a second factor, or by the receipt's QR token) and the kiosk."""

from django.urls import URLPattern

app_name = "lookup"
urlpatterns: list[URLPattern] = []
