"""Scheduled games benchmark (issue 13): the runner's sweep over 100,000 schedules.

Run from the repository root, for instance:

    python -m bench.schedules --quick        # the CI smoke run: 2,000 schedules, seconds
    python -m bench.schedules                # 100,000 schedules over 10,000 guilds, 100 due
    python -m bench.schedules --due 1000     # a minute when a thousand games start at once

It seeds a schema of its own in SQL (generate_series: ten schedules a guild, a third of the guilds
in Europe/Berlin, a quarter of the schedules with a role ping, one in twenty disabled, next runs
spread over the coming week, and `--due` of them due now: 100,000 daily games spread over a day's
1,440 minutes make about 70 a minute, so 100 is a busy one), then measures, each sweep in a
transaction rolled back afterwards so every sample finds the same rows:

- a sweep's database time (PostgreSQL's own Execution Time, each statement under EXPLAIN ANALYZE):
  the pings claimed, then the runs claimed page by page (100 a page, as the runner does) until none
  is due; the target is < 5 ms at p95;
- the same for a minute when nothing is due (the runner's usual minute);
- EXPLAIN (ANALYZE, BUFFERS) of one claim page, which must walk game_schedules_due_idx and never
  scan the table.

PostgreSQL: --url, else QUIZBOT_BENCH_DATABASE_URL, else QUIZBOT_TEST_DATABASE_URL, else (or with
--embedded) an embedded server in a temporary folder. The exit status is 0 whenever the run
completes: the summary marks a missed target MISSED.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import orjson

if __package__ in (None, ""):  # run as a script: make `bench` and `quizbot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._measure import argument_parser, bench_schema, database_url, host_facts, percentile
from quizbot.bot.schedules import PER_SWEEP
from quizbot.storage.schedules import _CLAIM_PINGS, _CLAIM_RUNS

SWEEP_P95_MS = 5.0
QUICK: dict[str, Any] = {"schedules": 2_000, "due": 20, "samples": 10}

_SEED = """
INSERT INTO game_schedules (guild_id, schedule_id, channel_id, created_by, run_at, days, options,
                            ping_role_id, ping_minutes, next_run, announce_next, enabled)
SELECT s.guild_id, s.number, s.n, 1, time '20:00', 127, '{"questions": 5}'::jsonb,
       CASE WHEN s.pinged THEN s.n END, CASE WHEN s.pinged THEN 10 END,
       s.next_run, CASE WHEN s.pinged THEN s.next_run - interval '10 minutes' END, s.enabled
