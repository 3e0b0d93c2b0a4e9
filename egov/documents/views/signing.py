"""Signing screens: "Văn bản chờ ký" (the signer's list, batch signing), the JSON endpoints the
signing agent's page script calls (begin / finish), signing with a key egov holds (PIN in the
form), remote signing (ký số từ xa: OTP in the form, or approval on the phone), and the placement
picker of an uploaded draft (page previews, positions).

The agent path: the page script (``signatures/agent_signing.js``) asks the agent for its
certificates, posts the chosen one with the selected ids to ``agent_begin`` (digests back), sends
the digests to the agent's ``/v1/sign-batch`` (one PIN entry there) and posts each value to
``agent_finish``. Both endpoints are POST + CSRF (header ``X-CSRFToken``) and answer JSON.
"""

from __future__ import annotations

import base64
import binascii
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from egov.accounts.decorators import login_required
from egov.accounts.models import User
from egov.documents import placement
from egov.documents.forms import PlacementForm
from egov.documents.models import OutgoingDocument
from egov.documents.services import signing
from egov.documents.services.outgoing import latest_draft, read_version
from egov.documents.views import outgoing as outgoing_views
from egov.documents.views._common import official, page_of
from egov.signatures.signers import SignerUnavailable

MM_IN_POINTS = 72 / 25.4
MAX_JSON_BYTES = 64 * 1024


def signing_context(actor: User) -> dict[str, Any]:
    """What the signing panel needs, on the list and on a document's page."""
    return {
        "agent_url": settings.EGOV_SIGNING_AGENT_URL,
        "agent_begin_url": reverse("documents:signing_agent_begin"),
        "agent_finish_url": reverse("documents:signing_agent_finish"),
        "has_server_key": signing.has_server_key(actor),
        "has_remote_credential": signing.has_remote_credential(actor),
    }


@login_required
@require_GET
def awaiting_signature(request: HttpRequest) -> HttpResponse:
    """Văn bản chờ ký: the documents submitted to me, 20 a page, to sign one by one or together."""
    actor = official(request)
    page = page_of(request, signing.awaiting_my_signature(actor))
    return render(
        request,
        "documents/signing_list.html",
        {"page_obj": page, "documents": list(page), **signing_context(actor)},
    )


def _ids(values: Any) -> list[int]:
    """Document ids from a form or a JSON list (ASCII digits only)."""
    if not isinstance(values, list):
        raise ValidationError(_("Danh sách văn bản không hợp lệ."))
    ids = []
    for value in values:
        text = str(value)
        if not (text.isascii() and text.isdigit() and len(text) <= 18):
            raise ValidationError(_("Danh sách văn bản không hợp lệ."))
        ids.append(int(text))
    return ids


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("documents:signing_list")
    return redirect(target)


def _report(request: HttpRequest, outcomes: list[signing.Outcome]) -> HttpResponse:
    """One message per document, then back to the list or the document's page."""
    for outcome in outcomes:
        text = f"{outcome.label}: {outcome.message}"
        (messages.success if outcome.ok else messages.error)(request, text)
    return _back(request)


def _selected(request: HttpRequest) -> list[int]:
    ids = _ids(request.POST.getlist("documents"))
    if not ids:
        raise ValidationError(_("Chọn ít nhất một văn bản để ký."))
    return ids


def _refusal(request: HttpRequest, error: ValidationError | SignerUnavailable) -> HttpResponse:
    messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return _back(request)


@sensitive_post_parameters("pin")
@sensitive_variables("pin")
@login_required
@require_POST
def sign_with_key(request: HttpRequest) -> HttpResponse:
    """Sign the selected documents with the key egov holds for me; the PIN is used in this request only."""
    actor = official(request)
    pin = request.POST.get("pin", "")
    try:
        outcomes = signing.sign_with_server_key(signer=actor, document_ids=_selected(request), pin=pin)
    except (ValidationError, SignerUnavailable) as error:
        return _refusal(request, error)
    return _report(request, outcomes)


@sensitive_post_parameters("otp")
@sensitive_variables("otp")
@login_required
@require_POST
def sign_remotely(request: HttpRequest) -> HttpResponse:
    """Ký số từ xa: the signing service asks me to approve the selection once; the OTP (if any)
    goes to the service in this request only."""
    actor = official(request)
    otp = request.POST.get("otp", "").strip()
    try:
        outcomes = signing.sign_remotely(signer=actor, document_ids=_selected(request), otp=otp)
    except (ValidationError, SignerUnavailable) as error:
        return _refusal(request, error)
    return _report(request, outcomes)


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_JSON_BYTES:
        raise ValidationError(_("Yêu cầu quá lớn."))
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(_("Yêu cầu không hợp lệ.")) from exc
    if not isinstance(data, dict):
        raise ValidationError(_("Yêu cầu không hợp lệ."))
    return data


