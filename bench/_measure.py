"""Answer-write throughput, leaderboard and user-statistics latency, the raw GROUP BY baseline, and
what every benchmark shares: its command line (--url), its database (the one --url names,
else an embedded PostgreSQL) and the facts of the machine it ran on."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import os
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

import asyncpg

from bench._seed import CATEGORIES, CATEGORY_WEIGHTS, DIFFICULTIES, POINT_RANGE, World, season_start
from quizbot.game.progression import Difficulty
from quizbot.storage.answers import record_answers
from quizbot.storage.embedded import EmbeddedPostgres
from quizbot.storage.leaderboard import LeaderboardQuery, leaderboard
from quizbot.storage.pool import Database
from quizbot.storage.records import AnswerBatch, AnswerRow, Scope, Timeframe
from quizbot.storage.schema import apply_schema
from quizbot.storage.stats import user_stats

COMBOS: tuple[tuple[Scope, Timeframe, bool], ...] = tuple(
    (scope, timeframe, by_category)
    for scope in (Scope.GUILD, Scope.GLOBAL)
    for timeframe in (Timeframe.DAY, Timeframe.WEEK, Timeframe.MONTH, Timeframe.ALL, Timeframe.SEASON)
    for by_category in (False, True)
    if not (scope is Scope.GLOBAL and timeframe is Timeframe.SEASON)  # seasons are a guild's
)


def argument_parser(doc: str | None) -> argparse.ArgumentParser:
    """A benchmark's parser: its module docstring as the help text, and --url (or the environment's)."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--url",
        default=os.environ.get("QUIZBOT_BENCH_DATABASE_URL") or os.environ.get("QUIZBOT_TEST_DATABASE_URL"),
        help="PostgreSQL to use (default: QUIZBOT_BENCH_DATABASE_URL, else QUIZBOT_TEST_DATABASE_URL,"
        " else an embedded PostgreSQL in a temporary folder)",
    )
    return parser


@asynccontextmanager
async def database_url(url: str | None) -> AsyncIterator[str]:
    """`url` itself, or, when it is None, an embedded PostgreSQL in a temporary folder removed after."""
    if url:
        yield url
        return
    data_dir = Path(tempfile.mkdtemp(prefix="quizbot-bench-pg-"))
    embedded = EmbeddedPostgres(data_dir)
    try:
        print(f"  (no --url: an embedded PostgreSQL in {data_dir})", flush=True)
        yield await embedded.start()
    finally:
        await embedded.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@asynccontextmanager
async def bench_schema(url: str, prefix: str, *, keep: bool, **pool: Any) -> AsyncIterator[Database]:
    """A pool on a fresh schema of `url` (named `prefix` and a random tail) holding quizbot's
    tables; afterwards the pool is closed and the schema dropped, unless `keep`."""
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(url)
    db: Database | None = None
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        db = await Database.connect(url, server_settings={"search_path": schema}, **pool)
        await apply_schema(db)
        print(f"  (schema {schema})", flush=True)
        yield db
    finally:
        if db is not None:
            await db.close()
        if keep:
            print(f"\nkept schema {schema}")
        else:
            await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


