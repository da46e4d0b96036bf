"""A background sweep on the games' clock: once the bot is ready, now and then at every minute.

Study reminders and scheduled games are both work that falls due at a moment of the clock and is
claimed from PostgreSQL by whichever process sweeps first. `running_bot` owns each sweeper: it
starts it with the bot and stops it first on the way out. A sweep that fails is logged and the
next minute tries again; the loop itself failing is logged by its task's owner (`start`).
Tests move the clock by hand and wait with `resting` until every sweep it called for is done.
"""

from __future__ import annotations

import asyncio
import math
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import disnake
from loguru import logger

from quizbot.clock import Clock
from quizbot.storage.schedules import ALL_SHARDS, Shards

if TYPE_CHECKING:  # the context holds the reminders' sweeper: imported for types only
    from quizbot.bot.context import QuizContext
    from quizbot.bot.limiter import Limiter

TICK = 60.0  # a sweep on every minute of the clock


class MinuteSweeper(ABC):
    """The loop; a subclass does one minute's work in `sweep_once` and names itself in `what`."""

    what = "sweep"  # for the task's name and its log lines

    def __init__(self, bot: disnake.Client, *, clock: Clock) -> None:
        self.bot = bot
        self.clock = clock
        self._task: asyncio.Task[None] | None = None
        self._resting = asyncio.Event()  # set while the loop waits for its next minute

    @abstractmethod
    async def sweep_once(self, now: datetime) -> object:
        """One minute's work, as of `now` (each sweeper's own)."""

    def start(self) -> None:
        """Start the loop (it first waits for the bot to be ready)."""
        self._task = asyncio.create_task(self.run(), name=self.what.replace(" ", "-"))
        self._task.add_done_callback(self._log_failure)

    async def stop(self) -> None:
        """Cancel the loop and wait for it to end."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait({self._task})

    async def resting(self) -> None:
        """Return once the loop waits for its next minute (every sweep the clock called for is
        done), or has ended."""
        if self._task is None:
            return
        waiter = asyncio.ensure_future(self._resting.wait())
        try:
            await asyncio.wait({waiter, self._task}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()

    async def run(self) -> None:
        """Once the bot is ready: sweep now (what fell due while it was down), then every minute."""
        await self.bot.wait_until_ready()
        while True:
            now = self.clock.time()
            try:
                await self.sweep_once(datetime.fromtimestamp(now, UTC))
            except Exception:  # a bug, not an outage (sweep_once logs those): the next minute tries again
                logger.opt(exception=True).error("a {} sweep failed", self.what)
            await self._rest_until((math.floor(self.clock.time() / TICK) + 1) * TICK)

    async def _rest_until(self, when: float) -> None:
        """Wait on the clock until `when`; `resting` sees the loop idle until the clock wakes it."""
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def wake() -> None:
            self._resting.clear()  # at once, inside the clock's move: a test's next `resting` waits
            if not woken.done():
                woken.set_result(None)

        handle = self.clock.call_at(when, wake)
        self._resting.set()
        try:
            await woken
        finally:
            handle.cancel()
            self._resting.clear()

    def _log_failure(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and (error := task.exception()) is not None:
            logger.opt(exception=error).error("the {} loop failed; nothing more is swept", self.what)


class ShardSweeper(MinuteSweeper):
    """A sweep that starts sessions in this process's guilds (scheduled games, the question of the
    day): it has the bot's context, its Discord limiter, and the shards whose guilds it claims."""

    def __init__(
        self, bot: disnake.Client, context: QuizContext, limiter: Limiter, *, shards: Shards = ALL_SHARDS
    ) -> None:
        super().__init__(bot, clock=context.clock)
        self.ctx = context
        self.limiter = limiter
        self.shards = shards  # only guilds on this process's shards: their clicks arrive here
