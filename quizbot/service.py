"""The running service: the actors wired to PostgreSQL and a channel, stopped cleanly by a signal.

On SIGTERM or SIGINT it stops taking quizzes, snapshots every session and stops them, all within
the shutdown deadline (5 s by default), so a restart brings every game back where it was.
"""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from loguru import logger

from quizbot.actors.base import ActorRef, spawn
from quizbot.actors.compose import compose_supervisor
from quizbot.actors.directory import Directory
from quizbot.actors.messages import RespawnSessions, Shutdown
from quizbot.actors.policy import SupervisorSettings
from quizbot.actors.ports import ChannelPort
from quizbot.clock import Clock, LoopClock
from quizbot.config import Settings
from quizbot.errors import QuizbotError
from quizbot.game.questions import Matcher
from quizbot.questions.matching import fuzzy_matcher
from quizbot.storage.journal import PostgresJournalStore
from quizbot.storage.pool import Database
from quizbot.storage.questions import PostgresQuestionStore
from quizbot.storage.results import PostgresSessionStore
from quizbot.storage.snapshots import PostgresSnapshotStore

SHUTDOWN_DEADLINE = 5.0
RESPAWN_TIMEOUT = 60.0
SIGNALS = (signal.SIGTERM, signal.SIGINT)


def supervisor_settings(settings: Settings) -> SupervisorSettings:
    """The supervisor's part of the process settings."""
    return SupervisorSettings(
        snapshot_interval=settings.snapshot_interval,
        snapshot_ttl=settings.snapshot_ttl,
        idle_timeout=settings.idle_timeout,
        shard_ids=settings.shard_ids,
        shard_count=settings.shard_count,
    )


class QuizService:
    """Owns the supervisor for the life of the process."""

    def __init__(
        self,
        db: Database,
        port: ChannelPort,
        settings: SupervisorSettings,
        *,
        clock: Clock | None = None,
        matcher: Matcher = fuzzy_matcher,
        owner: str | None = None,
        journal: bool = True,
    ) -> None:
        """`journal=False` runs without the durable session journal (changes acknowledged at once,
        nothing journaled): it exists only to measure what the journal costs (bench.e2e)."""
        self.supervisor = compose_supervisor(
            port=port,
            store=PostgresSessionStore(db),
            snapshots=PostgresSnapshotStore(db),
            questions=PostgresQuestionStore(db),
            journal=PostgresJournalStore(db) if journal else None,
            clock=clock or LoopClock(),
            settings=settings,
            owner=owner,
            pool_health=db.health,
            matcher=matcher,
        )
        self.directory: Directory = self.supervisor.directory  # what the edge reads
        self.ref: ActorRef[Any] | None = None
        self._signalled = asyncio.Event()

    async def start(self) -> ActorRef[Any]:
        """Catch SIGTERM and SIGINT, start the supervisor, bring back live sessions; return its ref."""
        loop = asyncio.get_running_loop()
        for signum in SIGNALS:
            loop.add_signal_handler(signum, self._signalled.set)
        self.ref = spawn(self.supervisor, name="supervisor")
        respawned = await self.ref.ask(RespawnSessions(), timeout=RESPAWN_TIMEOUT)
        logger.bind(owner=self.supervisor.owner).info("service started; {} sessions respawned", respawned)
        return self.ref

    async def stop(self, deadline: float = SHUTDOWN_DEADLINE) -> None:
        """Snapshot everything and stop every session within `deadline` seconds."""
        if self.ref is None or self.ref.stopped:
            return
        try:
            saved = await self.ref.ask(Shutdown(), timeout=deadline)
            logger.info("shut down; {} sessions snapshotted", saved)
        except QuizbotError as error:
            logger.error("shutdown did not finish in {}s: {}", deadline, error)
        self.ref.stop()
        await self.ref.wait_stopped()

    async def run_until_signalled(self) -> None:
        """Serve until SIGTERM or SIGINT (caught from `start` on), then stop within the deadline."""
        try:
            await self._signalled.wait()
            logger.info("signal received; shutting down")
        finally:
            loop = asyncio.get_running_loop()
            for signum in SIGNALS:
                loop.remove_signal_handler(signum)
            await self.stop()
