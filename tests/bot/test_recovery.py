"""The bot process is SIGKILLed mid-question and restarted: a recovery prompt, Continue, and nothing lost."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from quizbot.bot.custom_ids import ButtonKind, parse
from quizbot.storage.pool import Database
from quizbot.testing import DiscordDouble, MessageRecord, StandardGuild

ROOT = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def bot_process(
    double: DiscordDouble, url: str, schema: str, owner: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """The real bot in a process of its own, logged in to the double; killed on the way out if alive."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.bot.bot_worker",
        double.api_base,
        double.token,
        url,
        schema,
        owner,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    try:
        assert await asyncio.wait_for(process.stdout.readline(), timeout=30) == b"ready\n"
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
            await process.wait()


def buttons(message: MessageRecord, kind: ButtonKind) -> list[str]:
    return [c for c in message.custom_ids if (b := parse(c)) is not None and b.kind is kind]


def is_question(message: MessageRecord) -> bool:
    return bool(message.embeds) and (message.embeds[0].get("title") or "").startswith("Question ")


@pytest.mark.slow
async def test_sigkill_mid_question_then_continue_finishes_with_every_score_once(
    server_url: str, schema_name: str, db: Database
) -> None:
    """Kill -9 with a question open and answered; the next process prompts; Continue finishes it."""
    async with DiscordDouble() as double:
        club: StandardGuild = double.standard_guild("Club", players=3)
        key = club.channel.key
        async with bot_process(double, server_url, schema_name, "first") as first:
            start = await double.slash(
                club.guild,
                club.channel,
                club.admin,
                "trivia start",
                {"questions": 1, "timeout": 120, "topic": "history"},
            )
            await start.wait_ack(timeout=3)
            question = await double.wait_for_message(is_question, timeout=10, channel=key)
            for player in club.players[:2]:
                await (
                    await double.click(question, buttons(question, ButtonKind.ANSWER)[1], player)
                ).wait_ack()
            await asyncio.sleep(0.6)  # past a snapshot tick or two
            first.send_signal(signal.SIGKILL)
            await first.wait()

        async with bot_process(double, server_url, schema_name, "second"):
            prompt = await double.wait_for_message(lambda m: "interrupted" in m.text, timeout=15, channel=key)
            refused = await double.click(prompt, buttons(prompt, ButtonKind.RECOVERY)[0], club.players[2])
            await refused.wait_ack()
            resumed = await double.click(prompt, buttons(prompt, ButtonKind.RECOVERY)[0], club.admin)
            await resumed.wait_ack()
            again = await double.wait_for_message(
                lambda m: is_question(m) and m.id != question.id, timeout=10, channel=key
            )
            await (
                await double.click(again, buttons(again, ButtonKind.ANSWER)[0], club.players[2])
            ).wait_ack()
            skip = await double.slash(club.guild, club.channel, club.admin, "trivia skip")
            await skip.wait_ack()
            await double.wait_for_message(lambda m: "The quiz is over" in m.text, timeout=15, channel=key)
            for _ in range(100):  # the run is recorded once the session is released
                if await db.pool.fetchval("SELECT count(*) FROM quiz_runs") == 1:
                    break
                await asyncio.sleep(0.05)
            rows = await db.pool.fetch("SELECT user_id FROM answers ORDER BY user_id")
            assert sorted(r["user_id"] for r in rows) == sorted(p.id for p in club.players)
            assert await db.pool.fetchval("SELECT count(*) FROM quiz_runs") == 1
            assert await db.pool.fetchval("SELECT sum(quizzes) FROM guild_members") == 3
