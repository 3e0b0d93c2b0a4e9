"""The actions on a dossier's page: which ones this actor may take now, their forms, their services.

An action is offered when the transition table allows its move from the current status
(``rules.allowed_targets``) and the actor holds the table's permission where the dossier is
handled; the few moves outside the table (take, hand over, apology) state their own condition.
The service still checks everything again: the screen only avoids showing useless buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from egov.accounts.models import User
from egov.accounts.scope import scope_of
from egov.documents.models import DocumentType, OutgoingDocument
from egov.dossiers import forms_processing as f
from egov.dossiers import rules, selectors, services
from egov.dossiers.models import DeliveryMethod, Dossier, Handover
from egov.dossiers.rules import Status
from egov.dossiers.services import fees
from egov.dossiers.services._base import actor_may
from egov.dossiers.services.processing import RECIPIENT_PERMISSIONS
from egov.dossiers.services.result_document import at_last_step, suggested_summary
from egov.dossiers.services.results import SIGNING_STATUSES
from egov.dossiers.signed_results import pending_result_document
from egov.organizations.models import Agency, Division
from egov.payments.services import ExemptionData
from egov.procedures.models import ProcessStep


@dataclass(frozen=True)
class Situation:
    """What the page knows about the dossier, loaded once and shared by every action's check."""

    dossier: Dossier
    actor: User
    open_handover: Handover | None
    steps: list[ProcessStep]

    @property
    def state(self) -> str:
        return f.dossier_state(self.dossier, self.open_handover.pk if self.open_handover else None)

    @cached_property
    def result_document(self) -> OutgoingDocument | None:
        """The result document drafted for the dossier and not recalled, if any."""
        return pending_result_document(self.dossier)


type Run = Callable[[Situation, Any], str]


@dataclass(frozen=True)
class Action:
    slug: str
    title: str | Promise  # heading of the form and its button
    form_class: type[f.ActionForm]
    run: Run
    service: str = ""  # the table's transition name, when the move is in the table
    target: Status | None = None
    available: Callable[[Situation], bool] | None = None  # for moves outside the table
    danger: bool = False  # shown with the secondary style: it ends or pauses the work

    def is_available(self, s: Situation) -> bool:
        if self.available is not None:
            return self.available(s)
        assert self.target is not None
        return table_allows(s, self.service, self.target)

    def form(self, s: Situation, data: Any = None, files: Any = None) -> f.ActionForm:
        kwargs: dict[str, Any] = {"prefix": self.slug, "initial": {"state": s.state}}
        if self.form_class is f.HandOverForm:
            kwargs |= hand_over_choices(s)
            kwargs["initial"]["step"] = default_step(s)
        if self.form_class is f.ResultDocumentForm:
            kwargs["initial"] |= result_document_initial(s)
        return self.form_class(data, files, **kwargs)


def table_allows(s: Situation, service: str, target: Status) -> bool:
    """The transition table has ``service``'s move from the current status, and the actor may make it."""
    d = s.dossier
    if target not in rules.allowed_targets(d.status_enum, accepted=d.is_accepted):
        return False
    row = rules.transition(d.status_enum, target, accepted=d.is_accepted)
    return row.name == service and actor_may(s.actor, row.permission, d)


# --- conditions outside the table ---------------------------------------------------------------


def _may_process(s: Situation) -> bool:
    return any(actor_may(s.actor, p, s.dossier) for p in RECIPIENT_PERMISSIONS)


def _can_take(s: Situation) -> bool:
    current = s.open_handover
    if s.dossier.status_enum is not Status.IN_PROGRESS or current is None:
        return False
    if current.to_user_id == s.actor.pk:
        return False
    scope = scope_of(s.actor)
    return any(scope.can(p, current.to_agency_id) for p in RECIPIENT_PERMISSIONS)


def _can_hand_over(s: Situation) -> bool:
    return s.dossier.status_enum is Status.IN_PROGRESS and _may_process(s)


def _can_apologise(s: Situation) -> bool:
    return s.dossier.status_enum in rules.OPEN and actor_may(s.actor, "dossiers.approve", s.dossier)


def _can_draft_result(s: Situation) -> bool:
    """At the last step, for a processing official who drafts documents in the competent agency,
    while the dossier has no result document yet."""
    d = s.dossier
    return (
        d.status_enum is Status.IN_PROGRESS
        and _may_process(s)
        and scope_of(s.actor).can("documents.draft", d.agency_id)
        and at_last_step(d, s.steps)
        and s.result_document is None
    )


def _can_finish_on_paper(s: Situation) -> bool:
    """The leader's approval with a scanned result, unless a result document is being signed."""
    document = s.result_document
    if document is not None and document.status in SIGNING_STATUSES:
        return False
    return table_allows(s, "finish", Status.FINISHED)


