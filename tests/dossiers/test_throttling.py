"""Counting failed lookups per dossier code and per client, in windows read from the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from egov.core import clock
from egov.dossiers import throttling

CODE = "000.00.12.H56-260309-0001"
START = datetime(2026, 3, 9, 3, 2, tzinfo=UTC)  # 10:02 in Hà Nội; its window ends at 03:15 UTC
WINDOW_END = datetime(2026, 3, 9, 3, 15, tzinfo=UTC)


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


def fail(times: int, *, code: str = CODE, client: str | None = "203.0.113.7") -> None:
    for _ in range(times):
        throttling.record_failure(code=code, client=client)


def test_nothing_is_throttled_before_any_failure():
    with clock.frozen(START):
        assert throttling.retry_at(code=CODE, client="203.0.113.7") is None


def test_the_fifth_failure_on_a_code_blocks_it_until_the_window_ends():
    with clock.frozen(START):
        fail(throttling.PER_CODE.failures - 1)
        assert throttling.retry_at(code=CODE, client="203.0.113.7") is None
        fail(1)
        assert throttling.retry_at(code=CODE, client="203.0.113.7") == WINDOW_END
        assert throttling.retry_at(code=CODE, client="198.51.100.1") == WINDOW_END  # any client
        assert throttling.retry_at(code=CODE.replace("0001", "0002"), client="198.51.100.1") is None


def test_the_count_starts_again_in_the_next_window():
    with clock.frozen(START):
        fail(throttling.PER_CODE.failures)
    with clock.frozen(WINDOW_END - timedelta(seconds=1)):
        assert throttling.retry_at(code=CODE, client="203.0.113.7") == WINDOW_END
    with clock.frozen(WINDOW_END):
        assert throttling.retry_at(code=CODE, client="203.0.113.7") is None


def test_the_code_is_counted_however_it_was_typed():
    with clock.frozen(START):
        fail(throttling.PER_CODE.failures, code=f" {CODE.lower()} ")
        assert throttling.retry_at(code=CODE, client="198.51.100.1") == WINDOW_END


def test_twenty_failures_from_one_client_block_it_on_every_code():
    with clock.frozen(START):
        for sequence in range(throttling.PER_CLIENT.failures):
            fail(1, code=f"000.00.12.H56-260309-{sequence + 1:04d}")
        assert throttling.retry_at(code="000.00.12.H56-260309-0100", client="203.0.113.7") == WINDOW_END
        assert throttling.retry_at(code="000.00.12.H56-260309-0100", client="203.0.113.8") is None
    with clock.frozen(WINDOW_END):
        assert throttling.retry_at(code="000.00.12.H56-260309-0100", client="203.0.113.7") is None


def test_addresses_of_one_ipv6_network_count_as_one_client():
    assert throttling.client_key("2001:db8:1:2::1") == throttling.client_key("2001:db8:1:2:ffff::9")
    assert throttling.client_key("2001:db8:1:2::1") != throttling.client_key("2001:db8:1:3::1")
    assert throttling.client_key(None) == "unknown"


def test_a_counter_that_expired_from_the_cache_starts_again_at_one(monkeypatch: pytest.MonkeyPatch):
    def expired(key: str) -> int:
        raise ValueError(key)

    monkeypatch.setattr(cache, "add", lambda key, value, timeout=None: key.endswith("x"))
    monkeypatch.setattr(cache, "incr", expired)
    with clock.frozen(START):
        fail(1)  # add refused, incr finds nothing, add again: no exception
