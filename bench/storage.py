"""Storage benchmark: seeds a realistic data set in a schema of its own and measures the hot paths.

Run from the repository root, for instance:

    python -m bench.storage --quick               # the CI smoke run: 100k answers, short phases
    python -m bench.storage --scale 0.01          # 100k answers, a quick check
    python -m bench.storage                       # 10M answers, 100k users, 1,000 guilds
    python -m bench.storage --embedded --scale 0.1

It measures the answer write (rows/s), leaderboards (every guild runs a season, so its board and
the answer write's season rollups are measured too) and user statistics (p50/p95), 10k-session
snapshot saves and claims (mid-game states from the snapshot codec) and their size, the original
bot's GROUP BY leaderboard for comparison, and prints the plans of the read queries, then a summary
against the targets.

PostgreSQL: --url, else QUIZBOT_BENCH_DATABASE_URL, else QUIZBOT_TEST_DATABASE_URL, else (or with
--embedded) an embedded server in a temporary folder. The exit status is 0 whenever the run
completes: the summary marks a missed target MISSED, in a full run and a --quick one alike.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

if __package__ in (None, ""):  # run as a script: make `bench` and `quizbot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._measure import (
    COMBOS,
    Latency,
    Picker,
    WriteResult,
    argument_parser,
    combo_name,
    database_url,
    host_facts,
    measure_leaderboards,
    measure_raw,
    measure_user_stats,
    measure_writes,
    member_sample,
)
from bench._plans import explain_answer_batch, explain_reads, hot_seq_scans
from bench._question_store import QuestionStoreResult, measure_question_store
from bench._seed import World, invent_world, seed
from bench._snapshots import PLAYERS, SnapshotResult, measure_snapshots
from quizbot.storage.pool import Database
from quizbot.storage.records import Timeframe
from quizbot.storage.schema import apply_schema, table_sizes

LEADERBOARD_P95_MS = 5.0
RAW_RATIO = 50.0
USER_STATS_P95_MS = 5.0
WRITE_ROWS_PER_S = 100_000.0
SNAPSHOT_SAVE_MS = 500.0
SNAPSHOT_BYTES = 1_536  # 1.5 KB of JSON per mid-game session
FULL_SCALE_ANSWERS = 10_000_000  # the raw GROUP BY ratio target is stated at this size
BIG_TABLE_ROWS = 10_000  # a Seq Scan on a smaller table is fine
QUICK: dict[str, Any] = {
    "scale": 0.01,
    "samples": 20,
    "raw_samples": 2,
    "raw_budget": 5.0,
    "write_seconds": 2.0,
    "writers": 4,
    "sessions": 1_000,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; see the module docstring."""
    parser = argument_parser(__doc__)
    parser.add_argument("--embedded", action="store_true", help="start an embedded PostgreSQL in a tmp dir")
    parser.add_argument("--answers", type=int, default=10_000_000)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--guilds", type=int, default=1_000)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies answers, users and guilds")
    parser.add_argument("--samples", type=int, default=200, help="calls per measured query")
    parser.add_argument("--raw-samples", type=int, default=20, help="calls per raw GROUP BY combination")
    parser.add_argument("--raw-budget", type=float, default=300.0, help="seconds for all raw combinations")
    parser.add_argument("--write-seconds", type=float, default=15.0, help="duration of each write test")
    parser.add_argument("--writers", type=int, default=8, help="concurrent answer writers")
    parser.add_argument("--sessions", type=int, default=10_000, help="snapshots saved in one call")
    parser.add_argument(
        "--questions", type=int, default=10_000, help="distinct questions kept and found in one call"
    )
    parser.add_argument("--seed", type=int, default=20_240_601, help="random seed of the data set")
    parser.add_argument("--keep", action="store_true", help="keep the bench schema afterwards")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run (overrides the sizes and durations)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        vars(args).update(QUICK)
    args.answers = max(1_000, round(args.answers * args.scale))
    args.users = max(200, round(args.users * args.scale))
    args.guilds = max(8, round(args.guilds * args.scale))
    return args


