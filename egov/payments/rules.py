"""Pure rules of payments: the payment transition table, money formatting, HMAC signing, receipt
numbers and the reconciliation of orders against a gateway's settlement file. No ORM here."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

CURRENCY = "VND"  # amounts are whole đồng (the đồng has no minor unit in use)


class PaymentStatus(StrEnum):
    CREATED = "created"  # recorded in egov, not yet known to the gateway
    PENDING = "pending"  # the gateway accepted it; the payer is (or was) on its page
    PAID = "paid"  # the gateway confirmed the money, by a signed callback or a status query
    FAILED = "failed"  # the gateway refused it (creation or payment)
    CANCELLED = "cancelled"  # the payer cancelled at the gateway, or egov cancelled it before paying
    REFUNDED = "refunded"  # paid, then given back


STATUS_LABELS = {
    PaymentStatus.CREATED: _("Mới tạo"),
    PaymentStatus.PENDING: _("Đang chờ thanh toán"),
    PaymentStatus.PAID: _("Đã thanh toán"),
    PaymentStatus.FAILED: _("Thanh toán không thành công"),
    PaymentStatus.CANCELLED: _("Đã hủy"),
    PaymentStatus.REFUNDED: _("Đã hoàn tiền"),
}


@dataclass(frozen=True)
class PaymentTransition:
    source: PaymentStatus
    target: PaymentStatus
    name: str  # the service-level verb, also the audit action suffix


_P = PaymentStatus
# The one transition table of payments. Anything else raises IllegalPaymentTransition.
PAYMENT_TRANSITIONS: tuple[PaymentTransition, ...] = (
    PaymentTransition(_P.CREATED, _P.PENDING, "open_at_gateway"),
    PaymentTransition(_P.CREATED, _P.FAILED, "refused_by_gateway"),
    PaymentTransition(_P.CREATED, _P.CANCELLED, "cancel"),
    PaymentTransition(_P.PENDING, _P.PAID, "confirm_paid"),
    PaymentTransition(_P.PENDING, _P.FAILED, "confirm_failed"),
    PaymentTransition(_P.PENDING, _P.CANCELLED, "confirm_cancelled"),
    PaymentTransition(_P.PAID, _P.REFUNDED, "refund"),
)
TERMINAL = frozenset({_P.FAILED, _P.CANCELLED, _P.REFUNDED})
# A new attempt may be made for the order only when no attempt is open or paid.
OPEN = frozenset({_P.CREATED, _P.PENDING})


class IllegalPaymentTransition(Exception):  # noqa: N818 - the domain's name, like dossiers' IllegalTransition
    """A move the payment transition table does not allow."""


def payment_transition(source: PaymentStatus, target: PaymentStatus) -> PaymentTransition:
    for row in PAYMENT_TRANSITIONS:
        if row.source is source and row.target is target:
            return row
    raise IllegalPaymentTransition(
        gettext("Không thể chuyển giao dịch thanh toán từ “%(source)s” sang “%(target)s”.")
        % {"source": STATUS_LABELS[source], "target": STATUS_LABELS[target]}
    )


def allowed_targets(source: PaymentStatus) -> list[PaymentStatus]:
    return [row.target for row in PAYMENT_TRANSITIONS if row.source is source]


# --- Money -------------------------------------------------------------------------------------


def money_text(amount: int) -> str:
    """``1.500.000 đ``: how egov writes money (STYLE.md)."""
    if amount < 0:
        return "-" + money_text(-amount)
    return f"{amount:,}".replace(",", ".") + " đ"


def amount_due(amount: int, exempted: int) -> int:
    if amount < 0 or exempted < 0:
        raise ValueError("amounts are never negative")
    if exempted > amount:
        raise ValueError("an exemption cannot exceed the amount")
    return amount - exempted


_UNITS = ["", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _three_digits(n: int, *, full: bool) -> list[str]:
    """Vietnamese words for 0–999; ``full`` when a higher group precedes (``không trăm``, ``lẻ``)."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [_UNITS[hundreds] or "không", "trăm"]
    if tens == 0:
        if units and (hundreds or full):
            words.append("lẻ")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_UNITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        elif units == 4 and tens >= 2:
            words.append("tư")
        else:
            words.append(_UNITS[units])
    return words


