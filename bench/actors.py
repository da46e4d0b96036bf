"""Actor benchmark: memory per idle session, answers/s through the actors, respawn and shutdown at scale.

Run from the repository root, for instance:

    python -m bench.actors --quick                # a smoke run (CI), well under a minute
    python -m bench.actors --sessions 1000        # a quick check
    python -m bench.actors                        # 10k sessions, as the targets are stated

1. Memory per idle session (tracemalloc): sessions started through the supervisor with StartSession
   asks, questions from one shared tuple, first question open and waiting; in-memory stand-ins for
   the SnapshotStore and SessionStore, so the figure is the actors and the sessions, not asyncpg.
2. Answers/s in process: SubmitAnswer to 50 players x 1,000 sessions, then the close that scores
   them (and the snapshot and answer write it sets off), by tell (fire and forget, then wait for the
   mailboxes to drain) and by ask (every reply awaited).
3. Respawn from snapshots in the real PostgreSQL (a schema of its own, dropped at the end): a fresh
   supervisor's RespawnSessions (load + claim + find the questions the snapshots name + rebuild +
   spawn + its closing flush).
4. Shutdown snapshot: the Shutdown message on a supervisor holding every session live; and the
   size of the snapshots it saved (JSON, questions named by identity).

The parts live in bench/_actors_memory.py, _actors_answers.py and _actors_postgres.py; the rig and
the port stand-ins in _actors_rig.py; laps, logs, cProfile and the table in _actors_report.py.

PostgreSQL: --url, else QUIZBOT_BENCH_DATABASE_URL, else QUIZBOT_TEST_DATABASE_URL, else an embedded
server in a temporary folder. Exit status: 1 when a target is missed. --quick (the CI smoke run:
200 sessions, 20 x 10 answering, one run of each, no profile) prints the targets but fails only
when the run itself went wrong: a session not respawned or not saved at shutdown.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import sys
from pathlib import Path
from typing import Any

import asyncpg

if __package__ in (None, ""):  # run as a script: make `bench` and `quizbot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._actors_answers import MODES, AnswerRun, measure_answers, print_answer_runs
from bench._actors_memory import measure_memory, print_memory
from bench._actors_postgres import SEED_PLAYERS, active_neighbours, measure_postgres
from bench._actors_report import LogTally, Row, print_logs, print_table, profiled
from bench._actors_rig import question_bank, session_config
from bench._measure import argument_parser, database_url, host_facts
from quizbot.game.questions import Question
from quizbot.game.session import SessionConfig

MEMORY_TARGET_BYTES = 6 * 1024
ANSWERS_TARGET_PER_S = 50_000.0
RESPAWN_TARGET_S = 1.0
SHUTDOWN_TARGET_S = 1.0
SNAPSHOT_TARGET_BYTES = 1_536  # 1.5 KB of JSON per mid-game session
QUICK: dict[str, Any] = {
    "sessions": 200,
    "answer_sessions": 20,
    "players": 10,
    "repeats": 1,
    "cycles": 1,
    "profile": False,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; see the module docstring."""
    parser = argument_parser(__doc__)
    parser.add_argument("--sessions", type=int, default=10_000, help="sessions for memory, respawn, shutdown")
    parser.add_argument("--answer-sessions", type=int, default=1_000, help="sessions in the answers test")
    parser.add_argument("--players", type=int, default=50, help="players answering in each of those")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each answers mode (best is kept)")
    parser.add_argument("--cycles", type=int, default=2, help="respawn + shutdown cycles (best is kept)")
    parser.add_argument("--top", type=int, default=10, help="lines in the memory and profile tables")
    parser.add_argument(
        "--profile",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after the timed runs, one more run of each under cProfile, to show where time goes",
    )
    parser.add_argument("--skip-postgres", action="store_true", help="only the in-process parts (1, 2)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: "
        + ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in QUICK.items() if k != "profile")
        + ", --no-profile (overrides those); missed targets do not fail it",
    )
    args = parser.parse_args(argv)
    if args.quick:
        vars(args).update(QUICK)
    return args


async def machine(url: str, skip_postgres: bool) -> str:
    """nproc, load, Python, PostgreSQL version and its other busy clients, in one line."""
    python = f"{platform.python_implementation()} {platform.python_version()}"
    pg = "not used"
    if not skip_postgres:
        admin = await asyncpg.connect(url)
        try:
            version = await admin.fetchval("SHOW server_version")
            pg = f"{version}, {await active_neighbours(admin)} other active client backends"
        finally:
            await admin.close()
    return f"{host_facts()}, Python {python}, PostgreSQL {pg}"


async def memory_part(
    args: argparse.Namespace, questions: tuple[Question, ...], config: SessionConfig, tally: LogTally
) -> list[Row]:
    n = args.sessions
    print(f"\n1. memory per idle session: {n} sessions, each with its first question open and waiting")
    print("   (in-memory SnapshotStore and SessionStore stand-ins, a null channel, a manual clock:")
    print("    the figure is the actor, the supervisor's and checkpointer's records and the session;")
    print("    not asyncpg, nor the stand-in store's saved rows, which live in PostgreSQL in production)")
    memory = await measure_memory(n, questions, config)
    print_memory(memory, args.top)
    print_logs(tally)
    per = memory.per_session
    target = f"<= {MEMORY_TARGET_BYTES:,} B"
    return [Row(f"memory per idle session ({n})", f"{per:,.0f} B", target, per <= MEMORY_TARGET_BYTES)]


