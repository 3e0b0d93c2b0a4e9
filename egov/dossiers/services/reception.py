"""Reception at the one-stop desk or online: record, accept, refuse, supplement, resubmit, withdraw."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from egov.accounts.models import AssuranceLevel
from egov.accounts.rules import normalise_personal_id, normalise_phone, personal_id_problem, phone_problem
from egov.accounts.scope import require
from egov.core import clock, counters
from egov.core.files import StoredFile
from egov.dossiers import rules
from egov.dossiers.models import Applicant, Channel, Dossier, DossierDocument, StatusChange
from egov.dossiers.rules import Status
from egov.dossiers.services._base import Actor, check, complete, locked, notify_applicant, record
from egov.organizations.models import Agency, Division
from egov.procedures.models import OnlineLevel, Procedure, RequiredDocument
from egov.procedures.rules import check_answers
from egov.procedures.selectors import current_form_schema

CODE_NAMESPACE = "dossier_code"


@dataclass(frozen=True)
class ApplicantData:
    """The applicant as the officer (or the citizen online) entered them."""

    name: str
    kind: str = Applicant.Kind.PERSON
    national_id: str = ""
    tax_code: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class ReceivedDocument:
    """What was received against one required document (or an extra paper, without one)."""

    required_document: RequiredDocument | None
    received: bool = True
    name: str = ""
    form: str = ""
    count: int = 0
    file: StoredFile | None = None


def record_dossier(
    *,
    actor: Actor,
    procedure: Procedure,
    agency: Agency,
    applicant: ApplicantData,
    channel: Channel,
    answers: Mapping[str, object] | None = None,
    documents: Sequence[ReceivedDocument] | None = None,
    receiving_agency: Agency | None = None,
    receiving_division: Division | None = None,
) -> Dossier:
    """Record a new dossier (status 1) and give it its code for life.

    A desk officer records what an applicant brings (channel desk or post); a citizen submits
    online (channel online). ``agency`` is the competent agency, one of ``procedure.offered_by``;
    ``receiving_agency`` is where the desk is (a public service centre receives on its behalf).
    """
    receiving_agency = receiving_agency or agency
    _check_channel(actor, procedure, channel, receiving_agency, receiving_division)
    _check_competence(procedure, agency, receiving_agency)
    today = clock.today()
    clean_applicant = _clean_applicant(applicant, today=today)
    schema = current_form_schema(procedure)
    cleaned_answers = _clean_answers(schema.fields if schema else [], answers or {}, today=today)
    rows = _document_rows(procedure, documents)
    with transaction.atomic():
        person = Applicant.objects.create(
            **clean_applicant, user=actor if channel == Channel.ONLINE else None
        )
        now = clock.now()
        day = now.astimezone(clock.local_zone()).date()
        # Allocated as late as possible: the agency's series stays locked until this commits.
        number = counters.next_value(
            namespace=CODE_NAMESPACE, key=rules.dossier_code_counter_key(agency.code, day)
        )
        dossier = Dossier.objects.create(
            code=rules.dossier_code(agency.code, day, number),
            procedure=procedure,
            agency=agency,
            receiving_agency=receiving_agency,
            receiving_division=receiving_division,
            applicant=person,
            channel=channel,
            status=Status.SUBMITTED,
            form_schema=schema,
            answers=cleaned_answers,
            recorded_by=actor,
            submitted_at=now,
        )
        for row in rows:
            row.dossier = dossier
        DossierDocument.objects.bulk_create(rows)
        StatusChange.objects.create(
            dossier=dossier, source=None, target=Status.SUBMITTED, at=now, actor=actor
        )
        record(actor, "dossier.record", dossier, channel=int(channel), procedure=procedure.code)
        notify_applicant(dossier, event="record")
    return dossier


def _check_channel(
    actor: Actor,
    procedure: Procedure,
    channel: Channel,
    receiving_agency: Agency,
    receiving_division: Division | None,
) -> None:
    if channel == Channel.ONLINE:
        if not actor.is_authenticated or actor.is_official:
            raise PermissionDenied(_("Chỉ công dân, tổ chức nộp hồ sơ trực tuyến bằng tài khoản của mình."))
        if procedure.online_level == OnlineLevel.NONE:
            raise ValidationError(_("Thủ tục này chưa cho phép nộp hồ sơ trực tuyến."), code="not_online")
        if procedure.requires_verified_identity and actor.assurance_level != AssuranceLevel.VERIFIED:
            raise PermissionDenied(_("Thủ tục này yêu cầu tài khoản đã xác thực định danh điện tử."))
        return
    require(actor, "dossiers.receive", receiving_agency)
    if receiving_division is not None and receiving_division.agency_id != receiving_agency.pk:
        raise ValidationError(_("Bộ phận tiếp nhận không thuộc cơ quan tiếp nhận."), code="division")


def _check_competence(procedure: Procedure, agency: Agency, receiving_agency: Agency) -> None:
    if not procedure.is_active or not procedure.offered_by.filter(pk=agency.pk).exists():
        raise ValidationError(
            _("%(agency)s không giải quyết thủ tục “%(procedure)s”.")
            % {"agency": agency.name, "procedure": procedure.name},
            code="not_competent",
        )
    if receiving_agency.pk != agency.pk and receiving_agency.kind != Agency.Kind.SERVICE_CENTRE:
        raise ValidationError(
            _("Chỉ Trung tâm Phục vụ hành chính công được tiếp nhận hồ sơ thay cơ quan giải quyết."),
            code="not_a_service_centre",
        )


def _clean_applicant(data: ApplicantData, *, today: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = " ".join(data.name.split())
    if not name:
        errors["name"] = _("Hãy nhập họ tên người nộp hoặc tên tổ chức.")
    national_id = normalise_personal_id(data.national_id)
    tax_code = data.tax_code.strip()
    if data.kind == Applicant.Kind.PERSON:
        problem = personal_id_problem(national_id, today=today)
        if problem:
            errors["national_id"] = problem
    elif data.kind == Applicant.Kind.ORGANISATION:
        problem = rules.tax_code_problem(tax_code)
        if problem:
            errors["tax_code"] = problem
    else:
        errors["kind"] = _("Người nộp là cá nhân hoặc tổ chức.")
    phone = normalise_phone(data.phone) if data.phone.strip() else ""
    if phone and (problem := phone_problem(phone)):
        errors["phone"] = problem
    email = data.email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Địa chỉ thư điện tử không hợp lệ.")
    if errors:
        raise ValidationError(errors)
    return {
        "kind": data.kind,
        "name": name,
        "national_id": national_id,
        "tax_code": tax_code,
        "phone": phone,
        "email": email,
        "address": " ".join(data.address.split()),
    }


def _clean_answers(
    fields: list[dict[str, Any]], answers: Mapping[str, object], *, today: Any
) -> dict[str, str]:
    if not fields:
        return {}
    result = check_answers(fields, answers, today=today)
    if not result.ok:
        raise ValidationError(result.errors)
    return result.cleaned


def _document_rows(
    procedure: Procedure, documents: Sequence[ReceivedDocument] | None
) -> list[DossierDocument]:
    """Rows for the received documents; by default every required document, not yet ticked."""
    if documents is None:
        documents = [ReceivedDocument(required_document=d, received=False) for d in procedure.documents.all()]
    rows = []
    for order, item in enumerate(documents, start=1):
        base = item.required_document
        if base is not None and base.procedure_id != procedure.pk:
            raise ValidationError(_("Giấy tờ “%(name)s” không thuộc thủ tục này.") % {"name": base.name})
        row = DossierDocument(
            required_document=base,
            order=order,
            name=item.name or (base.name if base else ""),
            form=item.form or (base.form if base else "original"),
            count=item.count or (base.count if base else 1),
            is_required=base.is_required if base else False,
            received=item.received,
        )
        if not row.name:
            raise ValidationError(_("Hãy nhập tên giấy tờ."))
        attach_file(row, item.file)
        rows.append(row)
    return rows


def attach_file(row: DossierDocument, file: StoredFile | None) -> None:
    if file is None:
        return
    row.file_name, row.file_size, row.file_sha256 = file.name, file.size, file.sha256
    row.file_content_type = file.content_type
    row.received = True


# --- Decisions at the desk ------------------------------------------------------------------------


def accept_dossier(*, dossier: Dossier, officer: Actor) -> Dossier:
    """Accept a complete dossier and set its legal appointment (1 → 2, receipt form 01)."""
    with transaction.atomic():
        dossier = locked(dossier)
        row = check(dossier, to=Status.ACCEPTED, actor=officer, service="accept")
        missing = list(
            dossier.documents.filter(is_required=True, received=False).values_list("name", flat=True)
        )
        if missing:
            raise ValidationError(
                _("Hồ sơ chưa đủ thành phần bắt buộc: %(names)s.") % {"names": "; ".join(missing)},
                code="incomplete",
            )
        complete(dossier, row, actor=officer, now=clock.now())
    return dossier


def refuse_dossier(*, dossier: Dossier, officer: Actor, reason: str) -> Dossier:
    """Refuse to accept (1 → 3, refusal slip form 03); the code stays used."""
    reason = _required_text(reason, _("Hãy ghi lý do từ chối tiếp nhận."))
    with transaction.atomic():
        dossier = locked(dossier)
        row = check(dossier, to=Status.REFUSED, actor=officer, service="refuse")
        complete(dossier, row, actor=officer, now=clock.now(), note=reason)
    return dossier


def request_supplement(
    *, dossier: Dossier, officer: Actor, reason: str, missing_documents: Sequence[str]
) -> Dossier:
    """Ask the applicant for more (1 → 5 at the desk, 4 → 5 during processing; form 02).

    During processing the clock pauses until the applicant resubmits.
    """
    reason = _required_text(reason, _("Hãy ghi lý do yêu cầu bổ sung."))
    missing = [" ".join(name.split()) for name in missing_documents if name.strip()]
    if not missing:
        raise ValidationError(_("Hãy liệt kê giấy tờ cần bổ sung, hoàn thiện."), code="missing_list")
    with transaction.atomic():
        dossier = locked(dossier)
        row = check(dossier, to=Status.SUPPLEMENT_REQUESTED, actor=officer, service="request_supplement")
        dossier.supplement_count += 1
        complete(dossier, row, actor=officer, now=clock.now(), note=reason, details={"missing": missing})
    return dossier


def resubmit(
    *,
    dossier: Dossier,
    officer: Actor,
    received_documents: Mapping[int, StoredFile | None] | None = None,
    note: str = "",
) -> Dossier:
    """Record the applicant's supplement (5 → 1 before acceptance, 5 → 4 during processing).

    ``received_documents`` maps ``DossierDocument`` ids now received to their scans (or None for
    paper). During processing the due date moves by the paused working time.
    """
    with transaction.atomic():
        dossier = locked(dossier)
        target = Status.IN_PROGRESS if dossier.is_accepted else Status.SUBMITTED
        row = check(dossier, to=target, actor=officer, service="resubmit")
        _tick_documents(dossier, received_documents or {})
        complete(dossier, row, actor=officer, now=clock.now(), note=note.strip())
    return dossier


def _tick_documents(dossier: Dossier, received: Mapping[int, StoredFile | None]) -> None:
    rows = list(dossier.documents.filter(pk__in=list(received)))
    if len(rows) != len(received):
        raise ValidationError(_("Có giấy tờ không thuộc hồ sơ này."), code="foreign_document")
    for row in rows:
        row.received = True
        attach_file(row, received[row.pk])
    DossierDocument.objects.bulk_update(
        rows, ["received", "file_name", "file_size", "file_sha256", "file_content_type"]
    )


def withdraw(*, dossier: Dossier, officer: Actor, reason: str) -> Dossier:
    """Record the applicant's request to withdraw (1, 2, 4, 5, 6 → 7)."""
    reason = _required_text(reason, _("Hãy ghi nội dung đề nghị rút hồ sơ của người nộp."))
    with transaction.atomic():
        dossier = locked(dossier)
        row = check(dossier, to=Status.WITHDRAWN, actor=officer, service="withdraw")
        now = clock.now()
        dossier.handovers.filter(completed_at__isnull=True).update(completed_at=now)
        complete(dossier, row, actor=officer, now=now, note=reason)
    return dossier


def _required_text(text: str, message: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise ValidationError(message, code="required")
    return cleaned
