"""What `/supervisor status` shows: sessions by state, mailbox depths, restarts, snapshot ages, pool."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from quizbot.actors.messages import SessionKey
from quizbot.actors.policy import SupervisorSettings
from quizbot.actors.ports import PoolHealth

if TYPE_CHECKING:
    from quizbot.actors.supervisor import Child


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
    quarantined: int = 0  # snapshots this process set aside since it started
    journal_queued: int = 0  # journal entries waiting for the database

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


def build_status(
    *,
    owner: str,
    accepting: bool,
    settings: SupervisorSettings,
    children: Sequence[tuple[SessionKey, Child]],
    saved_at: Mapping[SessionKey, float],
    timers: int,
    pool: PoolHealth | None,
    now: float,
    quarantined: int = 0,
    journal_queued: int = 0,
) -> SupervisorStatus:
    """The status of a supervisor from its children and when each was last saved, as of `now`."""
    sessions = tuple(
        SessionStatus(
            key=key,
            phase=child.phase,
            mailbox_depth=len(child.ref.mailbox),
            restarts=child.restarts,
            snapshot_age=None if (at := saved_at.get(key)) is None else now - at,
            idle_seconds=now - child.last_activity,
        )
        for key, child in children
    )
    return SupervisorStatus(
        owner,
        accepting,
        settings.shard_ids,
        settings.shard_count,
        sessions,
        timers,
        pool,
        quarantined,
        journal_queued,
    )
