"""What `/supervisor status` shows: sessions by state, mailbox depths, restarts, snapshot ages, pool."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from quizbot.storage.pool import PoolHealth


@dataclass(frozen=True, slots=True)
class SessionStatus:
    """One live session as the supervisor sees it."""

    key: tuple[int, int]
    phase: str
    mailbox_depth: int
    restarts: int
    snapshot_age: float | None  # seconds since its last saved snapshot; None if never saved
    idle_seconds: float


@dataclass(frozen=True, slots=True)
class SupervisorStatus:
    """The whole process: who it is, which shards it owns, its sessions and the pool."""

    owner: str
    accepting: bool
    shard_ids: tuple[int, ...]
    shard_count: int | None
    sessions: tuple[SessionStatus, ...]
    timers: int
    pool: PoolHealth | None

    @property
    def by_phase(self) -> dict[str, int]:
        """How many sessions are in each phase."""
        return dict(Counter(s.phase for s in self.sessions))

    @property
    def oldest_idle(self) -> SessionStatus | None:
        """The session idle the longest, if any."""
        return max(self.sessions, key=lambda s: s.idle_seconds, default=None)

    @property
    def restarts(self) -> int:
        return sum(s.restarts for s in self.sessions)

    @property
    def deepest_mailbox(self) -> int:
        return max((s.mailbox_depth for s in self.sessions), default=0)
