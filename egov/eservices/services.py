"""Use cases of the online services: drafts saved at every step, uploads, submission, supplements,
the result taken online, the documents wallet.

Every function is keyword-only and acts for ``user``, the citizen signed in; a draft or dossier of
someone else is refused (the views answer 404 before getting here). Submitting goes through
``dossiers.services.submit_online``, which is idempotent by the draft's public id.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from egov.accounts.models import OrganisationAuthorisation, User
from egov.accounts.rules import normalise_phone, phone_problem
from egov.accounts.selectors import organisations_of
from egov.core import audit, clock
from egov.core.files import (
    DOCUMENTS_AND_IMAGES,
    FileKind,
    StoredFile,
    check_upload,
    human_size,
    limits_hint,
    store,
)
from egov.core.files import Upload as FileUpload
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Applicant, Dossier, DossierDocument
from egov.dossiers.rules import Status
from egov.eservices import rules
from egov.eservices.identity import is_verified
from egov.eservices.models import ApplicationDraft, DraftFile, PostalDeliveryRequest, WalletItem, WalletReuse
from egov.organizations.models import Agency
from egov.procedures.models import OnlineLevel, Procedure, RequiredDocument
from egov.procedures.rules import FieldType, check_answers
from egov.procedures.selectors import current_form_schema

UPLOAD_FOLDER = "eservices/uploads"

# Steps of the wizard that are not question pages (their URL slugs).
STEP_APPLICANT = "nguoi-nop"
STEP_AGENCY = "noi-nop"
STEP_FILES = "giay-to"
STEP_CHECK = "kiem-tra"


def page_step(number: int) -> str:
    return f"trang-{number}"


# --- Uploads: what a procedure accepts ------------------------------------------------------


def allowed_kinds(procedure: Procedure) -> frozenset[FileKind]:
    """PDF, JPEG, PNG; DOCX too where the catalogue allows it."""
    return DOCUMENTS_AND_IMAGES | {FileKind.DOCX} if procedure.accepts_docx else DOCUMENTS_AND_IMAGES


def max_upload_bytes() -> int:
    return int(settings.EGOV_ONLINE_UPLOAD_MAX_BYTES)


def too_large_message() -> str:
    """What the page's script says when a chosen file is over the limit (before sending it)."""
    return _("Tệp này vượt quá giới hạn %(limit)s.") % {"limit": human_size(max_upload_bytes())}


def upload_hint(procedure: Procedure) -> str:
    """What the page says beside every file field, before anything is chosen."""
    return limits_hint(allowed_kinds(procedure), max_upload_bytes())


# --- Drafts ------------------------------------------------------------------------------------


def _require_citizen(user: User) -> None:
    if not user.is_authenticated or user.is_official:
        raise PermissionDenied(_("Chỉ công dân, tổ chức nộp hồ sơ trực tuyến bằng tài khoản của mình."))


def _require_owner(draft: ApplicationDraft, user: User) -> None:
    if draft.user_id != user.pk:
        raise PermissionDenied(_("Hồ sơ đang soạn này không thuộc tài khoản của ông/bà."))


def _require_open(draft: ApplicationDraft) -> None:
    if draft.is_submitted:
        raise ValidationError(_("Hồ sơ này đã được nộp; không sửa được nữa."), code="submitted")


def start_draft(*, user: User, procedure: Procedure, public_id: uuid.UUID | None = None) -> ApplicationDraft:
    """Open a new application for ``procedure``; the competent agency is set when there is only one.

    ``public_id`` is the one-time token of the page the citizen started from (a second click
    finds the draft the first one opened)."""
    _require_citizen(user)
    if not procedure.is_active or procedure.online_level == OnlineLevel.NONE:
        raise ValidationError(_("Thủ tục này chưa cho phép nộp hồ sơ trực tuyến."), code="not_online")
    agencies = list(procedure.offered_by.filter(is_active=True).order_by("name")[:2])
    with transaction.atomic():
        draft = ApplicationDraft.objects.create(
            public_id=public_id or uuid.uuid4(),
            user=user,
            procedure=procedure,
            agency=agencies[0] if len(agencies) == 1 else None,
            form_schema=current_form_schema(procedure),
        )
        audit.record(actor=user, action="draft.start", obj=draft, details={"procedure": procedure.code})
    return draft


