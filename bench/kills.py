"""SIGKILL a real `quizbot run` many times mid-game and report what was lost (nothing, we expect).

    python -m bench.kills [--kills 100] [--seed 1] [--quick] [--url URL]

PostgreSQL: --url, else QUIZBOT_BENCH_DATABASE_URL, else QUIZBOT_TEST_DATABASE_URL, else an
embedded server in a temporary folder. Prints the kills by kind, the answers acknowledged, the
restart times, and every acknowledged answer or shown score that PostgreSQL does not hold (the
target is none).

--quick is the CI smoke run: three kills in games of two questions. There is no timing target, so
the exit status is the same for a full and a quick run: 1 when anything acknowledged was lost or a
shown score is wrong, else 0.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid

import asyncpg

from bench._kills import run_kills
from bench._measure import argument_parser, database_url
from quizbot.storage.pool import Database
from quizbot.storage.schema import apply_schema
from quizbot.testing import DiscordDouble
from quizbot.testing.actors import with_search_path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argument_parser(__doc__)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--quick", action="store_true", help="three kills in games of two questions, to check the bench runs"
    )
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> int:
    async with database_url(args.url) as url:
        return await run_on(args, url)


async def run_on(args: argparse.Namespace, url: str) -> int:
    kills = 3 if args.quick else args.kills
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url)
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    began = time.monotonic()
    try:
        db = await Database.connect(with_search_path(url, schema), min_size=1, max_size=4)
        await apply_schema(db)
        async with DiscordDouble() as double:
            report = await run_kills(
                double,
                db,
                url,
                schema,
                kills=kills,
                seed=args.seed,
                questions=2 if args.quick else 4,
                say=lambda line: print(line, flush=True),
            )
        await db.close()
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()
    restarts = sorted(report.restart_seconds)
    print(
        f"\n{report.kills} kills in {time.monotonic() - began:.0f} s over {report.games} games: "
        + ", ".join(f"{n} {mode}" for mode, n in sorted(report.modes.items()))
    )
    print(
        f"clicks {report.clicks}, acknowledged as saved {report.acknowledged}, noted unsaved {report.unsaved}"
    )
    print(f"restart to logged in: median {statistics.median(restarts):.2f} s, max {restarts[-1]:.2f} s")
    print(f"questions revealed and their scores checked against PostgreSQL: {report.checked}")
    print(f"acknowledged answers lost: {len(report.lost)}")
    print(f"shown scores not stored, reveals repeated or totals doubled: {len(report.wrong)}")
    for problem in report.lost + report.wrong:
        print("  " + problem)
    return 0 if not report.lost and not report.wrong else 1


def main(argv: list[str] | None = None) -> int:
    """Entry point: `python -m bench.kills [--kills N] [--seed S] [--quick]`."""
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
