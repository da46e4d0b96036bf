"""The ports the actors talk through, and the types they carry: channel, results, snapshots, journal.

Adapters implement them elsewhere (the Discord edge, `quizbot/storage/`) and `service.py` wires
them in; the actors import nothing of those adapters.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from quizbot.actors.messages import SessionKey
from quizbot.game.achievements import Achievement
from quizbot.game.effects import (
    AnnounceEnd,
    AnnounceExpiry,
    AnswersIn,
    OpenLobby,
    PostQuestion,
    RecordAnswers,
    RecordRun,
    Reveal,
    ShowHint,
    ShowScores,
    ShowTeams,
    Standing,
    TeamStanding,
)
from quizbot.game.questions import Question


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A whole session's state as last saved, with the owner and epoch that wrote it."""

    guild_id: int
    channel_id: int
    owner: str
    epoch: int
    state: dict[str, Any]
    expires_at: datetime
    updated_at: datetime | None = None
    run_id: UUID | None = None  # with `seq`: the journal entries this snapshot covers, dropped on save
    seq: int = 0

    @property
    def key(self) -> SessionKey:
        return (self.guild_id, self.channel_id)


@dataclass(frozen=True, slots=True)
class UnreadableSnapshot:
    """A snapshot row whose state cannot be parsed: set aside, never restored."""

    guild_id: int
    channel_id: int
    owner: str
    epoch: int
    problem: str

    @property
    def key(self) -> SessionKey:
        return (self.guild_id, self.channel_id)


@dataclass(frozen=True, slots=True)
class SaveResult:
    """Which snapshots were written and which were refused as stale (a newer epoch owns them)."""

    saved: frozenset[SessionKey]
    refused: frozenset[SessionKey]


@dataclass(frozen=True, slots=True)
class PoolHealth:
    """What `quizbot db status` and `/supervisor status` show about the store's connections."""

    size: int
    idle: int
    in_use: int
    max_size: int
    acquire_wait_p95_ms: float
    ran_dry: int
    retries: int


@dataclass(frozen=True, slots=True)
class RecoveryPrompt:
    """After a restart: the game waits at question `index` of `total` for Continue, New or Cancel."""

    index: int
    total: int
    host_id: int
    standings: tuple[Standing, ...]
    teams: tuple[TeamStanding, ...] = ()  # a team game's teams, best first
    run_id: UUID | None = None  # the game brought back: a live screen of it picks it up again


@dataclass(frozen=True, slots=True)
class AchievementsUnlocked:
    """A player earned achievements at the end of a run: announce them."""

    user_id: int
    name: str
    achievements: tuple[Achievement, ...]


@dataclass(frozen=True, slots=True)
class AchievementSummary:
    """A recorded game's achievements, everyone's in one message; shown once per recorded game, even
    when nobody unlocked anything (then it shows nothing, but tells the channel the game is done)."""

    unlocked: tuple[AchievementsUnlocked, ...]


@dataclass(frozen=True, slots=True)
class Notice:
    """A message for the channel, by its catalogue key (for example: stopped after repeated errors)."""

    key: str


ChannelEvent = (
    OpenLobby
    | ShowTeams
    | PostQuestion
    | AnswersIn
    | ShowHint
    | Reveal
    | ShowScores
    | AnnounceEnd
    | AnnounceExpiry
    | RecoveryPrompt
    | AchievementsUnlocked
    | AchievementSummary
    | Notice
)


class ChannelPort(Protocol):
    """Where a session's events are shown; the Discord edge implements it."""

    async def show(
        self, key: SessionKey, event: ChannelEvent, *, after: asyncio.Future[Any] | None = None
    ) -> None:
        """Show `event` in its channel, in order, once `after` (the change behind it) is done."""
        ...


class SessionStore(Protocol):
    """Where a session's results are recorded; both writes must be idempotent."""

    async def record_answers(self, key: SessionKey, effect: RecordAnswers) -> None: ...

    async def record_run(self, key: SessionKey, effect: RecordRun) -> list[AchievementsUnlocked]: ...


class SnapshotStore(Protocol):
    """Where session snapshots are kept, fenced by owner and epoch."""

    async def new_epoch(self) -> int: ...

    async def save(self, batch: Sequence[Snapshot]) -> SaveResult: ...

    async def load_live(
        self, now: datetime, shard_ids: Sequence[int], shard_count: int | None
    ) -> list[Snapshot | UnreadableSnapshot]: ...

    async def claim(
        self, owner: str, seen: Sequence[Snapshot], now: datetime
    ) -> list[Snapshot | UnreadableSnapshot]: ...

    async def delete(self, key: SessionKey, owner: str, epoch: int) -> bool: ...

    async def expire(self, now: datetime) -> list[SessionKey]: ...

    async def quarantine(self, key: SessionKey, epoch: int, reason: str) -> bool:
        """Move the snapshot held at `epoch` (and its journal) aside with why; False if it is gone."""
        ...


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """A journal entry on its way to the store: its session, run, owner's epoch, place and body."""

    key: SessionKey
    run_id: UUID
    epoch: int
    seq: int
    data: bytes


@dataclass(frozen=True, slots=True)
class ReplayFrom:
    """Where a session's replay starts: its run, and the last seq its snapshot covers."""

    key: SessionKey
    run_id: UUID
    after: int


class JournalStore(Protocol):
    """Where sessions' journal entries are kept until a saved snapshot covers them."""

    async def append(self, entries: Sequence[StoredEntry]) -> set[tuple[SessionKey, int]]:
        """Append in one statement; the (key, seq) of those held (the rest: another epoch owns them)."""
        ...

    async def load(self, cursors: Sequence[ReplayFrom]) -> dict[SessionKey, list[tuple[int, bytes]]]:
        """Each session's (seq, body) entries past its cursor, in order."""
        ...


class QuestionStore(Protocol):
    """Where every question a session holds is kept under its identity, so snapshots only name it."""

    async def keep(self, questions: Sequence[Question]) -> None:
        """Store each question once under its identity (idempotent)."""
        ...

    async def find(self, identities: Sequence[str]) -> dict[str, Question]:
        """The stored questions among `identities`, by identity; unknown ones are absent."""
        ...