def _touch(draft: ApplicationDraft, step: str, fields: list[str]) -> None:
    draft.last_step = step
    draft.updated_at = clock.now()
    draft.save(update_fields=[*fields, "last_step", "updated_at"])


def choose_agency(*, draft: ApplicationDraft, user: User, agency: Agency) -> ApplicationDraft:
    _require_owner(draft, user)
    _require_open(draft)
    if not draft.procedure.offered_by.filter(pk=agency.pk, is_active=True).exists():
        raise ValidationError(_("Cơ quan này không giải quyết thủ tục đã chọn."), code="agency")
    draft.agency = agency
    _mark(draft, STEP_AGENCY, done=True)
    _touch(draft, STEP_AGENCY, ["agency", "completed_steps"])
    return draft


# --- Whom the application is for -----------------------------------------------------------------

MYSELF = "ban-than"  # the applicant step's value for "for myself"


def organisations(user: User) -> list[OrganisationAuthorisation]:
    """The organisations the account may apply for now (none unless verified), by name: one query."""
    return list(organisations_of(user))


def acting_for(draft: ApplicationDraft, user: User) -> OrganisationAuthorisation | None:
    """The authorisation in force under which ``user`` makes ``draft`` for its organisation; ``None``
    when the draft is for the account holder or the authorisation was revoked or has expired."""
    if not draft.organisation_tax_code:
        return None
    return organisations_of(user).filter(tax_code=draft.organisation_tax_code).first()


def lapsed_message(draft: ApplicationDraft) -> str:
    return _(
        "Ông/bà không còn được ủy quyền nộp hồ sơ cho %(name)s (mã số thuế %(tax_code)s): ủy quyền "
        "đã hết hiệu lực hoặc đã bị thu hồi. Hãy chọn lại người nộp hồ sơ; các thông tin đã khai "
        "vẫn được giữ nguyên."
    ) % {"name": draft.organisation_name, "tax_code": draft.organisation_tax_code}


def choose_applicant(*, draft: ApplicationDraft, user: User, choice: str) -> ApplicationDraft:
    """Whom the application is for: ``MYSELF`` or the tax code of an organisation the account is
    authorised to act for now (anything else is refused: a forged tax code changes nothing)."""
    _require_owner(draft, user)
    _require_open(draft)
    grant = None
    if choice != MYSELF:
        grant = organisations_of(user).filter(tax_code=choice).first() if choice else None
        if grant is None:
            raise PermissionDenied(_("Ông/bà không được ủy quyền nộp hồ sơ cho tổ chức này."))
    draft.organisation_tax_code = grant.tax_code if grant else ""
    draft.organisation_name = grant.organisation_name if grant else ""
    _mark(draft, STEP_APPLICANT, done=True)
    with transaction.atomic():
        _touch(draft, STEP_APPLICANT, ["organisation_tax_code", "organisation_name", "completed_steps"])
        audit.record(
            actor=user,
            action="draft.choose_applicant",
            obj=draft,
            details={"tax_code": draft.organisation_tax_code, "authorisation": grant.pk if grant else None},
        )
    return draft


def _mark(draft: ApplicationDraft, step: str, *, done: bool) -> None:
    steps = [s for s in draft.completed_steps if s != step]
    if done:
        steps.append(step)
    draft.completed_steps = steps


def save_page(
    *,
    draft: ApplicationDraft,
    user: User,
    number: int,
    typed: Mapping[str, str],
    cleaned: Mapping[str, str] | None,
) -> ApplicationDraft:
    """Keep a question page: ``cleaned`` answers when the page passed its checks, else what was
    ``typed`` (so a validation error never loses work) with the page left unfinished."""
    _require_owner(draft, user)
    _require_open(draft)
    keys = list(typed)
    answers = {k: v for k, v in draft.answers.items() if k not in keys}
    answers |= dict(cleaned) if cleaned is not None else {k: v for k, v in typed.items() if v}
    draft.answers = answers
    _mark(draft, page_step(number), done=cleaned is not None)
    _touch(draft, page_step(number), ["answers", "completed_steps"])
    return draft


