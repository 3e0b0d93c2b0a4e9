"""The audit log: append-only events in a hash chain that ``audit_verify`` proves intact."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from egov.core import audit, clock
from egov.core.models import AppendOnlyError, AuditChainHead, AuditEvent, WorkingDayOverride

pytestmark = pytest.mark.django_db

TABLE = "core_auditevent"  # spelled out in the raw SQL below
INSTANT = datetime(2027, 1, 29, 9, 30, tzinfo=UTC)


def record_sealed(count: int, *, chain: str = "audit") -> list[AuditEvent]:
    for n in range(count):
        audit.record(actor=None, action=f"test.step{n + 1}", details={"n": n + 1}, chain=chain)
    audit.seal_pending(chain)
    return list(AuditEvent.objects.filter(chain=chain).order_by("seq"))


def tamper(sql: str, params: tuple[Any, ...] = ()) -> None:
    """Change rows behind the ORM's back, as someone with database access would.

    On PostgreSQL that someone must first disable the append-only trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER core_auditevent_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER core_auditevent_append_only")


def verify_command_fails(*args: str) -> str:
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify", *args)
    assert failure.value.returncode == 1
    return str(failure.value)


@pytest.fixture
def official() -> Any:
    return get_user_model().objects.create_user(username="canbo01", full_name="Nguyễn Văn An")


@pytest.fixture
def holiday() -> WorkingDayOverride:
    return WorkingDayOverride.objects.create(date=date(2027, 2, 8), kind="day_off", reason="Tết Đinh Mùi")


# --- Recording --------------------------------------------------------------------------------


def test_an_event_recorded_in_a_rolled_back_transaction_leaves_nothing() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(actor=None, action="dossier.accept")
        raise RuntimeError("the business change fails")
    assert not AuditEvent.objects.exists()


def test_an_event_records_actor_object_time_address_and_details(official: Any, holiday: Any) -> None:
    with clock.frozen(INSTANT):
        event = audit.record(
            actor=official, action="calendar.override", obj=holiday, ip="2001:DB8::1", details={"why": "Tết"}
        )
    event.refresh_from_db()
    assert (event.actor_kind, event.actor_id, event.actor_name) == ("user", str(official.pk), "Nguyễn Văn An")
    assert (event.object_type, event.object_id) == ("core.workingdayoverride", str(holiday.pk))
    assert event.object_repr == str(holiday)
    assert event.occurred_at == INSTANT
    assert event.ip == "2001:db8::1"
    assert event.details == {"why": "Tết"}
    assert event.seq is None, "sealing waits for the commit"


def test_system_and_anonymous_actors_are_told_apart() -> None:
    system = audit.record(actor=None, action="task.run")
    visitor = audit.record(actor=AnonymousUser(), action="lookup.dossier", ip="203.0.113.9")
    assert (system.actor_kind, system.actor_id) == ("system", "")
    assert (visitor.actor_kind, visitor.actor_id) == ("anonymous", "")


def test_details_keep_dates_and_decimals_as_text_and_refuse_floats() -> None:
    event = audit.record(
        actor=None, action="fee.set", details={"on": date(2027, 1, 29), "fee": Decimal("1500000")}
    )
    assert event.details == {"on": "2027-01-29", "fee": "1500000"}
    with pytest.raises(TypeError, match=r"details\.rate"):
        audit.record(actor=None, action="fee.set", details={"rate": 0.1})


def test_an_unsaved_object_or_a_malformed_address_is_refused(holiday: Any) -> None:
    with pytest.raises(ValueError, match="save the object"):
        audit.record(actor=None, action="x.y", obj=WorkingDayOverride(date=date(2027, 1, 1)))
    with pytest.raises(ValueError):
        audit.record(actor=None, action="x.y", obj=holiday, ip="not-an-address")


