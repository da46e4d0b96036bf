"""Web benchmark: the board pages' server time over a seeded data set, and live-page viewers.

Run from the repository root, for instance:

    python -m bench.web --quick               # the CI smoke run: 100k answers, 50 viewers
    python -m bench.web                       # 10M answers, 100k users, 1,000 guilds; 500 viewers
    python -m bench.web --scale 0.01          # the live part at full size, boards over 100k answers

It seeds a realistic data set (bench/_seed.py, as bench.storage does), makes every guild's board
public and serves the web app on a loopback port as `quizbot run` does; then it times each kind of
board page (server and global, every period, with and without a category, first and last page),
profiles and the front page, measured inside the server from a request's arrival to its response.
Then one game's live page (bench/_web_live.py): its 10,000 players' answers per second with no
viewer and with 500 viewers holding its event stream, in alternating phases of a few seconds (so the
tally's half-second pace applies as in a real game), and the memory each viewer takes.

PostgreSQL: --url, else QUIZBOT_BENCH_DATABASE_URL, else QUIZBOT_TEST_DATABASE_URL, else an
embedded server in a temporary folder. The exit status is 0 whenever the run completes: the
summary marks a missed target MISSED, in a full run and a --quick one alike.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` and `quizbot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._measure import Latency, Picker, argument_parser, bench_schema, database_url, host_facts
from bench._seed import invent_world, seed
from bench._web_board import measure_pages, publish_boards
from bench._web_live import Memory, Phase, measure_live
from quizbot import i18n
from quizbot.game.config import MAX_QUESTIONS

BOARD_P95_MS = 20.0
VIEWERS_SLOWDOWN = 0.05  # the answer path with viewers: at most 5% slower than without
FULL_SCALE_ANSWERS = 10_000_000  # the board target is stated at this size
QUICK: dict[str, Any] = {
    "scale": 0.01,
    "samples": 10,
    "viewers": 50,
    "players": 200,
    "questions": 3,
    "rounds": 1,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; see the module docstring."""
    parser = argument_parser(__doc__)
    parser.add_argument("--answers", type=int, default=10_000_000)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--guilds", type=int, default=1_000)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies answers, users and guilds")
    parser.add_argument("--samples", type=int, default=100, help="requests per kind of page")
    parser.add_argument("--viewers", type=int, default=500, help="live-page streams on one game")
    parser.add_argument("--players", type=int, default=10_000, help="players answering each question")
    parser.add_argument("--questions", type=int, default=3, help="questions per live phase")
    parser.add_argument("--rounds", type=int, default=3, help="live phases with and without viewers")
    parser.add_argument("--seed", type=int, default=20_240_601, help="random seed of the data set")
    parser.add_argument("--keep", action="store_true", help="keep the bench schema afterwards")
    parser.add_argument("--quick", action="store_true", help="a smoke run (overrides the sizes)")
    args = parser.parse_args(argv)
    if args.quick:
        vars(args).update(QUICK)
    if args.rounds * 2 * args.questions + 2 > MAX_QUESTIONS:
        parser.error(f"--rounds x 2 x --questions + 2 must be at most {MAX_QUESTIONS} (one game's questions)")
    args.answers = max(1_000, round(args.answers * args.scale))
    args.users = max(200, round(args.users * args.scale))
    args.guilds = max(8, round(args.guilds * args.scale))
    return args


def heading(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 96 - len(title)), flush=True)