def add_upload(
    *,
    draft: ApplicationDraft,
    user: User,
    upload: FileUpload,
    required_document: RequiredDocument | None,
    label: str = "",
    name: str | None = None,
) -> DraftFile:
    """Check (by content), store and attach an upload; a new file for a document replaces the old one."""
    _require_owner(draft, user)
    _require_open(draft)
    _check_requirement(draft, required_document)
    checked = check_upload(
        upload, allowed=allowed_kinds(draft.procedure), max_bytes=max_upload_bytes(), name=name
    )
    stored = store(checked, upload, folder=UPLOAD_FOLDER)
    return _attach(draft, user, stored, checked.name, required_document, label, reused_from=None)


def reuse_from_wallet(
    *, draft: ApplicationDraft, user: User, item: WalletItem, required_document: RequiredDocument | None
) -> DraftFile:
    """Attach a file from the citizen's wallet with one click (counted as reuse on submission)."""
    _require_owner(draft, user)
    _require_open(draft)
    if item.user_id != user.pk:
        raise PermissionDenied(_("Giấy tờ này không thuộc kho dữ liệu của ông/bà."))
    _check_requirement(draft, required_document)
    if FileKind(item.kind) not in allowed_kinds(draft.procedure):
        raise ValidationError(_("Thủ tục này không nhận loại tệp của giấy tờ đã chọn."), code="kind")
    stored = StoredFile(
        name=item.stored_name,
        size=item.size,
        sha256=item.sha256,
        kind=FileKind(item.kind),
        content_type=item.content_type,
    )
    return _attach(draft, user, stored, item.original_name, required_document, item.label, reused_from=item)


def _check_requirement(draft: ApplicationDraft, required_document: RequiredDocument | None) -> None:
    if required_document is None:
        extras = draft.files.filter(required_document__isnull=True).count()
        if extras >= settings.EGOV_ONLINE_MAX_EXTRA_FILES:
            raise ValidationError(
                _("Mỗi hồ sơ được kèm tối đa %(n)d giấy tờ khác.")
                % {"n": settings.EGOV_ONLINE_MAX_EXTRA_FILES},
                code="too_many",
            )
        return
    if required_document.procedure_id != draft.procedure_id:
        raise ValidationError(_("Giấy tờ này không thuộc thủ tục đã chọn."), code="foreign_document")


def _attach(
    draft: ApplicationDraft,
    user: User,
    stored: StoredFile,
    original_name: str,
    required_document: RequiredDocument | None,
    label: str,
    *,
    reused_from: WalletItem | None,
) -> DraftFile:
    label = " ".join(label.split()) or (required_document.name if required_document else original_name)
    with transaction.atomic():
        draft = ApplicationDraft.objects.select_for_update().get(pk=draft.pk)
        same = draft.files.filter(required_document=required_document, sha256=stored.sha256).first()
        if same is not None:  # the same file sent twice (double click): nothing changes
            return same
        if required_document is not None:
            draft.files.filter(required_document=required_document).delete()
        row = DraftFile.objects.create(
            draft=draft,
            required_document=required_document,
            label=label[:500],
            original_name=original_name[:255],
            stored_name=stored.name,
            size=stored.size,
            sha256=stored.sha256,
            kind=str(stored.kind),
            content_type=stored.content_type,
            reused_from=reused_from,
        )
        _mark(draft, STEP_FILES, done=False)
        _touch(draft, STEP_FILES, ["completed_steps"])
        audit.record(
            actor=user,
            action="draft.reuse_file" if reused_from else "draft.add_file",
            obj=draft,
            details={
                "sha256": stored.sha256,
                "required_document": required_document.pk if required_document else None,
            },
        )
    return row


