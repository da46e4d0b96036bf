"""Pausing Python's cyclic garbage collector over bulk work on many sessions (respawn, shutdown)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(*, collect_after: bool) -> Iterator[None]:
    """Pause Python's cyclic garbage collector over a bulk build or teardown of many sessions.

    Making thousands of long-lived objects at once sets off a full collection each time the heap
    grows by a quarter, so building 10k sessions traverses about five times the final heap (half of
    a respawn's time, measured). Paused, reference counting still frees all but cycles; with
    `collect_after`, one full collection at the end then does the collector's work in one pass.
    Nothing happens if the collector is already off (someone else decided).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        if collect_after:
            gc.collect()
