"""The one-stop desk: receive a dossier at the counter, the desk's queue, and a dossier's desk view.

Every write is one service call (``services.desk.receive_at_desk``, ``decide_at_desk``,
``services.resubmit``); every read goes through ``selectors`` scoped by the officer, so another
agency's dossier answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.accounts.decorators import login_required
from egov.core.files import store
from egov.dossiers import selectors, services
from egov.dossiers.forms_desk import (
    ApplicantForm,
    DecisionForm,
    DocumentsForm,
    ProcedurePickForm,
    ResubmissionForm,
    scan_hint,
)
from egov.dossiers.models import Dossier
from egov.dossiers.rules import STATUS_LABELS, IllegalTransition, Status
from egov.dossiers.services.desk import DeskDecision, decide_at_desk, receive_at_desk
from egov.dossiers.services.reception import ReceivedDocument
from egov.dossiers.views import desk_access as access
from egov.dossiers.views.desk_print import printable_form
from egov.procedures.forms import SchemaForm, build_form_class
from egov.procedures.models import Procedure
from egov.procedures.selectors import current_form_schema

PAGE_SIZE = 25
SCAN_FOLDER = "dossiers/scans"
_APPLICANT_FIELDS = frozenset(ApplicantForm.base_fields)


# --- Receiving a new dossier ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def receive(request: HttpRequest) -> HttpResponse:
    """Pick a procedure, then one page: applicant, declaration, documents and the decision."""
    access.desk_only(request)
    desk, desks = access.current_desk(request)
    offers = selectors.desk_procedure_offers(desk)
    source = request.POST if request.method == "POST" else request.GET
    picker = ProcedurePickForm(source if "offer" in source else None, offers=offers)
    if not picker.is_bound or not picker.is_valid():
        return render(request, "dossiers/desk/pick.html", {"picker": picker, "desk": desk, "desks": desks})
    procedure, agency = picker.chosen()
    if request.method == "POST":
        key = access.posted_key(request)
        if key is not None and (done := access.done_dossier(request, key)) is not None:
            return _already_submitted(request, done)
        return _receive_post(request, desk, procedure, agency, picker, key)
    forms = _reception_forms(request, procedure, bound=False)
    return _render_reception(request, desk, procedure, agency, picker, forms, access.new_key())


def _already_submitted(request: HttpRequest, done: int | str) -> HttpResponse:
    """A second click of the same form: show the first one's result, record nothing."""
    if isinstance(done, int):
        return redirect("dossiers:desk_result", pk=done)
    messages.info(request, _("Hồ sơ đang được ghi nhận, hãy chờ giây lát rồi xem danh sách hồ sơ tại quầy."))
    return redirect("dossiers:desk_list")


def _reception_forms(request: HttpRequest, procedure: Procedure, *, bound: bool) -> dict[str, Form]:
    data = request.POST if bound else None
    files = request.FILES if bound else None
    schema = current_form_schema(procedure)
    forms: dict[str, Form] = {"applicant": ApplicantForm(data, prefix="applicant")}
    if schema is not None:
        forms["answers"] = build_form_class(schema)(data, prefix="answers")
    forms["documents"] = DocumentsForm(
        data, files, prefix="documents", documents=list(procedure.documents.all())
    )
    forms["decision"] = DecisionForm(data, prefix="decision")
    return forms


