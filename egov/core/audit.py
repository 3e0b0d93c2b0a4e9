"""The audit log: record who did what, link events into a hash chain, verify the chain.

Why writers stay concurrent
    ``record()`` inserts an *unsealed* event (no ``seq``, no ``hash``) inside the caller's business
    transaction and touches no shared row, so the log never makes two business transactions wait
    for each other, and the event commits or rolls back with the business change.

    ``seal_pending(chain)`` then links committed unsealed events into the chain in a short
    transaction of its own: it locks the chain's head row (``select_for_update``; on SQLite the
    IMMEDIATE transaction is the lock), reads pending events in insertion order, gives each
    ``seq = head.seq + 1, …`` and ``hash = sha256(prev_hash + canonical JSON)``, and moves the head.
    ``record()`` schedules it with ``transaction.on_commit``: the head is taken only after the
    business commit, while holding no business lock, for milliseconds, so no lock-order cycle with
    business locks can form. Each sealing takes every event committed so far (a batch, as X-Road
    batches its message log), in one UPDATE. Inside a process, threads group their sealing
    (``_GroupSealer``): one thread seals for all that committed before its round started, the
    others wait for that round instead of queueing on the head one by one. An event whose
    on-commit sealing failed is sealed by the next sealing of its chain, or by
    ``manage.py audit_verify --seal`` (run it from cron on quiet chains).

    ``seq`` is therefore the order of sealing: it can differ from the insertion id and from
    ``occurred_at`` when transactions commit out of order. Sealing needs READ COMMITTED on
    PostgreSQL (Django's default): once it has the head, its next query must see what the previous
    sealer committed.

What the hash covers
    Every field except ``id`` and ``seq`` (see ``canonical_json``). Order is bound by the
    ``prev_hash`` links rather than by hashing ``seq``, which lets ``verify_chain`` tell a
    reordering (every event intact, links crossed) from an edit. ``details`` is normalised on the
    way in (dates, Decimals, UUIDs become strings) and may not hold floats, whose text form is not
    stable across databases.

Append-only
    The ORM refuses updates and deletes of events (``AppendOnlyError``). On PostgreSQL a trigger
    (migration 0002) refuses any UPDATE other than sealing an unsealed row and every DELETE. SQLite
    gets no trigger: Django's test flush empties tables with DELETE there. These guards stop
    mistakes; tampering by someone with database access is what the chain makes *detectable*.
    Such a person can still cut the newest events together with the head row; anchoring the head
    outside the database (e.g. an RFC 3161 timestamp of ``AuditChainHead.hash``) closes that gap.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q, QuerySet

from egov.core import clock
from egov.core.models.audit import AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

__all__ = [
    "GENESIS_HASH",
    "ChainProblem",
    "ProblemKind",
    "VerificationResult",
    "canonical_json",
    "event_hash",
    "events_about",
    "events_by",
    "record",
    "seal_pending",
    "verify_chain",
]

GENESIS_HASH = "0" * 64
HASH_FORMAT = 1  # hashed with each event: a later change of canonical_json can never collide with it
SEAL_BATCH = 500
STALE_AFTER = timedelta(minutes=10)
VERIFY_BATCH = 2000
_CHAIN_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


# --- Recording --------------------------------------------------------------------------------


def record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    ip: str | None = None,
    details: dict[str, Any] | None = None,
    chain: str = "audit",
) -> AuditEvent:
    """Write an audit event inside the current (business) transaction.

    ``actor`` is the user, ``None`` for the system, or an anonymous visitor. The event commits or
    rolls back with the caller's transaction and is sealed into ``chain`` right after the commit;
    the returned instance is the unsealed row (``seq`` is ``None``).
    """
    if not _CHAIN_NAME.fullmatch(chain):
        raise ValueError(f"invalid audit chain name {chain!r}")
    if not action:
        raise ValueError("an audit event needs an action")
    event = AuditEvent(
        chain=chain,
        occurred_at=clock.now(),
        action=action,
        ip=_normalised_ip(ip),
        details=_normalised_details(details),
        **_actor_fields(actor),
        **_object_fields(obj),
    )
    event.save()
    # Several events of one transaction schedule several sealings: the first seals them all and
    # the others stop at a cheap unlocked check for pending events.
    transaction.on_commit(partial(_seal_after_commit, chain), robust=True)
    return event


def save_recorded[M: models.Model](
    obj: M,
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    details: dict[str, Any] | None = None,
    ip: str | None = None,
) -> M:
    """Save a validated new or changed row and record its audit event in the same transaction."""
    with transaction.atomic():
        obj.save()
        record(actor=actor, action=action, obj=obj, ip=ip, details=details)
    return obj


def _actor_fields(actor: AbstractBaseUser | AnonymousUser | None) -> dict[str, str]:
    if actor is None:
        return {"actor_kind": AuditEvent.ActorKind.SYSTEM}
    if actor.is_anonymous:
        return {"actor_kind": AuditEvent.ActorKind.ANONYMOUS}
    return {
        "actor_kind": AuditEvent.ActorKind.USER,
        "actor_id": str(actor.pk),
        "actor_name": str(actor)[:150],
    }


def _object_fields(obj: models.Model | None) -> dict[str, str]:
    if obj is None:
        return {}
    if obj.pk is None:
        raise ValueError("save the object before recording an audit event about it")
    return {"object_type": obj._meta.label_lower, "object_id": str(obj.pk), "object_repr": str(obj)[:200]}


def _normalised_ip(ip: str | None) -> str | None:
    # One spelling per address, whatever the database does with it (PostgreSQL stores inet).
    return str(ipaddress.ip_address(ip.strip())) if ip else None


def _normalised_details(details: dict[str, Any] | None) -> dict[str, Any]:
    normal = json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder))
    if not isinstance(normal, dict):
        raise TypeError("audit details must be a dict")
    _refuse_floats(normal, "details")
    return normal


def _refuse_floats(value: object, path: str) -> None:
    if isinstance(value, float):
        raise TypeError(f"{path} is a float; store a string or a Decimal so the hash stays stable")
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_floats(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_floats(item, f"{path}[{index}]")


# --- Hashing ----------------------------------------------------------------------------------


def canonical_json(event: AuditEvent) -> bytes:
    """The bytes an event's hash covers: every field but ``id`` and ``seq``, in a stable form."""
    payload = {
        "format": HASH_FORMAT,
        "chain": event.chain,
        "occurred_at": _utc_iso(event.occurred_at),
        "actor_kind": event.actor_kind,
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "ip": event.ip,
        "details": event.details,
        "sealed_at": _utc_iso(event.sealed_at),
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: AuditEvent) -> str:
    """sha256 of the previous link's hash followed by the event's canonical JSON."""
    return hashlib.sha256(event.prev_hash.encode("ascii") + canonical_json(event)).hexdigest()


