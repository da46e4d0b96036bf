"""The question of the day in storage: a guild's daily channel and hour, the claim of each day's
post (compare-and-set, so one process posts it), the posts kept for the next day's recap, and the
daily streak (consecutive posts answered right)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg

from quizbot.errors import InvalidValue
from quizbot.game.values import check_id
from quizbot.storage.guilds import time_zone_sql
from quizbot.storage.pool import Database
from quizbot.storage.schedules import ALL_SHARDS, Shards
from quizbot.storage.study import next_local_sql

DEFAULT_HOUR = 9


@dataclass(frozen=True, slots=True)
class DailySettings:
    """Where and when a guild's question of the day is posted, and whether its recap names people."""

    channel_id: int
    hour: int
    show_names: bool
    next_post: datetime


@dataclass(frozen=True, slots=True)
class ClaimedPost:
    """A day's post this process claimed: the moment it was due, its guild's local day, and the
    next post's moment (the day's question stays open until then)."""

    guild_id: int
    channel_id: int
    show_names: bool
    scheduled: datetime
    day: date
    next_post: datetime


@dataclass(frozen=True, slots=True)
class DailyPost:
    """One day's question: its run, where it was posted, the question (its identity), when it closes."""

    guild_id: int
    day: date
    channel_id: int
    run_id: UUID
    question: str
    closes_at: datetime


@dataclass(frozen=True, slots=True)
class DailyRecap:
    """How a day's question went: who answered, who got it right (fastest first), and whether its
    run is recorded (its answers all written)."""

    answered: int
    right: tuple[int, ...]
    recorded: bool


def check_hour(hour: object) -> int:
    """A local hour of the day, 0 to 23 (not a bool)."""
    if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
        raise InvalidValue(f"the hour of the day must be from 0 to 23, got {hour!r}")
    return hour


_NEXT_POST = next_local_sql("$5::timestamptz", time_zone_sql("$1"), "make_time($3::int, 0, 0)")
_SET_DAILY = f"""
INSERT INTO daily_settings AS d (guild_id, channel_id, hour, show_names, next_post)
VALUES ($1, $2, $3::int, $4, {_NEXT_POST})
ON CONFLICT (guild_id) DO UPDATE SET channel_id = EXCLUDED.channel_id, hour = EXCLUDED.hour,
    show_names = EXCLUDED.show_names, next_post = EXCLUDED.next_post, updated_at = now()
RETURNING next_post
"""


async def set_daily(
    db: Database, guild_id: int, channel_id: int, now: datetime, *, hour: int, show_names: bool
) -> datetime:
    """Post the guild's question of the day in `channel_id` at `hour` in its zone; return when the
    first one falls (the next such hour after `now`)."""
    check_id(guild_id, "guild_id")
    check_id(channel_id, "channel_id")
    check_hour(hour)

    async def write(conn: asyncpg.Connection) -> datetime:
        moment: datetime = await conn.fetchval(_SET_DAILY, guild_id, channel_id, hour, show_names, now)
        return moment

    return await db.run(write)


async def clear_daily(db: Database, guild_id: int) -> bool:
    """Stop the guild's question of the day; whether it had one. Today's, if open, runs its course."""

    async def write(conn: asyncpg.Connection) -> bool:
        found = await conn.fetchval("DELETE FROM daily_settings WHERE guild_id = $1 RETURNING 1", guild_id)
        return found is not None

    return await db.run(write)


async def daily_settings(db: Database, guild_id: int) -> DailySettings | None:
    """The guild's question of the day, or None if it has none."""
    query = "SELECT channel_id, hour, show_names, next_post FROM daily_settings WHERE guild_id = $1"

    async def read(conn: asyncpg.Connection) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await conn.fetchrow(query, guild_id)
        return row

    row = await db.run(read, transaction=False)
    return None if row is None else DailySettings(**dict(row))


_LOCAL_HOUR = next_local_sql("$2::timestamptz", time_zone_sql("$1"), "make_time(hour, 0, 0)")
_REPLAN = f"UPDATE daily_settings SET next_post = {_LOCAL_HOUR} WHERE guild_id = $1"


async def replan_daily(db: Database, guild_id: int, now: datetime) -> None:
    """Move the guild's next post to its hour in its (new) zone, after a time zone change."""

    async def write(conn: asyncpg.Connection) -> None:
        await conn.execute(_REPLAN, guild_id, now)

    await db.run(write)


