"""Replay protection and rate limiting, both in memory and on the monotonic clock."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from .errors import AgentError

Clock = Callable[[], float]


class ReplayGuard:
    """Refuses a request_id already seen within ``window`` seconds.

    At most ``capacity`` ids are remembered; when full (only possible beyond the rate limit), new
    requests are refused rather than forgetting an id early, so a replay can never slip through.
    """

    def __init__(
        self, *, window: float = 600.0, capacity: int = 10_000, clock: Clock = time.monotonic
    ) -> None:
        self.window = window
        self.capacity = capacity
        self.clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def check_and_remember(self, request_id: str) -> None:
        now = self.clock()
        with self._lock:
            while self._seen:
                oldest_id, seen_at = next(iter(self._seen.items()))
                if now - seen_at < self.window:
                    break
                del self._seen[oldest_id]
            if request_id in self._seen:
                raise AgentError(
                    "replayed_request",
                    "Yêu cầu ký này đã được gửi trước đó (request_id trùng); trình ký số từ chối ký lại.",
                    status=409,
                )
            if len(self._seen) >= self.capacity:
                raise AgentError(
                    "busy", "Trình ký số đang nhận quá nhiều yêu cầu; hãy thử lại sau.", status=503
                )
            self._seen[request_id] = now


class RateLimiter:
    """A token bucket: ``rate`` requests per ``per`` seconds, bursts up to ``rate``."""

    def __init__(self, *, rate: int, per: float = 60.0, clock: Clock = time.monotonic) -> None:
        self.capacity = float(rate)
        self.refill = rate / per
        self.clock = clock
        self._tokens = float(rate)
        self._last = clock()
        self._lock = threading.Lock()

    def take(self) -> None:
        with self._lock:
            now = self.clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.refill)
            self._last = now
            if self._tokens < 1:
                retry_after = max(1, round((1 - self._tokens) / self.refill))
                raise AgentError(
                    "rate_limited",
                    "Có quá nhiều yêu cầu gửi tới trình ký số; hãy thử lại sau ít giây.",
                    status=429,
                    extra={"retry_after": retry_after},
                )
            self._tokens -= 1