async def answers_part(
    args: argparse.Namespace, questions: tuple[Question, ...], config: SessionConfig, tally: LogTally
) -> list[Row]:
    sessions, players = args.answer_sessions, args.players
    print(
        f"\n2. answers through the actors: {sessions} sessions x {players} players, then the close "
        f"(best of {args.repeats})"
    )
    print("   tell: fire and forget, then one Describe round trip per session to know the mailboxes drained")
    print("   ask:  one caller per session awaiting each reply in turn, all sessions at once")
    print("   close: timers fire, sessions score, urgent snapshots are saved (batched), answers recorded")
    runs: dict[str, list[AnswerRun]] = {mode: [] for mode in MODES}
    for _ in range(args.repeats):
        for mode, done in runs.items():
            done.append(await measure_answers(mode, sessions, players, questions, config))
    rows = []
    for mode, done in runs.items():
        print_answer_runs(done)
        best = max(done, key=lambda r: r.per_second)
        median = statistics.median(r.per_second for r in done)
        rows.append(
            Row(
                f"answers/s by {mode}, incl. close ({sessions}x{players})",
                f"{best.per_second:,.0f}/s",
                f">= {ANSWERS_TARGET_PER_S:,.0f}/s",
                best.per_second >= ANSWERS_TARGET_PER_S,
                f"median {median:,.0f}/s; submit only {best.submit_per_second:,.0f}/s;"
                f" {best.per_cpu_second:,.0f} per CPU s",
            )
        )
    print_logs(tally)
    if args.profile:
        for mode in runs:
            await profiled(
                lambda mode=mode: measure_answers(mode, sessions, players, questions, config),
                args.top,
                f"answers by {mode} (setup included)",
            )
    return rows


async def postgres_part(
    args: argparse.Namespace,
    questions: tuple[Question, ...],
    config: SessionConfig,
    tally: LogTally,
    broken: list[str],
) -> list[Row]:
    n = args.sessions
    print(f"\n3 and 4. respawn and shutdown of {n} sessions on PostgreSQL (best of the runs)")
    print("   (in-memory SessionStore: answer rows are not written; snapshots are, in an own schema)")
    pg = await measure_postgres(
        args.url, n, questions, config, cycles=args.cycles, profile=args.profile, top=args.top, tally=tally
    )
    respawn = min(pg.respawns, key=lambda s: s.seconds)
    shutdown = min(pg.shutdowns, key=lambda s: s.seconds)
    respawns = ", ".join(f"{s.seconds:.2f}" for s in pg.respawns)
    shutdowns = ", ".join(f"{s.seconds:.2f}" for s in pg.shutdowns)
    broken += [f"respawned {s.sessions} of {n}" for s in pg.respawns if s.sessions != n]
    broken += [f"saved {s.sessions} of {n} at shutdown" for s in pg.shutdowns if s.sessions != n]
    return [
        Row(
            f"respawn {n} sessions",
            f"{respawn.seconds:.3f} s",
            f"< {RESPAWN_TARGET_S} s",
            respawn.seconds < RESPAWN_TARGET_S and respawn.sessions == n,
            f"{respawn.sessions} respawned; CPU {respawn.lap.cpu:.2f} s, GC {respawn.lap.gc_seconds:.2f} s;"
            f" runs: {respawns} s",
        ),
        Row(
            f"shutdown snapshot {n} sessions",
            f"{shutdown.seconds:.3f} s",
            f"< {SHUTDOWN_TARGET_S} s",
            shutdown.seconds < SHUTDOWN_TARGET_S and all(s.sessions == n for s in pg.shutdowns),
            f"saved {min(s.sessions for s in pg.shutdowns)}+ of {n}; CPU {shutdown.lap.cpu:.2f} s,"
            f" GC {shutdown.lap.gc_seconds:.2f} s; runs: {shutdowns} s",
        ),
        Row(
            f"snapshot size (mid-game, {SEED_PLAYERS} players, JSON)",
            f"{pg.snapshot_text_bytes:,.0f} B",
            f"<= {SNAPSHOT_TARGET_BYTES:,} B",
            pg.snapshot_text_bytes <= SNAPSHOT_TARGET_BYTES,
            f"{pg.snapshot_bytes:,.0f} B stored ({pg.snapshot_kind} column)",
        ),
    ]


async def run(args: argparse.Namespace) -> int:
    """All four parts, then the summary; the exit status is 1 when a target was missed (--quick:
    only when the run went wrong)."""
    if args.skip_postgres:
        return await run_on(args)
    async with database_url(args.url) as args.url:
        return await run_on(args)


async def run_on(args: argparse.Namespace) -> int:
    tally = LogTally()
    tally.install()
    questions = question_bank()
    config = session_config(len(questions))
    broken: list[str] = []
    print(f"quizbot actor benchmark; machine: {await machine(args.url, args.skip_postgres)}")
    print("  (a shared, noisy machine: another benchmark may be using the CPUs or PostgreSQL meanwhile)")
    rows = await memory_part(args, questions, config, tally)
    rows += await answers_part(args, questions, config, tally)
    if not args.skip_postgres:
        rows += await postgres_part(args, questions, config, tally, broken)
    print(f"\nsummary (machine: {await machine(args.url, args.skip_postgres)})")
    print_table(rows)
    for problem in broken:
        print(f"  WRONG: {problem}")
    if args.quick:
        met = all(row.met for row in rows)
        print(f"--quick: targets {'met' if met else 'not all met (not failed)'}")
        return 1 if broken else 0
    return 0 if all(row.met for row in rows) and not broken else 1


def main(argv: list[str] | None = None) -> int:
    """Entry point: `python -m bench.actors [--sessions N] ...`."""
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