def _refused(error: Exception, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": " ".join(getattr(error, "messages", [str(error)]))}, status=status)


@never_cache
@login_required
@require_POST
def agent_begin(request: HttpRequest) -> JsonResponse:
    """``{"documents": [ids], "certificate": PEM}`` → ``{"prepared": [...], "outcomes": [...]}``."""
    actor = official(request)
    try:
        data = _json_body(request)
        ids = _ids(data.get("documents", []))
        if not ids:
            raise ValidationError(_("Chọn ít nhất một văn bản để ký."))
        prepared, outcomes = signing.begin_with_agent(
            signer=actor, document_ids=ids, certificate_pem=str(data.get("certificate", ""))
        )
    except ValidationError as error:
        return _refused(error)
    return JsonResponse(
        {"prepared": [p.as_json() for p in prepared], "outcomes": [o.as_json() for o in outcomes]}
    )


@never_cache
@login_required
@require_POST
def agent_finish(request: HttpRequest) -> JsonResponse:
    """``{"document": id, "pending_id": ..., "signature": base64}`` → the document's outcome."""
    actor = official(request)
    try:
        data = _json_body(request)
        (document_id,) = _ids([data.get("document", "")])
        value = base64.b64decode(str(data.get("signature", "")), validate=True)
        pending_id = str(data.get("pending_id", ""))[:64]
    except (ValidationError, binascii.Error, ValueError) as error:
        return _refused(
            error if isinstance(error, ValidationError) else ValidationError(_("Chữ ký không hợp lệ."))
        )
    outcome = signing.finish_with_agent(
        signer=actor, document_id=document_id, pending_id=pending_id, signature_value=value
    )
    return JsonResponse(outcome.as_json())


# --- placement picker of an uploaded draft -----------------------------------------------------


def _placeable(actor: User, pk: int) -> OutgoingDocument:
    document = outgoing_views.outgoing_of(actor, pk)
    if not signing.may_place(actor, document):
        raise PermissionDenied(_("Chỉ người soạn thảo hoặc văn thư chọn vị trí ký, trước khi trình ký."))
    return document


@login_required
@require_GET
def page_preview(request: HttpRequest, pk: int, page: int) -> HttpResponse:
    """A page of the newest draft as PNG, for whoever sees the document (scoped like its PDF)."""
    actor = official(request)
    document = outgoing_views.outgoing_of(actor, pk)
    draft = latest_draft(document)
    if draft is None or page < 1:
        raise Http404
    data = read_version(draft)
    if page > len(placement.page_sizes(data)):
        raise Http404
    response = HttpResponse(placement.page_png(data, page - 1), content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


def picker_context(
    actor: User, document: OutgoingDocument, form: PlacementForm | None = None
) -> dict[str, Any]:
    """The page previews and the positions (stored or default) for the detail page; {} when not offered."""
    if not signing.may_place(actor, document):
        return {}
    sizes = signing.draft_page_sizes(document)
    if not sizes:
        return {}
    current = placement.effective_placement(document.signature_placement, sizes)
    if form is None:
        initial: dict[str, object] = {}
        for spot in placement.spots_of(current):
            height = sizes[spot.page][1]
            initial[f"{spot.part}_page"] = spot.page + 1
            initial[f"{spot.part}_left"] = round(Decimal(spot.x / MM_IN_POINTS), 1)
            initial[f"{spot.part}_top"] = round(Decimal((height - spot.y) / MM_IN_POINTS), 1)
        form = PlacementForm(initial=initial, page_count=len(sizes))
    pages = [
        {"number": index + 1, "width_mm": round(w / MM_IN_POINTS, 1), "height_mm": round(h / MM_IN_POINTS, 1)}
        for index, (w, h) in enumerate(sizes[: placement.MAX_PREVIEW_PAGES])
    ]
    boxes = {
        part: [round(w / MM_IN_POINTS, 1), round(h / MM_IN_POINTS, 1)]
        for part, (w, h) in placement.SIZES.items()
    }
    return {
        "placement_form": form,
        "placement_pages": pages,
        "placement_boxes_mm": json.dumps(boxes),
        "placement_is_default": not document.signature_placement,
    }


@login_required
@require_POST
def save_placement(request: HttpRequest, pk: int) -> HttpResponse:
    actor = official(request)
    document = _placeable(actor, pk)
    sizes = signing.draft_page_sizes(document)
    form = PlacementForm(request.POST, page_count=len(sizes))
    if form.is_valid():
        data = form.cleaned_data
        spots = []
        for part in placement.PARTS:
            page = data[f"{part}_page"] - 1
            x = float(data[f"{part}_left"]) * MM_IN_POINTS
            y = sizes[page][1] - float(data[f"{part}_top"]) * MM_IN_POINTS
            spots.append(placement.Spot(part=part, page=page, x=x, y=y))
        try:
            signing.set_signature_placement(actor=actor, document=document, spots=spots)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Đã lưu vị trí chữ ký, số và ngày."))
            return redirect("documents:outgoing_detail", pk=pk)
    return outgoing_views.render_detail(request, actor, document, placement_form=form, status=400)