def _receive_post(
    request: HttpRequest,
    desk: Any,
    procedure: Procedure,
    agency: Any,
    picker: ProcedurePickForm,
    key: str | None,
) -> HttpResponse:
    forms = _reception_forms(request, procedure, bound=True)
    key = key or access.new_key()
    valid = all([form.is_valid() for form in forms.values()])  # a list: every form shows its errors
    documents, decision = forms["documents"], forms["decision"]
    assert isinstance(documents, DocumentsForm) and isinstance(decision, DecisionForm)
    if valid and decision.chosen is DeskDecision.ACCEPT and (missing := documents.missing_required()):
        decision.add_error(
            "decision",
            _(
                "Chưa nhận đủ giấy tờ bắt buộc: %(names)s. Hãy đánh dấu “đã nhận” hoặc chọn "
                "“Yêu cầu bổ sung, hoàn thiện hồ sơ”."
            )
            % {"names": "; ".join(missing)},
        )
        valid = False
    if not valid:
        return _render_reception(request, desk, procedure, agency, picker, forms, key, status=400)
    if not access.claim(request, key):
        return _already_submitted(request, access.done_dossier(request, key) or "pending")
    try:
        dossier = _record(request, desk, procedure, agency, forms)
    except (ValidationError, IllegalTransition) as refused:
        access.release(request, key)
        _show_service_errors(refused, forms)
        return _render_reception(request, desk, procedure, agency, picker, forms, key, status=400)
    except BaseException:
        access.release(request, key)
        raise
    access.finish(request, key, dossier.pk)
    return redirect("dossiers:desk_result", pk=dossier.pk)


def _record(
    request: HttpRequest, desk: Any, procedure: Procedure, agency: Any, forms: dict[str, Form]
) -> Dossier:
    applicant, documents, decision = forms["applicant"], forms["documents"], forms["decision"]
    assert isinstance(applicant, ApplicantForm) and isinstance(documents, DocumentsForm)
    assert isinstance(decision, DecisionForm)
    answers = forms.get("answers")
    # Stored only now, when everything typed is valid: a refused form leaves no file behind.
    stored = {
        pk: store(checked, upload, folder=SCAN_FOLDER) for pk, (checked, upload) in documents.scans.items()
    }
    received = [
        ReceivedDocument(required_document=d, received=documents.is_received(d), file=stored.get(d.pk))
        for d in documents.documents
    ]
    missing = decision.missing_lines() or documents.not_received()
    return receive_at_desk(
        officer=request.user,  # type: ignore[arg-type]  # login_required: a User
        procedure=procedure,
        agency=agency,
        receiving_agency=desk,
        receiving_division=selectors.desk_division(request.user, desk),
        applicant=applicant.applicant(),
        answers=answers.answers if isinstance(answers, SchemaForm) else {},
        documents=received,
        decision=decision.chosen,
        reason=decision.cleaned_data["reason"],
        missing_documents=missing,
    )


def _show_service_errors(refused: ValidationError | IllegalTransition, forms: dict[str, Form]) -> None:
    """Put the service's messages next to the fields they are about, the rest at the decision."""
    decision = forms["decision"]
    if isinstance(refused, ValidationError) and hasattr(refused, "error_dict"):
        answers = forms.get("answers")
        for field, errors in refused.message_dict.items():
            for message in errors:
                if field in _APPLICANT_FIELDS:
                    forms["applicant"].add_error(field, message)
                elif answers is not None and field in answers.fields:
                    answers.add_error(field, message)
                else:
                    decision.add_error(None, message)
        return
    messages_ = refused.messages if isinstance(refused, ValidationError) else [str(refused)]
    for message in messages_:
        decision.add_error(None, message)


