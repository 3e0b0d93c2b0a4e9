"""Who sees which document, and the my-work lists."""

from __future__ import annotations

from datetime import date

from egov.core import clock
from egov.documents import rules, selectors, services
from tests.documents.conftest import assigned, composed_draft, doc_type, local, register


def ids(rows):
    return {row.pk for row in rows}


def test_a_secret_outgoing_entry_is_seen_by_the_clerks_and_its_signer_only(world):
    entry = services.register_secret_outgoing(
        clerk=world.clerk,
        division=world.office,
        document_type=doc_type("cong-van"),
        summary="Mật",
        secrecy=rules.Secrecy.SECRET,
        signer=world.leader,
    )
    assert entry.pk in ids(selectors.visible_outgoing(world.clerk))
    assert entry.pk in ids(selectors.visible_outgoing(world.leader))
    assert entry.pk not in ids(selectors.visible_outgoing(world.deputy))
    assert entry.pk not in ids(selectors.visible_outgoing(world.specialist))
    assert entry.pk not in ids(selectors.visible_outgoing(world.head))


def test_an_ordinary_draft_is_seen_by_the_agencys_clerks_and_leaders_not_by_other_agencies(world):
    draft = composed_draft(world)
    assert draft.pk in ids(selectors.visible_outgoing(world.deputy))
    assert draft.pk in ids(selectors.visible_outgoing(world.clerk))
    assert draft.pk not in ids(selectors.visible_outgoing(world.other_clerk))
    assert draft.pk not in ids(selectors.visible_outgoing(world.colleague))


def test_my_work_counts_what_waits_for_each_role(world):
    with clock.frozen(local(2026, 12, 12, 9, 0)):
        register(world, notation="1/A")
        late = assigned(world, notation="2/A")
        waiting = register(world, notation="3/A")
        services.submit_to_leader(clerk=world.clerk, document=waiting, leader=world.leader)
        draft = composed_draft(world)
        services.submit_for_review(drafter=world.specialist, document=draft)
    today = date(2026, 12, 12)

    def counts(actor):
        return {key: rows.count() for key, rows in selectors.my_work(actor, today=today).items()}

    assert counts(world.clerk)["to_submit"] == 1
    assert counts(world.leader)["to_instruct"] == 1
    specialist = counts(world.specialist)
    assert (specialist["to_process"], specialist["late"], specialist["my_drafts"]) == (1, 1, 0)
    assert counts(world.head)["to_review"] == 1
    assert late.deadline < today
