"""A clock that moves itself once nothing but time can change anything, for tests and the demo.

A bot under test waits for time at its Discord edge: five messages per five seconds per channel, the
global request budget, retries, a podium's wait for its summary. On the loop's clock those waits
cost real seconds. `SteppingClock` is a manual clock with a driver: whenever a timer is waiting and
`quiet` (the caller's "everything else is done") returns, it jumps straight to the earliest timer
and fires it, so every wait keeps its order and its length in clock time and costs none in real time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

from loguru import logger

from quizbot.clock import ManualClock, TimerHandle
from quizbot.errors import QuizbotError
from quizbot.testing.actors import settle

if TYPE_CHECKING:
    from quizbot.bot.app import RunningBot

Quiet = Callable[[], Awaitable[None]]  # returns once nothing but time passing can change anything


class SteppingClock(ManualClock):
    """A manual clock whose driver (`stepping`) moves it to each timer once all is quiet."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        super().__init__(start)
        self._scheduled = asyncio.Event()

    def call_at(self, when: float, callback: Callable[[], None]) -> TimerHandle:
        self._scheduled.set()
        return super().call_at(when, callback)

    async def step_forever(self, quiet: Quiet) -> None:
        """Whenever a timer waits: wait for quiet, then move to the earliest timer not cancelled."""
        while True:
            await self._scheduled.wait()
            self._scheduled.clear()
            await quiet()
            due = self.next_due
            if due is None:
                continue
            self.advance(max(0.0, due - self.now))
            if self.pending:
                self._scheduled.set()

    @contextlib.asynccontextmanager
    async def stepping(self, quiet: Quiet) -> AsyncIterator[SteppingClock]:
        """Run the driver while inside; it is stopped (and its failure, if any, logged) on the way out."""
        driver = asyncio.create_task(self.step_forever(quiet), name="stepping-clock")
        driver.add_done_callback(_log_failure)
        try:
            yield self
        finally:
            driver.cancel()
            await asyncio.wait({driver})


class QuietBot:
    """`quiet` for the clock at a running bot's Discord edge: the actors are settled, and every
    sender waits only for the clock (or is done). Point `running` at the bot (None: nothing runs)."""

    def __init__(self) -> None:
        self.running: RunningBot | None = None

    async def __call__(self) -> None:
        running = self.running
        if running is None:
            return
        supervisor = running.service.supervisor
        if supervisor.ref.running:
            with contextlib.suppress(QuizbotError, RuntimeError):  # stopping meanwhile: nothing to settle
                await settle(supervisor, ask_timeout=5)
        await running.channel.waiting_only_for_time()


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        logger.opt(exception=error).error("the stepping clock's driver failed; its timers wait for ever")
