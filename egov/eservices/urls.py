from django.urls import URLPattern, URLResolver, path

from egov.eservices.views import finder, mine, wizard

app_name = "eservices"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", finder.finder, name="finder"),
    path("thu-tuc/<str:code>/", finder.procedure_page, name="procedure"),
    path("thu-tuc/<str:code>/nop/", wizard.start, name="start"),
    path("ho-so-nhap/<uuid:public_id>/", wizard.task_list, name="draft"),
    path("ho-so-nhap/<uuid:public_id>/nguoi-nop/", wizard.applicant_step, name="draft_applicant"),
    path("ho-so-nhap/<uuid:public_id>/noi-nop/", wizard.agency_step, name="draft_agency"),
    path("ho-so-nhap/<uuid:public_id>/trang/<int:number>/", wizard.page_step, name="draft_page"),
    path("ho-so-nhap/<uuid:public_id>/giay-to/", wizard.files_step, name="draft_files"),
    path("ho-so-nhap/<uuid:public_id>/kiem-tra/", wizard.check_step, name="draft_check"),
    path("ho-so-nhap/<uuid:public_id>/nop/", wizard.submit, name="draft_submit"),
    path("ho-so-nhap/<uuid:public_id>/xoa/", wizard.delete, name="draft_delete"),
    path("ho-so-nhap/<uuid:public_id>/tep/<int:file_id>/", mine.draft_file, name="draft_file"),
    path("cua-toi/", mine.mine, name="mine"),
    path("kho-du-lieu/", mine.wallet, name="wallet"),
    path("kho-du-lieu/<int:pk>/", mine.wallet_file, name="wallet_file"),
    path("ho-so/<str:code>/", mine.dossier_detail, name="dossier"),
    path("ho-so/<str:code>/da-nop/", wizard.confirmation, name="confirmation"),
    path("ho-so/<str:code>/bo-sung/", mine.supplement, name="supplement"),
    path("ho-so/<str:code>/ket-qua/", mine.result_download, name="result"),
    path("ho-so/<str:code>/danh-gia/", mine.rate, name="rate"),
    path("ho-so/<str:code>/buu-chinh/", mine.postal_delivery, name="postal"),
    path("ho-so/<str:code>/giay-tiep-nhan.pdf", mine.receipt_pdf, name="receipt"),
]
