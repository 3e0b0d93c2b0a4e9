"""Numbers, notations, transition tables, lateness and signing capacity (no database)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov.documents import rules
from egov.documents.rules import Capacity, IncomingStatus, OutgoingStatus

abbreviations = st.text(alphabet="ABCDĐEGHKLMNOPQRSTUVXYĐ", min_size=1, max_size=6)


def test_numbers_below_ten_have_a_leading_zero():
    assert [rules.format_number(n) for n in (1, 7, 9, 10, 123)] == ["01", "07", "09", "10", "123"]


def test_a_number_below_one_is_refused():
    with pytest.raises(ValueError, match="start at 1"):
        rules.format_number(0)


def test_notation_of_a_typed_document_is_number_type_issuer():
    assert rules.notation(number=123, type_abbreviation="QĐ", issuer_abbreviation="UBND") == "123/QĐ-UBND"
    assert rules.notation(number=7, type_abbreviation="KH", issuer_abbreviation="STP") == "07/KH-STP"


def test_notation_of_a_cong_van_is_number_issuer_unit():
    assert (
        rules.notation(number=5, type_abbreviation="", issuer_abbreviation="BNV", unit_abbreviation="VP")
        == "05/BNV-VP"
    )


def test_a_cong_van_without_the_drafting_unit_cannot_be_numbered():
    with pytest.raises(rules.NotationError, match="đơn vị soạn thảo"):
        rules.notation(number=5, type_abbreviation="", issuer_abbreviation="BNV")


def test_an_issuer_without_abbreviation_cannot_be_numbered():
    with pytest.raises(rules.NotationError):
        rules.notation(number=5, type_abbreviation="QĐ", issuer_abbreviation=" ")


@given(st.integers(1, 10**6), abbreviations, abbreviations)
def test_the_notation_starts_with_the_number_written_with_at_least_two_digits(number, kind, issuer):
    text = rules.notation(number=number, type_abbreviation=kind, issuer_abbreviation=issuer)
    head, tail = text.split("/", 1)
    assert int(head) == number
    assert len(head) >= 2
    assert tail == f"{kind}-{issuer}"


def test_numbering_restarts_every_year_in_its_own_series():
    assert rules.counter_key(4, 2026) != rules.counter_key(4, 2027)
    assert rules.counter_key(4, 2026) == "4:2026"


@given(st.text(max_size=40), st.text(max_size=20))
def test_duplicate_key_ignores_case_accents_and_spacing(issuer, notation):
    day = date(2026, 1, 2)
    assert rules.duplicate_key(issuer.upper(), f" {notation} ", day) == rules.duplicate_key(
        issuer.lower(), notation, day
    )


def test_duplicate_key_folds_d_with_stroke():
    day = date(2026, 1, 2)
    assert rules.duplicate_key("Sở Tư pháp", "12/QĐ-STP", day) == rules.duplicate_key(
        "SO TU PHAP", "12/qd-stp", day
    )
    assert rules.duplicate_key("Sở Tư pháp", "12/QĐ-STP", day) != rules.duplicate_key(
        "Sở Tư pháp", "13/QĐ-STP", day
    )


def every_row(table):
    return [(row.source, row.target, row.name) for row in table]


@pytest.mark.parametrize("table", [rules.INCOMING_TRANSITIONS, rules.OUTGOING_TRANSITIONS])
def test_every_row_of_the_tables_is_allowed_and_names_a_known_permission(table):
    from egov.accounts.permissions import ALL_PERMISSIONS

    for source, target, name in every_row(table):
        row = rules.transition(table, source, target, name=name)
        assert row.permission in ALL_PERMISSIONS


@pytest.mark.parametrize(
    ("table", "statuses"),
    [(rules.INCOMING_TRANSITIONS, list(IncomingStatus)), (rules.OUTGOING_TRANSITIONS, list(OutgoingStatus))],
)
def test_every_move_not_in_the_tables_raises(table, statuses):
    allowed = {(s, t) for s, t, _n in every_row(table)}
    names = {n for _s, _t, n in every_row(table)}
    for source in statuses:
        for target in statuses:
            for name in names:
                if (source, target, name) in set(every_row(table)):
                    continue
                with pytest.raises(rules.IllegalTransition):
                    rules.transition(table, source, target, name=name)
    assert (OutgoingStatus.DRAFT, OutgoingStatus.ISSUED) not in allowed
    assert (IncomingStatus.REGISTERED, IncomingStatus.COMPLETED) not in allowed


def test_an_issued_document_cannot_go_back_to_draft():
    with pytest.raises(rules.IllegalTransition, match="Đã phát hành"):
        rules.transition(
            rules.OUTGOING_TRANSITIONS, OutgoingStatus.ISSUED, OutgoingStatus.DRAFT, name="send_back"
        )


def test_late_when_open_past_the_deadline_or_completed_after_it():
    deadline = date(2026, 12, 10)
    assert not rules.is_late(deadline=deadline, completed_on=None, today=deadline)
    assert rules.is_late(deadline=deadline, completed_on=None, today=date(2026, 12, 11))
    assert not rules.is_late(deadline=deadline, completed_on=date(2026, 12, 9), today=date(2026, 12, 20))
    assert rules.is_late(deadline=deadline, completed_on=date(2026, 12, 11), today=date(2026, 12, 11))
    assert not rules.is_late(deadline=None, completed_on=None, today=date(2030, 1, 1))


@given(st.dates(), st.integers(0, 400), st.integers(0, 30))
def test_due_soon_and_late_never_hold_together(deadline, offset, horizon):
    today = deadline - timedelta(days=offset) if offset % 2 else deadline + timedelta(days=offset)
    soon = rules.due_soon(deadline=deadline, today=today, horizon_days=horizon)
    late = rules.is_late(deadline=deadline, completed_on=None, today=today)
    assert not (soon and late)


@pytest.mark.parametrize(
    ("kind", "collective", "delegation", "expected"),
    [
        ("head", False, None, Capacity.DIRECT),
        ("head", True, None, Capacity.ON_BEHALF_OF_COLLECTIVE),
        ("deputy", False, None, Capacity.DEPUTY),
        ("acting", False, None, Capacity.ACTING),
        ("specialist", False, "TL.", Capacity.BY_ORDER),
        ("deputy", False, "TUQ.", Capacity.BY_AUTHORISATION),
    ],
)
def test_signing_capacity_follows_position_and_delegation(kind, collective, delegation, expected):
    assert (
        rules.signing_capacity(position_kind=kind, collective=collective, delegation=delegation) is expected
    )


def test_a_specialist_without_delegation_may_not_sign():
    with pytest.raises(rules.CapacityError):
        rules.signing_capacity(position_kind="specialist", collective=False, delegation=None)


def test_signature_block_of_a_deputy_in_a_committee():
    lines = rules.signature_block(
        capacity=Capacity.DEPUTY,
        collective_name="Ủy ban nhân dân",
        head_title="Chủ tịch",
        signer_title="Phó Chủ tịch",
        signer_name="Nguyễn Văn A",
    )
    assert lines == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "", "Nguyễn Văn A"]


def test_signature_block_by_order():
    lines = rules.signature_block(
        capacity=Capacity.BY_ORDER,
        collective_name="",
        head_title="Giám đốc",
        signer_title="Chánh Văn phòng",
        signer_name="B",
    )
    assert lines[:2] == ["TL. GIÁM ĐỐC", "CHÁNH VĂN PHÒNG"]


def test_delegation_validity_is_inclusive():
    start, end = date(2026, 1, 1), date(2026, 1, 31)
    assert rules.delegation_valid(valid_from=start, valid_until=end, on=end)
    assert not rules.delegation_valid(valid_from=start, valid_until=end, on=end + timedelta(days=1))
    assert rules.delegation_valid(valid_from=start, valid_until=None, on=date(2030, 1, 1))
