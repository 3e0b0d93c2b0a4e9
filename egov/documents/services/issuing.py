"""Issuing (number, date, register, the agency's digital seal, delivery inside the instance),
recall and replacement of outgoing documents (Decree 30: thu hồi; a content error is fixed by a
replacement document).

Issuing a document the signer signed on a frozen PDF (DOMAIN.md §3, "sign first, number after"):
the clerk — who holds the agency's seal — types the seal key's PIN in the issue form; the number
and date are allocated, written into the PDF's number/date fields (form filling) and the agency
signature with the seal image is applied (``signatures.services.number_and_seal``: incremental
updates, the signer's signature stays valid); the final file is published on the verification
page (``register_issued_file``), kept as the ISSUED version and delivered to recipients inside the
instance, whose copies are validated on arrival (``services.arrival``).

Order and failure: the number must be in the PDF before the seal, so allocation, sealing and
storing happen in one transaction. A failed seal (wrong PIN, HSM absent, TSA down) rolls it all
back: the counters are transactional, so no number is consumed (numbering stays gap-free), the
document stays "signed", and the clerk gets a Vietnamese message. The key is opened once with the
PIN *before* the transaction, so a wrong PIN or an absent HSM never holds the register's lock; only
the TSA round trip (well under a second) happens while the register's counter row is locked.

Documents issued without the agency's digital seal, said so in the audit and the message:
metadata-only secret documents (``register_secret_outgoing``) and a signed version egov cannot seal
(``pades.awaits_number_and_seal`` false: no number/date fields, no empty agency signature field or
no signer's signature — a PDF signed before the signing integration, a scan of a document signed
on paper), which is numbered, registered and delivered as it is (the paper original gets the
physical seal); refusing would block paper-signed documents, and sealing a layout egov did not
freeze would stamp over its content.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from egov.accounts.models import User
from egov.accounts.scope import require
from egov.core import audit, clock, files, notifications
from egov.core.pdf import vn_long_date
from egov.documents import rules, signals
from egov.documents.models import (
    DocumentType,
    IncomingDocument,
    OutgoingDocument,
    OutgoingVersion,
    Recipient,
    Register,
)
from egov.documents.rules import INCOMING_TRANSITIONS, IncomingStatus, OutgoingStatus
from egov.documents.services import arrival
from egov.documents.services._base import outgoing_search_text, require_member
from egov.documents.services.incoming import IncomingData, record_incoming
from egov.documents.services.outgoing import (
    _add_version,
    _locked,
    _locked_for_move,
    capacity_of,
    current_pdf,
)
from egov.documents.services.registers import allocate_number, register_for
from egov.organizations.models import Agency, Division, Membership, Role
from egov.signatures import pades
from egov.signatures import services as signature_services
from egov.signatures.models import AgencySeal, IssuedFile
from egov.signatures.selectors import seal_of
from egov.signatures.signers import KeyReference, SignerUnavailable, configured_key, open_signer

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Sealing:
    """What sealing needs, gathered and checked before the issuing transaction."""

    version: OutgoingVersion  # the SIGNED version the seal goes on
    pdf: bytes
    seal: AgencySeal
    key: KeyReference
    pin: str = field(repr=False)  # this request only: never stored, logged or audited


@sensitive_variables("seal_pin", "sealing")
def issue(*, clerk: User, document: OutgoingDocument, seal_pin: str = "") -> OutgoingDocument:
    """The clerk issues a signed document: the register's next number and today's date, the notation,
    the register entry, the agency's digital seal when the signed PDF awaits it (``seal_pin`` opens
    the seal's key); agencies of this instance receive it at once as incoming documents (their
    next incoming numbers); outside recipients stay listed for the exchange or paper.

    Every series is allocated in ascending register order (``core.counters``: several series in
    one transaction only in a fixed order, or two issuers could deadlock).
    """
    try:
        sealing = _prepare_sealing(clerk, document, seal_pin)
        return _issue(clerk, document, sealing)
    except ValidationError as refused:
        if (
            getattr(refused, "code", None) in SEAL_REFUSALS
        ):  # kept: a wrong PIN or a failing HSM is worth a trace
            with transaction.atomic():
                audit.record(
                    actor=clerk,
                    action="documents.outgoing.seal_refused",
                    obj=document,
                    details={"reason": refused.code},
                )
        raise


SEAL_REFUSALS = frozenset({"no_seal", "seal_key", "seal_failed"})


def _issue(clerk: User, document: OutgoingDocument, sealing: _Sealing | None) -> OutgoingDocument:
    with transaction.atomic():
        document = _locked_for_move(document, OutgoingStatus.ISSUED, name="issue", actor=clerk)
        numbered = _number(document, clerk)
        version = _final_version(document, clerk, sealing)
        _deliver(document, clerk, numbered, version)
        if document.replaces_id is not None:
            replaced = _locked(OutgoingDocument(pk=document.replaces_id))
            if replaced.status == OutgoingStatus.ISSUED:
                _recall(
                    replaced,
                    actor=clerk,
                    reason=_("Được thay thế bởi văn bản số %(n)s") % {"n": document.notation},
                )
        _audit_numbered(
            document,
            actor=clerk,
            action="documents.outgoing.issue",
            numbered=numbered,
            sealed=sealing is not None,
        )
        signals.outgoing_issued.send(sender=OutgoingDocument, document=document, version=version)
    return document


def will_be_sealed(document: OutgoingDocument) -> bool:
    """Whether issuing ``document`` applies the agency's digital seal (the issue form asks the PIN)."""
    version = current_pdf(document)
    return _sealable_version(document, version) is not None


