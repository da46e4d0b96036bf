"""End-to-end benchmark: the real disnake client and quizbot against the loopback Discord double.

Run from the repository root, for instance:

    python -m bench.e2e --quick                       # a smoke test, well under a minute
    python -m bench.e2e                               # 1,000 live sessions, 200 interactions/s, 60 s
    python -m bench.e2e --journal on                  # only the bot as it ships (with its journal)
    python -m bench.e2e --housekeeping                # the same with quizbot.bot.housekeeping applied

The steps below run once per --journal configuration, in order, in this one process (by default
`off,on`: the bot without its durable session journal, then as it ships), each in a fresh double
and database schema with a bot of its own; a last table sets the acknowledgement latency of each
side by side, with the journal's statements and entries over the measured phase (group commit:
entries per statement).

1. Start: guilds of --channels channels and --players members in the double, quizbot on PostgreSQL
   (a schema of its own, dropped at the end), and one `/trivia start` per channel (20 questions of
   120 s, so every quiz stays live) until each channel shows its first question.
2. Warm-up, then the measured phase: --rate interactions a second, open loop, by random players in
   random channels: 90% answer-button clicks, 7% `/trivia scores`, 3% `/trivia hint`. The double
   stamps each dispatch and the bot's callback; their difference is the acknowledgement latency.
   Bot, double and driver share one event loop, so the double's work is in the figures too.
3. Answers lost: every open question is skipped (closed) as its host would, one session per guild at
   a time (--close-together: 100 at a time, whatever their guild), and each answer the bot told a
   player it took ("You chose" / "Changed to") must be a row in the answers table.
0. The request budget first (bench/_e2e_budget.py; --budget-games, --budget-only): whole 4-question
   games of 20 s questions for three players on a hand-moved clock, counted as channel posts and
   edits per game and per question, and the games one token's 50 requests/s carries, with the
   rendering as it was (a post per event) and as it ships (a close is one edit), in this one run.
4. RSS of this one process (bot, double and driver), after a full collection and malloc_trim, before
   and after the measured phase, per 100k interactions. The double's records of interactions already
   counted are dropped as the run goes (it keeps everything for tests); the benchmark's own records
   and the live sessions' growing state (bounded by sessions x players) are measured and set apart.
   `--trace N` adds tracemalloc's biggest growths by call stack, N frames deep (and slows the run).

PostgreSQL: --url, else QUIZBOT_BENCH_DATABASE_URL, else QUIZBOT_TEST_DATABASE_URL, else an embedded
server in a temporary folder. Exit status: 1 when a target is missed; with --quick (the CI smoke
run) the targets are printed but only lost answers fail the run, since a small run on a busy
machine says nothing about latency or memory.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import platform
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` and `quizbot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._actors_report import LogTally, print_logs, print_table
from bench._e2e_budget import measure, print_budget
from bench._e2e_checks import AnswerCheck, Memory, check_answers, session_state_bytes
from bench._e2e_drive import Driver, Tally
from bench._e2e_report import (
    Pass,
    StdlibTally,
    Written,
    loop_errors,
    print_comparison,
    print_memory,
    print_tally,
    summary_rows,
)
from bench._e2e_world import Janitor, QuestionBoard, Site, bench_database, build_sites, start_quizzes
from bench._measure import argument_parser, database_url, host_facts
from quizbot.bot.app import RunningBot, running_bot
from quizbot.bot.housekeeping import housekeeping_applied, keep_house
from quizbot.config import Settings
from quizbot.game.session import SessionConfig
from quizbot.storage.pool import Database
from quizbot.testing import DiscordDouble

BOT_OPTIONS = {"guild_ready_timeout": 0.05}
BUDGET_TARGET = 9  # channel requests a 4-question game for three may cost, its end included
QUICK: dict[str, Any] = {"sessions": 50, "warmup": 2.0, "seconds": 5.0, "journal": (True,), "budget_games": 2}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; see the module docstring."""
    parser = argument_parser(__doc__)
    parser.add_argument("--sessions", type=int, default=1_000, help="live quizzes, one per channel")
    parser.add_argument("--rate", type=float, default=200.0, help="interactions a second")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the measured phase")
    parser.add_argument("--warmup", type=float, default=None, help="seconds at the rate first (<= 10)")
    parser.add_argument("--channels", type=int, default=50, help="channels (sessions) per guild")
    parser.add_argument("--players", type=int, default=100, help="members who play, per guild")
    parser.add_argument("--start-concurrency", type=int, default=20, help="/trivia start in flight")
    parser.add_argument("--seed", type=int, default=20_240_601)
    parser.add_argument(
        "--journal",
        type=journal_order,
        default=(False, True),
        metavar="off,on",
        help="the configurations to run, in order: on, off, or a comma-separated list (default off,on)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke test: {QUICK['sessions']} sessions, {QUICK['warmup']:g} s warm-up,"
        f" {QUICK['seconds']:g} s measured, the journal on only (overrides those options)",
    )
    parser.add_argument(
        "--housekeeping",
        action="store_true",
        help="apply quizbot.bot.housekeeping.keep_house() first (until the bot does it itself)",
    )
    parser.add_argument(
        "--close-together",
        action="store_true",
        help="skip 100 open questions at a time whatever their guild (default: one per guild at a time)",
    )
    parser.add_argument(
        "--trace", type=int, default=0, metavar="FRAMES", help="tracemalloc the measured phase, FRAMES deep"
    )
    parser.add_argument("--top", type=int, default=12, help="lines of tracemalloc growth to print")
    parser.add_argument(
        "--budget-games",
        type=int,
        default=20,
        help="4-question games for the request budget (0: none)",
    )
    parser.add_argument("--budget-only", action="store_true", help="measure the request budget only")
    args = parser.parse_args(argv)
    if args.quick:
        vars(args).update(QUICK)
    if args.warmup is None:
        args.warmup = min(10.0, args.seconds)
    return args


