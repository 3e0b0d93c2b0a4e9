"""Registers and numbering: which register a document goes in, and its next number (gap-free)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.accounts.scope import require
from egov.core import audit, clock, counters
from egov.documents import rules
from egov.documents.models import DocumentType, Register
from egov.organizations.models import Agency

_GENERAL_NAMES = {
    (Register.Kind.INCOMING, False): _("Sổ văn bản đến"),
    (Register.Kind.OUTGOING, False): _("Sổ văn bản đi"),
    (Register.Kind.INCOMING, True): _("Sổ văn bản mật đến"),
    (Register.Kind.OUTGOING, True): _("Sổ văn bản mật đi"),
}


def register_for(
    *, agency: Agency, kind: str, secret: bool, document_type: DocumentType | None = None
) -> Register:
    """The register a document goes in: the agency's active register for its type if there is one,
    else the general register of that kind and secrecy (created at first use)."""
    if document_type is not None:
        special = Register.objects.filter(
            agency=agency, kind=kind, is_secret=secret, document_type=document_type, is_active=True
        ).first()
        if special is not None:
            return special
    register, _created = Register.objects.get_or_create(
        agency=agency,
        kind=kind,
        is_secret=secret,
        document_type=None,
        defaults={"name": str(_GENERAL_NAMES[(Register.Kind(kind), secret)]), "created_at": clock.now()},
    )
    return register


def create_register(
    *,
    actor: User,
    agency: Agency,
    kind: str,
    name: str,
    is_secret: bool = False,
    document_type: DocumentType | None = None,
) -> Register:
    """An administrator adds a register (e.g. one for decisions only)."""
    require(actor, "documents.manage_registers", agency)
    with transaction.atomic():
        register = Register.objects.create(
            agency=agency,
            kind=kind,
            name=name.strip(),
            is_secret=is_secret,
            document_type=document_type,
            created_at=clock.now(),
        )
        audit.record(
            actor=actor,
            action="documents.register.create",
            obj=register,
            details={
                "kind": kind,
                "secret": is_secret,
                "type": document_type.code if document_type else None,
            },
        )
    return register


def set_opening_number(*, actor: User, register: Register, year: int, last_number: int, reason: str) -> None:
    """Continue a register's numbering in ``year`` after ``last_number`` (an agency joining mid-year).

    Audited by ``core.counters`` with the reason; refused below a number already handed out.
    """
    require(actor, "documents.manage_registers", register.agency)
    counters.set_opening_value(
        namespace=rules.COUNTER_NAMESPACE,
        key=rules.counter_key(register.pk, year),
        value=last_number,
        actor=actor,
        reason=reason,
    )


def allocate_number(*, register: Register, year: int) -> int:
    """The register's next number in ``year`` (01 on 1 January); call inside the business transaction,
    as late as possible: the series stays locked until it commits."""
    return counters.next_value(namespace=rules.COUNTER_NAMESPACE, key=rules.counter_key(register.pk, year))


def last_number(*, register: Register, year: int) -> int:
    return counters.peek(rules.COUNTER_NAMESPACE, rules.counter_key(register.pk, year))
