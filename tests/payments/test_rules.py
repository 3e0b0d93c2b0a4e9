"""The pure rules of payments: the transition table, money, signatures, reconciliation."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov.payments import rules
from egov.payments.rules import (
    PAYMENT_TRANSITIONS,
    IllegalPaymentTransition,
    MismatchKind,
    PaymentStatus,
    SettlementLine,
)

EXPECTED_MOVES = {
    ("created", "pending"),
    ("created", "failed"),
    ("created", "cancelled"),
    ("pending", "paid"),
    ("pending", "failed"),
    ("pending", "cancelled"),
    ("paid", "refunded"),
}


@pytest.mark.parametrize(("source", "target"), list(product(PaymentStatus, PaymentStatus)))
def test_the_table_allows_exactly_the_listed_moves_and_refuses_every_other(source, target):
    if (source.value, target.value) in EXPECTED_MOVES:
        row = rules.payment_transition(source, target)
        assert (row.source, row.target) == (source, target)
    else:
        with pytest.raises(IllegalPaymentTransition, match="Không thể chuyển giao dịch"):
            rules.payment_transition(source, target)


def test_each_move_has_one_row_with_a_distinct_name():
    pairs = [(row.source, row.target) for row in PAYMENT_TRANSITIONS]
    assert len(pairs) == len(set(pairs)) == len(EXPECTED_MOVES)
    assert len({row.name for row in PAYMENT_TRANSITIONS}) == len(PAYMENT_TRANSITIONS)


def test_terminal_statuses_lead_nowhere_and_paid_leads_only_to_refunded():
    for status in rules.TERMINAL:
        assert rules.allowed_targets(status) == []
    assert rules.allowed_targets(PaymentStatus.PAID) == [PaymentStatus.REFUNDED]


def test_every_status_is_reachable_from_created():
    reached = {PaymentStatus.CREATED}
    frontier = [PaymentStatus.CREATED]
    while frontier:
        for target in rules.allowed_targets(frontier.pop()):
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(PaymentStatus)


@pytest.mark.parametrize(
    ("amount", "text"),
    [(0, "0 đ"), (1_500_000, "1.500.000 đ"), (150_000, "150.000 đ"), (999, "999 đ")],
)
def test_money_is_written_with_dots_and_the_dong_sign(amount, text):
    assert rules.money_text(amount) == text


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (105, "Một trăm lẻ năm đồng"),
        (24, "Hai mươi tư đồng"),
        (150_000, "Một trăm năm mươi nghìn đồng"),
        (1_500_000, "Một triệu năm trăm nghìn đồng"),
        (2_005_000, "Hai triệu không trăm lẻ năm nghìn đồng"),
        (1_000_000_001, "Một tỷ không trăm lẻ một đồng"),
    ],
)
def test_amounts_are_written_in_vietnamese_words_for_the_receipt(amount, words):
    assert rules.amount_in_words(amount) == words


@given(st.integers(min_value=1, max_value=10**15 - 1))
def test_every_amount_has_words_that_start_with_a_capital_and_end_in_dong(amount):
    words = rules.amount_in_words(amount)
    assert words[0].isupper() and words.endswith(" đồng") and "  " not in words


def test_an_exemption_cannot_exceed_the_amount():
    assert rules.amount_due(100_000, 30_000) == 70_000
    with pytest.raises(ValueError):
        rules.amount_due(100_000, 100_001)


def test_receipt_numbers_have_seven_digits_and_start_at_one():
    assert rules.receipt_number_text(1) == "0000001"
    assert rules.receipt_counter_key("BL-EGOV", 2026) == "BL-EGOV:2026"
    with pytest.raises(ValueError):
        rules.receipt_number_text(0)


@given(
    body=st.binary(max_size=200),
    timestamp=st.integers(min_value=0, max_value=2**33),
    path=st.text(min_size=1, max_size=40),
    tamper=st.sampled_from(["body", "timestamp", "path", "method", "secret"]),
)
def test_any_change_to_a_signed_message_breaks_its_signature(body, timestamp, path, tamper):
    signature = rules.sign("s3cret", timestamp=timestamp, method="POST", path=path, body=body)
    assert rules.signature_valid(
        "s3cret", signature, timestamp=timestamp, method="POST", path=path, body=body
    )
    changed = {"timestamp": timestamp, "method": "POST", "path": path, "body": body}
    secret = "s3cret"
    match tamper:
        case "body":
            changed["body"] = body + b"x"
        case "timestamp":
            changed["timestamp"] = timestamp + 1
        case "path":
            changed["path"] = path + "/"
        case "method":
            changed["method"] = "GET"
        case "secret":
            secret = "other"
    assert not rules.signature_valid(secret, signature, **changed)  # type: ignore[arg-type]


def test_a_signature_outside_the_window_is_stale():
    now = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    ts = int(now.timestamp())
    assert rules.timestamp_fresh(ts - 300, now, window_seconds=300)
    assert not rules.timestamp_fresh(ts - 301, now, window_seconds=300)
    assert not rules.timestamp_fresh(ts + 301, now, window_seconds=300)


def line(reference: str, amount: int = 100, status: str = "paid", currency: str = "VND") -> SettlementLine:
    return SettlementLine(reference=reference, amount=amount, currency=currency, status=status)


def test_reconciliation_lists_missing_extra_amount_and_status_differences():
    ours = [line("A"), line("B", 200), line("C"), line("D")]
    theirs = [line("A"), line("B", 250), line("C", status="refunded"), line("X")]
    found = {(m.kind, m.reference) for m in rules.reconcile_lines(ours, theirs)}
    assert found == {
        (MismatchKind.AMOUNT, "B"),
        (MismatchKind.STATUS, "C"),
        (MismatchKind.MISSING, "D"),
        (MismatchKind.EXTRA, "X"),
    }


def test_a_reference_listed_twice_by_the_gateway_is_a_mismatch():
    found = rules.reconcile_lines([line("A")], [line("A"), line("A")])
    assert [(m.kind, m.reference) for m in found] == [(MismatchKind.EXTRA, "A")]


def test_a_different_currency_counts_as_an_amount_difference():
    found = rules.reconcile_lines([line("A")], [line("A", currency="USD")])
    assert [m.kind for m in found] == [MismatchKind.AMOUNT]


references = st.lists(st.text("ABCDEF0123456789", min_size=4, max_size=6), unique=True, max_size=20)


@given(references, st.data())
def test_a_file_equal_to_egov_matches_and_each_dropped_line_is_one_missing(refs, data):
    ours = [line(r, amount=i + 1) for i, r in enumerate(refs)]
    assert rules.reconcile_lines(ours, list(reversed(ours))) == []
    dropped = data.draw(st.sets(st.sampled_from(refs)) if refs else st.just(set()))
    theirs = [item for item in ours if item.reference not in dropped]
    found = rules.reconcile_lines(ours, theirs)
    assert {(m.kind, m.reference) for m in found} == {(MismatchKind.MISSING, r) for r in dropped}
