"""Leaderboards and one-query user statistics, read from rollups kept by the answer write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from quizbot.errors import InvalidValue
from quizbot.game.values import check_id, parse_enum
from quizbot.storage.pool import Database
from quizbot.storage.records import (
    ALL_CATEGORIES,
    MAX_LEADERBOARD,
    LeaderboardEntry,
    Scope,
    Timeframe,
    check_category,
)


@dataclass(frozen=True, slots=True)
class LeaderboardQuery:
    """Which leaderboard: scope x category (None for all) x timeframe x how many rows."""

    scope: Scope
    guild_id: int
    category: str | None = None
    timeframe: Timeframe = Timeframe.ALL
    limit: int = 10

    def __post_init__(self) -> None:
        object.__setattr__(self, "scope", parse_enum(Scope, self.scope, "scope"))
        object.__setattr__(self, "timeframe", parse_enum(Timeframe, self.timeframe, "timeframe"))
        check_id(self.guild_id, "guild_id")
        if self.category is not None:
            check_category(self.category)
        if isinstance(self.limit, bool) or not 1 <= self.limit <= MAX_LEADERBOARD:
            raise InvalidValue(f"limit must be from 1 to {MAX_LEADERBOARD}, got {self.limit!r}")
        if self.timeframe is Timeframe.SEASON and self.scope is not Scope.GUILD:
            raise InvalidValue("the season timeframe is a server's: seasons belong to one guild")

    @property
    def scope_id(self) -> int:
        """The rollup scope: the guild, or 0 for global."""
        return self.guild_id if self.scope is Scope.GUILD else 0


# Top N straight off leaderboard_rollups_rank_idx, then ranked (ties share a rank) and named. The
# season board's period_start is the guild's running season's key (NULL, an empty board, when none
# runs), found by one probe of seasons_running_idx before the same index walk.
_BOARD_SQL = """
SELECT rank() OVER (ORDER BY top.points DESC) AS rank, top.user_id,
       coalesce(u.username, '') AS username, top.points, top.correct, top.wrong, top.quizzes
FROM (
    SELECT user_id, points, correct, wrong, quizzes
    FROM leaderboard_rollups
    WHERE scope_id = $1 AND category = $2 AND period = ($3::text)::"char" AND period_start = {start}
    ORDER BY points DESC, user_id
    LIMIT $5
) AS top
LEFT JOIN users u ON u.user_id = top.user_id
ORDER BY top.points DESC, top.user_id
"""
LEADERBOARD_SQL = _BOARD_SQL.format(start="$4")
SEASON_BOARD_SQL = _BOARD_SQL.format(
    start="coalesce($4::date, (SELECT DATE '1970-01-01' + season_id FROM seasons"
    " WHERE guild_id = $1 AND ended_at IS NULL))"
)


def board_sql(query: LeaderboardQuery) -> str:
    """The statement that reads `query`'s board (shared with the benchmark's EXPLAIN)."""
    return SEASON_BOARD_SQL if query.timeframe is Timeframe.SEASON else LEADERBOARD_SQL


def leaderboard_args(query: LeaderboardQuery, now: datetime) -> tuple[object, ...]:
    """The parameters of the leaderboard statement (shared with the benchmark's EXPLAIN)."""
    category = query.category if query.category is not None else ALL_CATEGORIES
    start = None if query.timeframe is Timeframe.SEASON else query.timeframe.start(now)
    return (query.scope_id, category, query.timeframe.code, start, query.limit)


async def leaderboard(
    db: Database,
    query: LeaderboardQuery,
    *,
    now: datetime | None = None,
    connection: asyncpg.Connection | None = None,
) -> list[LeaderboardEntry]:
    """The ranked leaderboard for `query` in the period holding `now` (UTC)."""
    args = leaderboard_args(query, now or datetime.now(UTC))

    async def read(conn: asyncpg.Connection) -> list[LeaderboardEntry]:
        rows = await conn.fetch(board_sql(query), *args)
        return [LeaderboardEntry(**dict(r)) for r in rows]

    return await db.run(read, connection=connection, transaction=False)