# A post missed while the bot was down is claimed once, for the oldest moment; the next one is the
# hour's next moment after `now`, so a long downtime never brings a burst of posts.
_CLAIM = f"""
WITH due AS (
    SELECT d.guild_id, d.next_post, {time_zone_sql("d.guild_id")} AS tz
    FROM daily_settings AS d
    WHERE d.next_post <= $1
      AND ($3::int IS NULL OR ((d.guild_id >> 22) % $3) = ANY ($4::int[]))
    ORDER BY d.next_post LIMIT $2
    FOR UPDATE SKIP LOCKED
)
UPDATE daily_settings AS d
SET next_post = {next_local_sql("$1::timestamptz", "due.tz", "make_time(d.hour, 0, 0)")}
FROM due
WHERE d.guild_id = due.guild_id AND d.next_post <= $1
RETURNING d.guild_id, d.channel_id, d.show_names, due.next_post AS scheduled,
          (due.next_post AT TIME ZONE due.tz)::date AS day, d.next_post
"""


async def claim_daily_posts(
    db: Database, now: datetime, *, limit: int = 100, shards: Shards = ALL_SHARDS
) -> list[ClaimedPost]:
    """Claim up to `limit` posts due by `now` (oldest first) in guilds of `shards`, moving each
    guild on to its next day's hour in the same statement: no other process gets the same post."""

    async def write(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await conn.fetch(_CLAIM, now, limit, *shards.arguments())
        return rows

    posts = [ClaimedPost(**dict(row)) for row in await db.run(write, transaction=False)]  # one statement
    return sorted(posts, key=lambda post: (post.scheduled, post.guild_id))


async def record_daily_post(db: Database, post: DailyPost) -> None:
    """Keep the day's question (its run) for the next day's recap and the streaks, before it opens;
    a retry that day (its channel was busy) keeps its own question under the same run."""
    query = """
        INSERT INTO daily_posts (guild_id, day, channel_id, run_id, question, closes_at)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (guild_id, day) DO UPDATE SET channel_id = EXCLUDED.channel_id,
            question = EXCLUDED.question, closes_at = EXCLUDED.closes_at
    """

    async def write(conn: asyncpg.Connection) -> None:
        await conn.execute(
            query, post.guild_id, post.day, post.channel_id, post.run_id, post.question, post.closes_at
        )

    await db.run(write)


async def last_daily_post(db: Database, guild_id: int, before: date) -> DailyPost | None:
    """The guild's latest question of the day posted before the local day `before`, if any."""
    query = """
        SELECT guild_id, day, channel_id, run_id, question, closes_at FROM daily_posts
        WHERE guild_id = $1 AND day < $2 ORDER BY day DESC LIMIT 1
    """

    async def read(conn: asyncpg.Connection) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await conn.fetchrow(query, guild_id, before)
        return row

    row = await db.run(read, transaction=False)
    return None if row is None else DailyPost(**dict(row))


async def daily_recap(db: Database, run_id: UUID) -> DailyRecap:
    """Who answered a day's question, and who got it right, fastest first (from its answers)."""
    query = """
        SELECT count(*) AS answered,
               coalesce(array_agg(user_id ORDER BY answered_at, user_id) FILTER (WHERE correct), '{}')
                   AS right_ids,
               EXISTS (SELECT 1 FROM quiz_runs WHERE run_id = $1) AS recorded
        FROM answers WHERE run_id = $1
    """

    async def read(conn: asyncpg.Connection) -> asyncpg.Record:
        row: asyncpg.Record = await conn.fetchrow(query, run_id)
        return row

    row = await db.run(read, transaction=False)
    return DailyRecap(row["answered"], tuple(row["right_ids"]), row["recorded"])


# The guild's closed posts, newest first; the streak is how many of the newest in a row the member
# got right (a post they missed or got wrong ends it). Today's, still open, does not count yet.
_STREAK = """
WITH posts AS (
    SELECT p.run_id, row_number() OVER (ORDER BY p.day DESC) AS n
    FROM daily_posts AS p WHERE p.guild_id = $1 AND p.closes_at <= $3
)
SELECT coalesce(
    (SELECT min(n) - 1 FROM posts
     WHERE NOT EXISTS (SELECT 1 FROM answers AS a
                       WHERE a.run_id = posts.run_id AND a.user_id = $2 AND a.correct)),
    (SELECT count(*) FROM posts))
"""


async def daily_streak(db: Database, guild_id: int, user_id: int, now: datetime) -> int:
    """The member's question-of-the-day streak: the guild's latest closed posts answered right in a row."""

    async def read(conn: asyncpg.Connection) -> int:
        return int(await conn.fetchval(_STREAK, guild_id, user_id, now))

    return await db.run(read, transaction=False)
