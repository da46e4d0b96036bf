"""The SessionStore over PostgreSQL: turns game effects into storage records (no SQL here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from quizbot.actors.messages import SessionKey
from quizbot.actors.ports import AchievementsUnlocked
from quizbot.game.achievements import BY_ID, earned
from quizbot.game.effects import RecordAnswers, RecordRun
from quizbot.storage import snapshots
from quizbot.storage.achievements import grant_achievements
from quizbot.storage.answers import record_answers, record_finished_run
from quizbot.storage.pool import Database, content_refused
from quizbot.storage.records import AnswerBatch, AnswerRow, FinishedRun, Snapshot
from quizbot.storage.stats import member_facts


def _at(epoch_seconds: float) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, UTC)


class PostgresSessionStore:
    """Records answers and finished runs; both writes are idempotent, so replays never count twice."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def record_answers(self, key: SessionKey, effect: RecordAnswers) -> None:
        rows = tuple(
            AnswerRow(r.user_id, r.name[:100], r.correct, r.points, r.xp, _at(r.answered_at))
            for r in effect.results
        )
        batch = AnswerBatch(
            run_id=effect.run_id,
            guild_id=key[0],
            channel_id=key[1],
            question_index=effect.index,
            category=effect.category,
            difficulty=effect.difficulty,
            answers=rows,
        )
        with content_refused("a question's answers"):
            await record_answers(self.db, batch)

    async def record_run(self, key: SessionKey, effect: RecordRun) -> list[AchievementsUnlocked]:
        """Record the run once; then grant what it earned and return only what is new."""
        run = FinishedRun(
            run_id=effect.run_id,
            guild_id=key[0],
            channel_id=key[1],
            host_id=effect.host_id,
            topic=effect.topic[:200],
            category=effect.category,
            difficulty=effect.difficulty,
            question_count=effect.question_count,
            outcome=effect.outcome,
            started_at=_at(effect.started_at),
            finished_at=_at(max(effect.finished_at, effect.started_at)),
            participants=effect.participants,
        )
        with content_refused("a finished game"):
            if not await record_finished_run(self.db, run):
                return []  # a replay: its achievements were granted the first time
            return await self._grant(key[0], effect)

    async def _grant(self, guild_id: int, effect: RecordRun) -> list[AchievementsUnlocked]:
        facts = {f.user_id: f for f in effect.facts}
        lifetime = await member_facts(self.db, guild_id, list(facts))
        unlocked = []
        for user_id, run_facts in facts.items():
            candidates = [a.achievement_id for a in earned(run_facts, lifetime[user_id])]
            new = await grant_achievements(self.db, guild_id, user_id, candidates)
            if new:
                granted = tuple(BY_ID[a] for a in new)
                unlocked.append(AchievementsUnlocked(user_id, run_facts.name, granted))
        return unlocked


class PostgresSnapshotStore:
    """The snapshot repository, bound to one database, as the supervisor uses it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def new_epoch(self) -> int:
        return await snapshots.new_epoch(self.db)

    async def save(self, batch: Sequence[Snapshot]) -> snapshots.SaveResult:
        return await snapshots.save_snapshots(self.db, batch)

    async def load_live(
        self, now: datetime, shard_ids: Sequence[int], shard_count: int | None
    ) -> list[snapshots.Loaded]:
        return await snapshots.load_live_snapshots(
            self.db, now=now, shard_ids=shard_ids, shard_count=shard_count
        )

    async def claim(self, owner: str, seen: Sequence[Snapshot], now: datetime) -> list[snapshots.Loaded]:
        return await snapshots.claim_snapshots(self.db, owner, seen, now=now)

    async def delete(self, key: SessionKey, owner: str, epoch: int) -> bool:
        return await snapshots.delete_snapshot(self.db, key, owner, epoch)

    async def expire(self, now: datetime) -> list[SessionKey]:
        return await snapshots.expire_snapshots(self.db, now=now)

    async def quarantine(self, key: SessionKey, epoch: int, reason: str) -> bool:
        return await snapshots.quarantine_snapshot(self.db, key, epoch, reason) is not None
