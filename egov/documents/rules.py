"""Pure rules of official documents (Decree 30/2020, DOMAIN.md §2): numbers and notations, the
transition tables of incoming and outgoing documents, lateness, signing capacity. No ORM here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from egov.core.search import normalise

# --- numbers and notations -------------------------------------------------------------------


class NotationError(ValueError):
    """A notation cannot be formed from what was given (message for the clerk)."""


def format_number(number: int) -> str:
    """``7`` → ``07``: numbers below 10 are written with a leading 0 (Decree 30, Appendix I)."""
    if number < 1:
        raise ValueError(f"document numbers start at 1, not {number}")
    return f"{number:02d}"


def notation(
    *, number: int, type_abbreviation: str, issuer_abbreviation: str, unit_abbreviation: str = ""
) -> str:
    """Number and notation: ``07/QĐ-UBND``; a công văn (a type without abbreviation) ``05/BNV-VP``."""
    issuer = issuer_abbreviation.strip()
    if not issuer:
        raise NotationError(gettext("Cơ quan ban hành chưa có tên viết tắt để ghi ký hiệu văn bản."))
    if type_abbreviation.strip():
        return f"{format_number(number)}/{type_abbreviation.strip()}-{issuer}"
    unit = unit_abbreviation.strip()
    if not unit:
        raise NotationError(gettext("Công văn cần tên viết tắt của đơn vị soạn thảo để ghi ký hiệu."))
    return f"{format_number(number)}/{issuer}-{unit}"


def counter_key(register_id: int, year: int) -> str:
    """The key of a register's series in ``core.counters``: numbers restart every 1 January."""
    return f"{register_id}:{year}"


COUNTER_NAMESPACE = "register"


def duplicate_key(issuer: str, notation_text: str, issued_on: date | None) -> tuple[str, str, date | None]:
    """What makes two incoming documents the same one: issuer, notation and date, compared folded
    (``Sở Tư pháp`` = ``SO TU PHAP``; ``07/STP-VP`` = ``07 / stp-vp``)."""
    return normalise(issuer), normalise(notation_text), issued_on


# --- urgency and secrecy ------------------------------------------------------------------------


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"  # Khẩn
    TOP_URGENT = "top_urgent"  # Thượng khẩn
    FLASH = "flash"  # Hỏa tốc


URGENCY_LABELS = {
    Urgency.NORMAL: _("Thường"),
    Urgency.URGENT: _("Khẩn"),
    Urgency.TOP_URGENT: _("Thượng khẩn"),
    Urgency.FLASH: _("Hỏa tốc"),
}


class Secrecy(StrEnum):
    NONE = "none"
    CONFIDENTIAL = "confidential"  # Mật
    SECRET = "secret"  # noqa: S105 - Tối mật, not a password
    TOP_SECRET = "top_secret"  # noqa: S105 - Tuyệt mật


SECRECY_LABELS = {
    Secrecy.NONE: _("Thường"),
    Secrecy.CONFIDENTIAL: _("Mật"),
    Secrecy.SECRET: _("Tối mật"),
    Secrecy.TOP_SECRET: _("Tuyệt mật"),
}


def is_secret(secrecy: str) -> bool:
    """Secret documents keep metadata only, have their own register, and are seen only by those
    assigned (DOMAIN.md §2)."""
    return secrecy != Secrecy.NONE


# --- transition tables ---------------------------------------------------------------------------


class IllegalTransition(Exception):  # noqa: N818 - the domain name used across egov
    """A move the table does not allow; the message is for the official."""


class IncomingStatus(StrEnum):
    REGISTERED = "registered"
    SUBMITTED = "submitted"  # to the leader
    ASSIGNED = "assigned"  # leader's instruction given
    COMPLETED = "completed"
    RECALLED = "recalled"  # the issuer recalled it (Decree 30: thu hồi)


INCOMING_STATUS_LABELS = {
    IncomingStatus.REGISTERED: _("Đã vào sổ"),
    IncomingStatus.SUBMITTED: _("Chờ lãnh đạo cho ý kiến"),
    IncomingStatus.ASSIGNED: _("Đang xử lý"),
    IncomingStatus.COMPLETED: _("Đã hoàn thành"),
    IncomingStatus.RECALLED: _("Đã bị thu hồi"),
}