def host_facts() -> str:
    """CPUs this process may use and the load average: how much of the machine a run had."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"nproc {cpus}, load average {load}"


def combo_name(scope: Scope, timeframe: Timeframe, by_category: bool) -> str:
    """A short label such as `guild/week/cat` or `global/all/*`."""
    return f"{scope.value}/{timeframe.value}/{'cat' if by_category else '*'}"


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share from 0 to 1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))]


@dataclass(frozen=True, slots=True)
class Latency:
    """Wall-clock seconds of repeated calls, reported as p50/p95 in milliseconds."""

    seconds: tuple[float, ...]

    @property
    def p50_ms(self) -> float:
        return percentile(list(self.seconds), 0.50) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(list(self.seconds), 0.95) * 1000

    def __str__(self) -> str:
        return f"p50 {self.p50_ms:9.2f} ms  p95 {self.p95_ms:9.2f} ms  (n={len(self.seconds)})"


async def time_calls(
    call: Callable[[], Awaitable[object]], samples: int, *, warmup: int = 3, budget: float | None = None
) -> Latency:
    """Time `samples` sequential calls after `warmup` untimed ones; stop early past `budget` s (min 3)."""
    for _ in range(warmup):
        await call()
    taken: list[float] = []
    began = time.perf_counter()
    for _ in range(samples):
        started = time.perf_counter()
        await call()
        taken.append(time.perf_counter() - started)
        if budget is not None and len(taken) >= 3 and time.perf_counter() - began > budget:
            break
    return Latency(tuple(taken))


async def time_rounds(
    calls: dict[str, Callable[[], Awaitable[object]]],
    rounds: int,
    *,
    warmup: int = 3,
    budget: float | None = None,
) -> dict[str, Latency]:
    """Time `rounds` rounds that each make every call once, so a noisy neighbour's burst hits all
    calls alike instead of one; stop early past `budget` seconds (after 3 rounds at least)."""
    for call in calls.values():
        for _ in range(warmup):
            await call()
    taken: dict[str, list[float]] = {name: [] for name in calls}
    began = time.perf_counter()
    for done in range(1, rounds + 1):
        for name, call in calls.items():
            started = time.perf_counter()
            await call()
            taken[name].append(time.perf_counter() - started)
        if budget is not None and done >= 3 and time.perf_counter() - began > budget:
            break
    return {name: Latency(tuple(seconds)) for name, seconds in taken.items()}


class Picker:
    """Random real ids for queries: guilds weighted by size (big guilds look more), categories by use."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.rng = rng
        self._guild_cum = list(itertools.accumulate(world.guild_weights()))
        self._category_cum = list(itertools.accumulate(CATEGORY_WEIGHTS))

    def guild(self) -> int:
        return self.rng.choices(self.world.guild_ids, cum_weights=self._guild_cum)[0]

    def category(self) -> str:
        return self.rng.choices(CATEGORIES, cum_weights=self._category_cum)[0]


# --- answer writes -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WriteResult:
    """Answer rows written by concurrent writers in a fixed time, with per-batch latency."""

    batch_size: int
    writers: int
    rows: int
    batches: int
    seconds: float
    latency: Latency
    retries: int

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


def _writer_pools(world: World, rng: random.Random, size: int, writers: int) -> list[tuple[int, list[int]]]:
    """A guild and a disjoint set of users per writer (so writers never contend for a user's rows)."""
    cap = len(world.user_ids) // writers
    taken: set[int] = set()
    spare = world.user_ids[:]
    rng.shuffle(spare)
    pools: list[tuple[int, list[int]]] = []
    for index in range(writers):
        guild = world.guild_ids[index % len(world.guild_ids)]
        pool = [u for u in world.members[guild] if u not in taken][:cap]
        pool += [u for u in spare if u not in taken and u not in pool][: max(0, size - len(pool))]
        taken.update(pool)
        pools.append((guild, pool))
    return pools