def remove_file(*, draft: ApplicationDraft, user: User, file_id: int) -> None:
    _require_owner(draft, user)
    _require_open(draft)
    with transaction.atomic():
        row = DraftFile.objects.filter(draft=draft, pk=file_id).first()
        if row is None:
            return  # already removed (a second click)
        row.delete()
        _mark(draft, STEP_FILES, done=False)
        _touch(draft, STEP_FILES, ["completed_steps"])
        audit.record(actor=user, action="draft.remove_file", obj=draft, details={"sha256": row.sha256})


def finish_files(*, draft: ApplicationDraft, user: User) -> ApplicationDraft:
    """The citizen says the uploads are complete; refused while a required document is missing."""
    _require_owner(draft, user)
    _require_open(draft)
    missing = missing_documents(draft)
    if missing:
        raise ValidationError(
            _("Còn thiếu: %(names)s.") % {"names": "; ".join(r.name for r in missing)}, code="missing"
        )
    _mark(draft, STEP_FILES, done=True)
    _touch(draft, STEP_FILES, ["completed_steps"])
    return draft


def requirements(procedure: Procedure) -> list[rules.Requirement]:
    return [
        rules.Requirement(pk=d.pk, name=d.name, is_required=d.is_required, filled_online=d.filled_online)
        for d in procedure.documents.all()
    ]


def missing_documents(draft: ApplicationDraft) -> list[rules.Requirement]:
    uploaded = [f.required_document_id for f in draft.files.all() if f.required_document_id]
    return rules.missing_documents(requirements(draft.procedure), uploaded)


# --- Checking and submitting -------------------------------------------------------------------


@dataclass(frozen=True)
class Readiness:
    """What still stands between the draft and its submission (empty lists: ready)."""

    answer_errors: dict[str, str]
    missing: list[rules.Requirement]
    needs_agency: bool
    needs_verified_identity: bool
    needs_applicant: bool = False  # the account acts for organisations and has not said for whom
    organisation_lapsed: str = ""  # why the chosen organisation can no longer be applied for

    @property
    def ok(self) -> bool:
        return not (
            self.answer_errors
            or self.missing
            or self.needs_agency
            or self.needs_verified_identity
            or self.needs_applicant
            or self.organisation_lapsed
        )


def schema_fields(draft: ApplicationDraft) -> list[dict[str, Any]]:
    """The questions the draft answers: the procedure's *current* form (what submission checks),
    so a form published while a draft was open is filled in its new version; answers to questions
    the new version dropped are left out at submission."""
    current = current_form_schema(draft.procedure)
    if current is None:
        return []
    if draft.form_schema_id != current.pk:
        return list(current.fields)
    assert draft.form_schema is not None
    return list(draft.form_schema.fields)


def current_answers(draft: ApplicationDraft) -> dict[str, Any]:
    """The draft's answers to the questions of ``schema_fields`` (answers to dropped ones left out)."""
    known = {spec["key"] for spec in schema_fields(draft)}
    return {key: value for key, value in draft.answers.items() if key in known}


def readiness(draft: ApplicationDraft, user: User) -> Readiness:
    fields = schema_fields(draft)
    result = check_answers(fields, current_answers(draft), today=clock.today()) if fields else None
    if draft.organisation_tax_code:
        lapsed = "" if acting_for(draft, user) is not None else lapsed_message(draft)
        needs_applicant = False
    else:
        lapsed = ""
        needs_applicant = STEP_APPLICANT not in draft.completed_steps and bool(organisations(user))
    return Readiness(
        answer_errors=result.errors if result else {},
        missing=missing_documents(draft),
        needs_agency=draft.agency_id is None,
        needs_verified_identity=draft.procedure.requires_verified_identity and not is_verified(user),
        needs_applicant=needs_applicant,
        organisation_lapsed=lapsed,
    )