def test_events_can_be_listed_by_object_and_by_actor(official: Any, holiday: Any) -> None:
    audit.record(actor=official, action="calendar.override", obj=holiday)
    audit.record(actor=None, action="calendar.reload", obj=holiday)
    audit.record(actor=official, action="login")
    assert [e.action for e in audit.events_about(holiday).order_by("id")] == [
        "calendar.override",
        "calendar.reload",
    ]
    assert {e.action for e in audit.events_by(official)} == {"calendar.override", "login"}


# --- Sealing ----------------------------------------------------------------------------------


def test_sealed_events_get_consecutive_numbers_each_linked_to_the_one_before() -> None:
    events = record_sealed(5)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == audit.GENESIS_HASH
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    head = AuditChainHead.objects.get(chain="audit")
    assert (head.seq, head.hash) == (5, events[-1].hash)


def test_the_commit_of_the_business_transaction_seals_its_events(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(actor=None, action="dossier.receive")
        audit.record(actor=None, action="dossier.accept")
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", "action")) == [
        (1, "dossier.receive"),
        (2, "dossier.accept"),
    ]


def test_sealing_again_finds_nothing_and_later_events_continue_the_chain() -> None:
    record_sealed(2)
    assert audit.seal_pending() == 0
    audit.record(actor=None, action="later")
    assert audit.seal_pending() == 1
    assert AuditEvent.objects.get(action="later").seq == 3


def test_a_backlog_larger_than_one_batch_is_sealed_in_order() -> None:
    for n in range(7):
        audit.record(actor=None, action=f"backlog{n}")
    assert audit.seal_pending(batch=3) == 7
    assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)) == [
        f"backlog{n}" for n in range(7)
    ]
    assert audit.verify_chain().ok


def test_the_access_chain_is_numbered_and_verified_on_its_own() -> None:
    record_sealed(3, chain="audit")
    access = record_sealed(2, chain="access")
    assert [e.seq for e in access] == [1, 2]
    assert access[0].prev_hash == audit.GENESIS_HASH
    tamper("UPDATE core_auditevent SET action = 'forged' WHERE chain = 'audit' AND seq = 2")
    assert audit.verify_chain("access").ok
    assert not audit.verify_chain("audit").ok


def test_the_hash_does_not_depend_on_key_order_or_the_time_zone_of_the_instant() -> None:
    first = AuditEvent(
        chain="audit", occurred_at=INSTANT, action="a", details={"b": 1, "a": [2, {"d": 3, "c": 4}]}
    )
    second = AuditEvent(
        chain="audit",
        occurred_at=INSTANT.astimezone(clock.local_zone()),
        action="a",
        details={"a": [2, {"c": 4, "d": 3}], "b": 1},
    )
    first.prev_hash = second.prev_hash = audit.GENESIS_HASH
    assert audit.event_hash(first) == audit.event_hash(second)


class SignallingCondition(threading.Condition):
    """A condition that tells the test each time a thread starts waiting on it."""

    def __init__(self) -> None:
        super().__init__()
        self.waits = threading.Semaphore(0)

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.release()  # still holding the lock: no notify can slip in before the wait
        return super().wait(timeout)


def test_threads_committing_during_a_sealing_round_are_all_covered_by_the_next_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rounds: list[str] = []
    first_round_running, finish_first_round = threading.Event(), threading.Event()

    def seal_pending(chain: str) -> int:
        rounds.append(chain)
        if len(rounds) == 1:
            first_round_running.set()
            finish_first_round.wait(timeout=10)
        return 0

    monkeypatch.setattr(audit, "seal_pending", seal_pending)
    sealer = audit._GroupSealer("audit")
    sealer._turn = turn = SignallingCondition()
    leader = threading.Thread(target=sealer.seal_after_commit)
    leader.start()
    assert first_round_running.wait(timeout=10)
    followers = [threading.Thread(target=sealer.seal_after_commit) for _ in range(10)]
    for follower in followers:
        follower.start()
    for _ in followers:
        assert turn.waits.acquire(timeout=10)
    finish_first_round.set()
    for thread in [leader, *followers]:
        thread.join(timeout=10)
    assert rounds == ["audit", "audit"], "one round for the leader, one more for all ten followers"