def journal_order(text: str) -> tuple[bool, ...]:
    """`off,on` -> (False, True): the --journal configurations, in the order they run."""
    words = [word.strip().lower() for word in text.split(",")]
    if not words or any(word not in ("on", "off") for word in words):
        raise argparse.ArgumentTypeError(f"expected on, off or a list of them such as off,on; got {text!r}")
    return tuple(word == "on" for word in words)


def named(journal: bool) -> str:
    return "journal on" if journal else "journal off"


@dataclass
class Parts:
    """The double's world and what watches and drives it."""

    double: DiscordDouble
    sites: list[Site]
    board: QuestionBoard
    janitor: Janitor
    driver: Driver
    deadlocks: int = 0

    def print_logs(self, logs: LogTally) -> None:
        """print_logs, keeping count of PostgreSQL deadlocks on the way."""
        self.deadlocks += sum(n for (_, text), n in logs.counts.items() if "DeadlockDetected" in text)
        print_logs(logs)


async def phases(
    args: argparse.Namespace, running: RunningBot, db: Database, parts: Parts, memory: Memory, logs: LogTally
) -> tuple[Tally, AnswerCheck, Written]:
    """Start every quiz, warm up, measure, and check the answers, printing as it goes; the journal's
    writes over the measured phase come back with the figures."""
    double, sites, driver = parts.double, parts.sites, parts.driver
    journal = running.service.supervisor.checkpointer.journal
    state = "in effect" if housekeeping_applied() else "not in effect"
    print(f"\n1. start: {len(sites):,} channels in {len(double.world.guilds)} guilds; housekeeping {state}")
    quizzes = {"questions": 20, "timeout": 120}
    start = await start_quizzes(
        double, sites, parts.board, parts.janitor, options=quizzes, concurrency=args.start_concurrency
    )
    print(f"  {start.describe()}")
    parts.print_logs(logs)
    print(f"\n2. load: warm-up {args.warmup:g} s, then {args.seconds:g} s measured")
    print_tally("warm-up", await driver.run(args.warmup, args.rate))
    parts.janitor.sweep(grace=0.0)  # the same state of the double on both sides of the phase
    memory.begin(own=driver.own_bytes(), sessions=session_state_bytes(running))
    sampler = asyncio.create_task(memory.rss.sample_forever(driver))
    written = Written.of(journal)
    tally = await driver.run(args.seconds, args.rate)
    written = Written.of(journal) - written
    sampler.cancel()
    parts.janitor.sweep(grace=0.0)
    memory.end(args.top, own=driver.own_bytes(tally), sessions=session_state_bytes(running))
    print_tally("measured", tally)
    print(f"    journal: {written.describe(tally.seconds)}")
    parts.print_logs(logs)
    how = "100 at a time" if args.close_together else "one session per guild at a time"
    print(f"\n3. answers lost: skip every open question ({how}), then compare accepted clicks with rows")
    check = await check_answers(
        running, db, sites, driver.accepted, within=120.0, together=args.close_together
    )
    skips = ", ".join(f"{what} {n}" for what, n in check.skips.most_common())
    print(
        f"  {check.expected:,} answers accepted (distinct player x question); {check.stored:,} rows"
        f" {check.seconds:.1f} s after the skips ({skips}): {len(check.lost)} lost (not stored by then),"
        f" {len(check.extra)} rows with no accepted click"
    )
    for key in check.lost[:5]:
        print(f"    lost: guild {key[0]} channel {key[1]} question {key[2]} user {key[3]}")
    parts.print_logs(logs)
    if parts.deadlocks:
        print(
            f"  PostgreSQL deadlocks between answer writes (retried): {parts.deadlocks} in all phases so far"
        )
    await asyncio.sleep(SessionConfig().reveal_pause + 1.0)  # the next questions open after the reveals
    if not await running.channel.flush(within=30.0):  # and are sent, at Discord's pace, before the bot stops
        print(f"  {running.channel.pending} channel messages still queued after 30 s")
    return tally, check, written