def result_document_initial(s: Situation) -> dict[str, Any]:
    """The summary from the procedure and the applicant; a decision by default."""
    decision = DocumentType.objects.filter(code="quyet-dinh", is_active=True).values_list("pk", flat=True)
    return {"summary": suggested_summary(s.dossier), "document_type": decision.first()}


def hand_over_choices(s: Situation) -> dict[str, Any]:
    """Steps of the template, the agencies it involves, their divisions and processing officials."""
    agencies: list[Agency] = [s.dossier.agency]
    for step in s.steps:
        if step.other_agency is not None and step.other_agency not in agencies:
            agencies.append(step.other_agency)
    agency_ids = [a.pk for a in agencies]
    return {
        "steps": s.steps,
        "agencies": agencies,
        "divisions": list(Division.objects.filter(agency_id__in=agency_ids).order_by("agency_id", "name")),
        "people": selectors.processing_officials(actor=s.actor, agency_ids=agency_ids),
    }


def default_step(s: Situation) -> ProcessStep | None:
    """The next step of the template, or the current one when it is the last."""
    current = s.dossier.current_step_id
    order = next((step.order for step in s.steps if step.pk == current), 0)
    later = [step for step in s.steps if step.order > order]
    if later:
        return later[0]
    return next((step for step in s.steps if step.pk == current), s.steps[-1] if s.steps else None)


# --- running them ---------------------------------------------------------------------------------


def _start(s: Situation, form: Any) -> str:
    services.start_processing(dossier=s.dossier, officer=s.actor, to_user=s.actor)
    return gettext("Đã nhận hồ sơ vào hộp việc của bạn.")


def _take(s: Situation, form: Any) -> str:
    services.take_dossier(dossier=s.dossier, officer=s.actor)
    return gettext("Đã nhận hồ sơ vào hộp việc của bạn.")


def _hand_over(s: Situation, form: Any) -> str:
    data = form.cleaned_data
    handover = services.hand_over(
        dossier=s.dossier,
        officer=s.actor,
        to_step=data["step"],
        to_agency=data.get("to_agency"),
        to_division=data.get("to_division"),
        to_user=data.get("to_user"),
        note=data["note"],
        attachments=form.checked_uploads(),
    )
    whom = handover.to_user or handover.to_division or handover.to_agency
    return gettext("Đã chuyển hồ sơ đến %(whom)s.") % {"whom": whom}


def _supplement(s: Situation, form: Any) -> str:
    services.request_supplement(
        dossier=s.dossier,
        officer=s.actor,
        reason=form.cleaned_data["reason"],
        missing_documents=form.missing_list(),
    )
    return gettext("Đã gửi yêu cầu bổ sung qua bộ phận một cửa; thời gian giải quyết tạm dừng.")


def _obligation(s: Situation, form: Any) -> str:
    note, amount = form.cleaned_data["note"], form.cleaned_data["amount"]
    if amount is None:  # paid elsewhere (tax office, treasury): confirmed by hand later
        services.request_obligation(dossier=s.dossier, officer=s.actor, note=note)
        return gettext("Đã thông báo nghĩa vụ tài chính; thời gian giải quyết tạm dừng.")
    exempt = form.cleaned_data["exempt_amount"]
    exemption = ExemptionData(amount=exempt, ground=form.cleaned_data["exempt_ground"]) if exempt else None
    services.request_fee_payment(
        dossier=s.dossier, officer=s.actor, amount=amount, note=note, exemption=exemption
    )
    return gettext(
        "Đã thông báo nghĩa vụ tài chính và tạo yêu cầu thanh toán trực tuyến; thời gian giải quyết "
        "tạm dừng, hồ sơ tự tiếp tục khi người nộp thanh toán xong."
    )


def _obligation_met(s: Situation, form: Any) -> str:
    services.obligation_met(dossier=s.dossier, officer=s.actor, note=form.cleaned_data["note"])
    return gettext("Đã ghi nhận nghĩa vụ tài chính; hồ sơ tiếp tục được giải quyết.")


def _stop(s: Situation, form: Any) -> str:
    services.stop(dossier=s.dossier, leader=s.actor, reason=form.cleaned_data["reason"])
    return gettext("Đã dừng giải quyết hồ sơ.")


def _resume(s: Situation, form: Any) -> str:
    services.resume(dossier=s.dossier, leader=s.actor, note=form.cleaned_data["note"])
    return gettext("Hồ sơ tiếp tục được giải quyết.")


def _finish(s: Situation, form: Any) -> str:
    services.finish(
        dossier=s.dossier, leader=s.actor, result_file=form.stored_file(), note=form.cleaned_data["note"]
    )
    return gettext("Đã phê duyệt kết quả; hồ sơ chuyển về bộ phận một cửa để trả.")


