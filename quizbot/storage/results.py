"""The actors' SessionStore over PostgreSQL: game effects become answer, run and achievement records."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from quizbot.actors.messages import SessionKey
from quizbot.actors.ports import AchievementsUnlocked
from quizbot.game.achievements import BY_ID, earned
from quizbot.game.effects import RecordAnswers, RecordRun
from quizbot.storage.achievements import grant_achievements
from quizbot.storage.answers import record_answers, record_finished_run
from quizbot.storage.pool import Database, content_refused
from quizbot.storage.records import AnswerBatch, AnswerRow, FinishedRun
from quizbot.storage.roles import queue_level_roles
from quizbot.storage.stats import member_facts


def _at(epoch_seconds: float) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, UTC)


class PostgresSessionStore:
    """Records answers and finished runs; both writes are idempotent, so replays never count twice."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def record_answers(self, key: SessionKey, effect: RecordAnswers) -> None:
        rows = tuple(
            AnswerRow(r.user_id, r.name[:100], r.correct, r.points, r.xp, _at(r.answered_at), r.recall)
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
            question_id=effect.question_id,
        )

        async def write(conn: asyncpg.Connection) -> None:  # level roles are queued with the answers
            progress = await record_answers(self.db, batch, connection=conn)
            await queue_level_roles(conn, batch.guild_id, progress, batch.closed_at)

        with content_refused("a question's answers"):
            await self.db.run(write)

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
