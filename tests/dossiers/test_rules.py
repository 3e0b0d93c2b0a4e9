"""The dossier state machine and codes, without a database."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov.dossiers.rules import (
    TERMINAL,
    TRANSITIONS,
    ClockEffect,
    IllegalTransition,
    Status,
    allowed_targets,
    dossier_code,
    transition,
)

# DOMAIN.md §1, row by row: (from, to, accepted?) that must be allowed.
ALLOWED = {
    (Status.SUBMITTED, Status.ACCEPTED, False),
    (Status.SUBMITTED, Status.REFUSED, False),
    (Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED, False),
    (Status.SUPPLEMENT_REQUESTED, Status.SUBMITTED, False),
    (Status.ACCEPTED, Status.IN_PROGRESS, True),
    (Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED, True),
    (Status.SUPPLEMENT_REQUESTED, Status.IN_PROGRESS, True),
    (Status.IN_PROGRESS, Status.OBLIGATION_REQUESTED, True),
    (Status.OBLIGATION_REQUESTED, Status.IN_PROGRESS, True),
    (Status.IN_PROGRESS, Status.STOPPED, True),
    (Status.STOPPED, Status.IN_PROGRESS, True),
    (Status.IN_PROGRESS, Status.FINISHED, True),
    (Status.FINISHED, Status.RETURNED, True),
    (Status.SUBMITTED, Status.WITHDRAWN, False),
    (Status.ACCEPTED, Status.WITHDRAWN, True),
    (Status.IN_PROGRESS, Status.WITHDRAWN, True),
    (Status.SUPPLEMENT_REQUESTED, Status.WITHDRAWN, False),
    (Status.SUPPLEMENT_REQUESTED, Status.WITHDRAWN, True),
    (Status.OBLIGATION_REQUESTED, Status.WITHDRAWN, True),
}
# Phases in which a status can occur at all.
PHASES = {
    Status.SUBMITTED: {False},
    Status.SUPPLEMENT_REQUESTED: {False, True},
}


@pytest.mark.parametrize(("source", "target", "accepted"), sorted(ALLOWED))
def test_every_move_of_the_domain_table_is_allowed(source, target, accepted):
    assert transition(source, target, accepted=accepted).target is target


def every_other_move():
    for source in Status:
        for target in Status:
            for accepted in PHASES.get(source, {True}):
                if (source, target, accepted) not in ALLOWED:
                    yield source, target, accepted


@pytest.mark.parametrize(("source", "target", "accepted"), list(every_other_move()))
def test_every_other_move_is_refused_with_a_vietnamese_message(source, target, accepted):
    with pytest.raises(IllegalTransition, match="Không thể chuyển hồ sơ"):
        transition(source, target, accepted=accepted)


def test_terminal_statuses_lead_nowhere():
    for status in TERMINAL:
        assert allowed_targets(status, accepted=True) == []
        assert allowed_targets(status, accepted=False) == []


def test_a_supplement_before_acceptance_returns_to_submitted_and_never_touches_the_clock():
    back = transition(Status.SUPPLEMENT_REQUESTED, Status.SUBMITTED, accepted=False)
    assert back.clock is ClockEffect.NONE
    with pytest.raises(IllegalTransition):
        transition(Status.SUPPLEMENT_REQUESTED, Status.IN_PROGRESS, accepted=False)


def test_pauses_are_resumed_by_the_way_back():
    pauses = {(t.source, t.target) for t in TRANSITIONS if t.clock is ClockEffect.PAUSE}
    resumes = {(t.target, t.source) for t in TRANSITIONS if t.clock is ClockEffect.RESUME}
    assert pauses == resumes


def test_only_acceptance_starts_the_clock():
    assert [(t.source, t.target) for t in TRANSITIONS if t.clock is ClockEffect.START] == [
        (Status.SUBMITTED, Status.ACCEPTED)
    ]


def test_dossier_code_follows_circular_01_2018():
    assert dossier_code("000.00.12.H56", date(2025, 7, 1), 1) == "000.00.12.H56-250701-0001"


def test_the_ten_thousandth_dossier_of_a_day_widens_the_sequence():
    assert dossier_code("000.00.12.H56", date(2025, 7, 1), 10_000).endswith("-250701-10000")


@given(
    st.integers(min_value=1, max_value=9_999),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
)
def test_codes_within_a_day_sort_in_reception_order(sequence, day):
    first = dossier_code("000.00.00.H12", day, sequence)
    later = dossier_code("000.00.00.H12", day, sequence + 1)
    assert first < later or sequence + 1 == 10_000
