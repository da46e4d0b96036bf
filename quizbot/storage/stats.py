"""One-query user statistics: totals, level, streaks, rank in guild, recent achievements, favourite."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import asyncpg

from quizbot.game.achievements import LifetimeFacts
from quizbot.game.values import check_id
from quizbot.storage.guilds import time_zone_sql
from quizbot.storage.pool import Database


@dataclass(frozen=True, slots=True)
class RecentAchievement:
    """An achievement a member earned, newest first in UserStats."""

    achievement_id: str
    name: str
    granted_at: datetime


@dataclass(frozen=True, slots=True)
class UserStats:
    """Everything `/stats` shows about one member of one guild."""

    user_id: int
    guild_id: int
    points: int
    correct: int
    wrong: int
    quizzes: int
    xp: int
    level: int
    current_streak: int
    best_streak: int
    last_played_day: date | None  # in time_zone, like every play day
    time_zone: str  # the guild's, which its play days are counted in: what "today" means for the streak
    rank: int
    favourite_category: str | None
    recent_achievements: tuple[RecentAchievement, ...]

    def streak_on(self, today: date) -> int:
        """The daily streak as of `today` (the guild's day): 0 once a whole day passed without play."""
        last = self.last_played_day
        return self.current_streak if last is not None and last >= today - timedelta(days=1) else 0

    @property
    def accuracy(self) -> float:
        """Share of answers that were correct, 0.0 to 1.0."""
        answered = self.correct + self.wrong
        return self.correct / answered if answered else 0.0


USER_STATS_SQL = f"""
WITH member AS (
    SELECT * FROM guild_members WHERE guild_id = $1 AND user_id = $2
),
ranked AS (
    SELECT count(*) + 1 AS rank FROM guild_members
    WHERE guild_id = $1 AND points > (SELECT points FROM member)
),
recent AS (
    SELECT coalesce(array_agg(ua.achievement_id ORDER BY ua.granted_at DESC), '{{}}') AS ids,
           coalesce(array_agg(a.name ORDER BY ua.granted_at DESC), '{{}}') AS names,
           coalesce(array_agg(ua.granted_at ORDER BY ua.granted_at DESC), '{{}}') AS granted
    FROM (SELECT achievement_id, granted_at FROM user_achievements
          WHERE user_id = $2 AND guild_id = $1
          ORDER BY granted_at DESC LIMIT 5) AS ua
    JOIN achievements a USING (achievement_id)
),
favourite AS (
    SELECT category FROM answers
    WHERE user_id = $2 AND guild_id = $1
    GROUP BY category
    ORDER BY count(*) FILTER (WHERE correct) DESC, count(*) DESC, category
    LIMIT 1
)
SELECT member.*, ranked.rank, (SELECT category FROM favourite) AS favourite_category,
       recent.ids, recent.names, recent.granted, {time_zone_sql("$1")} AS time_zone
FROM member, ranked, recent
"""


async def user_stats(
    db: Database, guild_id: int, user_id: int, *, connection: asyncpg.Connection | None = None
) -> UserStats | None:
    """A member's statistics in a guild, or None if they have never answered there."""
    check_id(guild_id, "guild_id")
    check_id(user_id, "user_id")

    async def read(conn: asyncpg.Connection) -> UserStats | None:
        row = await conn.fetchrow(USER_STATS_SQL, guild_id, user_id)
        if row is None:
            return None
        recent = tuple(
            RecentAchievement(*parts) for parts in zip(row["ids"], row["names"], row["granted"], strict=True)
        )
        return UserStats(
            user_id=user_id,
            guild_id=guild_id,
            points=row["points"],
            correct=row["correct"],
            wrong=row["wrong"],
            quizzes=row["quizzes"],
            xp=row["xp"],
            level=row["level"],
            current_streak=row["current_streak"],
            best_streak=row["best_streak"],
            last_played_day=row["last_played_day"],
            time_zone=row["time_zone"],
            rank=row["rank"],
            favourite_category=row["favourite_category"],
            recent_achievements=recent,
        )

    return await db.run(read, connection=connection, transaction=False)


MEMBER_FACTS_SQL = """
SELECT u.user_id,
       coalesce(m.correct, 0) AS correct, coalesce(m.quizzes, 0) AS quizzes,
       coalesce(m.level, 1) AS level, coalesce(m.best_streak, 0) AS best_streak,
       (SELECT count(DISTINCT a.category) FROM answers a
        WHERE a.user_id = u.user_id AND a.guild_id = $1) AS categories,
       (SELECT count(*) FROM quiz_runs q WHERE q.guild_id = $1 AND q.host_id = u.user_id) AS hosted
FROM unnest($2::bigint[]) AS u (user_id)
LEFT JOIN guild_members m ON m.guild_id = $1 AND m.user_id = u.user_id
"""


async def member_facts(
    db: Database, guild_id: int, user_ids: Sequence[int], *, connection: asyncpg.Connection | None = None
) -> dict[int, LifetimeFacts]:
    """Lifetime totals that achievements look at, for several members of a guild in one query."""
    check_id(guild_id, "guild_id")
    for user_id in user_ids:
        check_id(user_id, "user_id")

    async def read(conn: asyncpg.Connection) -> dict[int, LifetimeFacts]:
        rows = await conn.fetch(MEMBER_FACTS_SQL, guild_id, list(dict.fromkeys(user_ids)))
        return {
            r["user_id"]: LifetimeFacts(
                correct=r["correct"],
                quizzes=r["quizzes"],
                level=r["level"],
                best_streak=r["best_streak"],
                categories=r["categories"],
                hosted=r["hosted"],
            )
            for r in rows
        }

    return await db.run(read, connection=connection, transaction=False)


MEMBER_LEVELS_SQL = """
SELECT user_id, level FROM guild_members WHERE guild_id = $1 AND user_id = ANY($2::bigint[])
"""


async def member_levels(db: Database, guild_id: int, user_ids: Sequence[int]) -> dict[int, int]:
    """The levels of these members of a guild, in one query (a team game's Balance splits by them);
    a user who never played there is left out, to count as level 0."""
    check_id(guild_id, "guild_id")
    for user_id in user_ids:
        check_id(user_id, "user_id")

    async def read(conn: asyncpg.Connection) -> dict[int, int]:
        rows = await conn.fetch(MEMBER_LEVELS_SQL, guild_id, list(dict.fromkeys(user_ids)))
        return {row["user_id"]: row["level"] for row in rows}

    return await db.run(read, transaction=False)
