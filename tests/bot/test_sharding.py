"""Shards: the bot is auto-sharded when a shard count is configured, and a process serves only its shards."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from quizbot.bot.app import RunningBot, running_bot
from quizbot.bot.bot import QuizBot, ShardedQuizBot
from quizbot.clock import ManualClock
from quizbot.config import Settings
from quizbot.storage.pool import Database
from quizbot.testing import DiscordDouble, StandardGuild
from tests.bot.conftest import no_identify_pause

OPTIONS = {"guild_ready_timeout": 0.05}


def shard_of(where: StandardGuild, count: int = 2) -> int:
    """Discord's rule: (guild_id >> 22) % shard_count."""
    return (where.guild.id >> 22) % count


async def guilds_on_both_shards(double: DiscordDouble) -> list[StandardGuild]:
    """Guilds until both of two shards have one (a snowflake's shard follows its millisecond)."""
    made: list[StandardGuild] = []
    while len({shard_of(g) for g in made}) < 2:
        made.append(double.standard_guild(f"G{len(made)}", players=1))
        await asyncio.sleep(0.002)
    return made


async def start_in(double: DiscordDouble, where: StandardGuild) -> None:
    options = {"questions": 1, "timeout": 5, "topic": "science"}
    record = await double.slash(where.guild, where.channel, where.admin, "trivia start", options)
    await record.wait_ack(timeout=3.0)
    started = lambda m: "Trivia is starting" in m.text  # noqa: E731
    await double.wait_for_message(started, timeout=5, channel=where.channel.key)


@asynccontextmanager
async def sharded_bot(double: DiscordDouble, db: Database, settings: Settings) -> AsyncIterator[RunningBot]:
    """The bot, sharded as `settings` say, connected to the double without disnake's IDENTIFY pause."""
    async with running_bot(settings, db, clock=ManualClock(time.time()), bot_options=OPTIONS) as running:
        running.bot.before_identify_hook = no_identify_pause  # type: ignore[method-assign]
        async with double.running(running.bot):
            yield running


async def test_without_a_shard_count_the_bot_is_not_sharded(db: Database) -> None:
    """No QUIZBOT_SHARD_COUNT: a plain InteractionBot, as Discord recommends for small bots."""
    async with running_bot(Settings(), db, clock=ManualClock(time.time()), bot_options=OPTIONS) as running:
        assert type(running.bot) is QuizBot


async def test_an_auto_sharded_bot_serves_every_guild_on_every_shard(db: Database) -> None:
    """QUIZBOT_SHARD_COUNT=2 alone: one process runs both shards and quizzes work on each."""
    async with DiscordDouble(shards=2) as double:
        guilds = await guilds_on_both_shards(double)
        settings = Settings(shard_count=2)
        async with sharded_bot(double, db, settings) as running:
            bot = running.bot
            assert isinstance(bot, ShardedQuizBot)
            assert sorted(bot.shards) == [0, 1]
            assert {g.id for g in bot.guilds} == {g.guild.id for g in guilds}
            first_on = {shard_of(g): g for g in guilds}
            for where in first_on.values():
                await start_in(double, where)
            registry = running.service.supervisor.directory
            assert all(where.channel.key in registry for where in first_on.values())


async def test_a_process_given_shard_ids_sees_only_those_guilds(db: Database) -> None:
    """QUIZBOT_SHARD_IDS=1 of 2: this process connects shard 1 only and plays in its guilds."""
    async with DiscordDouble(shards=2) as double:
        guilds = await guilds_on_both_shards(double)
        settings = Settings(shard_count=2, shard_ids=(1,))
        async with sharded_bot(double, db, settings) as running:
            bot = running.bot
            assert isinstance(bot, ShardedQuizBot)
            assert list(bot.shards) == [1]
            assert {g.id for g in bot.guilds} == {g.guild.id for g in guilds if shard_of(g) == 1}
            assert running.service.supervisor.settings.shard_ids == (1,)
            await start_in(double, next(g for g in guilds if shard_of(g) == 1))
