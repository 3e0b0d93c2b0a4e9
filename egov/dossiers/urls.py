"""Officials' screens of the one-stop shop: reception at the desk and processing."""

from django.urls import URLPattern, URLResolver

from egov.dossiers import urls_desk, urls_processing

app_name = "dossiers"
urlpatterns: list[URLPattern | URLResolver] = [*urls_desk.urlpatterns, *urls_processing.urlpatterns]