def _render_reception(
    request: HttpRequest,
    desk: Any,
    procedure: Procedure,
    agency: Any,
    picker: ProcedurePickForm,
    forms: dict[str, Form],
    key: str,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {
        "desk": desk,
        "procedure": procedure,
        "agency": agency,
        "offer": picker.cleaned_data["offer"],
        "forms": forms,
        "error_forms": [f for f in forms.values() if f.is_bound and f.errors],
        "submission_key": key,
        "key_field": access.KEY_FIELD,
        "scan_hint": scan_hint(),
    }
    return render(request, "dossiers/desk/receive.html", context, status=status)


# --- The desk's queue and one dossier ----------------------------------------------------------


@login_required
def desk_list(request: HttpRequest) -> HttpResponse:
    """Hồ sơ tại quầy: new dossiers (online ones included) and those waiting for a supplement."""
    access.desk_only(request)
    desk, desks = access.current_desk(request)
    page = Paginator(selectors.desk_queue(actor=request.user, desk=desk), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "dossiers/desk/list.html",
        {"desk": desk, "desks": desks, "page": page, "labels": STATUS_LABELS},
    )


def _desk_dossier(request: HttpRequest, pk: int) -> Dossier:
    access.desk_only(request)
    dossier = selectors.desk_dossier(actor=request.user, pk=pk)
    if dossier is None:
        raise Http404
    return dossier


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A dossier at the desk: decide on a submitted one, or record the applicant's supplement."""
    dossier = _desk_dossier(request, pk)
    decision: DecisionForm | None = None
    resubmission: ResubmissionForm | None = None
    posted = request.POST.get("action") if request.method == "POST" else None
    if dossier.status_enum is Status.SUBMITTED:
        decision = DecisionForm(request.POST if posted == "decide" else None, prefix="decision")
        if posted == "decide" and decision.is_valid():
            return _decide(request, dossier, decision)
    elif dossier.status_enum is Status.SUPPLEMENT_REQUESTED:
        resubmission = ResubmissionForm(
            request.POST if posted == "resubmit" else None,
            request.FILES if posted == "resubmit" else None,
            prefix="resubmit",
            dossier=dossier,
        )
        if posted == "resubmit" and resubmission.is_valid():
            return _resubmit(request, dossier, resubmission)
    elif posted:
        messages.info(request, _("Hồ sơ đã được xử lý, không cần thao tác thêm tại quầy."))
        return redirect("dossiers:desk_detail", pk=dossier.pk)
    return _render_detail(request, dossier, decision, resubmission, status=400 if posted else 200)


def _decide(request: HttpRequest, dossier: Dossier, form: DecisionForm) -> HttpResponse:
    missing = form.missing_lines() or [d.name for d in dossier.documents.all() if not d.received]
    try:
        decide_at_desk(
            dossier=dossier,
            officer=request.user,  # type: ignore[arg-type]
            decision=form.chosen,
            reason=form.cleaned_data["reason"],
            missing_documents=missing,
        )
    except IllegalTransition:
        # Decided meanwhile (another officer, a second click): show what it is now.
        messages.info(request, _("Hồ sơ đã được xử lý trước đó."))
        return redirect("dossiers:desk_result", pk=dossier.pk)
    except ValidationError as refused:
        for message in refused.messages:
            form.add_error(None, message)
        return _render_detail(request, dossier, form, None, status=400)
    return redirect("dossiers:desk_result", pk=dossier.pk)


def _resubmit(request: HttpRequest, dossier: Dossier, form: ResubmissionForm) -> HttpResponse:
    stored = {pk: store(checked, upload, folder=SCAN_FOLDER) for pk, (checked, upload) in form.scans.items()}
    try:
        services.resubmit(
            dossier=dossier,
            officer=request.user,  # type: ignore[arg-type]
            received_documents={pk: stored.get(pk) for pk in form.received_pks()},
            note=form.cleaned_data["note"],
        )
    except IllegalTransition:
        messages.info(request, _("Hồ sơ đã được ghi nhận bổ sung trước đó."))
    except ValidationError as refused:
        for message in refused.messages:
            form.add_error(None, message)
        return _render_detail(request, dossier, None, form, status=400)
    else:
        messages.success(request, _("Đã ghi nhận hồ sơ bổ sung."))
    return redirect("dossiers:desk_detail", pk=dossier.pk)


def _render_detail(
    request: HttpRequest,
    dossier: Dossier,
    decision: DecisionForm | None,
    resubmission: ResubmissionForm | None,
    *,
    status: int = 200,
) -> HttpResponse:
    forms = [f for f in (decision, resubmission) if f is not None]
    context = {
        "dossier": dossier,
        "decision": decision,
        "resubmission": resubmission,
        "error_forms": [f for f in forms if f.is_bound and f.errors],
        "form_number": printable_form(dossier),
        "scan_hint": scan_hint(),
    }
    return render(request, "dossiers/desk/detail.html", context, status=status)


@login_required
def result(request: HttpRequest, pk: int) -> HttpResponse:
    """What the desk just did: the code, the appointment and the slip to print."""
    dossier = _desk_dossier(request, pk)
    return render(
        request,
        "dossiers/desk/result.html",
        {
            "dossier": dossier,
            "form_number": printable_form(dossier),
            "change": selectors.last_change(dossier),
        },
    )
