"""Throttling of guesses at the public dossier lookup.

A dossier code is printed on paper and follows a sequence, and the second factor has only 10,000
values, so failed lookups are counted per code (someone trying every second factor of one dossier)
and per client address (someone walking through many codes). Successful lookups are not counted:
a citizen checking their own dossier every day must never be locked out.

Counters live in Django's cache (locmem on one machine, Redis at scale) in fixed windows keyed by
``clock.now()`` — ``cache.add`` + ``cache.incr`` are atomic on both backends, which a
read-modify-write of a list of timestamps would not be under concurrent guessing. A fixed window
lets a guesser spend two windows' worth at a boundary; at these limits that is still far from the
10,000 tries a second factor needs, and it keeps one cache round trip per check.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.cache import cache

from egov.core import clock


@dataclass(frozen=True)
class Limit:
    scope: str
    failures: int  # the request after this many failures in one window is refused
    window: timedelta

    @property
    def seconds(self) -> int:
        return int(self.window.total_seconds())


PER_CODE = Limit("code", 5, timedelta(minutes=15))
PER_CLIENT = Limit("client", 20, timedelta(minutes=15))


def normalised_code(code: str) -> str:
    """The same dossier however the code was typed (the lookup is case-insensitive)."""
    return "".join(code.split()).upper()


def client_key(address: str | None) -> str:
    """The client an address stands for: one IPv4 address, or an IPv6 /64 (one subscriber's
    network: a guesser would otherwise get a fresh counter for each of its 2^64 addresses)."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _subjects(code: str, client: str | None) -> list[tuple[Limit, str]]:
    return [(PER_CODE, normalised_code(code)), (PER_CLIENT, client_key(client))]


def _window(limit: Limit, now: datetime) -> tuple[int, datetime]:
    index = int(now.timestamp()) // limit.seconds
    return index, datetime.fromtimestamp((index + 1) * limit.seconds, tz=UTC)


def _key(limit: Limit, subject: str, index: int) -> str:
    # Hashed: a code or address may hold characters some cache backends refuse in keys.
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"egov:lookup-failures:{limit.scope}:{digest}:{index}"


def retry_at(*, code: str, client: str | None) -> datetime | None:
    """When this code and client may be tried again, or ``None`` when the lookup may go ahead."""
    now = clock.now()
    windows = [(limit, subject, *_window(limit, now)) for limit, subject in _subjects(code, client)]
    counts = cache.get_many([_key(limit, subject, index) for limit, subject, index, _end in windows])
    blocked = [
        end
        for limit, subject, index, end in windows
        if counts.get(_key(limit, subject, index), 0) >= limit.failures
    ]
    return max(blocked) if blocked else None


def record_failure(*, code: str, client: str | None) -> None:
    """Count one failed lookup (unknown code or wrong second factor) against both limits."""
    now = clock.now()
    for limit, subject in _subjects(code, client):
        index, _end = _window(limit, now)
        key = _key(limit, subject, index)
        # The cache's own expiry only frees memory (a margin past the window); the window index,
        # read from clock.now(), is what resets the count.
        if not cache.add(key, 1, timeout=limit.seconds + 60):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=limit.seconds + 60)
