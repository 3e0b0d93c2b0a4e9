"""Incoming documents: the clerk's register form, the document page with the actions the actor may
take now (submit to a leader, instruct, give an opinion, complete), and the scan."""

from __future__ import annotations

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


@login_required
@require_POST
def submit_to_leader(request: HttpRequest, pk: int) -> HttpResponse:
    actor = official(request)
    document = incoming_of(actor, pk)
    form = SubmitToLeaderForm(request.POST, agency_id=document.agency_id)
    if form.is_valid():
        try:
            services.submit_to_leader(clerk=actor, document=document, leader=form.cleaned_data["leader"])
        except (ValidationError, rules.IllegalTransition) as error:
            form.add_error(None, getattr(error, "messages", [str(error)]))
        else:
            messages.success(request, _("Đã trình lãnh đạo."))
            return redirect("documents:incoming_detail", pk=pk)
    return _redisplay(request, actor, document, submit_form=form)


@login_required
@require_POST
def instruct(request: HttpRequest, pk: int) -> HttpResponse:
    actor = official(request)
    document = incoming_of(actor, pk)
    form = InstructForm(request.POST, agency_id=document.agency_id, secret=document.is_secret)
    if form.is_valid():
        data = form.cleaned_data
        deadline = data["deadline"]
        lines = [_line(Assignment.Role.LEAD, data["lead"], deadline)]
        lines += [_line(Assignment.Role.COOPERATE, value, deadline) for value in data["cooperate"]]
        lines += [_line(Assignment.Role.INFORM, value, None) for value in data["inform"]]
        try:
            services.instruct(
                leader=actor,
                document=document,
                instruction=data["instruction"],
                assignments=lines,
                deadline=deadline,
            )
        except (ValidationError, rules.IllegalTransition) as error:
            form.add_error(None, getattr(error, "messages", [str(error)]))
        else:
            messages.success(request, _("Đã giao xử lý văn bản."))
            return redirect("documents:incoming_detail", pk=pk)
    return _redisplay(request, actor, document, instruct_form=form)


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
    if form.is_valid():
        try:
            services.add_opinion(
                actor=actor,
                document=document,
                text=form.cleaned_data["text"],
                attachment=form.cleaned_data["attachment"],
            )
        except (ValidationError, rules.IllegalTransition) as error:
            form.add_error(None, getattr(error, "messages", [str(error)]))
        else:
            messages.success(request, _("Đã ghi ý kiến xử lý."))
            return redirect("documents:incoming_detail", pk=pk)
    return _redisplay(request, actor, document, opinion_form=form)


@login_required
@require_POST
def sub_assign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = official(request)
    document = incoming_of(actor, pk)
    form = SubAssignForm(
        request.POST, agency_id=document.agency_id, division_ids=scope_of(actor).division_ids
    )
    if form.is_valid():
        try:
            services.sub_assign(
                actor=actor,
                document=document,
                assignee=form.cleaned_data["assignee"],
                role=form.cleaned_data["role"],
                deadline=form.cleaned_data["deadline"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, getattr(error, "messages", [str(error)]))
        else:
            messages.success(request, _("Đã giao tiếp xử lý."))
            return redirect("documents:incoming_detail", pk=pk)
    return _redisplay(request, actor, document, sub_assign_form=form)


@login_required
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = official(request)
    document = incoming_of(actor, pk)
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            services.complete_incoming(actor=actor, document=document, note=form.cleaned_data["note"])
        except rules.IllegalTransition as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Đã hoàn thành xử lý văn bản."))
            return redirect("documents:incoming_detail", pk=pk)
    return _redisplay(request, actor, document, complete_form=form)


@login_required
def incoming_file(request: HttpRequest, pk: int) -> FileResponse:
    actor = official(request)
    document = incoming_of(actor, pk)
    if not document.file_name or document.is_secret:
        raise Http404
    return pdf_response(document.file_name, f"van-ban-den-{document.incoming_number:02d}.pdf")
