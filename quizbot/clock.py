"""Time for quizbot: wall-clock seconds and timers, real on the event loop or driven by hand in tests."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from typing import Protocol


class TimerHandle(Protocol):
    """Something that can be cancelled."""

    def cancel(self) -> None: ...


class Clock(Protocol):
    """Wall-clock time in epoch seconds, and callbacks at such a time."""

    def time(self) -> float: ...

    def call_at(self, when: float, callback: Callable[[], None]) -> TimerHandle: ...


class LoopClock:
    """The real clock: time.time(), with callbacks scheduled on the running event loop."""

    def time(self) -> float:
        return time.time()

    def call_at(self, when: float, callback: Callable[[], None]) -> TimerHandle:
        return asyncio.get_running_loop().call_later(max(0.0, when - time.time()), callback)


class _ManualHandle:
    __slots__ = ("cancelled",)

    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualClock:
    """A clock that moves only when told to; `advance` runs the callbacks that fall due, in order."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self._queue: list[tuple[float, int, _ManualHandle, Callable[[], None]]] = []
        self._order = itertools.count()

    def time(self) -> float:
        return self.now

    def call_at(self, when: float, callback: Callable[[], None]) -> TimerHandle:
        handle = _ManualHandle()
        heapq.heappush(self._queue, (when, next(self._order), handle, callback))
        return handle

    @property
    def pending(self) -> int:
        """Timers scheduled and not cancelled."""
        return sum(1 for _, _, handle, _ in self._queue if not handle.cancelled)

    @property
    def next_due(self) -> float | None:
        """When the earliest timer not cancelled falls due; None if there is none."""
        return min((when for when, _, handle, _ in self._queue if not handle.cancelled), default=None)

    def advance(self, seconds: float) -> None:
        """Move time forward, firing every due callback at its own time."""
        target = self.now + seconds
        while self._queue and self._queue[0][0] <= target:
            when, _, handle, callback = heapq.heappop(self._queue)
            self.now = max(self.now, when)
            if not handle.cancelled:
                callback()
        self.now = target


async def sleep(clock: Clock, seconds: float) -> None:
    """Wait `seconds` on `clock`: real time on the loop clock, until advanced past on a manual one."""
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def wake() -> None:
        if not done.done():
            done.set_result(None)

    handle = clock.call_at(clock.time() + seconds, wake)
    try:
        await done
    finally:
        handle.cancel()