def applicant_of(
    user: User, draft: ApplicationDraft, grant: OrganisationAuthorisation | None = None
) -> dossier_services.ApplicantData:
    """The applicant as the account knows them (the verified identity), address from the form; or,
    with ``grant``, the organisation (its name and tax code as the authorisation records them)
    with the account's phone and e-mail and the form's address."""
    address = ""
    for spec in schema_fields(draft):
        if spec["type"] == FieldType.ADDRESS and draft.answers.get(spec["key"]):
            address = str(draft.answers[spec["key"]])
            break
    if grant is not None:
        return dossier_services.ApplicantData(
            name=grant.organisation_name,
            kind=Applicant.Kind.ORGANISATION,
            tax_code=grant.tax_code,
            phone=user.phone or "",
            email=user.email or "",
            address=address,
        )
    return dossier_services.ApplicantData(
        name=user.full_name or user.username,
        kind=Applicant.Kind.PERSON,
        national_id=user.national_id or "",
        phone=user.phone or "",
        email=user.email or "",
        address=address,
    )


def declare_and_submit(*, draft: ApplicationDraft, user: User, declared: bool) -> tuple[Dossier, bool]:
    """The declaration, then the submission: ``(dossier, created)``; a repeat gives the same dossier."""
    _require_owner(draft, user)
    if draft.dossier_id is not None:
        return Dossier.objects.get(pk=draft.dossier_id), False
    if not declared:
        raise ValidationError(_("Hãy xác nhận lời cam đoan trước khi nộp hồ sơ."), code="declaration")
    state = readiness(draft, user)
    if state.needs_verified_identity:
        raise PermissionDenied(_("Thủ tục này yêu cầu tài khoản đã xác thực định danh điện tử (VNeID)."))
    if state.organisation_lapsed:
        raise ValidationError(state.organisation_lapsed, code="authorisation_lapsed")
    if not state.ok:
        raise ValidationError(
            _("Hồ sơ chưa đủ thông tin để nộp: hãy kiểm tra lại các mục còn thiếu."), code="not_ready"
        )
    assert draft.agency is not None
    with transaction.atomic():
        draft = (
            ApplicationDraft.objects.select_for_update(of=("self",))
            .select_related("procedure", "agency")
            .get(pk=draft.pk)
        )
        if draft.dossier_id is not None:  # a concurrent click won the lock and submitted
            return Dossier.objects.get(pk=draft.dossier_id), False
        grant = None
        if draft.organisation_tax_code:
            # Checked again under a lock: a revocation committed meanwhile is seen, one in flight waits.
            grant = (
                organisations_of(user)
                .select_for_update()
                .filter(tax_code=draft.organisation_tax_code)
                .first()
            )
            if grant is None:
                raise ValidationError(lapsed_message(draft), code="authorisation_lapsed")
        files = list(draft.files.select_related("required_document", "reused_from"))
        by_requirement = {f.required_document_id: f for f in files if f.required_document_id}
        documents = [
            dossier_services.ReceivedDocument(
                required_document=document,
                received=document.pk in by_requirement or document.filled_online,
                file=_stored(by_requirement[document.pk]) if document.pk in by_requirement else None,
            )
            for document in draft.procedure.documents.all()
        ] + [
            dossier_services.ReceivedDocument(
                required_document=None, name=f.label, form="photocopy", count=1, file=_stored(f)
            )
            for f in files
            if f.required_document_id is None
        ]
        assert draft.agency is not None
        dossier, created = dossier_services.submit_online(
            citizen=user,
            procedure=draft.procedure,
            agency=draft.agency,
            applicant=applicant_of(user, draft, grant),
            answers=current_answers(draft),
            documents=documents,
            submission_key=str(draft.public_id),
        )
        now = clock.now()
        draft.dossier, draft.declared_at = dossier, draft.declared_at or now
        _touch(draft, STEP_CHECK, ["dossier", "declared_at"])
        if created:
            _file_in_wallet(user, dossier, files, now)
            if grant is not None:
                audit.record(
                    actor=user,
                    action="dossier.submit_for_organisation",
                    obj=dossier,
                    details={"tax_code": grant.tax_code, "authorisation": grant.pk},
                )
    return dossier, created


