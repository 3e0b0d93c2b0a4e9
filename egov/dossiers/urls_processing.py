"""URLs of the processing screens (included by egov.dossiers.urls under /dossiers/)."""

from django.urls import URLPattern, path

from egov.dossiers.views import processing, processing_documents, processing_extra

urlpatterns: list[URLPattern] = [
    path("<int:pk>/", processing.detail, name="detail"),
    path("<int:pk>/xu-ly/<slug:action>/", processing.act, name="act"),
    path("<int:pk>/phieu-kiem-soat.pdf", processing_extra.control_slip, name="control_slip"),
    path(
        "<int:pk>/ban-giao/tep/<int:attachment>/",
        processing_documents.handover_attachment,
        name="handover_attachment",
    ),
    path("<int:pk>/giay-to/<int:document>/", processing_documents.document_file, name="document_file"),
    path("<int:pk>/ket-qua/", processing_documents.result_file, name="result_file"),
    path("<int:pk>/xin-loi/<int:apology>/mau-04.pdf", processing_documents.apology_pdf, name="apology_pdf"),
    path("<int:pk>/thong-bao-dung.pdf", processing_documents.stop_notice_pdf, name="stop_notice_pdf"),
    path("chuyen-cong-viec/", processing_extra.reassign, name="reassign"),
]
