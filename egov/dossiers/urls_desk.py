"""URLs of the one-stop desk's desk screens (included by egov.dossiers.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
