"""Outgoing documents: the draft form (structured or PDF), the document page with the actions the
actor may take now (submit, review, send back, submit for signature, issue), and the versions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from egov.accounts.decorators import login_required
from egov.accounts.models import User
from egov.accounts.scope import scope_of
from egov.documents import rules, selectors, services
from egov.documents.forms import (
    CommentForm,
    DraftForm,
    IssueForm,
    SecretOutgoingForm,
    SignerForm,
    VersionForm,
)
from egov.documents.models import DocumentType, IncomingDocument, OutgoingDocument, OutgoingVersion
from egov.documents.rules import OutgoingStatus
from egov.documents.services import issuing
from egov.documents.views import signing as signing_views
from egov.documents.views._common import add_errors, official, pdf_response
from egov.organizations.models import Division


def outgoing_of(actor: User, pk: int) -> OutgoingDocument:
    rows = selectors.visible_outgoing(actor).select_related(
        "document_type", "division", "agency", "drafter", "signer", "register", "in_reply_to", "corrects"
    )
    return get_object_or_404(rows, pk=pk)


@login_required
def create_draft(request: HttpRequest) -> HttpResponse:
    actor = official(request)
    scope = scope_of(actor)
    divisions = Division.objects.filter(
        pk__in=scope.division_ids, agency_id__in=scope.agencies_where("documents.draft")
    ).select_related("agency")
    if not divisions.exists():
        raise PermissionDenied(_("Bạn chưa thuộc đơn vị nào được soạn thảo văn bản."))
    reply_to = _reply_to(actor, request.POST.get("reply_to") or request.GET.get("reply_to"))
    replaces = _replaces(actor, request.POST.get("replaces") or request.GET.get("replaces"))
    initial: dict[str, object] = {}
    if reply_to is not None:
        initial = {
            "summary": _("Trả lời văn bản số %(n)s") % {"n": reply_to.notation},
            "addressees": reply_to.issuer_name,
            "recipient_agencies": [reply_to.issuer_agency] if reply_to.issuer_agency else [],
            "external_recipients": "" if reply_to.issuer_agency else reply_to.issuer_name,
        }
    if replaces is not None:
        initial = {"summary": replaces.summary, "document_type": replaces.document_type_id}
    corrigible = selectors.correctable_outgoing(actor, divisions)
    if request.GET.get("corrects"):
        initial = _correction_initial(get_object_or_404(corrigible, pk=_digits(request.GET["corrects"])))
    form = DraftForm(
        request.POST or None,
        request.FILES or None,
        divisions=divisions,
        initial=initial,
        corrigible=corrigible,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        composed = None
        if data["mode"] == "compose":
            composed = services.ComposedContent(
                place=data["place"],
                title=data["title"],
                body=data["body"],
                addressees=data["addressees"],
                recipients=[a.name for a in data["recipient_agencies"]]
                + [line.strip() for line in data["external_recipients"].splitlines() if line.strip()],
            )
        try:
            document = services.create_draft(
                drafter=actor,
                division=data["division"],
                document_type=data["document_type"],
                summary=data["summary"],
                urgency=data["urgency"],
                upload=data["upload"] if data["mode"] == "upload" else None,
                composed=composed,
                recipient_agencies=list(data["recipient_agencies"]),
                external_recipients=data["external_recipients"].splitlines(),
                in_reply_to=reply_to,
                replaces=replaces,
                corrects=data.get("corrects"),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã tạo dự thảo."))
            return redirect("documents:outgoing_detail", pk=document.pk)
    return render(
        request, "documents/outgoing_form.html", {"form": form, "reply_to": reply_to, "replaces": replaces}
    )


def _digits(value: str) -> int:
    if not value.isdigit():
        raise Http404
    return int(value)


def _correction_initial(corrected: OutgoingDocument) -> dict[str, object]:
    """A correcting công văn (đính chính, Decree 30) of an issued document, prefilled."""
    return {
        "corrects": corrected.pk,
        "document_type": DocumentType.objects.filter(code="cong-van").values_list("pk", flat=True).first(),
        "summary": _("Đính chính văn bản số %(n)s") % {"n": corrected.notation},
        "recipient_agencies": [r.agency for r in corrected.recipients.all() if r.agency is not None],
        "external_recipients": "\n".join(r.name for r in corrected.recipients.all() if r.agency is None),
    }


def _replaces(actor: User, value: str | None) -> OutgoingDocument | None:
    """The issued document a draft replaces, if the actor sees it (else 404)."""
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return get_object_or_404(selectors.visible_outgoing(actor), pk=int(value), status=OutgoingStatus.ISSUED)


@login_required
def register_secret(request: HttpRequest) -> HttpResponse:
    """The clerk records a secret document signed on paper: metadata only, the secret register's number."""
    actor = official(request)
    agencies = sorted(scope_of(actor).agencies_where("documents.issue"))
    if not agencies:
        raise PermissionDenied(_("Chỉ văn thư được vào sổ văn bản mật đi."))
    form = SecretOutgoingForm(request.POST or None, agency_id=agencies[0])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.register_secret_outgoing(
                clerk=actor,
                division=data["division"],
                document_type=data["document_type"],
                summary=data["summary"],
                secrecy=data["secrecy"],
                signer=data["signer"],
                recipient_agencies=list(data["recipient_agencies"]),
                external_recipients=data["external_recipients"].splitlines(),
            )
        except (ValidationError, rules.CapacityError, rules.NotationError) as error:
            form.add_error(None, getattr(error, "messages", [str(error)]))
        else:
            messages.success(request, _("Đã vào sổ văn bản mật đi số %(n)s.") % {"n": document.notation})
            return redirect("documents:outgoing_detail", pk=document.pk)
    return render(request, "documents/secret_outgoing_form.html", {"form": form})


