"""The dossier's page for officials and the actions on it (specialists, division heads, leaders,
and the desk for return and withdrawal).

Reads go through ``selectors.visible_dossiers`` (another agency's dossier answers 404); each
action is one POST calling one service, then a redirect back with a message. A refused move
re-renders the page with the typed form kept, so nothing is lost.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.decorators import login_required
from egov.accounts.models import User
from egov.core import calendar, clock
from egov.dossiers import rules, selectors
from egov.dossiers.models import Dossier, Handover
from egov.dossiers.rules import STATUS_LABELS, TIMELINESS_LABELS, Status
from egov.dossiers.signed_results import (
    result_document_state,
    verification_of,
    with_result_document_id,
)
from egov.dossiers.views.processing_actions import BY_SLUG, Action, Situation, available_actions
from egov.procedures.models import ProcessStep

AT_RISK_WITHIN = timedelta(hours=8)  # one working day, as the workspace's "at risk" tab


def official(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_official:
        raise PermissionDenied(_("Trang này dành cho cán bộ, công chức."))
    return user


def dossier_of(actor: User, pk: int) -> Dossier:
    """The dossier with everything its summary shows, or 404 outside the actor's agencies."""
    queryset = with_result_document_id(selectors.visible_dossiers(actor)).select_related(
        "procedure",
        "applicant",
        "agency",
        "receiving_agency",
        "form_schema",
        "current_step",
        "current_agency",
        "current_division",
        "current_assignee",
        "result",
    )
    return get_object_or_404(queryset, pk=pk)


def situation(actor: User, dossier: Dossier) -> tuple[Situation, list[Handover]]:
    handovers = list(
        dossier.handovers.select_related(
            "from_agency", "from_division", "from_user", "to_agency", "to_division", "to_user"
        )
        .prefetch_related("attachments")
        .order_by("handed_at", "pk")
    )
    steps = list(
        ProcessStep.objects.filter(template__procedure_id=dossier.procedure_id)
        .select_related("other_agency")
        .order_by("order")
    )
    open_row = next((h for h in handovers if h.completed_at is None), None)
    return Situation(dossier=dossier, actor=actor, open_handover=open_row, steps=steps), handovers


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = official(request)
    return render_detail(request, dossier_of(actor, pk))


def render_detail(
    request: HttpRequest,
    dossier: Dossier,
    *,
    bound: tuple[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = official(request)
    s, handovers = situation(actor, dossier)
    forms = []
    for action in available_actions(s):
        form = bound[1] if bound and bound[0] == action.slug else action.form(s)
        forms.append({"action": action, "form": form, "open": bool(bound and bound[0] == action.slug)})
    now = clock.now()
    context = {
        "dossier": dossier,
        "status_label": STATUS_LABELS[dossier.status_enum],
        "lateness": lateness(dossier, now),
        "answers": answers(dossier),
        "documents": list(dossier.documents.all()),
        "handovers": [(h, _handover_label(h)) for h in handovers],
        "changes": list(dossier.status_changes.select_related("actor").order_by("at", "pk")),
        "apologies": list(dossier.apologies.select_related("issued_by").order_by("issued_at", "pk")),
        "status_labels": {s.value: label for s, label in STATUS_LABELS.items()},
        "actions": forms,
        "can_print_slip": dossier.received_at is not None and dossier.due_at is not None,
        "can_print_stop_notice": dossier.status_enum is Status.STOPPED and dossier.received_at is not None,
        "is_paused": dossier.paused_since is not None,
        "result_document": result_document_state(actor, dossier, s.result_document),
        "verification": verification_of(getattr(dossier, "result", None)),
    }
    return render(request, "dossiers/processing/detail.html", context, status=status)


def lateness(dossier: Dossier, now: Any) -> dict[str, str] | None:
    """The badge beside the status: late, at risk (due within a working day), or finished's result."""
    if selectors.is_late(dossier, now):
        return {"kind": "late", "label": _("Quá hạn")}
    if dossier.status_enum in rules.OPEN and dossier.due_at and dossier.paused_since is None:
        limit = rules.add_working_duration(now, AT_RISK_WITHIN, cal=calendar.current())
        if dossier.due_at <= limit:
            return {"kind": "at-risk", "label": _("Sắp đến hạn")}
    if dossier.status_enum in (Status.FINISHED, Status.RETURNED):
        result = selectors.on_time_result(dossier, now)
        if result is not None:
            return {"kind": str(result), "label": str(TIMELINESS_LABELS[result])}
    return None


def answers(dossier: Dossier) -> list[tuple[str, str]]:
    """The declaration's answers with the labels of the schema version it was filled with."""
    fields = dossier.form_schema.fields if dossier.form_schema else []
    labels = {field.get("key"): field.get("label", field.get("key")) for field in fields}
    shown = []
    for key, value in dossier.answers.items():
        if isinstance(value, dict):
            value = ", ".join(str(v) for v in value.values() if v)
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        shown.append((str(labels.get(key, key)), str(value)))
    return shown


def _handover_label(handover: Handover) -> str:
    result = selectors.handover_result(handover)
    return str(TIMELINESS_LABELS[result]) if result else ""


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one action; the page comes back with a message, or with the form and its errors."""
    actor = official(request)
    spec: Action | None = BY_SLUG.get(action)
    if spec is None:
        raise Http404
    dossier = dossier_of(actor, pk)
    s, _handovers = situation(actor, dossier)
    form = spec.form(s, request.POST, request.FILES)
    posted_state = request.POST.get(f"{spec.slug}-state", "")
    if posted_state and posted_state != s.state:
        # The page was out of date: a second click, or a colleague acted meanwhile.
        messages.warning(
            request,
            _(
                "Hồ sơ đã thay đổi trước thao tác này (có thể do bấm hai lần). "
                "Hãy xem lại trạng thái hiện tại."
            ),
        )
        return redirect("dossiers:detail", pk=dossier.pk)
    if not form.is_valid():
        return render_detail(request, dossier, bound=(spec.slug, form), status=400)
    try:
        message = spec.run(s, form)
    except rules.IllegalTransition as error:
        messages.error(request, str(error))
        return render_detail(request, dossier_of(actor, pk), bound=(spec.slug, form), status=409)
    except PermissionDenied as error:
        messages.error(request, str(error) or _("Bạn không có quyền thực hiện thao tác này."))
        return render_detail(request, dossier_of(actor, pk), status=403)
    except ValidationError as error:
        for text in error.messages:
            form.add_error(None, text)
        return render_detail(request, dossier_of(actor, pk), bound=(spec.slug, form), status=400)
    messages.success(request, message)
    return redirect("dossiers:detail", pk=dossier.pk)