@dataclass(slots=True)
class Report:
    """Everything measured, for the summary."""

    seed_seconds: float = 0.0
    writes: tuple[WriteResult, ...] = ()
    leaderboards: dict[str, Latency] | None = None
    raw: dict[str, Latency] | None = None
    stats: Latency | None = None
    stats_biggest: Latency | None = None
    snapshots: SnapshotResult | None = None
    questions: QuestionStoreResult | None = None
    seq_scans: tuple[str, ...] = ()
    batch_digest: str = ""


def heading(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 96 - len(title)), flush=True)


async def server_facts(db: Database) -> dict[str, str]:
    """PostgreSQL version and the settings that shape these numbers."""
    names = ("server_version", "shared_buffers", "work_mem", "synchronous_commit", "max_wal_size", "jit")

    async def read(conn: asyncpg.Connection) -> dict[str, str]:
        return {name: await conn.fetchval(f"SHOW {name}") for name in names}

    return await db.run(read, transaction=False)


async def data_set_facts(db: Database) -> tuple[str, int]:
    """Rows and on-disk size of each table, and the schema's total bytes."""
    sizes = await table_sizes(db)
    lines = [f"  {t.name:<22} {t.rows:>12,} rows  {t.total_bytes / 2**20:>9.1f} MiB" for t in sizes]
    return "\n".join(lines), sum(t.total_bytes for t in sizes)


async def run_reads(db: Database, world: World, args: argparse.Namespace, report: Report) -> None:
    """Leaderboards, raw GROUP BY, user statistics and their plans."""
    big = frozenset(t.name for t in await table_sizes(db) if t.rows > BIG_TABLE_ROWS)
    picker = Picker(world, random.Random(args.seed + 1))
    heading(f"leaderboard() p50/p95, {args.samples} interleaved rounds over the combinations")
    report.leaderboards = await measure_leaderboards(db, picker, world.now, args.samples)
    for name, latency in report.leaderboards.items():
        print(f"  {name:<20} {latency}", flush=True)

    heading("user_stats() on random members")
    members = await member_sample(db, args.samples)
    report.stats = await measure_user_stats(db, members, args.samples)
    print(f"  {'all guilds':<20} {report.stats}", flush=True)
    biggest = await member_sample(db, args.samples, world.guild_ids[0])
    report.stats_biggest = await measure_user_stats(db, biggest, args.samples)
    size = len(world.members[world.guild_ids[0]])
    print(f"  {'biggest guild':<20} {report.stats_biggest}  ({size:,} members)")

    heading(
        f"raw GROUP BY over answers (the original bot): up to {args.raw_samples} rounds,"
        f" {args.raw_budget:.0f} s budget"
    )
    report.raw = await measure_raw(db, picker, world.now, args.raw_samples, args.raw_budget)
    for name, raw in report.raw.items():
        ours = report.leaderboards[name]
        print(f"  {name:<20} {raw}   raw/ours p50 {raw.p50_ms / ours.p50_ms:8.0f}x", flush=True)

    heading("EXPLAIN (ANALYZE, BUFFERS)")
    extremes = await db.pool.fetch(  # the biggest guild's top and bottom member
        "(SELECT guild_id, user_id FROM guild_members WHERE guild_id = $1 ORDER BY points DESC LIMIT 1)"
        " UNION ALL"
        " (SELECT guild_id, user_id FROM guild_members WHERE guild_id = $1 ORDER BY points LIMIT 1)",
        world.guild_ids[0],
    )
    scans: list[str] = []
    for title, plan in await explain_reads(db, world, world.now, [(r[0], r[1]) for r in extremes]):
        print(f"\n-- {title}\n{plan}")
        found, small = hot_seq_scans(plan, big)
        if found:
            print(f"!! Seq Scan on hot-path table(s): {', '.join(found)}")
            scans += [f"{title}: {t}" for t in found]
        if small:
            print(f"(Seq Scan on small table(s) {', '.join(small)}: fine at this size)")
    report.seq_scans = tuple(scans)