FROM (
    SELECT n, 1 + (n - 1) / 10 AS guild_id, 1 + (n - 1) % 10 AS number, n % 4 = 0 AS pinged,
           n % $3 = 0 OR n % 20 <> 0 AS enabled,
           CASE WHEN n % $3 = 0 THEN $1::timestamptz - (n % 50) * interval '1 second'
                ELSE $1::timestamptz + interval '1 minute' + ((n * 7919) % 604800) * interval '1 second'
           END AS next_run
    FROM generate_series(1, $2::int) AS n
) AS s
"""
_ZONES = """
INSERT INTO guild_settings (guild_id, settings)
SELECT g, '{"time_zone": "Europe/Berlin"}'::jsonb FROM generate_series(1, $1::int) AS g WHERE g % 3 = 0
ON CONFLICT DO NOTHING
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; see the module docstring."""
    parser = argument_parser(__doc__)
    parser.add_argument("--embedded", action="store_true", help="start an embedded PostgreSQL in a tmp dir")
    parser.add_argument("--schedules", type=int, default=100_000, help="schedules, ten a guild")
    parser.add_argument("--due", type=int, default=100, help="runs due at the measured minute")
    parser.add_argument("--samples", type=int, default=50, help="sweeps measured (each rolled back)")
    parser.add_argument("--keep", action="store_true", help="keep the bench schema afterwards")
    parser.add_argument("--quick", action="store_true", help="a smoke run (overrides the sizes)")
    args = parser.parse_args(argv)
    if args.quick:
        vars(args).update(QUICK)
    args.due = max(1, min(args.due, args.schedules))
    return args


def heading(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 96 - len(title)), flush=True)


async def bench(args: argparse.Namespace) -> None:
    """The database (an embedded one unless --url or the environment names one), then `measure`."""
    async with database_url(None if args.embedded else args.url) as url:
        await measure(args, url)


async def measure(args: argparse.Namespace, url: str) -> None:
    """Seed a fresh schema on `url`, measure, summarise, and drop the schema unless --keep."""
    async with bench_schema(url, "bench_schedules", keep=args.keep, min_size=1, max_size=2) as db:
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        heading(f"seeding {args.schedules:,} schedules, {args.due:,} due now")
        started = time.perf_counter()
        async with db.acquire() as conn:
            await conn.execute(_SEED, now, args.schedules, max(1, args.schedules // args.due))
            await conn.execute(_ZONES, args.schedules // 10)
            await conn.execute("VACUUM ANALYZE game_schedules")
            await conn.execute("VACUUM ANALYZE guild_settings")
            print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
            await run(conn, now, args)


async def explained(conn: asyncpg.Connection, query: str, *arguments: object) -> tuple[float, int]:
    """Run `query` under EXPLAIN (ANALYZE, FORMAT JSON): its database seconds and the rows it returned."""
    [plan] = orjson.loads(await conn.fetchval("EXPLAIN (ANALYZE, FORMAT JSON) " + query, *arguments))
    return plan["Execution Time"] / 1000, plan["Plan"]["Actual Rows"]


async def sweep(conn: asyncpg.Connection, now: datetime) -> tuple[float, int]:
    """One sweep as the runner makes it (pings, then runs page by page), rolled back: its database
    seconds and the runs it claimed."""
    total, claimed = 0.0, 0
    transaction = conn.transaction()
    await transaction.start()
    try:
        seconds, _ = await explained(conn, _CLAIM_PINGS, now, PER_SWEEP, None, [])
        total += seconds
        while True:
            seconds, rows = await explained(conn, _CLAIM_RUNS, now, PER_SWEEP, None, [])
            total += seconds
            claimed += rows
            if rows < PER_SWEEP:
                return total, claimed
    finally:
        await transaction.rollback()


async def run(conn: asyncpg.Connection, now: datetime, args: argparse.Namespace) -> None:
    """Each measurement in turn, then the summary."""
    rows: list[tuple[str, str, str, str]] = []

    def add(name: str, value: str, target: str, ok: bool | None) -> None:
        rows.append((name, value, target, "-" if ok is None else ("ok" if ok else "MISSED")))

    heading("EXPLAIN (ANALYZE, BUFFERS) of one claim_runs() page (rolled back)")
    transaction = conn.transaction()
    await transaction.start()
    try:
        plan_rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + _CLAIM_RUNS, now, PER_SWEEP, None, [])
    finally:
        await transaction.rollback()
    plan = "\n".join(row[0] for row in plan_rows)
    print(plan)
    walks = "game_schedules_due_idx" in plan and not re.search(r"Seq Scan on game_schedules\b", plan)

    for label, moment in (("busy minute", now), ("quiet minute", now - timedelta(hours=1))):
        heading(f"a sweep's database time, {label}: {args.samples} sweeps, each rolled back")
        taken, claimed = [], set()
        for _ in range(args.samples):
            seconds, found = await sweep(conn, moment)
            taken.append(seconds)
            claimed.add(found)
        p50, p95 = percentile(taken, 0.5) * 1000, percentile(taken, 0.95) * 1000
        print(f"  {sorted(claimed)} runs claimed a sweep; p50 {p50:.2f} ms, p95 {p95:.2f} ms", flush=True)
        if moment == now:
            print(f"  {p50 * 1000 / args.due:.0f} µs of database time a claimed run (p50)", flush=True)
        expected = args.due if moment == now else 0
        add(
            f"sweep, {label} ({expected:,} due), p95",
            f"{p95:.2f} ms",
            f"< {SWEEP_P95_MS:g} ms",
            p95 < SWEEP_P95_MS,
        )
        add(
            f"sweep, {label}: every due run claimed",
            f"{sorted(claimed)}",
            f"[{expected}]",
            claimed == {expected},
        )
    add("claim_runs() walks game_schedules_due_idx", "yes" if walks else "no", "yes", walks)

    heading("summary")
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"\n  machine: {host_facts()}")
    print(f"  data set: {args.schedules:,} schedules over {args.schedules // 10:,} guilds, {args.due:,} due")


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    asyncio.run(bench(parse_args(argv)))


if __name__ == "__main__":
    main()
