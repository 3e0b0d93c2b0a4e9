"""Incoming documents: the clerk's register form, the document page with the actions the actor may
take now (submit to a leader, instruct, give an opinion, complete), and the scan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.decorators import login_required
from egov.accounts.models import User
from egov.accounts.scope import scope_of
from egov.core import clock
from egov.documents import rules, selectors, services
from egov.documents.forms import (
    CompleteForm,
    IncomingForm,
    InstructForm,
    OpinionForm,
    ReopenForm,
    SubAssignForm,
    SubmitToLeaderForm,
)
from egov.documents.models import Assignment, IncomingDocument
from egov.documents.views._common import add_errors, official, pdf_response
from egov.organizations.models import Agency, Division


def incoming_of(actor: User, pk: int) -> IncomingDocument:
    rows = selectors.visible_incoming(actor).select_related("document_type", "register", "agency", "leader")
    return get_object_or_404(rows, pk=pk)


@login_required
def register_incoming(request: HttpRequest) -> HttpResponse:
    actor = official(request)
    agencies = Agency.objects.filter(pk__in=scope_of(actor).agencies_where("documents.register"))
    if not agencies.exists():
        raise PermissionDenied(_("Chỉ văn thư được vào sổ văn bản đến."))
    form = IncomingForm(request.POST or None, request.FILES or None, agencies=agencies)
    duplicates: list[IncomingDocument] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.register_incoming(
                clerk=actor,
                agency=data["agency"],
                data=services.IncomingData(
                    issuer_name=data["issuer_name"],
                    notation=data["notation"],
                    issued_on=data["issued_on"],
                    document_type=data["document_type"],
                    summary=data["summary"],
                    urgency=data["urgency"],
                    secrecy=data["secrecy"],
                    pages=data["pages"],
                    deadline=data["deadline"],
                ),
                scan=data["scan"],
                acknowledge_duplicate=data["acknowledge_duplicate"],
            )
        except services.DuplicateWarning as warning:
            duplicates = warning.existing
            form.add_error("acknowledge_duplicate", warning.messages)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("Đã vào sổ văn bản đến số %(n)02d.") % {"n": document.incoming_number}
            )
            return redirect("documents:incoming_detail", pk=document.pk)
    return render(request, "documents/incoming_form.html", {"form": form, "duplicates": duplicates})


@login_required
def incoming_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = official(request)
    document = incoming_of(actor, pk)
    return render(request, "documents/incoming_detail.html", _context(actor, document))


def _context(actor: User, document: IncomingDocument, **forms: object) -> dict[str, object]:
    scope = scope_of(actor)
    status = document.status
    can_submit = status == rules.IncomingStatus.REGISTERED and scope.can(
        "documents.register", document.agency_id
    )
    can_instruct = status in (rules.IncomingStatus.SUBMITTED, rules.IncomingStatus.ASSIGNED) and (
        scope.can("documents.instruct", document.agency_id)
    )
    can_process = status == rules.IncomingStatus.ASSIGNED and services.may_process(actor, document)
    can_complete = status == rules.IncomingStatus.ASSIGNED and services.may_complete(actor, document)
    can_reopen = status == rules.IncomingStatus.COMPLETED and scope.can(
        "documents.instruct", document.agency_id
    )
    return {
        "document": document,
        "assignments": document.assignments.select_related("assignee", "division"),
        "opinions": document.opinions.select_related("author"),
        "late": rules.is_late(
            deadline=document.deadline,
            completed_on=document.completed_at.date() if document.completed_at else None,
            today=clock.localnow().date(),
        ),
        "submit_form": forms.get("submit_form")
        or (SubmitToLeaderForm(agency_id=document.agency_id) if can_submit else None),
        "instruct_form": forms.get("instruct_form")
        or (InstructForm(agency_id=document.agency_id, secret=document.is_secret) if can_instruct else None),
        "opinion_form": forms.get("opinion_form") or (OpinionForm() if can_process else None),
        "can_reply": can_process and scope.can("documents.draft", document.agency_id),
        "complete_form": forms.get("complete_form") or (CompleteForm() if can_complete else None),
        "reopen_form": forms.get("reopen_form") or (ReopenForm() if can_reopen else None),
        "corrections": selectors.delivered_corrections(actor, document),
        "sub_assign_form": forms.get("sub_assign_form")
        or (
            SubAssignForm(agency_id=document.agency_id, division_ids=scope.division_ids)
            if services.may_sub_assign(actor, document)
            else None
        ),
    }


def _redisplay(
    request: HttpRequest, actor: User, document: IncomingDocument, **forms: object
) -> HttpResponse:
    return render(request, "documents/incoming_detail.html", _context(actor, document, **forms), status=400)


def _act(
    request: HttpRequest,
    actor: User,
    document: IncomingDocument,
    form_name: str,
    form: django_forms.Form,
    action: Callable[[dict[str, Any]], object],
    success: str,
    *,
    errors: tuple[type[Exception], ...] = (ValidationError, rules.IllegalTransition),
) -> HttpResponse:
    """Run a valid form's action: on success a message and back to the document page; a service's
    refusal (``errors``) goes on top of the form, shown again with the page (400)."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except errors as error:
            form.add_error(None, getattr(error, "messages", [str(error)]))
        else:
            messages.success(request, success)
            return redirect("documents:incoming_detail", pk=document.pk)
    return _redisplay(request, actor, document, **{form_name: form})