def _reply_to(actor: User, value: str | None) -> IncomingDocument | None:
    """The incoming document a draft answers, if the actor sees it (else 404)."""
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return get_object_or_404(selectors.visible_incoming(actor), pk=int(value))


def _context(actor: User, document: OutgoingDocument, **forms: object) -> dict[str, object]:
    scope = scope_of(actor)
    status = document.status
    agency = document.agency_id
    is_head = scope.can("documents.review", agency) and document.division_id in scope.division_ids
    may_sign = status == OutgoingStatus.AWAITING_SIGNATURE and document.signer_id == actor.pk
    return {
        **signing_views.picker_context(actor, document, forms.get("placement_form")),  # type: ignore[arg-type]
        **(signing_views.signing_context(actor) if may_sign else {}),
        "may_sign": may_sign,
        "document": document,
        "versions": document.versions.select_related("created_by"),
        "comments": document.comments.select_related("author"),
        "recipients": document.recipients.select_related("agency", "delivered"),
        "can_submit": status == OutgoingStatus.DRAFT and document.drafter_id == actor.pk,
        "version_form": forms.get("version_form")
        or (VersionForm() if status == OutgoingStatus.DRAFT and document.drafter_id == actor.pk else None),
        "review_form": forms.get("review_form")
        or (CommentForm() if status == OutgoingStatus.CONTENT_REVIEW and is_head else None),
        "check_form": forms.get("check_form")
        or (
            SignerForm(agency_id=agency)
            if status == OutgoingStatus.FORMAT_REVIEW and scope.can("documents.issue", agency)
            else None
        ),
        "signer_form": forms.get("signer_form")
        or (
            CommentForm()
            if status == OutgoingStatus.AWAITING_SIGNATURE and document.signer_id == actor.pk
            else None
        ),
        "can_issue": status == OutgoingStatus.SIGNED and scope.can("documents.issue", agency),
        "issue_sealed": status == OutgoingStatus.SIGNED
        and scope.can("documents.issue", agency)
        and issuing.will_be_sealed(document),
        "issue_form": IssueForm(),
        "can_recall": status == OutgoingStatus.ISSUED and scope.can("documents.sign", agency),
        "can_replace": status == OutgoingStatus.ISSUED and scope.can("documents.draft", agency),
        "corrections": selectors.issued_corrections(actor, document),
        "dossier_code": rules.dossier_code_from_origin(document.origin),
    }


@login_required
def outgoing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = official(request)
    return render_detail(request, actor, outgoing_of(actor, pk))


