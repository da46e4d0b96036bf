"""The directory: which session runs in which channel, for the edge to route to. Read-only to all but
the supervisor, its only writer.

A listing is frozen: the ref to tell, the epoch its buttons carry, and how players answer. The
supervisor replaces listings one message at a time, so a lookup never sees a half-made one and no
lock is needed; the edge never holds the supervisor or its children's records.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from quizbot.actors.base import ActorRef
from quizbot.actors.messages import SessionKey


@dataclass(frozen=True, slots=True)
class Listing:
    """One live session as the edge may see it."""

    ref: ActorRef[Any]
    epoch: int  # the owner's epoch: buttons made under another one are stale
    typed: bool  # players answer by typing in the channel


class Directory:
    """Session key -> listing, read-only; two guilds' channels with one id are two keys, never one."""

    __slots__ = ("_listings",)

    def __init__(self, listings: Mapping[SessionKey, Listing]) -> None:
        self._listings = listings  # a read-only view of the supervisor's own map

    def __len__(self) -> int:
        return len(self._listings)

    def __contains__(self, key: object) -> bool:
        return key in self._listings

    def __iter__(self) -> Iterator[SessionKey]:
        return iter(list(self._listings))

    def get(self, key: SessionKey) -> Listing | None:
        return self._listings.get(key)

    def ref(self, key: SessionKey) -> ActorRef[Any] | None:
        """The session's ref for routing a message to it, or None if no quiz runs there."""
        listing = self._listings.get(key)
        return listing.ref if listing is not None else None

    def refs(self) -> list[ActorRef[Any]]:
        """Every live session's ref."""
        return [listing.ref for listing in self._listings.values()]
