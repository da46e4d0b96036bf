"""The registry: (guild_id, channel_id) -> the session's entry. Written only by the supervisor.

Reads (routing an interaction to its session, status) are plain synchronous lookups; the only
writer is the supervisor actor, one message at a time, so no lookup can ever observe a half-made
entry and no lock is needed (see README, "Actors and supervision").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from quizbot.actors.base import ActorRef
from quizbot.actors.messages import SessionKey
from quizbot.actors.policy import RestartHistory


@dataclass(slots=True)
class SessionEntry:
    """What the supervisor keeps about one live session (never the session's own state)."""

    ref: ActorRef[Any]
    epoch: int
    last_state: dict[str, Any]  # the last snapshot taken: a crash restarts from here plus the journal
    idle_timeout: float
    last_activity: float
    phase: str = "created"
    typed: bool = False  # players answer by typing in the channel
    dirty: bool = True
    saved_at: float | None = None
    history: RestartHistory = field(default_factory=RestartHistory)
    restarts: int = 0


class Registry:
    """Maps session keys to entries; two guilds' channels with one id are two keys, never one."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[SessionKey, SessionEntry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[SessionKey]:
        return iter(list(self._entries))

    def get(self, key: SessionKey) -> SessionEntry | None:
        return self._entries.get(key)

    def ref(self, key: SessionKey) -> ActorRef[Any] | None:
        """The session's ref for routing a message to it, or None if no quiz runs there."""
        entry = self._entries.get(key)
        return entry.ref if entry is not None else None

    def add(self, key: SessionKey, entry: SessionEntry) -> None:
        if key in self._entries:
            raise KeyError(f"session {key} is already registered")
        self._entries[key] = entry

    def remove(self, key: SessionKey) -> SessionEntry | None:
        return self._entries.pop(key, None)

    def entries(self) -> list[tuple[SessionKey, SessionEntry]]:
        return list(self._entries.items())
