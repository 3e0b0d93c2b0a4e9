"""The application wizard: task list → one page of questions at a time → documents → check your
answers (with "Thay đổi" links) → declaration → confirmation.

Every step is saved to the ``ApplicationDraft`` as soon as it is posted (what was typed is kept
even when a page does not pass its checks); every URL names the draft and the step, so signing in
again after an expired session comes back to the same step (``accounts.decorators.login_required``
keeps ``next``). A repeated POST changes nothing twice: pages save the same answers again, the
same file is attached once, and submission returns the dossier of the first click.

Fees: ``after_submission`` turns the procedure's fixed fees into fee orders; the confirmation page
and "my dossiers" link each unpaid one to the payments app's pay page.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from egov.accounts.decorators import login_required
from egov.accounts.models import OrganisationAuthorisation, User
from egov.core.files import FileRejected
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Dossier
from egov.eservices import rules, selectors, services
from egov.eservices.forms import DeclarationForm, UploadForm, page_form_class, typed_values
from egov.eservices.identity import is_verified
from egov.eservices.models import ApplicationDraft
from egov.procedures.models import RequiredDocument
from egov.procedures.rules import declaration_lines, shown_keys

RETURN_TO_CHECK = "quay-lai"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Ông/bà không có quyền thực hiện việc này.")


# --- Steps of a draft ------------------------------------------------------------------------


@dataclass(frozen=True)
class Wizard:
    draft: ApplicationDraft
    pages: list[list[str]]
    has_agency_step: bool
    has_files_step: bool
    # The organisations the account may apply for now; the "Nộp cho ai?" step is shown when there
    # are some, or when the draft is already for an organisation (to change a lapsed choice).
    organisations: tuple[OrganisationAuthorisation, ...] = ()

    @classmethod
    def of(cls, draft: ApplicationDraft, user: User) -> Wizard:
        fields = services.schema_fields(draft)
        agencies = [a for a in draft.procedure.offered_by.all() if a.is_active]
        return cls(
            draft=draft,
            pages=rules.paginate(fields),
            has_agency_step=len(agencies) > 1,
            has_files_step=True,  # extra papers may be attached even when nothing is listed
            organisations=tuple(services.organisations(user)),
        )

    @property
    def has_applicant_step(self) -> bool:
        return bool(self.organisations) or self.draft.for_organisation

    @property
    def organisation_lapsed(self) -> bool:
        """The draft is for an organisation the account may no longer act for."""
        tax_code = self.draft.organisation_tax_code
        return bool(tax_code) and all(o.tax_code != tax_code for o in self.organisations)

    @property
    def fields(self) -> list[dict[str, Any]]:
        return services.schema_fields(self.draft)

    def order(self) -> list[str]:
        steps = [services.STEP_APPLICANT] if self.has_applicant_step else []
        steps += [services.STEP_AGENCY] if self.has_agency_step else []
        steps += [services.page_step(n) for n in range(1, len(self.pages) + 1)]
        steps += [services.STEP_FILES] if self.has_files_step else []
        return [*steps, services.STEP_CHECK]

    def tasks(self) -> list[rules.Task]:
        done = self.draft.completed_steps
        tasks = []
        if self.has_applicant_step:
            chosen = services.STEP_APPLICANT in done and not self.organisation_lapsed
            state = rules.TaskState.DONE if chosen else rules.TaskState.NOT_STARTED
            tasks.append(rules.Task(services.STEP_APPLICANT, _("Nộp cho ai"), state))
        if self.has_agency_step:
            state = rules.TaskState.DONE if self.draft.agency_id else rules.TaskState.NOT_STARTED
            tasks.append(rules.Task(services.STEP_AGENCY, _("Chọn nơi nộp hồ sơ"), state))
        labels = {spec["key"]: spec["label"] for spec in self.fields}
        for number, keys in enumerate(self.pages, start=1):
            step = services.page_step(number)
            title = _("Tờ khai, phần %(n)d: %(first)s") % {"n": number, "first": labels[keys[0]]}
            tasks.append(rules.Task(step, title, rules.page_state(keys, self.draft.answers, done, step)))
        if self.has_files_step:
            files_state = (
                rules.TaskState.DONE
                if services.STEP_FILES in done
                else rules.TaskState.IN_PROGRESS
                if self.draft.files.all()
                else rules.TaskState.NOT_STARTED
            )
            tasks.append(rules.Task(services.STEP_FILES, _("Tải lên giấy tờ"), files_state))
        ready = all(task.state == rules.TaskState.DONE for task in tasks)
        tasks.append(
            rules.Task(
                services.STEP_CHECK,
                _("Kiểm tra, cam đoan và nộp hồ sơ"),
                rules.TaskState.NOT_STARTED if ready else rules.TaskState.CANNOT_START,
            )
        )
        return tasks

    def after(self, step: str) -> str:
        order = self.order()
        return order[order.index(step) + 1] if step in order and step != order[-1] else services.STEP_CHECK


def step_url(draft: ApplicationDraft, step: str) -> str:
    if step == services.STEP_APPLICANT:
        return reverse("eservices:draft_applicant", args=[draft.public_id])
    if step == services.STEP_AGENCY:
        return reverse("eservices:draft_agency", args=[draft.public_id])
    if step == services.STEP_FILES:
        return reverse("eservices:draft_files", args=[draft.public_id])
    if step == services.STEP_CHECK:
        return reverse("eservices:draft_check", args=[draft.public_id])
    return reverse("eservices:draft_page", args=[draft.public_id, int(step.removeprefix("trang-"))])


def _next(request: HttpRequest, wizard: Wizard, step: str) -> HttpResponse:
    if request.POST.get(RETURN_TO_CHECK) or request.GET.get(RETURN_TO_CHECK):
        return redirect(step_url(wizard.draft, services.STEP_CHECK))
    return redirect(step_url(wizard.draft, wizard.after(step)))


def _open_draft(request: HttpRequest, public_id: uuid.UUID) -> ApplicationDraft:
    draft = selectors.my_draft(_user(request), public_id)
    if draft is None:
        raise Http404
    return draft


def _submitted_redirect(draft: ApplicationDraft) -> HttpResponse | None:
    if draft.dossier_id is None:
        return None
    code = Dossier.objects.filter(pk=draft.dossier_id).values_list("code", flat=True).get()
    return redirect("eservices:confirmation", code=code)


def _context(wizard: Wizard, step: str, **extra: Any) -> dict[str, Any]:
    order = wizard.order()
    return {
        "draft": wizard.draft,
        "procedure": wizard.draft.procedure,
        "step": step,
        "step_number": order.index(step) + 1 if step in order else None,
        "step_count": len(order),
        "return_to_check": extra.pop("return_to_check", False),
        **extra,
    }


# --- Starting and the task list ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, code: str) -> HttpResponseBase:
    """Open a draft; the page's one-time token is the draft's id, so a double click opens one.

    A GET (coming back from the sign-in page) shows the procedure page again: only a POST opens."""
    procedure = selectors.online_procedure(code)
    if procedure is None:
        raise Http404
    if request.method == "GET":
        return redirect("eservices:procedure", code=code)
    user = _user(request)
    try:
        token = uuid.UUID(request.POST.get("token", ""))
    except ValueError:
        token = uuid.uuid4()
    existing = ApplicationDraft.objects.filter(public_id=token).first()
    if existing is not None:
        if existing.user_id == user.pk:
            return redirect("eservices:draft", public_id=existing.public_id)
        token = uuid.uuid4()
    try:
        draft = services.start_draft(user=user, procedure=procedure, public_id=token)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
        return redirect("eservices:procedure", code=code)
    except IntegrityError:  # the second of two simultaneous clicks: the first one's draft
        draft = get_object_or_404(ApplicationDraft, public_id=token, user=user)
    return redirect("eservices:draft", public_id=draft.public_id)


@login_required
@require_http_methods(["GET"])
def task_list(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    draft = _open_draft(request, public_id)
    if (done := _submitted_redirect(draft)) is not None:
        return done
    wizard = Wizard.of(draft, _user(request))
    return render(
        request,
        "eservices/task_list.html",
        {
            "draft": draft,
            "procedure": draft.procedure,
            "tasks": [(task, step_url(draft, task.step)) for task in wizard.tasks()],
            "organisation_lapsed": services.lapsed_message(draft) if wizard.organisation_lapsed else "",
            "needs_verification": draft.procedure.requires_verified_identity
            and not is_verified(request.user),
        },
    )


@login_required
@require_POST
def delete(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    draft = selectors.my_draft(_user(request), public_id)
    if draft is not None and draft.dossier_id is None:
        services.delete_draft(draft=draft, user=_user(request))
        messages.success(request, _("Đã xóa hồ sơ đang soạn."))
    return redirect("eservices:mine")


# --- Steps -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def applicant_step(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """ "Nộp cho ai?": for the account holder, or for an organisation they are authorised to act for."""
    draft = _open_draft(request, public_id)
    if (done := _submitted_redirect(draft)) is not None:
        return done
    user = _user(request)
    wizard = Wizard.of(draft, user)
    if not wizard.has_applicant_step:
        return redirect(step_url(draft, wizard.after(services.STEP_APPLICANT)))
    error = ""
    if request.method == "POST":
        choice = request.POST.get("applicant", "")
        if not choice:
            error = _("Hãy chọn nộp hồ sơ cho bản thân hay cho một tổ chức.")
        else:
            try:
                services.choose_applicant(draft=draft, user=user, choice=choice)
                return _next(request, wizard, services.STEP_APPLICANT)
            except (ValidationError, PermissionDenied) as refused:
                error = _error_text(refused)
    chosen = "" if wizard.organisation_lapsed else draft.organisation_tax_code
    if not chosen and services.STEP_APPLICANT in draft.completed_steps and not draft.for_organisation:
        chosen = services.MYSELF
    return render(
        request,
        "eservices/step_applicant.html",
        _context(
            wizard,
            services.STEP_APPLICANT,
            organisations=wizard.organisations,
            myself=services.MYSELF,
            chosen=chosen,
            error=error,
            lapsed=services.lapsed_message(draft) if wizard.organisation_lapsed else "",
            user_name=user.full_name or user.username,
            return_to_check=bool(request.GET.get(RETURN_TO_CHECK) or request.POST.get(RETURN_TO_CHECK)),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_step(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    draft = _open_draft(request, public_id)
    if (done := _submitted_redirect(draft)) is not None:
        return done
    wizard = Wizard.of(draft, _user(request))
    agencies = sorted((a for a in draft.procedure.offered_by.all() if a.is_active), key=lambda a: a.name)
    error = ""
    if request.method == "POST":
        chosen = next((a for a in agencies if str(a.pk) == request.POST.get("agency")), None)
        if chosen is None:
            error = _("Hãy chọn cơ quan nhận hồ sơ.")
        else:
            try:
                services.choose_agency(draft=draft, user=_user(request), agency=chosen)
                return _next(request, wizard, services.STEP_AGENCY)
            except ValidationError as invalid:
                error = _error_text(invalid)
    return render(
        request,
        "eservices/step_agency.html",
        _context(
            wizard,
            services.STEP_AGENCY,
            agencies=agencies,
            error=error,
            return_to_check=bool(request.GET.get(RETURN_TO_CHECK)),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def page_step(request: HttpRequest, public_id: uuid.UUID, number: int) -> HttpResponse:
    draft = _open_draft(request, public_id)
    if (done := _submitted_redirect(draft)) is not None:
        return done
    wizard = Wizard.of(draft, _user(request))
    if not 1 <= number <= len(wizard.pages):
        raise Http404
    keys = wizard.pages[number - 1]
    form_class = page_form_class(wizard.fields, keys, draft.answers)
    step = services.page_step(number)
    if request.method == "POST":
        form = form_class(request.POST)
        valid = form.is_valid()
        services.save_page(
            draft=draft,
            user=_user(request),
            number=number,
            typed=typed_values(form, keys),
            cleaned=form.answers if valid else None,
        )
        if valid:
            return _next(request, wizard, step)
    else:
        form = form_class(initial={k: draft.answers.get(k, "") for k in keys})
    return render(
        request,
        "eservices/step_page.html",
        _context(
            wizard,
            step,
            form=form,
            number=number,
            page_count=len(wizard.pages),
            return_to_check=bool(request.GET.get(RETURN_TO_CHECK) or request.POST.get(RETURN_TO_CHECK)),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def files_step(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    draft = _open_draft(request, public_id)
    if (done := _submitted_redirect(draft)) is not None:
        return done
    wizard = Wizard.of(draft, _user(request))
    user = _user(request)
    documents = {d.pk: d for d in draft.procedure.documents.all()}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "upload":
                form = UploadForm(request.POST, request.FILES)
                if not form.is_valid():
                    raise ValidationError(_("Hãy chọn một tệp để tải lên."))
                requirement = _requirement(documents, form.cleaned_data["requirement"])
                services.add_upload(
                    draft=draft,
                    user=user,
                    upload=form.cleaned_data["file"],
                    required_document=requirement,
                    label=form.cleaned_data["label"] or "",
                )
                messages.success(
                    request, _("Đã tải lên tệp “%(name)s”.") % {"name": form.cleaned_data["file"].name}
                )
            elif action == "reuse":
                item = selectors.wallet(user).filter(pk=_int(request.POST.get("item")) or 0).first()
                if item is None:
                    raise ValidationError(_("Không tìm thấy giấy tờ trong kho dữ liệu."))
                requirement = _requirement(documents, _int(request.POST.get("requirement")))
                services.reuse_from_wallet(draft=draft, user=user, item=item, required_document=requirement)
                messages.success(request, _("Đã dùng lại “%(name)s” từ kho dữ liệu.") % {"name": item.label})
            elif action == "remove":
                services.remove_file(draft=draft, user=user, file_id=_int(request.POST.get("file")) or 0)
            elif action == "done":
                services.finish_files(draft=draft, user=user)
                return _next(request, wizard, services.STEP_FILES)
            return redirect(step_url(draft, services.STEP_FILES) + _keep_return(request))
        except (FileRejected, ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
            draft = _open_draft(request, public_id)
    files = list(draft.files.all())
    by_requirement = {f.required_document_id: f for f in files if f.required_document_id}
    rows = [{"document": d, "file": by_requirement.get(d.pk)} for d in documents.values()]
    return render(
        request,
        "eservices/step_files.html",
        _context(
            wizard,
            services.STEP_FILES,
            rows=rows,
            extras=[f for f in files if f.required_document_id is None],
            wallet=list(selectors.wallet(user)[:20]),
            hint=services.upload_hint(draft.procedure),
            accept=_accept(draft),
            max_bytes=services.max_upload_bytes(),
            too_large=services.too_large_message(),
            return_to_check=bool(request.GET.get(RETURN_TO_CHECK)),
        ),
    )


def _keep_return(request: HttpRequest) -> str:
    return f"?{RETURN_TO_CHECK}=1" if request.POST.get(RETURN_TO_CHECK) else ""


def _accept(draft: ApplicationDraft) -> str:
    """The file picker's hint (the server still decides by content): ``.pdf,.jpg,.jpeg,.png``."""
    extensions = [kind.extension for kind in services.allowed_kinds(draft.procedure)]
    if ".jpg" in extensions:
        extensions.append(".jpeg")
    return ",".join(sorted(extensions))


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def _requirement(documents: Mapping[int, RequiredDocument], pk: int | None) -> RequiredDocument | None:
    if pk is None:
        return None
    if pk not in documents:
        raise ValidationError(_("Giấy tờ này không thuộc thủ tục đã chọn."))
    return documents[pk]