def _utc_iso(instant: datetime | None) -> str | None:
    return instant.astimezone(UTC).isoformat(timespec="microseconds") if instant else None


# --- Sealing ----------------------------------------------------------------------------------


def seal_pending(chain: str = "audit", *, batch: int = SEAL_BATCH) -> int:
    """Link the committed unsealed events of ``chain`` into it; return how many were sealed.

    Safe to call concurrently from any number of processes: sealers queue on the chain's head.
    Call it outside business transactions (``record()`` does so on commit): inside one it would
    hold the head until that transaction ends.
    """
    sealed = 0
    while _has_pending(chain):
        count = _seal_batch(chain, batch)
        sealed += count
        if count < batch:  # a full batch means a backlog: go on
            break
    return sealed


def _has_pending(chain: str) -> bool:
    # Unlocked: on SQLite it spares an IMMEDIATE (database-wide) lock when there is nothing to do.
    return AuditEvent.objects.filter(chain=chain, seq__isnull=True).exists()


def _seal_batch(chain: str, batch: int) -> int:
    with transaction.atomic():
        head = _locked_head(chain)
        # A new statement after the lock: it sees everything the previous sealer committed.
        pending = list(AuditEvent.objects.filter(chain=chain, seq__isnull=True).order_by("id")[:batch])
        if not pending:
            return 0
        sealed_at = clock.now()
        for event in pending:
            _link(event, after=head, sealed_at=sealed_at)
        if AuditEvent.objects.filter(chain=chain).seal(pending) != len(pending):
            # Only possible if the head lock did not serialise sealers: roll back rather than fork.
            raise RuntimeError(f"audit chain {chain}: events sealed twice; nothing written")
        head.save(update_fields=["seq", "hash", "sealed_at"])
    return len(pending)


def _locked_head(chain: str) -> AuditChainHead:
    heads = AuditChainHead.objects.select_for_update()
    try:
        return heads.get(chain=chain)
    except AuditChainHead.DoesNotExist:
        # A new chain: its first sealers may race here; ON CONFLICT DO NOTHING lets all go on.
        AuditChainHead.objects.bulk_create([AuditChainHead(chain=chain)], ignore_conflicts=True)
        return heads.get(chain=chain)