async def one_pass(args: argparse.Namespace, journal: bool, logs: LogTally, stdlib: StdlibTally) -> Pass:
    """One configuration from a fresh double and database schema: the phases, then memory and logs."""
    loop_seen: list[str] = []
    print(f"\n=== {named(journal)} {'=' * 80}")
    settings = Settings()
    memory = Memory(args.trace)
    async with (
        bench_database(args.url, max_size=settings.pool_max_size) as (db, schema),
        DiscordDouble() as double,
    ):
        version = await db.pool.fetchval("SHOW server_version")
        print(
            f"  machine: {host_facts()}; Python {platform.python_version()}; PostgreSQL {version},"
            f" schema {schema} (dropped at the end)"
        )
        sites = build_sites(
            double, args.sessions, channels_per_guild=args.channels, players_per_guild=args.players
        )
        board = QuestionBoard(double)
        janitor = Janitor(double, board)
        parts = Parts(double, sites, board, janitor, Driver(double, sites, board, janitor, args.seed))
        helpers = [asyncio.create_task(janitor.run()), asyncio.create_task(parts.driver.harvest_forever())]
        try:
            with loop_errors(loop_seen):
                async with (
                    running_bot(
                        settings, db, owner="bench-e2e", bot_options=BOT_OPTIONS, journal=journal
                    ) as running,
                    double.running(running.bot, timeout=60.0),
                ):
                    tally, check, written = await phases(args, running, db, parts, memory, logs)
                    whole = Written.of(running.service.supervisor.checkpointer.journal)
        finally:
            for task in helpers:
                task.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)
    print_memory(memory, tally, janitor)
    print_logs(logs)
    for line in stdlib.take():
        print(f"    stdlib log: {line}")
    for line in loop_seen[:5]:
        print(f"    reached the event loop: {line}")
    return Pass(journal, tally, check, memory, written, whole)


async def run(args: argparse.Namespace) -> int:
    """Run each configuration, summarise each, compare them; exit status 1 when a target is missed."""
    logs, stdlib = LogTally(), StdlibTally()
    logs.install()
    logging.getLogger().addHandler(stdlib)
    order = ", then ".join(named(journal) for journal in args.journal)
    print(
        "quizbot end-to-end benchmark\n"
        f"  {args.sessions:,} sessions ({args.channels} channels and {args.players} players a guild),"
        f" {args.rate:g} interactions/s, {args.warmup:g} s warm-up then {args.seconds:g} s measured;"
        f" bot, double and driver in this one process; {order}"
    )
    if args.housekeeping:
        keep_house()
        print("  quizbot.bot.housekeeping.keep_house() applied by the benchmark (--housekeeping)")
    async with database_url(args.url) as args.url:
        budgets = []
        if args.budget_games:
            budgets = [
                await measure(args.url, args.budget_games, combine=combine) for combine in (False, True)
            ]
            print_budget(budgets)
        if args.budget_only:
            return 0 if all(b.per_game <= BUDGET_TARGET for b in budgets[1:]) else 1
        passes = [await one_pass(args, journal, logs, stdlib) for journal in args.journal]
    if budgets:
        print_budget(budgets)
    met = True
    for done in passes:
        print(f"\nsummary, {named(done.journal)} ({host_facts()})")
        rows = summary_rows(done.tally, done.check, done.memory)
        print_table(rows)
        met = met and all(row.met for row in rows)
    print_comparison(passes)
    if args.quick:  # a smoke run: only what is wrong at any size fails it
        lost = sum(len(done.check.lost) for done in passes)
        print(f"\n--quick: targets {'met' if met else 'not all met (not failed)'}; answers lost: {lost}")
        return 0 if lost == 0 else 1
    return 0 if met else 1


def main(argv: list[str] | None = None) -> int:
    """Entry point: `python -m bench.e2e [--quick] [--journal off,on] [--sessions N] [--rate R] ...`."""
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
