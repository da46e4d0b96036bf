"""Keeps a long-running bot's memory bounded and its pauses short: `keep_house()`, once at start-up.

**disnake's webhook locks.** disnake (2.12) answers every interaction (its callback, follow-ups and
@original edits) through one module-level `AsyncWebhookAdapter`, which keeps an `asyncio.Lock` per
(webhook id, token) in a plain dict and never removes one. Each interaction brings a new token, so
the dict gains an entry per interaction for the life of the process: the key tuple, the token, the
lock and its slot, a few hundred bytes each, tens of megabytes per 100k interactions. A bucket's
lock only matters while a request on it is in flight, and every request holds its lock in a local
variable from before it acquires it until after it releases it (a pre-emptive rate-limit wait
included), so a `WeakValueDictionary` keeps exactly the locks in use and drops each as soon as its
last request ends. `bound_webhook_locks` swaps one in.

**The cyclic collector.** Each disnake interaction is a reference cycle (the interaction caches its
`InteractionResponse`, which points back at it) holding the parsed payload: the message, its
components and embeds, the member. An interaction lives for a few milliseconds, long enough for
CPython's young collections (every 700 allocations) to promote it, so these cycles pile up in the
oldest generation and go in full collections that stop the event loop for 100-300 ms at a time, and
every acknowledgement waiting meanwhile is that much later. With a larger first threshold the young
collections come less often and find the interactions already finished: their cycles are freed
young, a few milliseconds of work at a time. `tune_collector` sets it.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any, cast

from disnake.webhook.async_ import async_context

YOUNG_THRESHOLD = 20_000  # allocations between young collections (CPython's default is 700)


def keep_house() -> None:
    """Both of the below; idempotent. Call once when the bot is built."""
    bound_webhook_locks()
    tune_collector()


def bound_webhook_locks() -> int:
    """Make disnake's webhook lock table weak, once; returns how many idle locks it dropped.

    Idempotent, and a no-op (0) if disnake already keeps the table weak or no longer has it.
    """
    adapter = async_context.get()
    locks = getattr(adapter, "_locks", None)
    if not isinstance(locks, dict):
        return 0
    weak: weakref.WeakValueDictionary[Any, asyncio.Lock] = weakref.WeakValueDictionary(locks)
    before = len(locks)
    adapter._locks = cast("dict[Any, asyncio.Lock]", weak)
    del locks  # the old dict was the last strong reference to the idle locks
    return before - len(weak)


def webhook_lock_count() -> int:
    """How many entries disnake's webhook lock table holds now (for benchmarks and health checks)."""
    return len(getattr(async_context.get(), "_locks", ()))


def tune_collector(young: int = YOUNG_THRESHOLD) -> None:
    """Young collections every `young` allocations (at least: a higher setting is kept); the older
    generations' thresholds stay as they are."""
    first, *older = gc.get_threshold()
    gc.set_threshold(max(first, young), *older)


def housekeeping_applied() -> bool:
    """Whether `keep_house` (or its two parts) is in effect in this process."""
    locks = getattr(async_context.get(), "_locks", None)
    return not isinstance(locks, dict) and gc.get_threshold()[0] >= YOUNG_THRESHOLD
