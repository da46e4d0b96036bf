"""The supervisor's ticker: a task that tells it to flush snapshots every interval and to sweep idle
sessions every few ticks, on the injected clock."""

from __future__ import annotations

import asyncio
from typing import Any

from loguru import logger

from quizbot.actors.base import ActorRef
from quizbot.actors.messages import FlushSnapshots, SweepIdle
from quizbot.clock import Clock, sleep
from quizbot.errors import QuizbotError


class Ticker:
    """Owns the ticking task: started and stopped with its supervisor, its death logged."""

    def __init__(self, clock: Clock, interval: float, sweep_every: int) -> None:
        self.clock, self.interval, self.sweep_every = clock, interval, sweep_every
        self._task: asyncio.Task[None] | None = None

    def start(self, ref: ActorRef[Any]) -> None:
        self._task = asyncio.create_task(self._run(ref), name="supervisor:ticker")
        self._task.add_done_callback(self._done)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self, ref: ActorRef[Any]) -> None:
        ticks = 0
        while True:
            await sleep(self.clock, self.interval)
            ticks += 1
            try:
                ref.tell(FlushSnapshots())
                if ticks % self.sweep_every == 0:
                    ref.tell(SweepIdle())
            except QuizbotError as error:  # stopped or swamped: the next tick tries again
                logger.warning("tick skipped: {}", error)

    def _done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            logger.opt(exception=task.exception()).critical("the snapshot ticker died; snapshots stop")