def table(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


async def run_pages(url: str, args: argparse.Namespace) -> tuple[dict[str, Latency], int]:
    """Seed, publish every board, time the pages; print each kind's figures. Returns the server
    times and how many answers were seeded."""
    pool = {"min_size": 2, "max_size": 10, "command_timeout": 7200.0}  # seeding 10M rows takes a while
    async with bench_schema(url, "bench_web", keep=args.keep, **pool) as db:
        heading(f"seeding {args.answers:,} answers, {args.users:,} users, {args.guilds:,} guilds")
        world = invent_world(random.Random(args.seed), args.users, args.guilds, datetime.now(UTC))
        started = time.perf_counter()
        async with db.acquire() as conn:
            await seed(conn, world, args.answers, random.Random(args.seed))
        await publish_boards(db, world)
        print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
        heading(f"pages: server time and round trip, {args.samples} interleaved rounds")
        picker = Picker(world, random.Random(args.seed + 1))
        server, trips = await measure_pages(db, world, picker, world.now, args.samples)
        for name, latency in server.items():
            print(f"  {name:<22} server {latency}   round trip p95 {trips[name].p95_ms:7.2f} ms", flush=True)
        return server, world.answers


async def run_live(url: str, args: argparse.Namespace) -> tuple[list[Phase], Memory]:
    """Viewers on one game's live page against none; print each phase."""
    async with bench_schema(url, "bench_live", keep=args.keep, min_size=1, max_size=4) as db:
        heading(
            f"live page: {args.players:,} players answering by ask, {args.questions} questions a phase,"
            f" {args.rounds} rounds of no viewer then {args.viewers} viewers"
        )
        phases, memory = await measure_live(
            db, viewers=args.viewers, players=args.players, questions=args.questions, rounds=args.rounds
        )
        for phase in phases:
            print(
                f"  {phase.viewers:>4} viewers: {phase.answers:,} answers in {phase.submit_seconds:.3f} s"
                f" ({phase.per_second:,.0f}/s; {phase.per_cpu_second:,.0f} per CPU second),"
                f" closes {phase.close_seconds:.3f} s;"
                f" events received {phase.events:,}",
                flush=True,
            )
        print(
            f"  memory for {memory.viewers} viewers: Python {memory.traced_bytes / 2**20:.2f} MiB"
            f" ({memory.traced_per_viewer / 1024:.1f} KiB each), RSS {memory.rss_bytes / 2**20:.2f} MiB"
            f" ({memory.rss_per_viewer / 1024:.1f} KiB each)",
            flush=True,
        )
        return phases, memory


def summary(server: dict[str, Latency], answers: int, phases: list[Phase], memory: Memory) -> None:
    """Each figure next to its target (a target stated at 10M answers is only marked at 10M)."""
    boards = {name: latency for name, latency in server.items() if name.startswith(("guild", "global"))}
    worst = max(boards, key=lambda name: boards[name].p95_ms)
    p95 = boards[worst].p95_ms
    verdict = "ok" if p95 < BOARD_P95_MS else "MISSED"
    p50s = [latency.p50_ms for latency in boards.values()]
    alone = [phase.per_second for phase in phases if phase.viewers == 0]
    watched = [phase.per_second for phase in phases if phase.viewers > 0]
    ratio = statistics.median(watched) / statistics.median(alone)
    cpu_alone = [phase.per_cpu_second for phase in phases if phase.viewers == 0]
    cpu_watched = [phase.per_cpu_second for phase in phases if phase.viewers > 0]
    cpu_ratio = statistics.median(cpu_watched) / statistics.median(cpu_alone)
    closes_alone = [phase.close_seconds / phase.questions for phase in phases if phase.viewers == 0]
    closes_watched = [phase.close_seconds / phase.questions for phase in phases if phase.viewers > 0]
    rows = [
        ("what", "measured", "target", ""),
        (
            "board page p95, server time (worst kind)",
            f"{p95:.2f} ms ({worst})",
            "< 20 ms at 10M answers",
            verdict if answers >= FULL_SCALE_ANSWERS else f"{verdict} (at {answers:,})",
        ),
        ("board pages p50, server time (all kinds)", f"{min(p50s):.2f}-{max(p50s):.2f} ms", "", "-"),
        ("profile page p95, server time", f"{server['profile'].p95_ms:.2f} ms", "", "-"),
        ("front page p95, server time", f"{server['home'].p95_ms:.2f} ms", "", "-"),
        (
            f"answers/s with {memory.viewers} viewers / none (medians)",
            f"{statistics.median(watched):,.0f} / {statistics.median(alone):,.0f}: {ratio:.3f}",
            f">= {1 - VIEWERS_SLOWDOWN:.2f}",
            "ok" if ratio >= 1 - VIEWERS_SLOWDOWN else "MISSED",
        ),
        (
            f"answers per CPU second with {memory.viewers} viewers / none",
            f"{statistics.median(cpu_watched):,.0f} / {statistics.median(cpu_alone):,.0f}: {cpu_ratio:.3f}",
            "(this process alone)",
            "-",
        ),
        (
            f"a question's close with {memory.viewers} viewers / none (medians)",
            f"{statistics.median(closes_watched) * 1000:.1f}"
            f" / {statistics.median(closes_alone) * 1000:.1f} ms",
            "",
            "-",
        ),
        (
            "memory per viewer (Python / RSS)",
            f"{memory.traced_per_viewer / 1024:.1f} / {memory.rss_per_viewer / 1024:.1f} KiB",
            "",
            "-",
        ),
    ]
    heading("summary")
    table(rows)
    print(f"\n  machine: {host_facts()}; data set: {answers:,} answers")


async def bench(args: argparse.Namespace) -> None:
    i18n.load()
    async with database_url(args.url) as url:
        server, answers = await run_pages(url, args)
        phases, memory = await run_live(url, args)
    summary(server, answers, phases, memory)


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    asyncio.run(bench(parse_args(argv)))


if __name__ == "__main__":
    main()
