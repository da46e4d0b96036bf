"""Housekeeping: disnake's webhook locks are only those in use; young collections come less often."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from typing import Any

import pytest
from disnake.webhook.async_ import async_context

from quizbot.bot.housekeeping import (
    YOUNG_THRESHOLD,
    bound_webhook_locks,
    housekeeping_applied,
    keep_house,
    tune_collector,
    webhook_lock_count,
)
from tests.bot.conftest import World
from tests.bot.play import answer_buttons, next_question, start_quiz


@pytest.fixture
def unbounded_locks() -> Iterator[None]:
    """disnake's adapter with an empty plain lock dict, as disnake makes it; restored after.

    The test holds no reference to the dict: one would keep every lock in it alive."""
    adapter = async_context.get()
    saved = adapter._locks
    adapter._locks = {}
    yield
    adapter._locks = saved


@pytest.fixture
def thresholds() -> Iterator[None]:
    """The collector's thresholds as CPython sets them, restored after."""
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def lock_table() -> Any:
    return async_context.get()._locks


@pytest.mark.usefixtures("unbounded_locks")
async def test_idle_locks_are_dropped_and_busy_ones_kept() -> None:
    busy = asyncio.Lock()
    await busy.acquire()
    lock_table()[(1, "busy-token")] = busy
    for n in range(100):
        lock_table()[(n, f"token-{n}")] = asyncio.Lock()
    assert bound_webhook_locks() == 100
    assert bound_webhook_locks() == 0  # idempotent
    assert webhook_lock_count() == 1
    assert lock_table()[(1, "busy-token")] is busy  # a request in flight keeps its lock, and its waiters
    busy.release()
    del busy
    gc.collect()
    assert webhook_lock_count() == 0


@pytest.mark.usefixtures("unbounded_locks")
async def test_interactions_leave_no_locks_behind(world: World) -> None:
    """The running bot keeps house: no click leaves a lock; disnake's own table would keep one each."""
    assert housekeeping_applied()
    await start_quiz(world, world.club, questions=1, timeout=60)
    question = await next_question(world, world.club)
    first, second = answer_buttons(question)[:2]
    for player in world.club.players:
        await (await world.double.click(question, first, player)).wait_ack()
    await world.settle()  # the bot's side of the last request ends after the double has its callback
    assert webhook_lock_count() == 0

    async_context.get()._locks = {}  # disnake's table as disnake makes it
    for player in world.club.players:
        record = await world.double.click(question, second, player)
        await record.wait_ack()
        assert "Changed to" in (record.content or "")
    await world.settle()
    grown = webhook_lock_count()
    assert grown >= len(world.club.players)  # one per interaction, kept forever
    assert bound_webhook_locks() == grown
    assert webhook_lock_count() == 0


@pytest.mark.usefixtures("unbounded_locks", "thresholds")
def test_keep_house_applies_both_once() -> None:
    assert not housekeeping_applied()
    keep_house()
    assert housekeeping_applied()
    assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
    keep_house()
    assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)


@pytest.mark.usefixtures("thresholds")
def test_a_higher_young_threshold_is_kept() -> None:
    gc.set_threshold(50_000, 20, 5)
    tune_collector()
    assert gc.get_threshold() == (50_000, 20, 5)
