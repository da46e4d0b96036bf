"""Seasons: start one per guild, end it (archiving its final top 10), and read archived standings.

A running season's points are leaderboard rollups of period 's' kept by the answer write itself
(storage/answers.py), keyed by 1970-01-01 plus the season's id, so its live board is the same one
index walk as any other board (storage/leaderboard.py). Ending a season archives its top 10 in the
same statement that ends it, and in the same transaction queues its season roles (storage/roles.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from quizbot.errors import InvalidValue, NoSeasonRunning, SeasonNameTaken, SeasonRunning
from quizbot.game.values import check_id
from quizbot.storage.pool import Database
from quizbot.storage.records import LeaderboardEntry, utc_day
from quizbot.storage.roles import queue_season_roles

MAX_SEASON_NAME = 64
ARCHIVED_PLACES = 10


@dataclass(frozen=True, slots=True)
class Season:
    """A guild's season: its name and when it started and ended (None while it runs)."""

    season_id: int
    name: str
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class EndedSeason:
    """A season just ended, with its final standings (at most 10, best first)."""

    season: Season
    standings: list[LeaderboardEntry]


def check_season_name(name: str) -> str:
    """A season's name, trimmed: 1 to 64 characters, no line breaks."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidValue("season name must not be empty")
    trimmed = name.strip()
    if len(trimmed) > MAX_SEASON_NAME:
        raise InvalidValue(f"season name must be at most {MAX_SEASON_NAME} characters")
    if any(c in trimmed for c in "\r\n\t"):
        raise InvalidValue("season name must be one line")
    return trimmed


_START = """
INSERT INTO seasons (guild_id, name, started_at) VALUES ($1, $2, $3)
RETURNING season_id, name, started_at, ended_at
"""


async def start_season(db: Database, guild_id: int, name: str, now: datetime) -> Season:
    """Start the guild's season `name` at `now`; SeasonRunning or SeasonNameTaken when refused."""
    check_id(guild_id, "guild_id")
    utc_day(now)  # refuses a naive moment
    name = check_season_name(name)

    async def write(conn: asyncpg.Connection) -> Season:
        try:
            row = await conn.fetchrow(_START, guild_id, name, now)
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name == "seasons_running_idx":
                raise SeasonRunning(f"guild {guild_id} already has a running season") from error
            raise SeasonNameTaken(f"guild {guild_id} already has a season named {name!r}") from error
        return Season(**dict(row))

    return await db.run(write)


# Ends the running season and archives its top 10 from its rollups (the same walk as its board).
_END = """
WITH ended AS (
    UPDATE seasons SET ended_at = greatest($2, started_at)
    WHERE guild_id = $1 AND ended_at IS NULL
    RETURNING season_id, name, started_at, ended_at
),
top AS (
    SELECT ended.season_id, r.user_id, r.points, r.correct, r.wrong, r.quizzes
    FROM ended
    CROSS JOIN LATERAL (
        SELECT user_id, points, correct, wrong, quizzes FROM leaderboard_rollups
        WHERE scope_id = $1 AND category = '*' AND period = 's'
          AND period_start = DATE '1970-01-01' + ended.season_id
        ORDER BY points DESC, user_id
        LIMIT $3
    ) AS r
),
ranked AS (
    SELECT top.*, rank() OVER (ORDER BY top.points DESC) AS rank,
           row_number() OVER (ORDER BY top.points DESC, top.user_id) AS place,
           coalesce(u.username, '') AS username
    FROM top LEFT JOIN users u USING (user_id)
),
archived AS (
    INSERT INTO season_standings (season_id, rank, user_id, username, points, correct, wrong, quizzes)
    SELECT season_id, rank, user_id, username, points, correct, wrong, quizzes FROM ranked
    RETURNING 1
)
SELECT ended.*, ranked.rank, ranked.place, ranked.user_id, ranked.username, ranked.points,
       ranked.correct, ranked.wrong, ranked.quizzes
FROM ended LEFT JOIN ranked USING (season_id)
ORDER BY ranked.place
"""


async def end_season(db: Database, guild_id: int, now: datetime) -> EndedSeason:
    """End the guild's running season at `now`, archive its top 10 and queue its season roles
    (the top 1 or 3 get them, previous holders lose them), all in one transaction; NoSeasonRunning
    when none runs."""
    check_id(guild_id, "guild_id")
    utc_day(now)

    async def write(conn: asyncpg.Connection) -> EndedSeason:
        rows = await conn.fetch(_END, guild_id, now, ARCHIVED_PLACES)
        if not rows:
            raise NoSeasonRunning(f"guild {guild_id} has no running season")
        first = rows[0]
        season = Season(first["season_id"], first["name"], first["started_at"], first["ended_at"])
        standings = [_entry(r) for r in rows if r["user_id"] is not None]
        await queue_season_roles(conn, guild_id, [s.user_id for s in standings], now)
        return EndedSeason(season, standings)

    return await db.run(write)


def _entry(row: asyncpg.Record) -> LeaderboardEntry:
    return LeaderboardEntry(
        rank=row["rank"],
        user_id=row["user_id"],
        username=row["username"],
        points=row["points"],
        correct=row["correct"],
        wrong=row["wrong"],
        quizzes=row["quizzes"],
    )


_RUNNING = """
SELECT season_id, name, started_at, ended_at FROM seasons WHERE guild_id = $1 AND ended_at IS NULL
"""


async def running_season(db: Database, guild_id: int) -> Season | None:
    """The guild's running season, if any."""
    row = await db.run(lambda conn: conn.fetchrow(_RUNNING, guild_id), transaction=False)
    return None if row is None else Season(**dict(row))


_ARCHIVED = """
SELECT s.season_id, s.name, s.started_at, s.ended_at, a.rank, a.user_id, a.username, a.points,
       a.correct, a.wrong, a.quizzes
FROM seasons s LEFT JOIN season_standings a USING (season_id)
WHERE s.guild_id = $1 AND lower(s.name) = lower($2) AND s.ended_at IS NOT NULL
ORDER BY a.points DESC, a.user_id
"""


async def archived_season(db: Database, guild_id: int, name: str) -> EndedSeason | None:
    """An ended season of the guild by name (any case) with its archived top 10; None if unknown."""
    check_id(guild_id, "guild_id")
    rows = await db.run(lambda conn: conn.fetch(_ARCHIVED, guild_id, name.strip()), transaction=False)
    if not rows:
        return None
    first = rows[0]
    season = Season(first["season_id"], first["name"], first["started_at"], first["ended_at"])
    return EndedSeason(season, [_entry(r) for r in rows if r["user_id"] is not None])


_NAMES = """
SELECT name FROM seasons
WHERE guild_id = $1 AND ended_at IS NOT NULL AND strpos(lower(name), lower($2)) > 0
ORDER BY started_at DESC
LIMIT $3
"""


async def ended_season_names(db: Database, guild_id: int, typed: str, limit: int = 25) -> list[str]:
    """Names of the guild's ended seasons containing `typed` (any case), newest first."""
    rows = await db.run(lambda conn: conn.fetch(_NAMES, guild_id, typed, limit), transaction=False)
    return [r["name"] for r in rows]
