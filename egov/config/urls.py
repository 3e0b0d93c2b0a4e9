from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from egov.core import views as core_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("egov.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("egov.accounts.urls")),
    path("workspace/", include("egov.workspace.urls")),
    path("reports/", include("egov.reports.urls")),
    path("dossiers/", include("egov.dossiers.urls")),
    path("tra-cuu/", include("egov.dossiers.urls_public")),
    path("ky-so/", include("egov.signatures.urls")),
    path("van-ban/", include("egov.documents.urls")),
    path("thanh-toan/", include("egov.payments.urls")),
    path("dich-vu-cong/", include("egov.eservices.urls")),
    path("admin/", admin.site.urls),
]

handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error

if settings.DEBUG:  # pragma: no cover - local development only
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
