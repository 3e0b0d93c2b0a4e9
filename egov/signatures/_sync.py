"""pyHanko's synchronous API calls ``asyncio.run``, which fails inside a running event loop (an
ASGI server's thread, Playwright's sync API in tests). ``outside_event_loop`` runs such a call in
a short-lived worker thread only when a loop is running in the current one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


def outside_event_loop[T](function: Callable[[], T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(function).result()
