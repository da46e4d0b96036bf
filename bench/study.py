"""Study benchmark (issue 12): the due-card query, answer writes with card updates, the reminder sweep.

Run from the repository root, for instance:

    python -m bench.study --quick            # the CI smoke run: 10k cards, 1,000 users, seconds
    python -m bench.study                    # 1,000,000 cards over 100,000 users, 100,000 reminders
    python -m bench.study --embedded --scale 0.1

It seeds a schema of its own in SQL (generate_series: cards from a shared pool of questions, due
from a month ago to a month ahead, one review each, one player with 100,000 cards, reminders all due),
then measures study_plan() p50/p95 (and its due part alone) with its plan, record_answers() batches
with card updates against the same batches without a question identity (interleaved), and one sweep
of every reminder by claim_reminders() in pages with its plan, then prints a summary against the
targets.

PostgreSQL: --url, else QUIZBOT_BENCH_DATABASE_URL, else QUIZBOT_TEST_DATABASE_URL, else (or with
--embedded) an embedded server in a temporary folder. The exit status is 0 whenever the run
completes: the summary marks a missed target MISSED, in a full run and a --quick one alike.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

if __package__ in (None, ""):  # run as a script: make `bench` and `quizbot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._measure import argument_parser, database_url, host_facts
from bench._study import (
    HEAVY_LABEL,
    StudyWorld,
    explain_claim,
    explain_plan,
    measure_answer_writes,
    measure_plans,
    measure_sweep,
    measure_sweep_database_time,
    seed_study,
)
from quizbot.storage.pool import Database
from quizbot.storage.schema import apply_schema

DUE_P95_MS = 2.0
HEAVY_P95_MS = 50.0  # a player with 100,000 cards still gets /study in under 50 ms
WRITE_RATIO = 1.20
SWEEP_SECONDS = 1.0
BIG_TABLE_ROWS = 10_000  # below this, a Seq Scan is no fault
QUICK: dict[str, Any] = {"scale": 0.01, "samples": 50, "rounds": 60}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; see the module docstring."""
    parser = argument_parser(__doc__)
    parser.add_argument("--embedded", action="store_true", help="start an embedded PostgreSQL in a tmp dir")
    parser.add_argument("--cards", type=int, default=1_000_000, help="cards over all ordinary players")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--reminders", type=int, default=100_000, help="players with a daily reminder")
    parser.add_argument("--heavy-cards", type=int, default=100_000, help="cards of the one heavy player")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies cards, users and reminders")
    parser.add_argument("--samples", type=int, default=400, help="calls per measured query")
    parser.add_argument("--players", type=int, default=6, help="players answering each batch")
    parser.add_argument("--rounds", type=int, default=400, help="batches with cards (and as many without)")
    parser.add_argument("--page", type=int, default=5_000, help="reminders claimed per call")
    parser.add_argument("--seed", type=int, default=20_261_118, help="random seed of the measured calls")
    parser.add_argument("--keep", action="store_true", help="keep the bench schema afterwards")
    parser.add_argument("--quick", action="store_true", help="a smoke run (overrides the sizes)")
    args = parser.parse_args(argv)
    if args.quick:
        vars(args).update(QUICK)
    args.users = max(100, round(args.users * args.scale))
    args.cards = max(args.users, round(args.cards * args.scale))
    args.reminders = min(args.users, max(100, round(args.reminders * args.scale)))
    return args


def heading(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 96 - len(title)), flush=True)


def check_plan(plan: str, index: str, table: str, rows: int) -> tuple[str, bool | None]:
    """Whether a plan walks `index` without a Seq Scan on `table`: what is wrong (or "yes"), and the
    verdict; none for a table of a few pages, where a Seq Scan is the right plan."""
    problems = [] if index in plan else [f"no scan of {index}"]
    if re.search(rf"Seq Scan on {table}\b", plan):
        problems.append(f"Seq Scan on {table}")
    return ", ".join(problems) or "yes", (not problems if rows >= BIG_TABLE_ROWS else None)


async def bench(args: argparse.Namespace) -> None:
    """The database (an embedded one unless --url or the environment names one), then `measure`."""
    async with database_url(None if args.embedded else args.url) as url:
        await measure(args, url)


