from django.urls import path

from egov.workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("agencies/<int:agency_id>/", views.agency_detail, name="agency_detail"),
    path("dossiers/", views.dossier_list, name="dossiers"),
    path("register/", views.register, name="register"),
    path("register/excel/", views.register_export, {"kind": "xlsx"}, name="register_xlsx"),
    path("register/pdf/", views.register_export, {"kind": "pdf"}, name="register_pdf"),
]
