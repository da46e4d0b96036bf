"""The manual clock: what it says is due next, and sleeping on it."""

from __future__ import annotations

import asyncio

from quizbot.clock import ManualClock, sleep


def test_next_due_is_the_earliest_timer_not_cancelled() -> None:
    """next_due skips cancelled timers, and is None when nothing is pending."""
    clock = ManualClock(100.0)
    assert clock.next_due is None
    early = clock.call_at(105.0, lambda: None)
    clock.call_at(110.0, lambda: None)
    assert clock.next_due == 105.0
    early.cancel()
    assert clock.next_due == 110.0
    clock.advance(10)
    assert clock.next_due is None


async def test_a_sleep_ends_when_the_clock_is_advanced_past_it() -> None:
    """sleep(clock, 5) sets one timer 5s ahead and returns once the clock gets there."""
    clock = ManualClock(100.0)
    sleeper = asyncio.create_task(sleep(clock, 5))
    await asyncio.sleep(0)
    assert clock.next_due == 105.0
    clock.advance(4.9)
    await asyncio.sleep(0)
    assert not sleeper.done()
    clock.advance(0.1)
    await asyncio.wait_for(sleeper, 1)
    assert clock.pending == 0