@login_required
@require_POST
def submit_to_leader(request: HttpRequest, pk: int) -> HttpResponse:
    actor = official(request)
    document = incoming_of(actor, pk)
    form = SubmitToLeaderForm(request.POST, agency_id=document.agency_id)
    return _act(
        request,
        actor,
        document,
        "submit_form",
        form,
        lambda data: services.submit_to_leader(clerk=actor, document=document, leader=data["leader"]),
        _("Đã trình lãnh đạo."),
    )


@login_required
@require_POST
def instruct(request: HttpRequest, pk: int) -> HttpResponse:
    actor = official(request)
    document = incoming_of(actor, pk)
    form = InstructForm(request.POST, agency_id=document.agency_id, secret=document.is_secret)

    def act(data: dict[str, Any]) -> object:
        deadline = data["deadline"]
        lines = [_line(Assignment.Role.LEAD, data["lead"], deadline)]
        lines += [_line(Assignment.Role.COOPERATE, value, deadline) for value in data["cooperate"]]
        lines += [_line(Assignment.Role.INFORM, value, None) for value in data["inform"]]
        return services.instruct(
            leader=actor,
            document=document,
            instruction=data["instruction"],
            assignments=lines,
            deadline=deadline,
        )

    return _act(request, actor, document, "instruct_form", form, act, _("Đã giao xử lý văn bản."))


def _line(role: str, value: str, deadline: object) -> services.AssignmentData:
    kind, _sep, pk = value.partition(":")
    if kind == "u":
        return services.AssignmentData(role=role, assignee=User.objects.get(pk=int(pk)), deadline=deadline)  # type: ignore[arg-type]
    return services.AssignmentData(role=role, division=Division.objects.get(pk=int(pk)), deadline=deadline)  # type: ignore[arg-type]


@login_required
@require_POST
def add_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    actor = official(request)
    document = incoming_of(actor, pk)
    form = OpinionForm(request.POST, request.FILES)
    return _act(
        request,
        actor,
        document,
        "opinion_form",
        form,
        lambda data: services.add_opinion(
            actor=actor, document=document, text=data["text"], attachment=data["attachment"]
        ),
        _("Đã ghi ý kiến xử lý."),
    )


@login_required
@require_POST
def sub_assign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = official(request)
    document = incoming_of(actor, pk)
    form = SubAssignForm(
        request.POST, agency_id=document.agency_id, division_ids=scope_of(actor).division_ids
    )
    return _act(
        request,
        actor,
        document,
        "sub_assign_form",
        form,
        lambda data: services.sub_assign(
            actor=actor,
            document=document,
            assignee=data["assignee"],
            role=data["role"],
            deadline=data["deadline"],
        ),
        _("Đã giao tiếp xử lý."),
        errors=(ValidationError, PermissionDenied),
    )


@login_required
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = official(request)
    document = incoming_of(actor, pk)
    form = CompleteForm(request.POST)
    return _act(
        request,
        actor,
        document,
        "complete_form",
        form,
        lambda data: services.complete_incoming(actor=actor, document=document, note=data["note"]),
        _("Đã hoàn thành xử lý văn bản."),
        errors=(rules.IllegalTransition,),
    )


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    actor = official(request)
    document = incoming_of(actor, pk)
    form = ReopenForm(request.POST)
    return _act(
        request,
        actor,
        document,
        "reopen_form",
        form,
        lambda data: services.reopen(
            leader=actor, document=document, reason=data["reason"], deadline=data["deadline"]
        ),
        _("Đã mở lại xử lý văn bản."),
    )


@login_required
def incoming_file(request: HttpRequest, pk: int) -> FileResponse:
    actor = official(request)
    document = incoming_of(actor, pk)
    if not document.file_name or document.is_secret:
        raise Http404
    return pdf_response(document.file_name, f"van-ban-den-{document.incoming_number:02d}.pdf")
