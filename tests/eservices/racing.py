"""Start many threads at one barrier and collect what each returned or raised (PostgreSQL races)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection


def race[T](
    work: Callable[[], T], racers: int, deadline_seconds: float
) -> tuple[list[T], list[BaseException]]:
    """Run ``work`` in ``racers`` threads released together; each thread closes its connection."""
    barrier = threading.Barrier(racers)
    results: list[T] = []
    errors: list[BaseException] = []

    def click() -> None:
        try:
            barrier.wait(timeout=deadline_seconds)
            results.append(work())
        except BaseException as error:  # collected and asserted by the caller
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, daemon=True) for _ in range(racers)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + deadline_seconds
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    return results, errors
