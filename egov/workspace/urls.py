from django.urls import path

from egov.workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("agencies/<int:agency_id>/", views.agency_detail, name="agency_detail"),
]