def _stored(row: DraftFile) -> StoredFile:
    return StoredFile(
        name=row.stored_name,
        size=row.size,
        sha256=row.sha256,
        kind=FileKind(row.kind),
        content_type=row.content_type,
    )


def _file_in_wallet(user: User, dossier: Dossier, files: Sequence[DraftFile], now: datetime) -> None:
    """Submitted files go to the wallet (once per content); reused ones are counted as reuse."""
    known = set(
        WalletItem.objects.filter(user=user, sha256__in=[f.sha256 for f in files]).values_list(
            "sha256", flat=True
        )
    )
    new_items = []
    for f in files:
        if f.reused_from_id is None and f.sha256 not in known:
            known.add(f.sha256)
            new_items.append(
                WalletItem(
                    user=user,
                    label=f.label,
                    original_name=f.original_name,
                    stored_name=f.stored_name,
                    size=f.size,
                    sha256=f.sha256,
                    kind=f.kind,
                    content_type=f.content_type,
                    source=WalletItem.Source.SUBMITTED,
                    dossier=dossier,
                )
            )
    WalletItem.objects.bulk_create(new_items)
    reuses = {
        f.reused_from_id: WalletReuse(
            item_id=f.reused_from_id,
            dossier=dossier,
            required_document_id=f.required_document_id,
            reused_at=now,
        )
        for f in files
        if f.reused_from_id is not None
    }
    WalletReuse.objects.bulk_create(list(reuses.values()))
    if reuses:
        audit.record(actor=user, action="wallet.reuse", obj=dossier, details={"items": sorted(reuses)})


def delete_draft(*, draft: ApplicationDraft, user: User) -> None:
    _require_owner(draft, user)
    _require_open(draft)
    with transaction.atomic():
        audit.record(
            actor=user, action="draft.delete", obj=draft, details={"procedure": draft.procedure.code}
        )
        draft.delete()


def purge_abandoned_drafts(*, older_than: timedelta) -> int:
    """Delete drafts not submitted and untouched for ``older_than`` (personal data kept no longer
    than needed, Decree 13/2023) and their stored files that nothing else refers to. Returns the
    number of drafts deleted."""
    cutoff = clock.now() - older_than
    with transaction.atomic():
        drafts = list(ApplicationDraft.objects.filter(dossier__isnull=True, updated_at__lt=cutoff))
        if not drafts:
            return 0
        names = set(DraftFile.objects.filter(draft__in=drafts).values_list("stored_name", flat=True))
        kept = set(
            DraftFile.objects.filter(stored_name__in=names)
            .exclude(draft__in=drafts)
            .values_list("stored_name", flat=True)
        )
        kept |= set(WalletItem.objects.filter(stored_name__in=names).values_list("stored_name", flat=True))
        kept |= set(DossierDocument.objects.filter(file_name__in=names).values_list("file_name", flat=True))
        ApplicationDraft.objects.filter(pk__in=[d.pk for d in drafts]).delete()
        audit.record(
            actor=None,
            action="draft.purge",
            obj=None,
            details={"drafts": len(drafts), "older_than_days": older_than.days},
        )
        orphans = sorted(names - kept)
        transaction.on_commit(lambda: _delete_files(orphans))
    return len(drafts)


def _delete_files(names: Sequence[str]) -> None:
    for name in names:
        default_storage.delete(name)


# --- After submission --------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplementUpload:
    """One file the citizen sends for a supplement: a fresh upload or a wallet item."""

    name: str
    document_id: int | None
    upload: FileUpload | None = None
    item: WalletItem | None = None