async def measure(args: argparse.Namespace, url: str) -> None:
    """Seed a fresh schema on `url`, measure, summarise, and drop the schema unless --keep."""
    schema = f"bench_study_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(url)
    db: Database | None = None
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        db = await Database.connect(
            url, min_size=2, max_size=4, server_settings={"search_path": schema}, command_timeout=3600.0
        )
        await apply_schema(db)
        world = StudyWorld(
            users=args.users,
            per_user=max(1, args.cards // args.users),
            heavy_cards=round(args.heavy_cards * args.scale),
            reminders=args.reminders,
            now=datetime.now(UTC),
        )
        heading(
            f"seeding schema {schema}: {world.cards:,} cards ({args.users:,} players x {world.per_user}"
            f" + one of {world.heavy_cards:,}), a review each, {world.reminders:,} reminders"
        )
        started = time.perf_counter()
        async with db.acquire() as conn:
            await seed_study(conn, world)
        print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
        await run(db, world, args)
    finally:
        if db is not None:
            await db.close()
        if args.keep:
            print(f"\nkept schema {schema}")
        else:
            await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


async def run(db: Database, world: StudyWorld, args: argparse.Namespace) -> None:
    """Each measurement in turn, then the summary."""
    rng = random.Random(args.seed)
    rows: list[tuple[str, str, str, str]] = []

    def add(name: str, value: str, target: str, ok: bool | None) -> None:
        rows.append((name, value, target, "-" if ok is None else ("ok" if ok else "MISSED")))

    heading(f"study_plan(limit 20) on random players, {args.samples} interleaved rounds")
    plans = await measure_plans(db, world, rng, args.samples)
    for name, latency in plans.items():
        print(f"  {name:<28} {latency}", flush=True)
    heading("EXPLAIN (ANALYZE, BUFFERS) of study_plan()")
    plan = await explain_plan(db, world)
    print(plan)
    plan_check = check_plan(plan, "review_cards_due_idx", "review_cards", world.cards)
    for name, latency in plans.items():
        target = HEAVY_P95_MS if name.startswith(HEAVY_LABEL) else DUE_P95_MS
        add(f"{name} p95", f"{latency.p95_ms:.2f} ms", f"< {target:g} ms", latency.p95_ms < target)
    add("study_plan() walks review_cards_due_idx", plan_check[0], "yes", plan_check[1])

    heading(f"record_answers(): {args.rounds} batches of {args.players} with cards, as many without")
    writes = await measure_answer_writes(db, world, rng, players=args.players, rounds=args.rounds)
    print(f"  with card updates     {writes.with_cards}  per answer", flush=True)
    print(f"  without (no identity) {writes.without}  per answer", flush=True)
    print(
        f"  rates (p50): {1000 / writes.with_cards.p50_ms:,.0f} vs {1000 / writes.without.p50_ms:,.0f}"
        f" answers/s on one connection; with/without {writes.ratio:.2f}",
        flush=True,
    )
    add(
        "answer write with cards / without, p50",
        f"{writes.ratio:.2f}x",
        f"<= {WRITE_RATIO:.2f}x",
        writes.ratio <= WRITE_RATIO,
    )

    heading("EXPLAIN (ANALYZE, BUFFERS) of one claim_reminders() page (rolled back)")
    claim_plan = await explain_claim(db, world, args.page)
    print(claim_plan)
    claim_check = check_plan(claim_plan, "study_settings_remind_idx", "study_settings", world.reminders)
    heading(f"claim_reminders(): every one of {world.reminders:,} due reminders, {args.page:,} a call")
    sweep = await measure_sweep(db, world, args.page)
    print(
        f"  {sweep.claimed:,} claimed in {sweep.pages} calls: {sweep.seconds:.3f} s in all,"
        f" slowest call {sweep.slowest_page * 1000:.0f} ms; counting their cards due: {sweep.counting:.3f} s",
        flush=True,
    )
    swept = await measure_sweep_database_time(db, world, args.page)
    print(
        f"  again under EXPLAIN ANALYZE: {swept.claimed:,} claimed in {swept.pages} pages,"
        f" {swept.database_seconds:.3f} s of database time",
        flush=True,
    )
    add(
        f"reminder sweep, {swept.claimed:,} claimed, database time",
        f"{swept.database_seconds:.3f} s",
        f"< {SWEEP_SECONDS:g} s",
        swept.database_seconds < SWEEP_SECONDS and swept.claimed == world.reminders,
    )
    add("the sweep walks study_settings_remind_idx", claim_check[0], "yes", claim_check[1])
    add(
        "every reminder claimed once",
        f"{sweep.claimed:,}",
        f"{world.reminders:,}",
        sweep.claimed == world.reminders,
    )

    heading("summary")
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"\n  machine: {host_facts()}")
    print(
        f"  data set: {world.cards:,} cards, {world.users:,} players (+1 with {world.heavy_cards:,} cards),"
        f" {world.cards:,} reviews, {world.reminders:,} reminders"
    )


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    asyncio.run(bench(parse_args(argv)))


if __name__ == "__main__":
    main()