def amount_in_words(amount: int) -> str:
    """``Một triệu năm trăm nghìn đồng``: receipts write the amount in words too (below 10¹⁵ đồng)."""
    if amount < 0 or amount >= 10**15:
        raise ValueError("a receipt amount is between 0 and 10^15 - 1 đồng")
    if amount == 0:
        return "Không đồng"
    groups: list[int] = []
    n = amount
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    scales = ["", "nghìn", "triệu", "tỷ", "nghìn tỷ"]
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        if groups[index] == 0:
            continue
        words += _three_digits(groups[index], full=index < len(groups) - 1)
        if scales[index]:
            words.append(scales[index])
    text = " ".join(words) + " đồng"
    return text[0].upper() + text[1:]


# --- Receipt numbers ---------------------------------------------------------------------------


def receipt_counter_key(series: str, year: int) -> str:
    """One gap-free series of receipt numbers per receipt series and calendar year."""
    return f"{series}:{year}"


def receipt_number_text(number: int) -> str:
    """``0000123``: receipts print seven digits (the e-invoice convention); wider if ever needed."""
    if number < 1:
        raise ValueError("receipt numbers start at 1")
    return f"{number:07d}"


# --- Signatures (HMAC-SHA256) ------------------------------------------------------------------


def signing_input(*, timestamp: int, method: str, path: str, body: bytes) -> bytes:
    """What is signed: the time, the request line and the exact body bytes."""
    return f"{timestamp}\n{method.upper()}\n{path}\n".encode() + body


def sign(secret: str, *, timestamp: int, method: str, path: str, body: bytes) -> str:
    message = signing_input(timestamp=timestamp, method=method, path=path, body=body)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_valid(
    secret: str, signature: str, *, timestamp: int, method: str, path: str, body: bytes
) -> bool:
    expected = sign(secret, timestamp=timestamp, method=method, path=path, body=body)
    return hmac.compare_digest(expected, signature or "")


def timestamp_fresh(timestamp: int, now: datetime, *, window_seconds: int) -> bool:
    """A signed message older or newer than the window is refused (a replay of an old capture)."""
    return abs(now.timestamp() - timestamp) <= window_seconds


# --- Reconciliation ----------------------------------------------------------------------------


class MismatchKind(StrEnum):
    MISSING = "missing"  # paid in egov, not in the settlement file
    EXTRA = "extra"  # in the settlement file, unknown or not paid in egov
    AMOUNT = "amount"  # both, amounts differ
    STATUS = "status"  # both, statuses differ (e.g. refunded at the gateway, paid in egov)


MISMATCH_LABELS = {
    MismatchKind.MISSING: _("Có trong egov, thiếu trong tệp đối soát"),
    MismatchKind.EXTRA: _("Có trong tệp đối soát, không khớp giao dịch nào của egov"),
    MismatchKind.AMOUNT: _("Số tiền khác nhau"),
    MismatchKind.STATUS: _("Trạng thái khác nhau"),
}


@dataclass(frozen=True)
class SettlementLine:
    """One line of the gateway's settlement file, or egov's view of the same payment."""

    reference: str
    amount: int
    currency: str
    status: str  # "paid" or "refunded"


@dataclass(frozen=True)
class Mismatch:
    kind: MismatchKind
    reference: str
    ours: SettlementLine | None
    theirs: SettlementLine | None

    @property
    def label(self) -> str:
        return str(MISMATCH_LABELS[self.kind])


def reconcile_lines(ours: Iterable[SettlementLine], theirs: Iterable[SettlementLine]) -> list[Mismatch]:
    """Every difference between egov's settled payments and the gateway's file, by reference.

    A reference listed twice in the file is itself a mismatch (an ``extra`` for the second line).
    The result is sorted by reference, so the same inputs always give the same report.
    """
    ours_by_ref: Mapping[str, SettlementLine] = {line.reference: line for line in ours}
    mismatches: list[Mismatch] = []
    seen: set[str] = set()
    for line in theirs:
        if line.reference in seen or line.reference not in ours_by_ref:
            mismatches.append(
                Mismatch(MismatchKind.EXTRA, line.reference, ours_by_ref.get(line.reference), line)
            )
            seen.add(line.reference)
            continue
        seen.add(line.reference)
        mine = ours_by_ref[line.reference]
        if mine.amount != line.amount or mine.currency != line.currency:
            mismatches.append(Mismatch(MismatchKind.AMOUNT, line.reference, mine, line))
        if mine.status != line.status:
            mismatches.append(Mismatch(MismatchKind.STATUS, line.reference, mine, line))
    for reference, mine in ours_by_ref.items():
        if reference not in seen:
            mismatches.append(Mismatch(MismatchKind.MISSING, reference, mine, None))
    return sorted(mismatches, key=lambda m: (m.reference, m.kind.value))