def supplement_online(
    *, dossier: Dossier, user: User, uploads: Sequence[SupplementUpload], note: str = ""
) -> Dossier:
    """Check and store the citizen's supplement files, then resubmit the dossier online."""
    if dossier.status != Status.SUPPLEMENT_REQUESTED:
        raise ValidationError(_("Hồ sơ không ở trạng thái chờ bổ sung."), code="status")
    kinds = allowed_kinds(dossier.procedure)
    files = []
    for item in uploads:
        if item.item is not None:
            if item.item.user_id != user.pk:
                raise PermissionDenied(_("Giấy tờ này không thuộc kho dữ liệu của ông/bà."))
            stored = StoredFile(
                name=item.item.stored_name,
                size=item.item.size,
                sha256=item.item.sha256,
                kind=FileKind(item.item.kind),
                content_type=item.item.content_type,
            )
        else:
            assert item.upload is not None
            checked = check_upload(item.upload, allowed=kinds, max_bytes=max_upload_bytes())
            stored = store(checked, item.upload, folder=UPLOAD_FOLDER)
        files.append(
            dossier_services.SupplementFile(file=stored, name=item.name, document_id=item.document_id)
        )
    return dossier_services.resubmit_online(dossier=dossier, citizen=user, files=files, note=note)


def request_postal_delivery(
    *, dossier: Dossier, user: User, address: str, phone: str
) -> PostalDeliveryRequest:
    """The applicant asks for the finished result by post (status 9, not yet returned); once asked,
    the result is not taken online (the desk sends it and records the return by post)."""
    address, phone = " ".join(address.split()), normalise_phone(phone.strip())
    errors = {}
    if not address:
        errors["address"] = _("Hãy nhập địa chỉ nhận kết quả.")
    if problem := phone_problem(phone):
        errors["phone"] = problem
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().select_related("applicant").get(pk=dossier.pk)
        if not _is_applicant(user, locked):
            raise PermissionDenied(_("Chỉ người nộp hồ sơ được thực hiện việc này."))
        if locked.status != Status.FINISHED:
            raise ValidationError(_("Chỉ đề nghị gửi qua bưu chính khi hồ sơ đã có kết quả."), code="status")
        request, created = PostalDeliveryRequest.objects.get_or_create(
            dossier=locked,
            defaults={
                "recipient": user.full_name or locked.applicant.name,
                "address": address[:500],
                "phone": phone,
                "requested_by": user,
                "requested_at": clock.now(),
            },
        )
        if created:
            audit.record(actor=user, action="dossier.request_postal_delivery", obj=locked, details={})
    return request


def _is_applicant(user: User, dossier: Dossier) -> bool:
    from egov.eservices.selectors import my_dossiers  # selectors read the models this module writes

    return my_dossiers(user).filter(pk=dossier.pk).exists()


def take_result(*, dossier: Dossier, user: User) -> StoredFile:
    """The citizen downloads the result: recorded as returned online (9 → 10) and kept in the wallet.

    A result issued to a person is given only to a verified account (issue 4, Identity).
    """
    if PostalDeliveryRequest.objects.filter(dossier=dossier).exists():
        raise PermissionDenied(_("Ông/bà đã đề nghị nhận kết quả qua bưu chính."))
    if dossier.applicant.kind == Applicant.Kind.PERSON and not is_verified(user):
        raise PermissionDenied(
            _("Kết quả cấp cho cá nhân chỉ tải được bằng tài khoản đã xác thực định danh điện tử (VNeID).")
        )
    with transaction.atomic():
        result = dossier_services.deliver_online(dossier=dossier, citizen=user)
        WalletItem.objects.get_or_create(
            user=user,
            sha256=result.file_sha256,
            defaults={
                "label": _("Kết quả: %(procedure)s") % {"procedure": dossier.procedure.name},
                "original_name": result.file_name.rsplit("/", 1)[-1],
                "stored_name": result.file_name,
                "size": result.file_size,
                "kind": _kind_of(result.file_content_type),
                "content_type": result.file_content_type,
                "source": WalletItem.Source.RESULT,
                "dossier": dossier,
            },
        )
    return StoredFile(
        name=result.file_name,
        size=result.file_size,
        sha256=result.file_sha256,
        kind=FileKind(_kind_of(result.file_content_type)),
        content_type=result.file_content_type,
    )


def _kind_of(content_type: str) -> str:
    for kind in FileKind:
        if kind.content_type == content_type:
            return str(kind)
    return str(FileKind.PDF)