def _sealable_version(document: OutgoingDocument, version: OutgoingVersion | None) -> bytes | None:
    """The signed PDF's bytes when it awaits the number and the seal, else ``None``."""
    if document.issued_file_id is None or version is None or version.kind != OutgoingVersion.Kind.SIGNED:
        return None
    data = _read(version)
    return data if pades.awaits_number_and_seal(data) else None


def _read(version: OutgoingVersion) -> bytes:
    with default_storage.open(version.file_name, "rb") as handle:
        return bytes(handle.read())


@sensitive_variables("pin")
def _prepare_sealing(clerk: User, document: OutgoingDocument, pin: str) -> _Sealing | None:
    """Everything the seal needs, checked without any lock: the seal configured, the key opening
    with ``pin``. ``None``: this document is issued without the agency's digital seal."""
    require(clerk, "documents.issue", document.agency_id)
    document = OutgoingDocument.objects.select_related("agency").get(pk=document.pk)  # as it is now
    version = current_pdf(document)
    data = _sealable_version(document, version)
    if data is None or version is None:
        return None
    seal = seal_of(document.agency)
    if seal is None:
        raise ValidationError(
            _(
                "Cơ quan chưa có con dấu số (ảnh con dấu và khóa ký số): đề nghị quản trị viên cập nhật "
                "rồi phát hành lại. Văn bản chưa được cấp số."
            ),
            code="no_seal",
        )
    if not pin:
        raise ValidationError({"seal_pin": _("Nhập mã PIN của con dấu số (khóa ký số của cơ quan).")})
    try:
        key = configured_key(seal.key_name)
        with open_signer(key, pin=pin):
            pass  # a wrong PIN or an absent HSM is refused here, before any number is taken
    except SignerUnavailable as exc:
        raise ValidationError(
            _("Không mở được khóa ký số của cơ quan: %(reason)s Văn bản chưa được cấp số.")
            % {"reason": str(exc)},
            code="seal_key",
        ) from exc
    return _Sealing(version=version, pdf=data, seal=seal, key=key, pin=pin)