@login_required
@require_http_methods(["GET"])
def check_step(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    draft = _open_draft(request, public_id)
    if (done := _submitted_redirect(draft)) is not None:
        return done
    wizard = Wizard.of(draft, _user(request))
    shown = [spec["key"] for spec in wizard.fields if spec["key"] in shown_keys(wizard.fields, draft.answers)]
    printed = dict(zip(shown, declaration_lines(wizard.fields, draft.answers), strict=True))
    sections = [
        {
            "title": _("Tờ khai, phần %(n)d") % {"n": number},
            "url": step_url(draft, services.page_step(number)) + f"?{RETURN_TO_CHECK}=1",
            "lines": [printed[key] for key in keys if key in printed],
        }
        for number, keys in enumerate(wizard.pages, start=1)
    ]
    return render(
        request,
        "eservices/step_check.html",
        _context(
            wizard,
            services.STEP_CHECK,
            sections=sections,
            files=list(draft.files.all()),
            readiness=services.readiness(draft, _user(request)),
            agency_url=step_url(draft, services.STEP_AGENCY) + f"?{RETURN_TO_CHECK}=1",
            applicant_url=step_url(draft, services.STEP_APPLICANT) + f"?{RETURN_TO_CHECK}=1",
            has_applicant_step=wizard.has_applicant_step,
            applicant_name=_user(request).full_name or _user(request).username,
            files_url=step_url(draft, services.STEP_FILES) + f"?{RETURN_TO_CHECK}=1",
            has_agency_step=wizard.has_agency_step,
            form=DeclarationForm(),
        ),
    )


@login_required
@require_POST
def submit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Declaration and submission in one POST; a repeat (double click, retry) gives the same dossier."""
    draft = _open_draft(request, public_id)
    if (done := _submitted_redirect(draft)) is not None:
        return done
    form = DeclarationForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors["declared"]))
        return redirect(step_url(draft, services.STEP_CHECK))
    try:
        dossier, _created = services.declare_and_submit(draft=draft, user=_user(request), declared=True)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
        return redirect(step_url(draft, services.STEP_CHECK))
    after_submission(dossier=dossier, user=_user(request))
    return redirect("eservices:confirmation", code=dossier.code)


def after_submission(*, dossier: Dossier, user: User) -> None:
    """The procedure's fixed fees become fee orders the citizen pays online (idempotent: a repeated
    submission finds the same orders); fees stated as a schedule are set later by an officer."""
    dossier_services.order_submission_fees(dossier=dossier, actor=user)


@login_required
@require_http_methods(["GET"])
def confirmation(request: HttpRequest, code: str) -> HttpResponse:
    dossier = selectors.my_dossier(_user(request), code)
    if dossier is None:
        raise Http404
    return render(
        request,
        "eservices/confirmation.html",
        {
            "dossier": dossier,
            "fees_due": dossier_services.unpaid_orders(dossier),
            "email": dossier.applicant.email,
        },
    )
