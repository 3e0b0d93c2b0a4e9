"""URLs of the processing screens (included by egov.dossiers.urls under /dossiers/)."""

from django.urls import URLPattern, path

from egov.dossiers.views import processing, processing_extra

urlpatterns: list[URLPattern] = [
    path("<int:pk>/", processing.detail, name="detail"),
    path("<int:pk>/xu-ly/<slug:action>/", processing.act, name="act"),
    path("<int:pk>/phieu-kiem-soat.pdf", processing_extra.control_slip, name="control_slip"),
    path("chuyen-cong-viec/", processing_extra.reassign, name="reassign"),
]
