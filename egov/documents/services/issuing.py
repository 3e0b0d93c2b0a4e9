"""Issuing (number, date, register, delivery inside the instance), recall and replacement of
outgoing documents (Decree 30: thu hồi; a content error is fixed by a replacement document).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.accounts.scope import require
from egov.core import audit, clock, files, notifications
from egov.documents import rules, signals
from egov.documents.models import DocumentType, IncomingDocument, OutgoingDocument, Recipient, Register
from egov.documents.rules import INCOMING_TRANSITIONS, IncomingStatus, OutgoingStatus
from egov.documents.services._base import outgoing_search_text, require_member
from egov.documents.services.incoming import IncomingData, record_incoming
from egov.documents.services.outgoing import _locked, _locked_for_move, capacity_of, current_pdf
from egov.documents.services.registers import allocate_number, register_for
from egov.organizations.models import Agency, Division, Membership, Role


def issue(*, clerk: User, document: OutgoingDocument) -> OutgoingDocument:
    """The clerk issues a signed document: the register's next number and today's date, the notation,
    the register entry; agencies of this instance receive it at once as incoming documents (their
    next incoming numbers); outside recipients stay listed for the exchange or paper.

    Every series is allocated last, in ascending register order (``core.counters``: several series
    in one transaction only in a fixed order, or two issuers could deadlock).
    """
    with transaction.atomic():
        document = _locked_for_move(document, OutgoingStatus.ISSUED, name="issue", actor=clerk)
        register, internal = _number_and_deliver(document, clerk)
        if document.replaces_id is not None:
            replaced = _locked(OutgoingDocument(pk=document.replaces_id))
            if replaced.status == OutgoingStatus.ISSUED:
                _recall(
                    replaced,
                    actor=clerk,
                    reason=_("Được thay thế bởi văn bản số %(n)s") % {"n": document.notation},
                )
        _audit_numbered(
            document, actor=clerk, action="documents.outgoing.issue", register=register, internal=internal
        )
        signals.outgoing_issued.send(
            sender=OutgoingDocument, document=document, version=current_pdf(document)
        )
    return document


def _audit_numbered(
    document: OutgoingDocument, *, actor: User, action: str, register: Register, internal: list[Recipient]
) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=document,
        details={
            "register": register.pk,
            "number": document.number,
            "notation": document.notation,
            "delivered_to": [r.agency_id for r in internal],
        },
    )


def _number_and_deliver(document: OutgoingDocument, clerk: User) -> tuple[Register, list[Recipient]]:
    """Number, date and register the locked document; deliver it to the instance's recipients."""
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
    signed = current_pdf(document)
    for recipient in internal:
        assert recipient.agency is not None
        incoming = record_incoming(
            agency=recipient.agency,
            data=IncomingData(
                issuer_name=document.agency.name,
                issuer_agency=document.agency,
                notation=document.notation,
                issued_on=today,
                document_type=document.document_type,
                summary=document.summary,
                urgency=document.urgency,
                secrecy=document.secrecy,
            ),
            actor=None,
            stored=None
            if secret or signed is None
            else files.StoredFile(
                name=signed.file_name,
                size=signed.file_size or 0,
                sha256=signed.file_sha256,
                kind=files.FileKind.PDF,
                content_type="application/pdf",
            ),
            pages=None,
            text=document.text,
            source_outgoing=document,
            register=incoming_registers[recipient.pk],
            number=numbers[incoming_registers[recipient.pk].pk],
        )
        recipient.delivered = incoming
        recipient.save(update_fields=["delivered"])
        audit.record(
            actor=clerk,
            action="documents.incoming.delivered",
            obj=incoming,
            details={"from_outgoing": document.pk, "number": incoming.incoming_number},
        )
    return register, internal


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


__all__ = ["issue", "recall", "register_secret_outgoing"]


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
        register, internal = _number_and_deliver(document, clerk)
        _audit_numbered(
            document,
            actor=clerk,
            action="documents.outgoing.register_secret",
            register=register,
            internal=internal,
        )
    return document