def _link(event: AuditEvent, *, after: AuditChainHead, sealed_at: datetime) -> None:
    """Make ``event`` the next link after ``after`` and move ``after`` (the head) onto it."""
    event.seq = after.seq + 1
    event.prev_hash = after.hash or GENESIS_HASH
    event.sealed_at = sealed_at
    event.hash = event_hash(event)
    after.seq, after.hash, after.sealed_at = event.seq, event.hash, sealed_at


class _GroupSealer:
    """Group sealing for the threads of one process, as databases group their commits.

    A thread whose event just committed needs a sealing round that *starts after* its commit. If
    no round is running it runs one itself (the leader); otherwise it waits for the next round,
    led by one of the waiting threads, which covers every thread that was waiting. So a process
    with many threads sends one sealer to the head at a time, and no thread waits longer than
    the round in progress plus one more.
    """

    def __init__(self, chain: str) -> None:
        self.chain = chain
        self._turn = threading.Condition()
        self._running = False
        self._rounds_done = 0

    def seal_after_commit(self) -> None:
        with self._turn:
            needed = self._rounds_done + (2 if self._running else 1)
            while self._running and self._rounds_done < needed:
                self._turn.wait()
            if self._rounds_done >= needed:
                return
            self._running = True
        succeeded = False
        try:
            seal_pending(self.chain)
            succeeded = True
        finally:
            with self._turn:
                self._running = False
                self._rounds_done += succeeded  # a failed round covers nobody: a waiter leads again
                self._turn.notify_all()


_group_sealers: dict[str, _GroupSealer] = {}


def _seal_after_commit(chain: str) -> None:
    sealer = _group_sealers.get(chain) or _group_sealers.setdefault(chain, _GroupSealer(chain))
    sealer.seal_after_commit()


# --- Verification -----------------------------------------------------------------------------


class ProblemKind(StrEnum):
    TAMPERED = "tampered"
    MISSING = "missing"
    REORDERED = "reordered"
    FORK = "fork"


@dataclass(frozen=True)
class ChainProblem:
    """The first place where a chain stops proving itself."""

    kind: ProblemKind
    seq: int
    message: str