def _draft_result(s: Situation, form: Any) -> str:
    data = form.cleaned_data
    upload = data["draft_file"]
    services.draft_result_document(
        dossier=s.dossier,
        drafter=s.actor,
        document_type=data["document_type"],
        summary=data["summary"],
        upload=upload,
        upload_name=upload.name if upload is not None else None,
        composed=form.composed(s.dossier.applicant.name),
    )
    return gettext(
        "Đã tạo dự thảo văn bản kết quả. Mở văn bản để trình duyệt, trình ký; khi văn bản được ký số "
        "và phát hành, hồ sơ tự chuyển sang đã giải quyết xong."
    )


def _return(s: Situation, form: Any) -> str:
    data = form.cleaned_data
    services.return_result(
        dossier=s.dossier,
        officer=s.actor,
        delivery=DeliveryMethod(data["delivery"]),
        returned_to=data["returned_to"],
    )
    return gettext("Đã ghi nhận trả kết quả.")


def _withdraw(s: Situation, form: Any) -> str:
    services.withdraw(dossier=s.dossier, officer=s.actor, reason=form.cleaned_data["reason"])
    return gettext("Đã ghi nhận rút hồ sơ.")


def _may_refund(s: Situation) -> bool:
    """Refused or withdrawn with fees paid online that the rules give back, for an official who
    refunds in the dossier's agency."""
    d = s.dossier
    if d.status_enum not in {Status.REFUSED, Status.WITHDRAWN}:
        return False
    return scope_of(s.actor).can("payments.refund", d.agency_id) and bool(fees.refundable_payments(d))


def _refund(s: Situation, form: Any) -> str:
    refunded = fees.refund_dossier_fees(
        dossier=s.dossier, officer=s.actor, reason=form.cleaned_data["reason"]
    )
    return gettext("Đã hoàn %(count)d khoản đã nộp qua cổng thanh toán.") % {"count": len(refunded)}


def _apology(s: Situation, form: Any) -> str:
    services.issue_apology(
        dossier=s.dossier, officer=s.actor, promised_at=form.promised_at(), reason=form.cleaned_data["reason"]
    )
    return gettext("Đã ban hành văn bản xin lỗi, hẹn lại ngày trả kết quả.")


ACTIONS: tuple[Action, ...] = (
    Action("nhan-xu-ly", _("Nhận xử lý"), f.TakeForm, _start, "start_processing", Status.IN_PROGRESS),
    Action("nhan-ho-so", _("Nhận vào hộp việc của tôi"), f.TakeForm, _take, available=_can_take),
    Action("chuyen-xu-ly", _("Chuyển xử lý"), f.HandOverForm, _hand_over, available=_can_hand_over),
    Action(
        "du-thao-ket-qua",
        _("Dự thảo văn bản kết quả"),
        f.ResultDocumentForm,
        _draft_result,
        available=_can_draft_result,
    ),
    Action(
        "phe-duyet",
        _("Phê duyệt kết quả"),
        f.FinishForm,
        _finish,
        "finish",
        Status.FINISHED,
        available=_can_finish_on_paper,
    ),
    Action("tra-ket-qua", _("Trả kết quả"), f.ReturnForm, _return, "return_result", Status.RETURNED),
    Action(
        "yeu-cau-bo-sung",
        _("Yêu cầu bổ sung hồ sơ"),
        f.SupplementForm,
        _supplement,
        "request_supplement",
        Status.SUPPLEMENT_REQUESTED,
    ),
    Action(
        "nghia-vu-tai-chinh",
        _("Yêu cầu thực hiện nghĩa vụ tài chính"),
        f.ObligationForm,
        _obligation,
        "request_obligation",
        Status.OBLIGATION_REQUESTED,
    ),
    Action(
        "da-thuc-hien-nghia-vu",
        _("Xác nhận đã thực hiện nghĩa vụ tài chính"),
        f.NoteForm,
        _obligation_met,
        "obligation_met",
        Status.IN_PROGRESS,
    ),
    Action("tiep-tuc", _("Tiếp tục giải quyết"), f.NoteForm, _resume, "resume", Status.IN_PROGRESS),
    Action("xin-loi", _("Xin lỗi, hẹn lại ngày trả"), f.ApologyForm, _apology, available=_can_apologise),
    Action("dung", _("Dừng giải quyết"), f.ReasonForm, _stop, "stop", Status.STOPPED, danger=True),
    Action("hoan-phi", _("Hoàn phí, lệ phí đã nộp"), f.ReasonForm, _refund, available=_may_refund),
    Action(
        "rut-ho-so",
        _("Ghi nhận rút hồ sơ"),
        f.ReasonForm,
        _withdraw,
        "withdraw",
        Status.WITHDRAWN,
        danger=True,
    ),
)
BY_SLUG = {action.slug: action for action in ACTIONS}


def available_actions(s: Situation) -> list[Action]:
    return [action for action in ACTIONS if action.is_available(s)]