def test_a_failed_sealing_round_covers_nobody_so_a_waiting_thread_seals_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rounds: list[str] = []
    first_round_running, finish_first_round = threading.Event(), threading.Event()

    def seal_pending(chain: str) -> int:
        rounds.append(chain)
        if len(rounds) == 1:
            first_round_running.set()
            finish_first_round.wait(timeout=10)
            raise DatabaseError("the database went away")
        return 0

    monkeypatch.setattr(audit, "seal_pending", seal_pending)
    sealer = audit._GroupSealer("audit")
    sealer._turn = turn = SignallingCondition()
    failures: list[BaseException] = []

    def leader_run() -> None:
        try:
            sealer.seal_after_commit()
        except DatabaseError as exc:
            failures.append(exc)

    leader = threading.Thread(target=leader_run)
    leader.start()
    assert first_round_running.wait(timeout=10)
    follower = threading.Thread(target=sealer.seal_after_commit)
    follower.start()
    assert turn.waits.acquire(timeout=10)
    finish_first_round.set()
    for thread in (leader, follower):
        thread.join(timeout=10)
    assert len(failures) == 1
    assert rounds == ["audit", "audit"]


# --- Append-only ------------------------------------------------------------------------------


def test_the_orm_refuses_to_change_or_delete_events() -> None:
    event = record_sealed(1)[0]
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.create(chain="audit", occurred_at=INSTANT, action="x", seq=99)


