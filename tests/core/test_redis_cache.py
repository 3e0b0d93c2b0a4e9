"""With REDIS_URL set, the cache is the shared Redis that throttling and double-submit keys need."""

import os
import socket
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

REDIS = ("127.0.0.1", 6379)


def redis_running() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_running() and not os.environ.get("CI"), reason="no Redis on 127.0.0.1:6379")
def test_the_redis_cache_shares_a_one_time_key_between_two_clients():
    first = RedisCache("redis://127.0.0.1:6379/15", {})
    second = RedisCache("redis://127.0.0.1:6379/15", {})
    key = f"egov-test-{uuid.uuid4()}"
    assert first.add(key, "claimed", timeout=30)
    assert not second.add(key, "claimed", timeout=30)
    first.delete(key)
