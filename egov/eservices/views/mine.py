"""The citizen's own pages: my dossiers (drafts and submitted), one dossier's timeline, the
supplement fixed online, the result downloaded online, the rating, the documents wallet."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from egov.accounts.decorators import login_required
from egov.core.downloads import stored_file_response
from egov.core.files import FileRejected
from egov.dossiers import printing
from egov.dossiers import selectors as dossier_selectors
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Dossier
from egov.dossiers.rules import STATUS_LABELS, IllegalTransition, Status
from egov.dossiers.selectors import public_timeline
from egov.dossiers.signed_results import verification_of
from egov.dossiers.views import desk_print
from egov.eservices import selectors, services
from egov.eservices.forms import PostalDeliveryForm, RatingForm
from egov.eservices.identity import is_verified
from egov.eservices.models import DraftFile, PostalDeliveryRequest
from egov.eservices.views.wizard import _error_text, _int, _user

PAGE_SIZE = 50
# Reasons the applicant is told anyway (their notification carries the note); other notes are
# the officials' own.
NOTES_FOR_THE_APPLICANT = frozenset(
    {
        Status.REFUSED,
        Status.SUPPLEMENT_REQUESTED,
        Status.OBLIGATION_REQUESTED,
        Status.WITHDRAWN,
        Status.STOPPED,
    }
)


@login_required
@require_http_methods(["GET"])
def mine(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    dossiers = list(selectors.my_dossiers(user)[:PAGE_SIZE])
    return render(
        request,
        "eservices/mine.html",
        {
            "drafts": list(selectors.my_drafts(user)[:PAGE_SIZE]),
            "dossiers": [(d, STATUS_LABELS[Status(d.status)]) for d in dossiers],
            "verified": is_verified(user),
        },
    )


def _dossier_or_404(request: HttpRequest, code: str) -> Dossier:
    dossier = selectors.my_dossier(_user(request), code)
    if dossier is None:
        raise Http404
    return dossier


@login_required
@require_http_methods(["GET"])
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier_or_404(request, code)
    changes, handovers = public_timeline(dossier)
    result = (
        getattr(dossier, "result", None) if dossier.status in (Status.FINISHED, Status.RETURNED) else None
    )
    rating = getattr(dossier, "rating", None)
    postal = PostalDeliveryRequest.objects.filter(dossier=dossier).first()
    return render(
        request,
        "eservices/dossier.html",
        {
            "dossier": dossier,
            "status_label": STATUS_LABELS[Status(dossier.status)],
            "changes": [
                (c, STATUS_LABELS[Status(c.target)], c.note if c.target in NOTES_FOR_THE_APPLICANT else "")
                for c in changes
            ],
            "handovers": handovers,
            "supplement": selectors.supplement_request(dossier),
            "result": result,
            "verification": verification_of(result),
            "rating": rating,
            "rating_form": RatingForm() if dossier.status == Status.RETURNED and rating is None else None,
            "can_download": is_verified(request.user) or dossier.applicant.kind != "person",
            "postal": postal,
            "fees_due": dossier_services.unpaid_orders(dossier),
            "postal_form": PostalDeliveryForm(initial=_postal_initial(dossier))
            if dossier.status == Status.FINISHED and postal is None
            else None,
        },
    )


def _postal_initial(dossier: Dossier) -> dict[str, str]:
    address = str(dossier.answers.get("dia_chi_nhan") or dossier.applicant.address)
    return {"address": address, "phone": dossier.applicant.phone}


@login_required
@require_POST
def postal_delivery(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier_or_404(request, code)
    form = PostalDeliveryForm(request.POST)
    if form.is_valid():
        try:
            services.request_postal_delivery(
                dossier=dossier,
                user=_user(request),
                address=form.cleaned_data["address"],
                phone=form.cleaned_data["phone"],
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Đã ghi nhận đề nghị gửi kết quả qua bưu chính."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("eservices:dossier", code=code)


@login_required
@require_http_methods(["GET", "POST"])
def supplement(request: HttpRequest, code: str) -> HttpResponseBase:
    dossier = _dossier_or_404(request, code)
    request_row = selectors.supplement_request(dossier)
    if request_row is None:
        return redirect("eservices:dossier", code=code)
    missing = [str(name) for name in request_row.details.get("missing", [])]
    documents = list(dossier.documents.all())
    user = _user(request)
    wallet = list(selectors.wallet(user)[:20])
    if request.method == "POST":
        uploads = []
        for index, name in enumerate(missing):
            document_id = _int(request.POST.get(f"document-{index}"))
            if document_id is not None and document_id not in {d.pk for d in documents}:
                document_id = None
            upload = request.FILES.get(f"file-{index}")
            item_id = _int(request.POST.get(f"wallet-{index}"))
            item = next((w for w in wallet if w.pk == item_id), None)
            if upload is not None or item is not None:
                uploads.append(
                    services.SupplementUpload(name=name, document_id=document_id, upload=upload, item=item)
                )
        try:
            services.supplement_online(
                dossier=dossier, user=user, uploads=uploads, note=request.POST.get("note", "")[:2000]
            )
        except (FileRejected, ValidationError, PermissionDenied, IllegalTransition) as error:
            messages.error(
                request, _error_text(error) if not isinstance(error, IllegalTransition) else str(error)
            )
        else:
            messages.success(request, _("Đã gửi giấy tờ bổ sung. Hồ sơ tiếp tục được xem xét."))
            return redirect("eservices:dossier", code=code)
    return render(
        request,
        "eservices/supplement.html",
        {
            "dossier": dossier,
            "request_row": request_row,
            "missing": list(enumerate(missing)),
            "documents": documents,
            "wallet": wallet,
            "hint": services.upload_hint(dossier.procedure),
            "max_bytes": services.max_upload_bytes(),
            "too_large": services.too_large_message(),
        },
    )


@login_required
@require_http_methods(["GET"])
def result_download(request: HttpRequest, code: str) -> HttpResponseBase:
    """Downloading the result records the online return (9 → 10) the first time."""
    dossier = _dossier_or_404(request, code)
    if dossier.status not in (Status.FINISHED, Status.RETURNED) or getattr(dossier, "result", None) is None:
        raise Http404
    try:
        stored = services.take_result(dossier=dossier, user=_user(request))
    except PermissionDenied as denied:
        messages.error(request, _error_text(denied))
        return redirect("eservices:dossier", code=code)
    return stored_file_response(
        stored.name, download_name=stored.name.rsplit("/", 1)[-1], content_type=stored.content_type
    )


@login_required
@require_POST
def rate(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier_or_404(request, code)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            dossier_services.rate(
                dossier=dossier,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                actor=_user(request),
            )
            messages.success(request, _("Cảm ơn ông/bà đã đánh giá."))
        except (ValidationError, PermissionDenied, IllegalTransition) as error:
            messages.error(
                request, _error_text(error) if not isinstance(error, IllegalTransition) else str(error)
            )
    else:
        messages.error(request, _("Hãy chọn mức độ hài lòng."))
    return redirect("eservices:dossier", code=code)


@login_required
@require_http_methods(["GET"])
def wallet(request: HttpRequest) -> HttpResponse:
    return render(request, "eservices/wallet.html", {"items": list(selectors.wallet(_user(request))[:200])})


@login_required
@require_http_methods(["GET"])
def receipt_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The electronic receipt (form 01) of an accepted dossier, as the desk prints it."""
    dossier = _dossier_or_404(request, code)
    if dossier.received_at is None:
        raise Http404
    full = dossier_selectors.desk_dossier(actor=request.user, pk=dossier.pk)
    if full is None:
        raise Http404
    # The desk's receipt builder (dossiers.views.desk_print): see docs/eservices.md, "Open points".
    data = desk_print.receipt_data(request, full, dossier_selectors.last_change(full))
    response = HttpResponse(printing.render_receipt(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{dossier.code}-mau-01.pdf"'
    return response


@login_required
@require_http_methods(["GET"])
def draft_file(request: HttpRequest, public_id: uuid.UUID, file_id: int) -> HttpResponseBase:
    """A file of the citizen's own draft, to check what was uploaded."""
    row = DraftFile.objects.filter(pk=file_id, draft__public_id=public_id, draft__user=_user(request)).first()
    if row is None:
        raise Http404
    return stored_file_response(
        row.stored_name, download_name=row.original_name, content_type=row.content_type
    )


@login_required
@require_http_methods(["GET"])
def wallet_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = selectors.wallet(_user(request)).filter(pk=pk).first()
    if item is None:
        raise Http404
    return stored_file_response(
        item.stored_name, download_name=item.original_name, content_type=item.content_type
    )