def _final_version(
    document: OutgoingDocument, clerk: User, sealing: _Sealing | None
) -> OutgoingVersion | None:
    """The file recipients get, once the locked document is numbered: the sealed ISSUED version,
    or (no seal) the current one — published on the verification page when it has a token."""
    current = current_pdf(document)
    if sealing is None:
        if document.issued_file_id is not None and current is not None:
            _publish(document, clerk, _read(current))
        return current
    if current is None or current.pk != sealing.version.pk:
        raise ValidationError(_("Văn bản vừa có phiên bản mới; hãy tải lại trang rồi phát hành."))
    sealed = _seal(document, clerk, sealing)
    published = _publish(document, clerk, sealed)
    # The ISSUED version is the published file itself: one copy on disk, one SHA-256 everywhere.
    stored = files.StoredFile(
        name=published.stored_name,
        size=published.size or 0,
        sha256=published.sha256,
        kind=files.FileKind.PDF,
        content_type=files.FileKind.PDF.content_type,
    )
    return _add_version(
        document,
        stored,
        clerk,
        note=_("Bản phát hành: đã điền số, ngày và ký số của cơ quan"),
        kind=OutgoingVersion.Kind.ISSUED,
    )


def _seal(document: OutgoingDocument, clerk: User, sealing: _Sealing) -> bytes:
    """Number, date and the agency's signature in the PDF; any failure refuses the whole issue."""
    number_text, date_text = field_texts(document)
    try:
        return signature_services.number_and_seal(
            actor=clerk,
            agency=document.agency,
            pdf=sealing.pdf,
            number_notation=number_text,
            date_text=date_text,
            key=sealing.key,
            pin=sealing.pin,
            seal_image=bytes(sealing.seal.png),
            source=f"documents:{document.pk}",
        )
    except (SignerUnavailable, pades.PdfProblem) as exc:
        raise ValidationError(
            _("Không đóng dấu số được: %(reason)s Văn bản chưa được cấp số, hãy thử lại.")
            % {"reason": str(exc)},
            code="seal_failed",
        ) from exc
    except Exception as exc:  # the TSA or the HSM failing mid-way: pyHanko raises many kinds
        logger.warning("Sealing documents:%s failed", document.pk, exc_info=True)
        raise ValidationError(
            _(
                "Không đóng dấu số được (thiết bị ký số hoặc dịch vụ cấp dấu thời gian không phản hồi). "
                "Văn bản chưa được cấp số, hãy thử lại sau."
            ),
            code="seal_failed",
        ) from exc


def _publish(document: OutgoingDocument, clerk: User, pdf: bytes) -> IssuedFile:
    """The issued file's hash and report on the public verification page (the QR code's token)."""
    assert document.issued_file is not None
    return signature_services.register_issued_file(
        actor=clerk,
        agency=document.agency,
        token=document.issued_file.token,
        pdf=pdf,
        number_notation=document.notation,
        title=document.summary,
        source=f"documents:{document.pk}",
    )


def field_texts(document: OutgoingDocument) -> tuple[str, str]:
    """What goes into the number and date fields. A composed document prints "Số:" and the place
    name itself, before the boxes (``pdf/_national_motto.html``): the notation and "ngày … tháng …
    năm …" only. An uploaded PDF's boxes are wherever the clerk put them: "Số: 07/STP-VP" and
    "Cà Mau, ngày 30 tháng 11 năm 2026"."""
    assert document.issued_on is not None
    day = vn_long_date(document.issued_on)
    if document.composed:
        return document.notation, day
    place = place_of(document)
    return _("Số: %(n)s") % {"n": document.notation}, f"{place}, {day}" if place else day


def place_of(document: OutgoingDocument) -> str:
    """The place name before the date (Decree 30): the composed form's, else the agency's (or its
    parent's) administrative unit."""
    place = (document.composed or {}).get("place", "").strip()
    agency: Agency | None = document.agency
    while not place and agency is not None:
        unit = agency.administrative_unit
        place = unit.name if unit is not None else ""
        agency = agency.parent
    return place


def _audit_numbered(
    document: OutgoingDocument, *, actor: User, action: str, numbered: _Numbered, sealed: bool = False
) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=document,
        details={
            "register": numbered.register.pk,
            "number": document.number,
            "notation": document.notation,
            "delivered_to": [r.agency_id for r in numbered.internal],
            "sealed": sealed,
        },
    )


