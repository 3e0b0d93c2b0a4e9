"""Public verification pages: what a QR code on an issued document opens, and a PDF check.

No sign-in. The token page shows the issued file's SHA-256 and its signatures' status; a visitor
may upload a PDF to compare (checked by content, size-limited, rate-limited per address, never
stored: it is validated in memory and dropped).
"""

from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from egov.accounts.requests import client_ip
from egov.core import clock, files
from egov.signatures import selectors, services
from egov.signatures.models import IssuedFile
from egov.signatures.validation import FileReport


class PdfUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp PDF cần kiểm tra"))


def _upload_allowed(request: HttpRequest) -> bool:
    """At most EGOV_VERIFY_UPLOADS_PER_HOUR checks per address per clock hour (atomic counter)."""
    limit = getattr(settings, "EGOV_VERIFY_UPLOADS_PER_HOUR", 30)
    address = client_ip(request) or "unknown"
    key = (
        "signatures:verify-upload:" + hashlib.sha256(f"{address}:{clock.now():%Y%m%d%H}".encode()).hexdigest()
    )
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count <= limit


def _checked_report(request: HttpRequest, form: PdfUploadForm) -> tuple[FileReport | None, int]:
    if not _upload_allowed(request):
        form.add_error(None, _("Bạn đã kiểm tra quá nhiều tệp trong một giờ. Vui lòng thử lại sau."))
        return None, 429
    upload = form.cleaned_data["file"]
    try:
        files.check_upload(
            upload,
            allowed=frozenset({files.FileKind.PDF}),
            max_bytes=getattr(settings, "EGOV_VERIFY_UPLOAD_MAX_BYTES", 20 * 1024 * 1024),
        )
    except files.FileRejected as exc:
        form.add_error("file", exc)
        return None, 400
    upload.seek(0)
    data = upload.read()
    return services.report_for_upload(data), 200


def _upload_form(request: HttpRequest) -> tuple[PdfUploadForm, FileReport | None, int]:
    """The upload form (bound on POST) and, for a valid upload, its report: (form, report, status)."""
    if request.method != "POST":
        return PdfUploadForm(), None, 200
    form = PdfUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return form, None, 400
    uploaded, status = _checked_report(request, form)
    return form, uploaded, status


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    issued = selectors.issued_file_by_token(token)
    if issued is None:
        return render(request, "signatures/not_found.html", status=404)
    form, uploaded, status = _upload_form(request)
    context = {
        "issued": issued,
        "report": selectors.issued_report(issued),
        "form": form,
        "uploaded": uploaded,
        "matches": uploaded is not None and uploaded.sha256 == issued.sha256,
    }
    return render(request, "signatures/verify.html", context, status=status)


@never_cache
@require_GET
def verify_json(request: HttpRequest, token: str) -> JsonResponse:
    issued = selectors.issued_file_by_token(token)
    if issued is None:
        raise Http404
    return JsonResponse(selectors.public_projection(issued), json_dumps_params={"ensure_ascii": False})


@never_cache
@require_http_methods(["GET", "POST"])
def check_upload(request: HttpRequest) -> HttpResponse:
    form, uploaded, status = _upload_form(request)
    issued: IssuedFile | None = selectors.issued_file_by_hash(uploaded.sha256) if uploaded else None
    return render(
        request,
        "signatures/check.html",
        {"form": form, "uploaded": uploaded, "issued": issued},
        status=status,
    )
