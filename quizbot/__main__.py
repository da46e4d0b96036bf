"""The `quizbot` command: `quizbot run | demo | health | db upgrade | db status | questions check |
questions reports | questions hide`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import asyncpg

from quizbot import owner
from quizbot.config import Settings, redact_url
from quizbot.errors import ConfigError, StorageError
from quizbot.logs import configure_logging
from quizbot.storage.connect import open_database
from quizbot.storage.pool import Database
from quizbot.storage.schema import ping, schema_version, table_sizes
from quizbot.storage.snapshots import count_quarantined

EXIT_CONFIG = 2
EXIT_DATABASE = 3


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; every subcommand takes --data-dir for the embedded database."""
    parser = argparse.ArgumentParser(prog="quizbot", description="An educational quiz bot for Discord.")
    parser.add_argument("--data-dir", type=Path, help="folder of the embedded PostgreSQL (no DATABASE_URL)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="connect to Discord and serve quizzes")
    commands.add_parser("demo", help="play a game against a loopback Discord and print the transcript")
    commands.add_parser("health", help="exit 0 if the database answers (the container health check)")
    db = commands.add_parser("db", help="database tasks")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply schema.sql (idempotent)")
    db_commands.add_parser("status", help="print schema version, table sizes and pool health")
    questions = commands.add_parser("questions", help="the question bank: check packs, reported questions")
    question_commands = questions.add_subparsers(dest="questions_command", required=True)
    check = question_commands.add_parser("check", help="audit the bank with these packs added (no database)")
    check.add_argument("packs", nargs="*", type=Path, help="pack files to check with the shipped bank")
    owner.add_commands(question_commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, read settings, run the command; return the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"quizbot: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    if args.data_dir is not None:
        settings = replace(settings, data_dir=args.data_dir)
    configure_logging(settings.log_level)
    try:
        return asyncio.run(_dispatch(args, settings))
    except ConfigError as error:  # found while starting, such as a malformed translation file
        print(f"quizbot: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except (StorageError, asyncpg.PostgresError) as error:  # the server refused what we asked of it
        print(f"quizbot: database error: {error}", file=sys.stderr)
        return EXIT_DATABASE
    except KeyboardInterrupt:
        return 130


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "questions":  # check: no database; reports and hide: the owner's
        return (
            _check_questions(args.packs)
            if args.questions_command == "check"
            else await owner.run(args, settings)
        )
    if args.command == "run":
        return await _run(settings)
    if args.command == "demo":
        from quizbot.demo import run_demo  # noqa: PLC0415 - disnake loads only for commands that need it

        async with open_database(settings) as db:
            return await run_demo(settings, db)
    if args.command == "health":
        async with open_database(settings, upgrade=False) as db:
            await ping(db)
        return 0
    async with open_database(settings) as db:
        if args.db_command == "upgrade":
            print(f"schema version {await schema_version(db)} applied")
            return 0
        print(await status_report(db, settings))
        return 0


async def _run(settings: Settings) -> int:
    if not settings.discord_token:
        print(
            "quizbot: DISCORD_TOKEN is not set; create a bot token in the Discord developer portal",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    from quizbot.bot.app import run_forever  # noqa: PLC0415 - disnake loads only for commands that need it

    async with open_database(settings) as db:
        await run_forever(settings, db)
    return 0


def _check_questions(packs: Sequence[Path]) -> int:
    """Print every problem the audit finds in the bank with `packs`; exit 1 if there is any."""
    from quizbot.questions.audit import check_packs  # noqa: PLC0415 - rapidfuzz's process only here

    problems = check_packs(packs)
    for line in problems:
        print(line)
    print(f"{len(problems)} problems" if problems else "no problems found")
    return 1 if problems else 0


async def status_report(db: Database, settings: Settings) -> str:
    """Schema version, where the database is, table sizes and pool health, as readable text."""
    where = (
        f"embedded in {settings.data_dir}" if settings.embedded else redact_url(settings.database_url or "")
    )
    version = await schema_version(db)
    lines = [
        f"database: {where}",
        f"schema version: {version if version is not None else 'not applied'}",
    ]
    lines.append("tables:")
    for table in await table_sizes(db):
        lines.append(f"  {table.name:<22} {table.rows:>12,} rows {table.total_bytes / 1024:>12,.0f} KiB")
    health = db.health()
    lines.append(
        f"pool: {health.size}/{health.max_size} connections, {health.idle} idle, {health.in_use} in use, "
        f"acquire p95 {health.acquire_wait_p95_ms:.2f} ms, ran dry {health.ran_dry} times, "
        f"{health.retries} retries"
    )
    if version is not None:
        lines.append(f"quarantined snapshots: {await count_quarantined(db)}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