@dataclass(frozen=True, slots=True)
class _Numbered:
    """The numbers allocated for one issue: the document's and each internal recipient's."""

    register: Register
    internal: list[Recipient]
    incoming_registers: dict[int, Register]  # recipient pk -> that agency's incoming register
    numbers: dict[int, int]  # register pk -> number


def _number(document: OutgoingDocument, clerk: User) -> _Numbered:
    """Number, date and register the locked document; the recipients' incoming numbers too."""
    secret = document.is_secret
    register = register_for(
        agency=document.agency,
        kind=Register.Kind.OUTGOING,
        secret=secret,
        document_type=document.document_type,
    )
    internal = list(document.recipients.filter(agency__isnull=False).select_related("agency"))
    incoming_registers = {
        r.pk: register_for(agency=r.agency, kind=Register.Kind.INCOMING, secret=secret)
        for r in internal
        if r.agency is not None
    }
    today = clock.localnow().date()
    year = today.year
    numbers: dict[int, int] = {}
    for register_row in sorted([register, *incoming_registers.values()], key=lambda r: r.pk):
        if register_row.pk not in numbers:
            numbers[register_row.pk] = allocate_number(register=register_row, year=year)
    # Two recipients cannot share an incoming register (one per agency), so numbers[...] is theirs.
    document.register = register
    document.year = year
    document.number = numbers[register.pk]
    document.notation = rules.notation(
        number=document.number,
        type_abbreviation=document.document_type.abbreviation,
        issuer_abbreviation=document.agency.abbreviation,
        unit_abbreviation=document.division.abbreviation,
    )
    document.issued_on = today
    document.issued_at = clock.now()
    document.issued_by = clerk
    document.status = OutgoingStatus.ISSUED
    document.search_text = outgoing_search_text(document)
    document.save()
    return _Numbered(register, internal, incoming_registers, numbers)


def _deliver(
    document: OutgoingDocument, clerk: User, numbered: _Numbered, version: OutgoingVersion | None
) -> None:
    """Each internal recipient gets an incoming document: ``version``'s file (none if secret), its
    signatures checked on arrival."""
    secret = document.is_secret
    with_file = version if not secret else None
    check = _arrival_check(document, with_file) if numbered.internal else None
    for recipient in numbered.internal:
        assert recipient.agency is not None
        register = numbered.incoming_registers[recipient.pk]
        incoming = record_incoming(
            agency=recipient.agency,
            data=IncomingData(
                issuer_name=document.agency.name,
                issuer_agency=document.agency,
                notation=document.notation,
                issued_on=document.issued_on,
                document_type=document.document_type,
                summary=document.summary,
                urgency=document.urgency,
                secrecy=document.secrecy,
            ),
            actor=None,
            stored=None
            if with_file is None
            else files.StoredFile(
                name=with_file.file_name,
                size=with_file.file_size or 0,
                sha256=with_file.file_sha256,
                kind=files.FileKind.PDF,
                content_type="application/pdf",
            ),
            pages=None,
            text=document.text,
            source_outgoing=document,
            register=register,
            number=numbered.numbers[register.pk],
        )
        recipient.delivered = incoming
        recipient.save(update_fields=["delivered"])
        audit.record(
            actor=clerk,
            action="documents.incoming.delivered",
            obj=incoming,
            details={"from_outgoing": document.pk, "number": incoming.incoming_number},
        )
        if check is not None:
            arrival.record_check(incoming, check, actor=None)


def _arrival_check(
    document: OutgoingDocument, version: OutgoingVersion | None
) -> arrival.SignatureCheck | None:
    """The delivered file's signature check: the report just published for these bytes when there
    is one (same bytes, same trust anchors), else a validation of the file."""
    if version is None:
        return None
    issued = document.issued_file
    if issued is not None and issued.issued_at is not None and issued.sha256 == version.file_sha256:
        return arrival.from_report(issued.report)
    return arrival.check_pdf(_read(version))