@dataclass(frozen=True)
class VerificationResult:
    chain: str
    checked: int
    problem: ChainProblem | None = None
    stale_unsealed: int = 0
    stale_after: timedelta = STALE_AFTER

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def message(self) -> str:
        """A Vietnamese report for administrators."""
        checked = f"{self.checked:,}".replace(",", ".")
        if self.problem is None:
            text = f"Chuỗi nhật ký “{self.chain}” nguyên vẹn: đã kiểm tra {checked} sự kiện."
        else:
            text = (
                f"Chuỗi nhật ký “{self.chain}” KHÔNG nguyên vẹn (đã kiểm tra {checked} sự kiện). "
                f"{self.problem.message}"
            )
        if self.stale_unsealed:
            minutes = int(self.stale_after.total_seconds() // 60)
            text += f" Cảnh báo: {self.stale_unsealed} sự kiện chờ niêm vào chuỗi quá {minutes} phút."
        return text


def verify_chain(chain: str = "audit", *, stale_after: timedelta = STALE_AFTER) -> VerificationResult:
    """Walk ``chain`` from its first event and report the first tampered, missing, reordered or
    forked one; also count events left unsealed longer than ``stale_after`` (a warning only)."""
    head = AuditChainHead.objects.filter(chain=chain).first()  # read first: it bounds the walk
    head_seq = head.seq if head else 0
    checked = 0
    previous: AuditEvent | None = None
    problem: ChainProblem | None = None
    for event in _sealed_events(chain, upto=head_seq):
        problem = _check_link(event, previous)
        if problem:
            break
        checked, previous = checked + 1, event
    problem = problem or _check_head(chain, head, previous)
    stale = AuditEvent.objects.filter(
        chain=chain, seq__isnull=True, occurred_at__lt=clock.now() - stale_after
    ).count()
    return VerificationResult(chain, checked, problem, stale, stale_after)


def _sealed_events(chain: str, *, upto: int) -> Iterator[AuditEvent]:
    # Keyset pages on (seq, id): bounded memory on millions of events, duplicates of seq kept.
    events = AuditEvent.objects.filter(chain=chain, seq__isnull=False, seq__lte=upto).order_by("seq", "id")
    page = list(events[:VERIFY_BATCH])
    while page:
        yield from page
        last = page[-1]
        page = list(events.filter(Q(seq__gt=last.seq) | Q(seq=last.seq, id__gt=last.pk))[:VERIFY_BATCH])


def _check_link(event: AuditEvent, previous: AuditEvent | None) -> ChainProblem | None:
    seq = event.seq or 0
    expected = previous.seq + 1 if previous and previous.seq else 1
    if previous is not None and seq == previous.seq:
        return ChainProblem(ProblemKind.FORK, seq, f"Chuỗi rẽ nhánh: có hai sự kiện cùng mang số {seq}.")
    if seq != expected:
        return ChainProblem(ProblemKind.MISSING, expected, _missing_message(expected, seq))
    if event_hash(event) != event.hash:
        return ChainProblem(
            ProblemKind.TAMPERED, seq, f"Sự kiện số {seq} đã bị sửa: mã băm không khớp với nội dung."
        )
    if event.prev_hash != (previous.hash if previous else GENESIS_HASH):
        return _broken_link(event, previous)
    return None


def _missing_message(expected: int, found: int) -> str:
    if found == expected + 1:
        return f"Thiếu sự kiện số {expected}: sự kiện đã bị xoá khỏi chuỗi."
    return f"Thiếu các sự kiện số {expected} đến {found - 1}: các sự kiện đã bị xoá khỏi chuỗi."


def _broken_link(event: AuditEvent, previous: AuditEvent | None) -> ChainProblem:
    """Each event is intact but does not point at the one before it: say why."""
    seq = event.seq or 0
    if previous is not None and event.prev_hash == previous.prev_hash:
        return ChainProblem(
            ProblemKind.FORK,
            seq,
            f"Chuỗi rẽ nhánh tại số {seq}: sự kiện số {seq} và số {seq - 1} cùng nối vào một sự kiện trước.",
        )
    if AuditEvent.objects.filter(chain=event.chain, hash=event.prev_hash).exclude(pk=event.pk).exists():
        return ChainProblem(
            ProblemKind.REORDERED,
            seq,
            f"Sự kiện số {seq} bị đổi chỗ: nó không nối với sự kiện đứng ngay trước nó.",
        )
    if previous is None:
        return ChainProblem(
            ProblemKind.MISSING, 1, "Thiếu các sự kiện đầu chuỗi: chuỗi đã bị cắt đầu rồi đánh số lại."
        )
    return ChainProblem(
        ProblemKind.TAMPERED,
        seq - 1,
        f"Sự kiện số {seq - 1} đã bị sửa rồi tính lại mã băm (hoặc các sự kiện sau nó đã bị xoá rồi "
        f"đánh số lại): sự kiện số {seq} không còn nối với nó.",
    )


def _check_head(chain: str, head: AuditChainHead | None, last: AuditEvent | None) -> ChainProblem | None:
    """The head must sit on the last event walked, and nothing sealed may lie beyond it."""
    head_seq = head.seq if head else 0
    last_seq = (last.seq or 0) if last else 0
    if last_seq < head_seq:
        return ChainProblem(ProblemKind.MISSING, last_seq + 1, _missing_message(last_seq + 1, head_seq + 1))
    if head and last and head.hash != last.hash:
        return ChainProblem(
            ProblemKind.TAMPERED, head_seq, f"Sự kiện số {head_seq} không khớp với mã băm ghi ở đầu chuỗi."
        )
    beyond = AuditEvent.objects.filter(chain=chain, seq__gt=head_seq).order_by("seq").first()
    moved = AuditChainHead.objects.filter(chain=chain, seq__gte=beyond.seq).exists() if beyond else True
    if beyond and not moved:  # not a sealing that happened during the walk: the head was rewound
        return ChainProblem(
            ProblemKind.TAMPERED,
            beyond.seq or 0,
            f"Đầu chuỗi ghi số {head_seq} nhưng đã có sự kiện số {beyond.seq}: đầu chuỗi đã bị sửa hoặc xoá.",
        )
    return None


# --- Reading ----------------------------------------------------------------------------------


def events_about(obj: models.Model, *, chain: str = "audit") -> QuerySet[AuditEvent]:
    """Events about one object, newest first (a dossier's history, a citizen's data access)."""
    return AuditEvent.objects.filter(chain=chain, object_type=obj._meta.label_lower, object_id=str(obj.pk))


def events_by(actor: AbstractBaseUser, *, chain: str = "audit") -> QuerySet[AuditEvent]:
    """Events one user caused, newest first."""
    return AuditEvent.objects.filter(
        chain=chain, actor_kind=AuditEvent.ActorKind.USER, actor_id=str(actor.pk)
    )