class OutgoingStatus(StrEnum):
    DRAFT = "draft"
    CONTENT_REVIEW = "content_review"  # division head checks the content
    FORMAT_REVIEW = "format_review"  # clerk checks the form
    AWAITING_SIGNATURE = "awaiting_signature"
    SIGNED = "signed"
    ISSUED = "issued"
    RECALLED = "recalled"  # thu hồi: withdrawn by the issuer (also when replaced)


OUTGOING_STATUS_LABELS = {
    OutgoingStatus.DRAFT: _("Dự thảo"),
    OutgoingStatus.CONTENT_REVIEW: _("Chờ lãnh đạo phòng duyệt nội dung"),
    OutgoingStatus.FORMAT_REVIEW: _("Chờ văn thư kiểm tra thể thức"),
    OutgoingStatus.AWAITING_SIGNATURE: _("Chờ ký"),
    OutgoingStatus.SIGNED: _("Đã ký, chờ phát hành"),
    OutgoingStatus.ISSUED: _("Đã phát hành"),
    OutgoingStatus.RECALLED: _("Đã thu hồi"),
}


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    name: str  # the service's verb, also the audit action suffix
    permission: str  # accounts.permissions entry needed in the document's agency


INCOMING_TRANSITIONS: tuple[Transition, ...] = (
    Transition(IncomingStatus.REGISTERED, IncomingStatus.SUBMITTED, "submit_to_leader", "documents.register"),
    Transition(IncomingStatus.SUBMITTED, IncomingStatus.ASSIGNED, "instruct", "documents.instruct"),
    Transition(IncomingStatus.ASSIGNED, IncomingStatus.ASSIGNED, "instruct", "documents.instruct"),
    Transition(IncomingStatus.ASSIGNED, IncomingStatus.COMPLETED, "complete", "documents.process"),
    Transition(IncomingStatus.COMPLETED, IncomingStatus.ASSIGNED, "reopen", "documents.instruct"),
    # The issuing agency's recall reaches the delivered copies; its leader's permission was checked
    # on the outgoing document (the recipient agency does not decide it).
    *(
        Transition(source, IncomingStatus.RECALLED, "recall", "documents.sign")
        for source in (
            IncomingStatus.REGISTERED,
            IncomingStatus.SUBMITTED,
            IncomingStatus.ASSIGNED,
            IncomingStatus.COMPLETED,
        )
    ),
)

OUTGOING_TRANSITIONS: tuple[Transition, ...] = (
    Transition(OutgoingStatus.DRAFT, OutgoingStatus.CONTENT_REVIEW, "submit_for_review", "documents.draft"),
    Transition(
        OutgoingStatus.CONTENT_REVIEW, OutgoingStatus.FORMAT_REVIEW, "approve_content", "documents.review"
    ),
    Transition(OutgoingStatus.CONTENT_REVIEW, OutgoingStatus.DRAFT, "send_back", "documents.review"),
    Transition(
        OutgoingStatus.FORMAT_REVIEW,
        OutgoingStatus.AWAITING_SIGNATURE,
        "submit_for_signature",
        "documents.issue",
    ),
    Transition(OutgoingStatus.FORMAT_REVIEW, OutgoingStatus.DRAFT, "send_back", "documents.issue"),
    Transition(
        OutgoingStatus.AWAITING_SIGNATURE, OutgoingStatus.SIGNED, "record_signed_version", "documents.sign"
    ),
    Transition(OutgoingStatus.AWAITING_SIGNATURE, OutgoingStatus.DRAFT, "send_back", "documents.sign"),
    Transition(OutgoingStatus.SIGNED, OutgoingStatus.ISSUED, "issue", "documents.issue"),
    Transition(OutgoingStatus.ISSUED, OutgoingStatus.RECALLED, "recall", "documents.sign"),
)


def transition(table: tuple[Transition, ...], source: str, target: str, *, name: str) -> Transition:
    """The row for ``source → target`` made by the service ``name``, or ``IllegalTransition``."""
    for row in table:
        if row.source == source and row.target == target and row.name == name:
            return row
    labels: dict[str, object] = {
        str(k): v for k, v in [*INCOMING_STATUS_LABELS.items(), *OUTGOING_STATUS_LABELS.items()]
    }
    raise IllegalTransition(
        gettext("Không thể chuyển văn bản từ trạng thái “%(source)s” sang “%(target)s”.")
        % {"source": labels.get(source, source), "target": labels.get(target, target)}
    )


