"""URLs of the one-stop desk's desk screens (included by egov.dossiers.urls)."""

from django.urls import URLPattern, path

from egov.dossiers.views import desk, desk_print

urlpatterns: list[URLPattern] = [
    path("quay/", desk.desk_list, name="desk_list"),
    path("quay/tiep-nhan/", desk.receive, name="desk_receive"),
    path("quay/ho-so/<int:pk>/", desk.detail, name="desk_detail"),
    path("quay/ho-so/<int:pk>/ket-qua/", desk.result, name="desk_result"),
    path("quay/ho-so/<int:pk>/phieu.pdf", desk_print.print_slip, name="desk_print"),
    path("quay/ho-so/<int:pk>/to-khai.pdf", desk_print.print_declaration, name="desk_declaration"),
]