def answer_batch(
    rng: random.Random, guild: int, channel: int, run: uuid.UUID, question: int, users: list[int]
) -> AnswerBatch:
    """One closed question answered by `users` just now; about 60% right."""
    difficulty = DIFFICULTIES[run.int % 3]
    category = CATEGORIES[run.int % len(CATEGORIES)]
    low, high = POINT_RANGE[difficulty]
    now = datetime.now(UTC)
    rows = []
    for user in users:
        right = rng.random() < 0.6
        points = rng.randint(low, high) if right else 0
        rows.append(AnswerRow(user, f"player_{user % 1_000_000:06d}", right, points, points // 10, now))
    return AnswerBatch(run, guild, channel, question, category, Difficulty(difficulty), tuple(rows))


async def measure_writes(
    db: Database, world: World, rng: random.Random, *, batch_size: int, writers: int, seconds: float
) -> WriteResult:
    """Concurrent writers each play runs of 20 questions for `seconds`; every question is one batch."""
    pools = _writer_pools(world, rng, batch_size, writers)
    latencies: list[float] = []
    rows = 0
    retries_before = db.health().retries

    async def play(guild: int, pool: list[int], deadline: float | None) -> None:
        nonlocal rows
        channel = world.channels[guild][0]
        while True:
            users = rng.sample(pool, batch_size)
            run = uuid.uuid4()
            for question in range(20):
                batch = answer_batch(rng, guild, channel, run, question, users)
                started = time.perf_counter()
                await record_answers(db, batch)
                if deadline is None:  # warm-up: one batch, untimed
                    return
                latencies.append(time.perf_counter() - started)
                rows += batch_size
                if time.perf_counter() >= deadline:
                    return

    await asyncio.gather(*(play(guild, pool, None) for guild, pool in pools))
    began = time.perf_counter()
    await asyncio.gather(*(play(guild, pool, began + seconds) for guild, pool in pools))
    elapsed = time.perf_counter() - began
    retries = db.health().retries - retries_before
    return WriteResult(batch_size, writers, rows, len(latencies), elapsed, Latency(tuple(latencies)), retries)


# --- reads ---------------------------------------------------------------------------------------


def _leaderboard_call(
    db: Database, picker: Picker, now: datetime, scope: Scope, timeframe: Timeframe, by_category: bool
) -> Callable[[], Awaitable[object]]:
    """One `leaderboard()` call on a random guild (and category when `by_category`)."""

    async def call() -> object:
        query = LeaderboardQuery(scope, picker.guild(), picker.category() if by_category else None, timeframe)
        return await leaderboard(db, query, now=now)

    return call


async def measure_leaderboards(
    db: Database, picker: Picker, now: datetime, samples: int
) -> dict[str, Latency]:
    """p50/p95 of `leaderboard()` per scope x timeframe x category, on random real guilds."""
    calls = {combo_name(*combo): _leaderboard_call(db, picker, now, *combo) for combo in COMBOS}
    return await time_rounds(calls, samples)


def raw_leaderboard(
    scope: Scope, timeframe: Timeframe, category: str | None, guild_id: int, now: datetime
) -> tuple[str, list[object]]:
    """The original bot's leaderboard: GROUP BY user over raw answers, top 10 by points."""
    conditions: list[str] = []
    args: list[object] = []
    if scope is Scope.GUILD:
        args.append(guild_id)
        conditions.append(f"guild_id = ${len(args)}")
    if timeframe is Timeframe.SEASON:  # the seeded season: since its start
        args.append(season_start(now))
        conditions.append(f"answered_at >= ${len(args)}")
    elif timeframe is not Timeframe.ALL:
        args.append(datetime.combine(timeframe.start(now), clock.min, UTC))
        conditions.append(f"answered_at >= ${len(args)}")
    if category is not None:
        args.append(category)
        conditions.append(f"category = ${len(args)}")
    sql = f"""
        SELECT rank() OVER (ORDER BY top.points DESC) AS rank, top.user_id,
               coalesce(u.username, '') AS username, top.points, top.correct, top.wrong
        FROM (SELECT user_id, sum(points) AS points, count(*) FILTER (WHERE correct) AS correct,
                     count(*) FILTER (WHERE NOT correct) AS wrong
              FROM answers WHERE {" AND ".join(conditions) or "true"}
              GROUP BY user_id ORDER BY sum(points) DESC LIMIT 10) AS top
        LEFT JOIN users u USING (user_id)
        ORDER BY top.points DESC, top.user_id"""
    return sql, args


def _raw_call(
    db: Database, picker: Picker, now: datetime, scope: Scope, timeframe: Timeframe, by_category: bool
) -> Callable[[], Awaitable[object]]:
    """One raw GROUP BY leaderboard on a random guild (and category when `by_category`)."""

    async def call() -> object:
        category = picker.category() if by_category else None
        sql, args = raw_leaderboard(scope, timeframe, category, picker.guild(), now)

        async def read(conn: asyncpg.Connection) -> object:
            return await conn.fetch(sql, *args)

        return await db.run(read, transaction=False)

    return call


async def measure_raw(
    db: Database, picker: Picker, now: datetime, samples: int, budget: float
) -> dict[str, Latency]:
    """p50/p95 of the raw GROUP BY leaderboard for the same combinations, within `budget` s in all."""
    calls = {combo_name(*combo): _raw_call(db, picker, now, *combo) for combo in COMBOS}
    return await time_rounds(calls, samples, warmup=1, budget=budget)


async def member_sample(db: Database, count: int, guild_id: int | None = None) -> list[tuple[int, int]]:
    """Random (guild, user) pairs from guild_members, optionally from one guild only."""

    async def read(conn: asyncpg.Connection) -> list[tuple[int, int]]:
        rows = await conn.fetch(
            "SELECT guild_id, user_id FROM guild_members WHERE $1::bigint IS NULL OR guild_id = $1"
            " ORDER BY random() LIMIT $2",
            guild_id,
            count,
        )
        return [(r["guild_id"], r["user_id"]) for r in rows]

    return await db.run(read, transaction=False)


async def measure_user_stats(db: Database, members: list[tuple[int, int]], samples: int) -> Latency:
    """p50/p95 of `user_stats()` over the given members, cycling through them."""
    cycle = itertools.cycle(members)

    async def call() -> None:
        guild, user = next(cycle)
        if await user_stats(db, guild, user) is None:
            raise AssertionError(f"no statistics for member {user} of guild {guild}")

    return await time_calls(call, samples)
