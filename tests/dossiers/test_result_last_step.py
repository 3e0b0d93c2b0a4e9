"""Where a dossier's result may be drafted: at the last processing step, the leader's approval and
the one-stop desk's trailing return ("Trả kết quả") aside."""

from __future__ import annotations

from egov.dossiers.models import Dossier
from egov.dossiers.services.result_document import at_last_step
from egov.organizations.models import Role
from egov.procedures.models import ProcessStep

# The demo catalogue's provincial template: desk, specialist, division head, leader, desk's return.
STEPS = [
    ProcessStep(pk=order, order=order, role=role, division_abbreviation=division)
    for order, role, division in (
        (1, Role.ONE_STOP_OFFICER, "MC"),
        (2, Role.SPECIALIST, "HCTP"),
        (3, Role.DIVISION_HEAD, "HCTP"),
        (4, Role.AGENCY_LEADER, ""),
        (5, Role.ONE_STOP_OFFICER, "MC"),
    )
]


def at(step: int) -> Dossier:
    return Dossier(current_step_id=step)


def test_the_division_heads_step_is_the_last_before_approval_and_return() -> None:
    assert at_last_step(at(3), STEPS)
    assert at_last_step(at(4), STEPS)


def test_earlier_steps_are_not_the_last() -> None:
    assert not at_last_step(at(1), STEPS)
    assert not at_last_step(at(2), STEPS)


def test_a_one_stop_step_in_the_middle_still_counts_as_processing() -> None:
    steps = [*STEPS[:3], ProcessStep(pk=9, order=4, role=Role.ONE_STOP_OFFICER), *STEPS[3:]]
    steps[4:] = [ProcessStep(pk=s.pk, order=s.order + 1, role=s.role) for s in steps[4:]]
    assert not at_last_step(at(3), steps)
