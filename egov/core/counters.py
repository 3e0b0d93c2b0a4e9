"""Gap-free counters: the numbers behind dossier codes and document numbers.

The law asks for numbers that are unique, sequential and gap-free (DOMAIN.md §1, §2), also when
several officials record at the same second. A database sequence is unique but not gap-free (a
rolled-back transaction burns its number), and ``SELECT max(...) + 1`` is gap-free but not unique
under concurrency. So the increment is a row update *inside the business transaction*:

- one statement, ``UPDATE … SET value = value + 1 … RETURNING value``, locks the series' row and
  increments it; the row lock is held until the business transaction ends, so the next caller
  waits, then increments the committed value (PostgreSQL re-reads a row it waited for, in READ
  COMMITTED). One statement instead of ``select_for_update`` + ``save``: the lock is taken at the
  last moment and no Python runs between taking it and writing (``bench/counters_bench.py``,
  PostgreSQL, 20 writers: ×1.3–1.5 the allocations per second on one series, ×1.8–3.3 on 20);
- a rollback undoes the increment with the rest of the business change: the number is given back;
- the first use of a key finds no row: it inserts one with ON CONFLICT DO NOTHING and updates
  again, so callers racing on a new key all end up on the one row (PostgreSQL makes the losers of
  the insert wait for the winner's transaction, then they update the winner's row);
- SQLite has no row locks, but the settings open every transaction with ``BEGIN IMMEDIATE``: one
  writer at a time in the whole database. Without IMMEDIATE a racing writer fails with "database
  is locked" instead of duplicating a number.

How the apps use it (each formats its own codes in its ``rules.py``)::

    # dossiers: {agency electronic ID}-{YYMMDD}-{NNNN}, a series per agency per local day
    with transaction.atomic():
        day = clock.today()
        n = counters.next_value(namespace="dossier_code", key=f"{agency.code}:{day:%y%m%d}")
        dossier.code = rules.dossier_code(agency.code, day, n)  # 5 digits from the 10,000th

    # documents: one series per register and calendar year, from 01 on 1 January
    n = counters.next_value(namespace="register", key=f"{register.pk}:{year}")

An agency that joins egov in the middle of a year continues its numbering with
``set_opening_value`` (the last number it issued before egov).

Rules for callers
    Allocate as late as possible in the transaction: the series stays locked until commit, so
    work done after the allocation is work every other caller of that series waits for.
    Allocate from one series per transaction, or from several in a fixed order, or two callers
    can deadlock (PostgreSQL then aborts one of them). Use PostgreSQL's default READ COMMITTED
    isolation: under REPEATABLE READ a waiting caller fails with a serialization error.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import connection, transaction

from egov.core import audit
from egov.core.models.counters import Counter

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

__all__ = ["NotInTransactionError", "OpeningValueTooLowError", "next_value", "peek", "set_opening_value"]

_NAMESPACE = re.compile(r"[a-z][a-z0-9_]{0,31}")
_KEY_MAX_LENGTH = Counter._meta.get_field("key").max_length or 100
# Standard SQL quoting, which both supported databases use; only identifiers are interpolated.
_INCREMENT_SQL = (
    f'UPDATE "{Counter._meta.db_table}" SET "value" = "value" + 1 '  # noqa: S608
    'WHERE "namespace" = %s AND "key" = %s RETURNING "value"'
)


class NotInTransactionError(RuntimeError):
    """``next_value`` was called outside ``transaction.atomic()``: the number could not be given
    back if the business change failed."""


class OpeningValueTooLowError(ValueError):
    """An opening value below a number already handed out would issue that number twice."""


def next_value(*, namespace: str, key: str) -> int:
    """Allocate the next number of the series ``(namespace, key)``: 1, 2, 3, … without gaps.

    Must run inside the caller's ``transaction.atomic()``; the number is final when that
    transaction commits and given back if it rolls back. The series stays locked until then.
    """
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransactionError(
            "counters.next_value() must run inside the business transaction (transaction.atomic()), "
            "so that a rollback gives the number back"
        )
    _check_names(namespace, key)
    number = _increment(namespace, key)
    if number is None:
        # First use of the key. Racing first users all insert; ON CONFLICT DO NOTHING keeps one
        # row, and on PostgreSQL the losers wait here until the winner's transaction ends.
        Counter.objects.bulk_create([Counter(namespace=namespace, key=key)], ignore_conflicts=True)
        number = _increment(namespace, key)
    if number is None:  # only if someone deleted the row in between: never hand out a guess
        raise RuntimeError(f"counter {namespace} {key} vanished while allocating")
    return number


def peek(namespace: str, key: str) -> int:
    """The last number handed out and committed in the series (0 if none); takes no lock."""
    value = Counter.objects.filter(namespace=namespace, key=key).values_list("value", flat=True).first()
    return value or 0


def set_opening_value(
    *,
    namespace: str,
    key: str,
    value: int,
    actor: AbstractBaseUser | AnonymousUser | None,
    reason: str,
) -> Counter:
    """Continue a series from ``value``: the next allocation returns ``value + 1``.

    For an agency that joins egov mid-year and keeps its numbering (its last number issued
    before egov). Refuses to go below the current value, which would issue numbers twice. The
    caller checks the actor's permission; the change is audited with ``reason``.
    """
    if value < 0:
        raise OpeningValueTooLowError("Số bắt đầu không được âm.")
    if not reason.strip():
        raise ValueError("Cần ghi lý do, căn cứ khi đặt số bắt đầu của dãy số.")
    with transaction.atomic():
        counter = _locked(namespace, key)
        previous = counter.value
        if value < previous:
            raise OpeningValueTooLowError(
                f"Dãy số “{namespace} {key}” đã cấp đến số {previous}; "
                f"không thể đặt lại về {value} vì sẽ cấp trùng số."
            )
        counter.value = value
        counter.save(update_fields=["value"])
        audit.record(
            actor=actor,
            action="counter.set_opening_value",
            obj=counter,
            details={"previous": previous, "value": value, "reason": reason.strip()},
        )
    return counter


def _increment(namespace: str, key: str) -> int | None:
    """Lock and increment the series' row in one statement; ``None`` if the row does not exist.

    Raw SQL because the ORM's ``update()`` returns no values; both supported databases have
    ``UPDATE … RETURNING`` (PostgreSQL, SQLite ≥ 3.35).
    """
    with connection.cursor() as cursor:
        cursor.execute(_INCREMENT_SQL, [namespace, key])
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _locked(namespace: str, key: str) -> Counter:
    """The series' row, locked until the end of the transaction; created at first use."""
    _check_names(namespace, key)
    rows = Counter.objects.select_for_update()
    try:
        return rows.get(namespace=namespace, key=key)
    except Counter.DoesNotExist:
        Counter.objects.bulk_create([Counter(namespace=namespace, key=key)], ignore_conflicts=True)
        return rows.get(namespace=namespace, key=key)


def _check_names(namespace: str, key: str) -> None:
    if not _NAMESPACE.fullmatch(namespace):
        raise ValueError(f"invalid counter namespace {namespace!r}: lowercase letters, digits, _")
    if not key or len(key) > _KEY_MAX_LENGTH:
        raise ValueError(f"a counter key has 1 to {_KEY_MAX_LENGTH} characters, not {len(key)}")