def allowed_moves(table: tuple[Transition, ...], source: str) -> list[Transition]:
    return [row for row in table if row.source == source]


# --- deadlines -----------------------------------------------------------------------------------


def is_late(*, deadline: date | None, completed_on: date | None, today: date) -> bool:
    """Late: completed after the deadline, or still open after it. No deadline: never late."""
    if deadline is None:
        return False
    return (completed_on or today) > deadline


def due_soon(*, deadline: date | None, today: date, horizon_days: int) -> bool:
    """Open work whose deadline is today or within ``horizon_days`` calendar days (not yet past)."""
    if deadline is None:
        return False
    return today <= deadline <= today + timedelta(days=horizon_days)


# --- signing capacity (DOMAIN.md §2) ---------------------------------------------------------------


class Capacity(StrEnum):
    DIRECT = ""  # the head signs in their own name
    ON_BEHALF_OF_COLLECTIVE = "TM."  # thay mặt: the head for a collective body
    DEPUTY = "KT."  # ký thay: a deputy for the head
    ACTING = "Q."  # quyền: an acting head
    BY_ORDER = "TL."  # thừa lệnh: delegated by the head
    BY_AUTHORISATION = "TUQ."  # thừa ủy quyền


class CapacityError(ValueError):
    """The official may not sign for the agency (message for the screen)."""


def signing_capacity(*, position_kind: str, collective: bool, delegation: str | None) -> Capacity:
    """Which capacity an official signs in, from their position and a delegation valid today.

    ``position_kind`` is ``organizations.Position.Kind`` (head, deputy, acting, …); ``delegation``
    is ``"TL."`` or ``"TUQ."`` when a delegation is valid on the signing day, else ``None``.
    A delegation decides over the position: a deputy signing "by order" signs TL.
    """
    if delegation == Capacity.BY_ORDER:
        return Capacity.BY_ORDER
    if delegation == Capacity.BY_AUTHORISATION:
        return Capacity.BY_AUTHORISATION
    if position_kind == "head":
        return Capacity.ON_BEHALF_OF_COLLECTIVE if collective else Capacity.DIRECT
    if position_kind == "deputy":
        return Capacity.DEPUTY
    if position_kind == "acting":
        return Capacity.ACTING
    raise CapacityError(gettext("Cán bộ này không có thẩm quyền ký và không được ủy quyền, giao ký thay."))


def signature_block(
    *, capacity: Capacity, collective_name: str, head_title: str, signer_title: str, signer_name: str
) -> list[str]:
    """The lines above and below the signature (Decree 30, Appendix I), capital letters as written.

    ``collective_name`` is the collective body for TM. (``ỦY BAN NHÂN DÂN``), ``head_title`` the head's
    title (``CHỦ TỊCH``, ``GIÁM ĐỐC``), ``signer_title`` the signer's own title.
    """
    head, own = head_title.upper(), signer_title.upper()
    lines: list[str]
    match capacity:
        case Capacity.DIRECT:
            lines = [head]
        case Capacity.ON_BEHALF_OF_COLLECTIVE:
            lines = [f"TM. {collective_name.upper()}", own]
        case Capacity.DEPUTY:
            lines = ([f"TM. {collective_name.upper()}"] if collective_name else []) + [f"KT. {head}", own]
        case Capacity.ACTING:
            lines = [f"Q. {head}"]
        case Capacity.BY_ORDER:
            lines = [f"TL. {head}", own]
        case Capacity.BY_AUTHORISATION:
            lines = [f"TUQ. {head}", own]
    return [*lines, "", signer_name]


def delegation_valid(*, valid_from: date, valid_until: date | None, on: date) -> bool:
    return valid_from <= on and (valid_until is None or on <= valid_until)


# ``OutgoingDocument.origin`` of a dossier's result document, as ``dossiers.rules.result_origin``
# writes it; read here by its prefix because documents never imports dossiers (tests/test_layers.py).
DOSSIER_ORIGIN_PREFIX = "dossiers:"


def dossier_code_from_origin(origin: str) -> str | None:
    """The code of the dossier whose result this outgoing document is, or ``None`` for another origin."""
    if not origin.startswith(DOSSIER_ORIGIN_PREFIX):
        return None
    return origin.removeprefix(DOSSIER_ORIGIN_PREFIX).strip() or None
