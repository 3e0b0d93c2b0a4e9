"""The only source of the current time in egov.

Every rule that depends on "now" (deadlines, lateness, numbering by local date) asks this module,
so tests and demos can set the date (``frozen`` / ``EGOV_FROZEN_NOW``) without patching Django.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

_state = threading.local()
_process_override: list[datetime] = []


def _aware(instant: datetime) -> datetime:
    if timezone.is_naive(instant):
        return instant.replace(tzinfo=local_zone())
    return instant


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def now() -> datetime:
    """The current instant, timezone-aware (UTC-based like ``timezone.now()``)."""
    frozen: datetime | None = getattr(_state, "frozen", None)
    if frozen is not None:
        return frozen
    if _process_override:
        return _process_override[-1]
    configured = getattr(settings, "EGOV_FROZEN_NOW", "")
    if configured:
        return _aware(datetime.fromisoformat(configured))
    return timezone.now()


def localnow() -> datetime:
    """The current instant in the configured local zone (Asia/Ho_Chi_Minh)."""
    return now().astimezone(local_zone())


def today() -> date:
    """The local date: what a dossier code or a register year is built from."""
    return localnow().date()


@contextmanager
def frozen(instant: datetime) -> Iterator[datetime]:
    """Make ``now()`` return ``instant`` in this thread for the duration of the block."""
    previous = getattr(_state, "frozen", None)
    _state.frozen = _aware(instant)
    try:
        yield _state.frozen
    finally:
        _state.frozen = previous


@contextmanager
def frozen_everywhere(instant: datetime) -> Iterator[datetime]:
    """Like ``frozen`` but for every thread of the process (live-server and race tests)."""
    _process_override.append(_aware(instant))
    try:
        yield _process_override[-1]
    finally:
        _process_override.pop()
