"""Bringing a process's sessions back after a restart: load, claim, find questions, replay, set aside.

Each snapshot is restored on its own: one that cannot be parsed, claimed or rebuilt (its state,
its journal, or a replay of it) is moved to quarantine with the reason, and the rest come back.
Nothing about one bad row can stop a restart.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from loguru import logger

from quizbot.actors.entries import JournalEntry, decode_entry
from quizbot.actors.messages import SessionKey
from quizbot.actors.ports import (
    JournalStore,
    QuestionStore,
    ReplayFrom,
    Snapshot,
    SnapshotStore,
    UnreadableSnapshot,
)
from quizbot.actors.replay import Restored, restore
from quizbot.errors import InvalidValue
from quizbot.game.questions import Matcher
from quizbot.game.snapshot import position, question_identities


@dataclass(frozen=True, slots=True)
class Recovered:
    """A session claimed by this process and rebuilt: its snapshot as claimed, and the session."""

    snapshot: Snapshot
    restored: Restored


@dataclass(frozen=True, slots=True)
class SetAside:
    """A snapshot moved to quarantine, and why."""

    key: SessionKey
    reason: str


@dataclass(slots=True)
class Respawn:
    """One respawn's work: what came back and what was set aside."""

    snapshots: SnapshotStore
    journal: JournalStore | None
    questions: QuestionStore
    matcher: Matcher

    async def recover(
        self,
        owner: str,
        now: datetime,
        shard_ids: Sequence[int],
        shard_count: int | None,
        skip: Container[SessionKey],
    ) -> tuple[list[Recovered], list[SetAside]]:
        """Claim this process's live snapshots (not those in `skip`) and rebuild each one."""
        aside: list[SetAside] = []
        seen: list[Snapshot] = []
        for row in await self.snapshots.load_live(now, shard_ids, shard_count):
            if row.key in skip:
                continue
            if isinstance(row, UnreadableSnapshot):
                await self._set_aside(aside, row.key, row.epoch, row.problem)
            else:
                seen.append(row)
        positioned: list[tuple[Snapshot, UUID, int]] = []
        for row in await self.snapshots.claim(owner, seen, now):
            if isinstance(row, UnreadableSnapshot):
                await self._set_aside(aside, row.key, row.epoch, row.problem)
                continue
            try:
                positioned.append((row, *position(row.state)))
            except InvalidValue as error:
                await self._set_aside(aside, row.key, row.epoch, str(error))
        entries = await self._entries([ReplayFrom(s.key, run_id, seq) for s, run_id, seq in positioned])
        named = {q: None for snapshot, _, _ in positioned for q in question_identities(snapshot.state)}
        questions = await self.questions.find(list(named)) if named else {}
        recovered = []
        for snapshot, _, _ in positioned:
            try:
                found = entries.get(snapshot.key, [])
                if isinstance(found, InvalidValue):
                    raise found
                restored = restore(snapshot.state, found, questions, self.matcher, saved=True)
            except Exception as error:  # any fault in one session's data sets that session aside, only
                reason = f"cannot be restored: {type(error).__name__}: {error}"
                await self._set_aside(aside, snapshot.key, snapshot.epoch, reason)
                continue
            recovered.append(Recovered(snapshot, restored))
        return recovered, aside

    async def _entries(
        self, cursors: list[ReplayFrom]
    ) -> dict[SessionKey, list[JournalEntry] | InvalidValue]:
        """Each session's journal past its snapshot, decoded; a session's malformed entry is its error."""
        if self.journal is None or not cursors:
            return {}
        decoded: dict[SessionKey, list[JournalEntry] | InvalidValue] = {}
        for key, rows in (await self.journal.load(cursors)).items():
            try:
                decoded[key] = [decode_entry(seq, data) for seq, data in rows]
            except InvalidValue as error:
                decoded[key] = error
        return decoded

    async def _set_aside(self, aside: list[SetAside], key: SessionKey, epoch: int, reason: str) -> None:
        log = logger.bind(guild=key[0], channel=key[1])
        if await self.snapshots.quarantine(key, epoch, reason):
            log.error("snapshot set aside in quarantine: {}", reason)
            aside.append(SetAside(key, reason))
        else:
            log.warning("snapshot could not be set aside (claimed elsewhere meanwhile): {}", reason)
