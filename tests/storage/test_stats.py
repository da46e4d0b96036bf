"""User statistics: one query for totals, level, streaks, rank, favourite and recent achievements."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from quizbot.errors import InvalidValue
from quizbot.storage.achievements import AchievementDefinition, grant_achievements, sync_achievements
from quizbot.storage.answers import record_answers, record_finished_run
from quizbot.storage.pool import Database
from quizbot.storage.stats import USER_STATS_SQL, user_stats
from tests.storage.factories import answer, batch, finished_run


async def test_a_stranger_has_no_statistics(db: Database) -> None:
    """A user who never answered in the guild gets None, not zeros."""
    assert await user_stats(db, 1, 42) is None


async def test_totals_accuracy_level_and_streak(db: Database) -> None:
    """Totals, accuracy, XP, level, streaks and quizzes come back from one call."""
    run = uuid.uuid4()
    await record_answers(db, batch(answer(1, xp=150), run_id=run))
    await record_answers(db, batch(answer(1, correct=False), run_id=run, question_index=1))
    await record_finished_run(db, finished_run(run, (1,)))
    stats = await user_stats(db, 1, 1)
    assert stats is not None
    assert (stats.points, stats.correct, stats.wrong, stats.accuracy) == (100, 1, 1, 0.5)
    assert (stats.xp, stats.level, stats.quizzes) == (150, 2, 1)
    assert (stats.current_streak, stats.best_streak) == (1, 1)


async def test_rank_in_guild_counts_members_with_more_points(db: Database) -> None:
    """Rank is one plus the members ahead; ties share the rank."""
    await record_answers(
        db, batch(answer(1, points=300), answer(2, points=100), answer(3, points=300), answer(4, points=50))
    )
    ranks = {user: (await user_stats(db, 1, user)).rank for user in (1, 2, 3, 4)}  # type: ignore[union-attr]
    assert ranks == {1: 1, 3: 1, 2: 3, 4: 4}


async def test_favourite_category_is_the_most_correct_one(db: Database) -> None:
    """The favourite category is where the member answered correctly most often in this guild."""
    run = uuid.uuid4()
    plan = [("history", True), ("science", True), ("science", True), ("history", False), ("art", False)]
    for index, (category, correct) in enumerate(plan):
        await record_answers(
            db, batch(answer(1, correct=correct), run_id=run, question_index=index, category=category)
        )
    await record_answers(db, batch(answer(1), guild_id=2, category="art"))
    stats = await user_stats(db, 1, 1)
    assert stats is not None and stats.favourite_category == "science"


async def test_recent_achievements_are_the_last_five_newest_first(db: Database) -> None:
    """Only the five newest achievements of this guild come back, newest first."""
    await record_answers(db, batch(answer(1)))
    definitions = [AchievementDefinition(f"a{i}", f"Name {i}", "earned") for i in range(7)]
    await sync_achievements(db, definitions)
    base = datetime(2026, 11, 1, tzinfo=UTC)
    for index in range(7):
        await grant_achievements(db, 1, 1, [f"a{index}"])
        await db.pool.execute(
            "UPDATE user_achievements SET granted_at = $1 WHERE achievement_id = $2",
            base + timedelta(hours=index),
            f"a{index}",
        )
    await grant_achievements(db, 2, 1, ["a0"])  # another guild's grant is not shown
    stats = await user_stats(db, 1, 1)
    assert stats is not None
    assert [a.achievement_id for a in stats.recent_achievements] == ["a6", "a5", "a4", "a3", "a2"]
    assert stats.recent_achievements[0].name == "Name 6"


@pytest.mark.parametrize(("guild_id", "user_id"), [(-1, 1), (1, -1), (2**63, 1)])
async def test_bad_ids_are_refused_before_sql(db: Database, guild_id: int, user_id: int) -> None:
    """Ids outside Discord's range raise InvalidValue."""
    with pytest.raises(InvalidValue):
        await user_stats(db, guild_id, user_id)


async def test_the_statistics_query_never_scans_a_whole_table(db: Database) -> None:
    """With many members and answers, every table is reached through an index."""
    await db.pool.execute(
        """
        INSERT INTO guild_members (guild_id, user_id, points)
        SELECT g, u, (u * 7919) % 10007 FROM generate_series(1, 100) g, generate_series(1, 300) u;
        INSERT INTO answers (run_id, question_index, user_id, guild_id, channel_id, category,
                             difficulty, correct, points, answered_at)
        SELECT gen_random_uuid(), 0, u, g, 1, 'science', 'easy', true, 10, now()
        FROM generate_series(1, 100) g, generate_series(1, 300) u;
        ANALYZE guild_members; ANALYZE answers; ANALYZE user_achievements; ANALYZE achievements;
        """
    )
    plan = "\n".join(r[0] for r in await db.pool.fetch("EXPLAIN " + USER_STATS_SQL, 7, 42))
    assert "Seq Scan on guild_members" not in plan, plan
    assert "Seq Scan on answers" not in plan, plan
