"""Query plans: EXPLAIN (ANALYZE, BUFFERS) of the reads, and of one answer batch with its WAL."""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import asyncpg

from bench._measure import answer_batch
from bench._seed import CATEGORIES, World
from quizbot.storage.answers import record_answers
from quizbot.storage.leaderboard import LeaderboardQuery, board_sql, leaderboard_args
from quizbot.storage.pool import Database
from quizbot.storage.records import Scope, Timeframe
from quizbot.storage.stats import USER_STATS_SQL

HOT_TABLES = frozenset(
    {"answers", "leaderboard_rollups", "guild_members", "users", "user_achievements", "session_snapshots"}
)


async def explain(db: Database, sql: str, args: tuple[object, ...]) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of `sql` with `args`, as text."""

    async def read(conn: asyncpg.Connection) -> str:
        rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *args)
        return "\n".join(r[0] for r in rows)

    return await db.run(read, transaction=False)


def hot_seq_scans(plan: str, big: frozenset[str]) -> tuple[list[str], list[str]]:
    """Hot-path tables the plan scans sequentially: (those in `big`, the small rest).

    A sequential scan of a table of a few pages is the right plan, so only big tables count.
    """
    scanned = [t for t in re.findall(r"Seq Scan on (\w+)", plan) if t in HOT_TABLES]
    return [t for t in scanned if t in big], [t for t in scanned if t not in big]


async def explain_reads(
    db: Database, world: World, now: datetime, members: list[tuple[int, int]]
) -> list[tuple[str, str]]:
    """Plans of representative leaderboards (biggest guild, global) and user statistics."""
    biggest = world.guild_ids[0]
    plans: list[tuple[str, str]] = []
    for scope, timeframe, category in (
        (Scope.GUILD, Timeframe.ALL, None),
        (Scope.GUILD, Timeframe.DAY, CATEGORIES[1]),
        (Scope.GLOBAL, Timeframe.ALL, None),
        (Scope.GLOBAL, Timeframe.WEEK, CATEGORIES[0]),
        (Scope.GUILD, Timeframe.SEASON, None),
    ):
        query = LeaderboardQuery(scope, biggest, category, timeframe)
        title = f"leaderboard {scope.value}/{timeframe.value}/{category or '*'} (guild {biggest})"
        plans.append((title, await explain(db, board_sql(query), leaderboard_args(query, now))))
    for guild, user in members:
        plans.append(
            (f"user_stats guild {guild} user {user}", await explain(db, USER_STATS_SQL, (guild, user)))
        )
    return plans


class _ExplainingConnection:
    """Stands in for record_answers()'s connection: runs each fetched statement under EXPLAIN
    (ANALYZE, BUFFERS, WAL), keeps the plan, then runs it again for the rows the caller reads next
    (the lock's time zone and cards; the write's second run is a replay that inserts nothing, and
    all is rolled back); all else is delegated."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection
        self.plans: list[str] = []

    async def fetch(self, sql: str, *args: object) -> list[asyncpg.Record]:
        rows = await self.connection.fetch("EXPLAIN (ANALYZE, BUFFERS, WAL) " + sql, *args)
        self.plans.append("\n".join(r[0] for r in rows))
        return list(await self.connection.fetch(sql, *args))

    def __getattr__(self, name: str) -> object:
        return getattr(self.connection, name)


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """EXPLAIN (ANALYZE, BUFFERS, WAL) of one answer batch, and a one-line digest of where time goes."""

    plan: str
    digest: str


async def explain_answer_batch(db: Database, world: World, rng: random.Random, size: int) -> BatchPlan:
    """Run one batch of `size` random members of a big guild under EXPLAIN, then roll it back."""
    guild = world.guild_ids[min(len(world.guild_ids) - 1, 8)]  # big, but none of the writers' guilds
    users = rng.sample(world.members[guild], min(size, len(world.members[guild])))
    batch = answer_batch(rng, guild, world.channels[guild][0], uuid.uuid4(), 0, users)
    async with db.acquire() as conn:
        explaining = _ExplainingConnection(conn)
        transaction = conn.transaction()
        await transaction.start()
        try:
            await record_answers(db, batch, connection=cast(asyncpg.Connection, explaining))
        finally:
            await transaction.rollback()
    plan = "\n\n".join(explaining.plans)
    nodes = re.findall(r"Insert on (\w+).*?actual time=[\d.]+\.\.([\d.]+)", plan)
    wal = re.search(r"WAL: records=(\d+)(?: fpi=(\d+))? bytes=(\d+)", plan)
    total = re.search(r"Execution Time: ([\d.]+) ms", plan)
    parts = [f"{table} {float(ms):.1f} ms" for table, ms in nodes]
    digest = f"{len(users)} answers: {float(total[1]) if total else 0:.1f} ms; Insert nodes (inclusive): "
    digest += ", ".join(parts)
    if wal:
        digest += f"; WAL {wal[1]} records, {wal[2] or 0} full-page images, {int(wal[3]) / 2**20:.1f} MiB"
    return BatchPlan(plan, digest)
