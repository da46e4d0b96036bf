"""The ports the question sources store through, and the types they carry: asked questions, packs.

PostgreSQL adapters implement them in `quizbot/storage/` (PostgresAskedQuestions in guilds.py,
PostgresPackStore in packs.py, PostgresHiddenQuestions in reports.py, PostgresQuestionStore in
questions.py) and the start-up code wires them in; quizbot/questions imports nothing of storage.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from quizbot.game.questions import Question
from quizbot.questions.images import CheckedImage
from quizbot.questions.provenance import QUIZBOT_PACK, Provenance


class AskedQuestions(Protocol):
    """Which bank questions each guild has already seen, by category (so a quiz does not repeat them)."""

    async def asked(self, guild_id: int, categories: Collection[str]) -> set[str]:
        """The ids of these categories' questions this guild has seen."""
        ...

    async def forget(self, guild_id: int, categories: Collection[str]) -> int:
        """Forget these categories' seen questions; how many were forgotten."""
        ...

    async def mark(self, guild_id: int, seen: Mapping[str, Iterable[str]]) -> None:
        """Remember that the guild has seen these questions (category -> ids; repeats are ignored)."""
        ...


@dataclass(frozen=True, slots=True)
class StoredPack:
    """A guild's uploaded pack, as stored."""

    pack_id: str
    name: str
    body: str  # the YAML text as uploaded (it was validated then)
    question_count: int
    added_by: int
    added_at: datetime
    provenance: Provenance = QUIZBOT_PACK  # its format (how to read body), origin, licence, credit


class PackStore(Protocol):
    """The packs each guild uploaded, kept as their validated text."""

    async def save(
        self,
        guild_id: int,
        *,
        pack_id: str,
        name: str,
        body: str,
        question_count: int,
        added_by: int,
        provenance: Provenance = QUIZBOT_PACK,
        images: Sequence[CheckedImage] = (),
    ) -> None:
        """Store (or replace) a guild's pack with its checked pictures (replacing any it had);
        InvalidValue if the guild already keeps as many as allowed."""
        ...

    async def packs(self, guild_id: int) -> list[StoredPack]:
        """Every pack the guild uploaded, by pack id."""
        ...

    async def delete(self, guild_id: int, pack_id: str) -> bool:
        """Remove one of the guild's packs; False if it had none by that id."""
        ...


class HiddenQuestions(Protocol):
    """The questions taken out of play: by a guild's admins for their server, or everywhere by the owner."""

    async def hidden_for(self, guild_id: int) -> frozenset[str]:
        """The identities of the questions out of play in a guild (its own and everywhere's; a DM, 0,
        has everywhere's only)."""
        ...


class StoredQuestions(Protocol):
    """Every question a game has held, kept under its identity (the questions table)."""

    async def find(self, identities: Sequence[str]) -> dict[str, Question]:
        """The stored questions among `identities`, by identity; unknown ones are absent."""
        ...