def render_detail(
    request: HttpRequest, actor: User, document: OutgoingDocument, *, status: int = 200, **forms: object
) -> HttpResponse:
    """The document's page; ``forms`` are bound forms to show again with their errors."""
    return render(
        request, "documents/outgoing_detail.html", _context(actor, document, **forms), status=status
    )


def _done(request: HttpRequest, pk: int, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("documents:outgoing_detail", pk=pk)


@sensitive_post_parameters("seal_pin")  # the seal's PIN never reaches an error report
@login_required
@require_POST
@sensitive_variables("issue_form")
def outgoing_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One POST per move; a refused move shows the page again with the reason."""
    actor = official(request)
    document = outgoing_of(actor, pk)
    form: CommentForm | SignerForm | VersionForm
    try:
        if action == "submit":
            services.submit_for_review(drafter=actor, document=document)
            return _done(request, pk, _("Đã trình lãnh đạo phòng duyệt nội dung."))
        if action == "version":
            form = VersionForm(request.POST, request.FILES)
            if form.is_valid():
                services.add_version(
                    drafter=actor,
                    document=document,
                    upload=form.cleaned_data["upload"],
                    note=form.cleaned_data["note"],
                )
                return _done(request, pk, _("Đã lưu phiên bản dự thảo mới."))
            return _again(request, actor, document, version_form=form)
        if action in ("approve", "review-back"):
            form = CommentForm(request.POST)
            form.is_valid()
            comment = form.cleaned_data.get("comment", "")
            if action == "approve":
                services.approve_content(head=actor, document=document, comment=comment)
                return _done(request, pk, _("Đã duyệt nội dung, chuyển văn thư kiểm tra thể thức."))
            services.send_back(reviewer=actor, document=document, comment=comment)
            return _done(request, pk, _("Đã trả lại dự thảo cho người soạn thảo."))
        if action in ("to-signer", "check-back"):
            form = SignerForm(request.POST, agency_id=document.agency_id)
            if action == "check-back":
                services.send_back(reviewer=actor, document=document, comment=request.POST.get("comment", ""))
                return _done(request, pk, _("Đã trả lại dự thảo cho người soạn thảo."))
            if form.is_valid():
                services.submit_for_signature(
                    clerk=actor,
                    document=document,
                    signer=form.cleaned_data["signer"],
                    comment=form.cleaned_data["comment"],
                )
                return _done(request, pk, _("Đã trình ký."))
            return _again(request, actor, document, check_form=form)
        if action == "signer-back":
            services.send_back(reviewer=actor, document=document, comment=request.POST.get("comment", ""))
            return _done(request, pk, _("Đã trả lại dự thảo cho người soạn thảo."))
        if action == "recall":
            services.recall(leader=actor, document=document, reason=request.POST.get("reason", ""))
            return _done(request, pk, _("Đã thu hồi văn bản."))
        if action == "issue":
            issue_form = IssueForm(request.POST)
            issue_form.is_valid()
            issued = services.issue(
                clerk=actor, document=document, seal_pin=issue_form.cleaned_data.get("seal_pin", "")
            )
            return _done(request, pk, _issued_message(issued))
    except (ValidationError, rules.IllegalTransition, rules.CapacityError, rules.NotationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("documents:outgoing_detail", pk=pk)
    raise Http404


def _issued_message(issued: OutgoingDocument) -> str:
    if issued.versions.filter(kind=OutgoingVersion.Kind.ISSUED).exists():
        return _("Đã phát hành văn bản số %(n)s: đã điền số, ngày và đóng dấu số của cơ quan.") % {
            "n": issued.notation
        }
    return _(
        "Đã phát hành văn bản số %(n)s, không có chữ ký số của cơ quan "
        "(bản đã ký không có ô số, ngày và ô chữ ký cơ quan để đóng dấu số)."
    ) % {"n": issued.notation}


def _again(request: HttpRequest, actor: User, document: OutgoingDocument, **forms: object) -> HttpResponse:
    return render_detail(request, actor, document, status=400, **forms)


@login_required
def outgoing_version(request: HttpRequest, pk: int, number: int) -> FileResponse:
    actor = official(request)
    document = outgoing_of(actor, pk)
    version = get_object_or_404(document.versions, number=number)
    return pdf_response(version.file_name, f"van-ban-di-{document.pk}-v{version.number}.pdf")
