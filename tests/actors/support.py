"""A supervisor wired to a real PostgreSQL, an in-memory channel and a hand-driven clock."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from quizbot.actors.base import ActorRef, spawn
from quizbot.actors.compose import compose_supervisor
from quizbot.actors.messages import Describe, FlushSnapshots, SessionInfo, Shutdown, StartSession
from quizbot.actors.policy import SupervisorSettings
from quizbot.actors.ports import ChannelPort
from quizbot.actors.supervisor import Supervisor
from quizbot.clock import ManualClock
from quizbot.game.progression import Difficulty
from quizbot.game.questions import Matcher, Question, QuestionKind
from quizbot.game.session import SessionConfig
from quizbot.storage.journal import PostgresJournalStore
from quizbot.storage.pool import Database
from quizbot.storage.questions import PostgresQuestionStore
from quizbot.storage.results import PostgresSessionStore
from quizbot.storage.snapshots import PostgresSnapshotStore
from quizbot.testing.actors import InMemoryChannel, settle

ASK = 5.0


def question(number: int, category: str = "science") -> Question:
    """A four-option question whose correct option is 1."""
    return Question(
        question_id=f"q{number}",
        text=f"Question {number}?",
        kind=QuestionKind.MULTIPLE_CHOICE,
        category=category,
        difficulty=Difficulty.MEDIUM,
        explanation=f"Because {number}.",
        options=("zero", "one", "two", "three"),
        answer_index=1,
    )


def start_request(
    guild: int,
    channel: int,
    *,
    host: int = 1,
    count: int = 3,
    idle_timeout: float | None = None,
    **config: Any,
) -> StartSession:
    """A StartSession for a `count`-question quiz with 10-second questions."""
    settings: dict[str, Any] = {"question_count": count, "question_timeout": 10.0, "reveal_pause": 2.0}
    settings.update(config)
    return StartSession(
        guild,
        channel,
        host,
        SessionConfig(**settings),
        tuple(question(n) for n in range(count)),
        idle_timeout,
    )


@dataclass
class Harness:
    """One supervisor 'process' over a shared database."""

    db: Database
    owner: str
    clock: ManualClock = field(default_factory=ManualClock)
    channel: InMemoryChannel = field(default_factory=InMemoryChannel)
    settings: SupervisorSettings = field(default_factory=SupervisorSettings)
    port: ChannelPort | None = None  # what sessions show through: `channel` when None
    supervisor: Supervisor = field(init=False)
    ref: ActorRef[Supervisor] = field(init=False)

    def __post_init__(self) -> None:
        self.supervisor = compose_supervisor(
            port=self.port or self.channel,
            store=PostgresSessionStore(self.db),
            snapshots=PostgresSnapshotStore(self.db),
            questions=PostgresQuestionStore(self.db),
            journal=PostgresJournalStore(self.db),
            clock=self.clock,
            settings=self.settings,
            owner=self.owner,
            pool_health=self.db.health,
            tick=False,
        )
        self.ref = spawn(self.supervisor, name=f"supervisor:{self.owner}")

    def use_matcher(self, matcher: Matcher) -> None:
        """Judge typed answers with `matcher`, in new sessions and in those a restart rebuilds."""
        self.supervisor.factory.matcher = self.supervisor.checkpointer.matcher = matcher

    async def start(self, guild: int, channel: int, **options: Any) -> ActorRef[Any]:
        ref = await self.ref.ask(start_request(guild, channel, **options), timeout=ASK)
        await self.settle()
        return ref

    def directory_ref(self, guild: int, channel: int) -> ActorRef[Any]:
        ref = self.supervisor.directory.ref((guild, channel))
        assert ref is not None, f"no session in {(guild, channel)}"
        return ref

    async def describe(self, guild: int, channel: int) -> SessionInfo:
        info: SessionInfo = await self.directory_ref(guild, channel).ask(Describe(), timeout=ASK)
        return info

    async def advance(self, seconds: float) -> None:
        """Move the clock, then let every actor handle what that set off."""
        self.clock.advance(seconds)
        await self.settle()

    async def settle(self) -> None:
        """Let every actor handle what is queued (see quizbot/testing/actors.py)."""
        await settle(self.supervisor, ask_timeout=ASK)

    async def flush(self) -> int:
        saved: int = await self.ref.ask(FlushSnapshots(), timeout=ASK)
        return saved

    async def shutdown(self) -> None:
        if not self.ref.stopped:
            await self.ref.ask(Shutdown(), timeout=ASK)
            self.ref.stop()
            await self.ref.wait_stopped()


def session_tasks() -> list[str]:
    """Names of live asyncio tasks that belong to sessions (their loops and answer writers)."""
    return [
        name
        for task in asyncio.all_tasks()
        if not task.done() and (name := task.get_name()).startswith(("actor:session:", "answers:"))
    ]
