"""The per-host rate limit: runs started per minute against one host, counted in the queue's
storage so that every worker on every machine shares the count.

A fixed window per clock minute, with the minute in the counter's key. Huey's ``rate_limit``
keeps one counter and resets it when a worker sees a new window; two workers crossing into a
minute together both reset it, after one had already counted a run, and more runs start than
the limit (at the start of a minute is exactly when every deferred run comes back). A counter per
minute needs no reset: a new minute is a new key, and its first run deletes the key of two
minutes before, which nobody counts on any more.
"""

from __future__ import annotations

import time

from huey import Huey

WINDOW = 60
"""Seconds in one window of the limit."""


def acquire(huey: Huey, host: str, per_minute: int) -> float | None:
    """Count a run starting now against ``host``; None when it may start, else the seconds
    until the next window (the run waits for it; it was counted in a window it cannot use)."""
    now = time.time()
    window = int(now // WINDOW)
    count = huey.storage.incr(_key(huey, host, window))
    if count == 1:
        huey.storage.delete_counter(_key(huey, host, window - 2))
    if count <= per_minute:
        return None
    return (window + 1) * WINDOW - now


def _key(huey: Huey, host: str, window: int) -> str:
    return f"{huey.name}.host-rate.{host}.{window}"