async def run_writes(db: Database, world: World, args: argparse.Namespace, report: Report) -> None:
    """Answer-batch throughput: closed questions of 50 users, then bulk batches of 500."""
    rng = random.Random(args.seed + 2)
    results = []
    for size in (50, 500):
        writers = max(1, min(args.writers, len(world.user_ids) // size))
        heading(
            f"record_answers(): batches of {size}, {writers} concurrent writers, {args.write_seconds:.0f} s"
        )
        result = await measure_writes(
            db, world, rng, batch_size=size, writers=writers, seconds=args.write_seconds
        )
        print(
            f"  {result.rows:,} rows in {result.batches:,} batches, {result.seconds:.1f} s:"
            f" {result.rows_per_second:,.0f} rows/s; batch {result.latency}; retries {result.retries}",
            flush=True,
        )
        results.append(result)
    report.writes = tuple(results)

    heading("EXPLAIN (ANALYZE, BUFFERS, WAL) of one record_answers() batch of 50 (rolled back)")
    batch_plan = await explain_answer_batch(db, world, rng, 50)
    print(batch_plan.plan)
    print(f"\n  digest: {batch_plan.digest}", flush=True)
    report.batch_digest = batch_plan.digest

    heading(f"save_snapshots() / claim_snapshots() of {args.sessions:,} sessions in one call")
    snap = await measure_snapshots(db, world, rng, args.sessions)
    print(
        f"  mean state {snap.mean_state_bytes:,.0f} B of JSON (format 2: questions named by identity);"
        f" save (insert) {snap.insert_seconds * 1000:.0f} ms;"
        f" save (update) {snap.update_seconds * 1000:.0f} ms; claim {snap.claim_seconds * 1000:.0f} ms",
        flush=True,
    )
    report.snapshots = snap

    heading(f"question store: keep() / find() of {args.questions:,} distinct questions in one call")
    store = await measure_question_store(db, rng, args.questions)
    print(
        f"  mean question {store.mean_bytes:,.0f} B; keep (new) {store.keep_seconds * 1000:.0f} ms;"
        f" keep (stored) {store.keep_again_seconds * 1000:.0f} ms; find {store.find_seconds * 1000:.0f} ms",
        flush=True,
    )
    report.questions = store


def summary(report: Report, facts: dict[str, str], data: tuple[str, int], world: World) -> None:
    """The compact table: each figure next to its target."""
    rows: list[tuple[str, str, str, str]] = []

    def add(name: str, value: str, target: str, ok: bool | None) -> None:
        rows.append((name, value, target, "-" if ok is None else ("ok" if ok else "MISSED")))

    for w in report.writes:
        rate = w.rows_per_second
        name = f"answer write, {w.batch_size}/batch x {w.writers}"
        add(name, f"{rate:,.0f} rows/s", ">= 100,000 rows/s", rate >= WRITE_ROWS_PER_S)
    boards, raw = report.leaderboards, report.raw
    if boards and raw:
        worst = max(boards, key=lambda n: boards[n].p95_ms)
        p95 = boards[worst].p95_ms
        add("leaderboard p95 (worst combo)", f"{p95:.2f} ms ({worst})", "< 5 ms", p95 < LEADERBOARD_P95_MS)
        season = max((n for n in boards if Timeframe.SEASON.value in n), key=lambda n: boards[n].p95_ms)
        p95 = boards[season].p95_ms
        add("season board p95 (worst)", f"{p95:.2f} ms ({season})", "< 5 ms", p95 < LEADERBOARD_P95_MS)
        ratios = {n: raw[n].p50_ms / boards[n].p50_ms for n in raw}
        low = min(ratios, key=ratios.__getitem__)
        add(
            "raw GROUP BY / ours, p50 (min)",
            f"{ratios[low]:,.0f}x ({low})",
            ">= 50x at 10M",
            ratios[low] >= RAW_RATIO if world.answers >= FULL_SCALE_ANSWERS else None,
        )
    if report.stats and report.stats_biggest:
        add(
            "user stats p95",
            f"{report.stats.p95_ms:.2f} ms",
            "< 5 ms",
            report.stats.p95_ms < USER_STATS_P95_MS,
        )
        p95 = report.stats_biggest.p95_ms
        add("user stats p95, biggest guild", f"{p95:.2f} ms", "< 5 ms", p95 < USER_STATS_P95_MS)
    if report.snapshots:
        s = report.snapshots
        for what, sec in (("insert", s.insert_seconds), ("update", s.update_seconds)):
            ms = sec * 1000
            add(f"save {s.sessions:,} snapshots ({what})", f"{ms:.0f} ms", "< 500 ms", ms < SNAPSHOT_SAVE_MS)
        add(f"claim {s.sessions:,} snapshots", f"{s.claim_seconds * 1000:.0f} ms", "", None)
        size = s.mean_state_bytes
        add(
            f"snapshot size (mid-game, {PLAYERS} players, JSON)",
            f"{size:,.0f} B",
            f"<= {SNAPSHOT_BYTES:,} B",
            size <= SNAPSHOT_BYTES,
        )
    if report.questions:
        q = report.questions
        add(f"keep {q.count:,} questions (new)", f"{q.keep_seconds * 1000:.0f} ms", "", None)
        add(f"keep {q.count:,} questions (stored)", f"{q.keep_again_seconds * 1000:.0f} ms", "", None)
        add(f"find {q.count:,} questions", f"{q.find_seconds * 1000:.0f} ms", "", None)
    add("hot-path Seq Scans in plans", str(len(report.seq_scans)), "0", not report.seq_scans)
    add("seeding", f"{report.seed_seconds:.0f} s", "", None)

    heading("summary")
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"\n  machine: {host_facts()}; PostgreSQL {facts['server_version']}")
    print("  settings: " + ", ".join(f"{k} {v}" for k, v in facts.items() if k != "server_version"))
    print(
        f"  data set: {world.answers:,} answers, {world.runs:,} runs, {len(world.user_ids):,} users,"
        f" {len(world.guild_ids):,} guilds (biggest {len(world.members[world.guild_ids[0]]):,} members);"
        f" {data[1] / 2**30:.2f} GiB on disk"
    )
    if report.batch_digest:
        print(f"  one 50-answer batch: {report.batch_digest}")
    for name in (combo_name(*c) for c in COMBOS):
        if not boards or not raw:
            break
        ours, theirs = boards[name], raw[name]
        print(
            f"  {name:<18} ours p50 {ours.p50_ms:6.2f} p95 {ours.p95_ms:6.2f} ms | raw p50"
            f" {theirs.p50_ms:9.1f} p95 {theirs.p95_ms:9.1f} ms | {theirs.p50_ms / ours.p50_ms:7.0f}x"
        )


async def bench(args: argparse.Namespace) -> None:
    """The database (an embedded one unless --url or the environment names one), then `measure`."""
    async with database_url(None if args.embedded else args.url) as url:
        await measure(args, url)


async def measure(args: argparse.Namespace, url: str) -> None:
    """Seed a fresh schema on `url`, measure, summarise, and drop the schema unless --keep."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url)  # creates the schema and always drops it again
    db: Database | None = None
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        db = await Database.connect(
            url,
            min_size=2,
            max_size=max(10, args.writers + 2),
            server_settings={"search_path": schema},
            command_timeout=7200.0,
        )
        await apply_schema(db)
        facts = await server_facts(db)
        heading(
            f"seeding schema {schema}: {args.answers:,} answers, {args.users:,} users, {args.guilds:,} guilds"
        )
        world = invent_world(random.Random(args.seed), args.users, args.guilds, datetime.now(UTC))
        started = time.perf_counter()
        async with db.acquire() as conn:
            await seed(conn, world, args.answers, random.Random(args.seed))
        report = Report(seed_seconds=time.perf_counter() - started)
        print(f"  seeded in {report.seed_seconds:.1f} s")
        data = await data_set_facts(db)
        print(data[0])

        await run_reads(db, world, args, report)
        await run_writes(db, world, args, report)
        summary(report, facts, data, world)
    finally:
        if db is not None:
            await db.close()
        if args.keep:
            print(f"\nkept schema {schema}")
        else:
            await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    asyncio.run(bench(parse_args(argv)))


if __name__ == "__main__":
    main()
