"""Every move of the transition table through its service, with the database; every other refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from egov.core.models import AuditEvent
from egov.dossiers import services
from egov.dossiers.models import Dossier, StatusChange
from egov.dossiers.rules import TRANSITIONS, IllegalTransition, Status
from egov.dossiers.selectors import visible_dossiers
from tests.dossiers.conftest import PATHS, SERVICES, World, dossier_in, record

ALLOWED_MOVES = sorted(
    {
        (row.source, accepted, row.name)
        for row in TRANSITIONS
        for accepted in ((False, True) if row.after_acceptance is None else (row.after_acceptance,))
        if (row.source, accepted) in PATHS
    }
)


def test_every_row_of_the_table_is_reachable_from_a_state_the_walk_knows():
    rows = {(row.source, row.name) for row in TRANSITIONS}
    assert rows == {(source, name) for source, _accepted, name in ALLOWED_MOVES}


def snapshot(dossier: Dossier) -> dict[str, Any]:
    return {
        "row": Dossier.objects.filter(pk=dossier.pk).values().get(),
        "changes": StatusChange.objects.filter(dossier=dossier).count(),
        "events": AuditEvent.objects.filter(
            object_id=str(dossier.pk), object_type="dossiers.dossier"
        ).count(),
    }


@pytest.mark.parametrize(("source", "accepted", "name"), ALLOWED_MOVES)
def test_each_allowed_move_changes_status_and_writes_history_and_audit(world: World, source, accepted, name):
    dossier = dossier_in(world, source, accepted)
    target = next(
        row.target
        for row in TRANSITIONS
        if row.source is source and row.name == name and row.after_acceptance in (None, accepted)
    )
    SERVICES[name](world, dossier)
    dossier.refresh_from_db()
    assert dossier.status == target
    last = StatusChange.objects.filter(dossier=dossier).latest("at", "pk")
    assert (last.source, last.target) == (source, target)
    assert AuditEvent.objects.filter(action=f"dossier.{name}", object_id=str(dossier.pk)).count() == 1


def every_other_move():
    for (source, accepted), _path in PATHS.items():
        allowed = {name for s, a, name in ALLOWED_MOVES if (s, a) == (source, accepted)}
        for name in sorted(set(SERVICES) - allowed):
            yield source, accepted, name


@pytest.mark.parametrize(("source", "accepted", "name"), list(every_other_move()))
def test_every_other_move_is_refused_and_changes_nothing(world: World, source, accepted, name):
    dossier = dossier_in(world, source, accepted)
    before = snapshot(dossier)
    with pytest.raises(IllegalTransition):
        SERVICES[name](world, dossier)
    assert snapshot(dossier) == before


def test_the_code_is_kept_for_life_even_when_refused(world: World):
    dossier = record(world)
    services.refuse_dossier(dossier=dossier, officer=world.desk, reason="Không thuộc thẩm quyền")
    dossier.refresh_from_db()
    assert dossier.code.endswith("-0001")
    assert dossier.closed_at is not None
    assert record(world).code.endswith("-0002")


def test_an_officer_of_another_agency_may_not_accept(world: World):
    dossier = record(world)
    with pytest.raises(PermissionDenied):
        services.accept_dossier(dossier=dossier, officer=world.outsider)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


def test_a_specialist_may_not_do_the_leaders_moves(world: World):
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    with pytest.raises(PermissionDenied):
        services.finish(dossier=dossier, leader=world.specialist, result_file=None)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        services.stop(dossier=dossier, leader=world.specialist, reason="Thử")


def test_another_agencys_officer_cannot_reach_the_dossier_through_the_selector(world: World):
    dossier = record(world)
    assert not visible_dossiers(world.outsider).filter(pk=dossier.pk).exists()
    assert visible_dossiers(world.desk).filter(pk=dossier.pk).exists()


def test_a_public_service_centre_receives_for_the_competent_agency(world: World):
    from tests.dossiers.conftest import member

    centre_officer = member(world.centre, "one_stop_officer")
    dossier = record(world, actor=centre_officer, receiving_agency=world.centre, receiving_division=None)
    assert dossier.code.startswith(world.agency.code)
    services.accept_dossier(dossier=dossier, officer=centre_officer)
    assert visible_dossiers(centre_officer).filter(pk=dossier.pk).exists()


def test_accepting_an_incomplete_dossier_is_refused_with_the_missing_documents(world: World):
    from django.core.exceptions import ValidationError

    dossier = record(world, documents=None)  # nothing ticked yet
    with pytest.raises(ValidationError, match="Tờ khai"):
        services.accept_dossier(dossier=dossier, officer=world.desk)