def recall(*, leader: User, document: OutgoingDocument, reason: str) -> OutgoingDocument:
    """The issuing agency's leader recalls an issued document, with the reason; the copies delivered
    inside the instance are marked recalled (their open work closes) and their clerks are told."""
    if not reason.strip():
        raise ValidationError({"reason": _("Cần ghi lý do thu hồi.")})
    with transaction.atomic():
        document = _locked_for_move(document, OutgoingStatus.RECALLED, name="recall", actor=leader)
        _recall(document, actor=leader, reason=reason.strip())
    return document


def _recall(document: OutgoingDocument, *, actor: User, reason: str) -> None:
    now = clock.now()
    document.status = OutgoingStatus.RECALLED
    document.recalled_at = now
    document.recall_reason = reason
    document.save(update_fields=["status", "recalled_at", "recall_reason"])
    delivered = list(
        IncomingDocument.objects.select_for_update().filter(source_outgoing=document).order_by("pk")
    )
    for copy in delivered:
        rules.transition(INCOMING_TRANSITIONS, copy.status, IncomingStatus.RECALLED, name="recall")
        copy.status = IncomingStatus.RECALLED
        copy.recalled_at = now
        copy.recall_reason = reason
        copy.save(update_fields=["status", "recalled_at", "recall_reason"])
        copy.assignments.filter(is_open=True).update(is_open=False, closed_at=now)
        audit.record(actor=actor, action="documents.incoming.recalled", obj=copy, details={"reason": reason})
        for email in Membership.objects.filter(
            agency_id=copy.agency_id, role=Role.CLERK, is_active=True
        ).values_list("user__email", flat=True):
            notifications.notify(
                recipient_email=email,
                recipient_phone=None,
                subject=_("Văn bản %(n)s đã bị thu hồi") % {"n": copy.notation},
                body=reason,
                event="documents.incoming.recalled",
            )
    audit.record(
        actor=actor,
        action="documents.outgoing.recall",
        obj=document,
        details={"reason": reason, "deliveries": [c.pk for c in delivered]},
    )


__all__ = ["field_texts", "issue", "place_of", "recall", "register_secret_outgoing", "will_be_sealed"]


def register_secret_outgoing(
    *,
    clerk: User,
    division: Division,
    document_type: DocumentType,
    summary: str,
    secrecy: str,
    signer: User,
    recipient_agencies: list[Agency] | None = None,
    external_recipients: list[str] | None = None,
) -> OutgoingDocument:
    """A secret document drafted and signed on paper, off the network (DOMAIN.md §2): the clerk
    records its metadata only; it gets the next number of the secret outgoing register, and the
    recipients inside the instance get a metadata-only entry in their secret incoming register."""
    agency = division.agency
    require(clerk, "documents.issue", agency)
    if not rules.is_secret(secrecy):
        raise ValidationError({"secrecy": _("Chỉ dùng cho văn bản mật.")})
    if not summary.strip():
        raise ValidationError({"summary": _("Cần ghi trích yếu nội dung.")})
    require_member(signer, agency.pk, "documents.sign", _("Người ký không có thẩm quyền ký."))
    capacity = capacity_of(signer, agency)
    with transaction.atomic():
        now = clock.now()
        document = OutgoingDocument.objects.create(
            agency=agency,
            division=division,
            drafter=clerk,
            document_type=document_type,
            summary=summary.strip(),
            secrecy=secrecy,
            status=OutgoingStatus.SIGNED,
            signer=signer,
            capacity=capacity.value,
            signed_at=now,
            created_at=now,
        )
        for recipient in recipient_agencies or []:
            Recipient.objects.create(document=document, agency=recipient, name=recipient.name)
        for name in external_recipients or []:
            if name.strip():
                Recipient.objects.create(document=document, name=name.strip())
        document = _locked(document)
        numbered = _number(document, clerk)
        _deliver(document, clerk, numbered, None)
        _audit_numbered(document, actor=clerk, action="documents.outgoing.register_secret", numbered=numbered)
    return document