@pytest.mark.postgres
def test_postgresql_refuses_raw_updates_and_deletes_of_events() -> None:
    record_sealed(1)
    for sql in ("UPDATE core_auditevent SET action = 'forged'", "DELETE FROM core_auditevent"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(sql)
    assert AuditEvent.objects.get().action == "test.step1"


# --- Verification -----------------------------------------------------------------------------


def test_an_intact_chain_verifies_and_the_command_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    record_sealed(4)
    result = audit.verify_chain()
    assert (result.ok, result.checked, result.problem) == (True, 4, None)
    call_command("audit_verify")
    assert "nguyên vẹn: đã kiểm tra 4 sự kiện" in capsys.readouterr().out


def test_an_empty_chain_is_intact() -> None:
    assert audit.verify_chain("access").ok


def test_a_row_edited_in_the_database_is_caught_by_audit_verify() -> None:
    record_sealed(4)
    tamper("UPDATE core_auditevent SET details = %s WHERE seq = 2", ('{"n": 20}',))
    message = verify_command_fails()
    assert "Sự kiện số 2 đã bị sửa" in message
    problem = audit.verify_chain().problem
    assert problem is not None
    assert (problem.kind, problem.seq) == (audit.ProblemKind.TAMPERED, 2)


def test_an_edited_hash_is_caught_as_tampering() -> None:
    record_sealed(3)
    tamper("UPDATE core_auditevent SET hash = %s WHERE seq = 3", ("f" * 64,))
    problem = audit.verify_chain().problem
    assert problem is not None
    assert (problem.kind, problem.seq) == (audit.ProblemKind.TAMPERED, 3)


def test_an_event_edited_and_rehashed_is_caught_by_the_link_from_the_next_one() -> None:
    record_sealed(4)
    forged = AuditEvent.objects.get(seq=2)
    forged.action = "forged"
    tamper(
        "UPDATE core_auditevent SET action = 'forged', hash = %s WHERE seq = 2", (audit.event_hash(forged),)
    )
    problem = audit.verify_chain().problem
    assert problem is not None
    assert (problem.kind, problem.seq) == (audit.ProblemKind.TAMPERED, 2)


def test_a_deleted_event_is_reported_missing() -> None:
    record_sealed(4)
    tamper("DELETE FROM core_auditevent WHERE seq = 3")
    assert "Thiếu sự kiện số 3" in verify_command_fails()
    problem = audit.verify_chain().problem
    assert problem is not None
    assert (problem.kind, problem.seq) == (audit.ProblemKind.MISSING, 3)


def test_a_deleted_newest_event_is_reported_missing_against_the_head() -> None:
    record_sealed(3)
    tamper("DELETE FROM core_auditevent WHERE seq = 3")
    problem = audit.verify_chain().problem
    assert problem is not None
    assert (problem.kind, problem.seq) == (audit.ProblemKind.MISSING, 3)


def test_a_removed_head_is_reported() -> None:
    record_sealed(2)
    AuditChainHead.objects.filter(chain="audit").delete()
    problem = audit.verify_chain().problem
    assert problem is not None
    assert problem.kind == audit.ProblemKind.TAMPERED


def test_swapped_sequence_numbers_are_reported_as_reordered() -> None:
    record_sealed(4)
    # Three steps: the unique (chain, seq) constraint forbids a direct swap.
    tamper("UPDATE core_auditevent SET seq = 1000 WHERE seq = 2")
    tamper("UPDATE core_auditevent SET seq = 2 WHERE seq = 3")
    tamper("UPDATE core_auditevent SET seq = 3 WHERE seq = 1000")
    assert "Sự kiện số 2 bị đổi chỗ" in verify_command_fails()
    problem = audit.verify_chain().problem
    assert problem is not None
    assert (problem.kind, problem.seq) == (audit.ProblemKind.REORDERED, 2)


def test_two_events_linked_to_the_same_predecessor_are_reported_as_a_fork() -> None:
    events = record_sealed(3)
    # What a sealer that read a stale head would write: event 3 also follows event 1.
    branch = events[2]
    branch.prev_hash = events[1].prev_hash
    tamper(
        "UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE seq = 3",
        (branch.prev_hash, audit.event_hash(branch)),
    )
    problem = audit.verify_chain().problem
    assert problem is not None
    assert (problem.kind, problem.seq) == (audit.ProblemKind.FORK, 3)


def test_events_left_unsealed_too_long_are_a_warning_not_a_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    record_sealed(1)
    with clock.frozen(INSTANT):
        audit.record(actor=None, action="stuck")
    with clock.frozen(INSTANT + timedelta(minutes=11)):
        result = audit.verify_chain()
        call_command("audit_verify")
    assert (result.ok, result.stale_unsealed) == (True, 1)
    assert "1 sự kiện chờ niêm" in capsys.readouterr().out


def test_audit_verify_can_seal_pending_events_first(capsys: pytest.CaptureFixture[str]) -> None:
    audit.record(actor=None, action="pending", chain="access")
    call_command("audit_verify", "--seal", "--chain", "access")
    assert "Đã niêm 1 sự kiện" in capsys.readouterr().out
    assert AuditEvent.objects.get(action="pending").seq == 1


def test_audit_verify_names_the_broken_chain_among_several() -> None:
    record_sealed(2, chain="audit")
    record_sealed(2, chain="access")
    tamper("UPDATE core_auditevent SET action = 'forged' WHERE chain = 'access' AND seq = 1")
    message = verify_command_fails("--chain", "audit", "--chain", "access")
    assert "“access” KHÔNG nguyên vẹn" in message


@pytest.mark.django_db
def test_save_recorded_saves_the_row_and_its_event_together():
    override = WorkingDayOverride(date=date(2026, 8, 22), kind="working_day", reason="Làm bù")
    saved = audit.save_recorded(
        override, actor=None, action="core.add_override", details={"kind": "working_day"}
    )
    assert saved.pk is not None
    event = AuditEvent.objects.get(action="core.add_override")
    assert event.object_id == str(saved.pk)


@pytest.mark.django_db
def test_save_recorded_leaves_neither_row_nor_event_when_recording_fails():
    override = WorkingDayOverride(date=date(2026, 8, 22), kind="working_day", reason="Làm bù")
    with pytest.raises(TypeError):
        audit.save_recorded(override, actor=None, action="core.add_override", details={"ratio": 0.5})
    assert not WorkingDayOverride.objects.exists()
    assert not AuditEvent.objects.filter(action="core.add_override").exists()
