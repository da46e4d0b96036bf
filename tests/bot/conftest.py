"""A real quizbot (disnake client, supervisor, PostgreSQL) against the loopback Discord double."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest

from quizbot.bot.app import RunningBot, running_bot
from quizbot.clock import ManualClock
from quizbot.config import Settings
from quizbot.storage.pool import Database
from quizbot.storage.schema import apply_schema
from quizbot.testing import DiscordDouble, StandardGuild
from quizbot.testing.actors import settle
from quizbot.testing.clocks import QuietBot, SteppingClock
from tests.conftest import connect_to_schema
from tests.pgproxy import PostgresProxy
from tests.questions.llm.support import FakeAPI, failure


@dataclass
class World:
    """The double, two guilds whose #trivia channels share an id, and the running bot."""

    double: DiscordDouble
    club: StandardGuild
    rival: StandardGuild
    running: RunningBot
    clock: ManualClock
    db: Database
    edge_clock: SteppingClock

    async def advance(self, seconds: float) -> None:
        """Move the quiz clock, then let the supervisor and every session catch up."""
        self.clock.advance(seconds)
        await self.settle()

    async def settle(self) -> None:
        """Round-trip the supervisor and every session, then send what is queued for Discord (its
        waits for time pass on the edge clock, which moves itself: no real time is spent)."""
        await settle(self.running.service.supervisor, ask_timeout=5)
        await self.running.channel.drained()


@asynccontextmanager
async def world_with(
    db: Database,
    settings: Settings,
    *,
    club_locale: str | None = None,
    rival_locale: str | None = None,
    club_players: int = 4,
) -> AsyncIterator[World]:
    """The double with the club and its rival (their preferred locales, if given), and the bot
    started with `settings`."""
    clock = ManualClock(time.time())
    async with DiscordDouble() as double:
        club = double.standard_guild("Club", channel_id=777, players=club_players)
        rival = double.standard_guild("Rival", channel_id=777, players=2)
        if club_locale is not None:
            club.guild.preferred_locale = club_locale
        if rival_locale is not None:
            rival.guild.preferred_locale = rival_locale
        async with bot_on(double, db, settings, clock) as (running, edge):
            yield World(double, club, rival, running, clock, db, edge)


@asynccontextmanager
async def bot_on(
    double: DiscordDouble, db: Database, settings: Settings, clock: ManualClock, *, owner: str = "bot-1"
) -> AsyncIterator[tuple[RunningBot, SteppingClock]]:
    """The bot started with `settings` and connected to `double`, its games (and study reminders)
    on `clock`, its Discord edge on a clock that moves itself once all else is quiet."""
    edge, quiet = SteppingClock(time.time()), QuietBot()
    # disnake waits this long after the last GUILD_CREATE before it is ready; the double sends them
    # all with READY, in one burst the client reads before it starts waiting, so a moment is enough.
    options = {"guild_ready_timeout": 0.002}
    async with (
        edge.stepping(quiet),
        running_bot(settings, db, clock=clock, edge_clock=edge, owner=owner, bot_options=options) as running,
    ):
        running.bot.before_identify_hook = no_identify_pause  # type: ignore[method-assign]
        async with double.running(running.bot):
            quiet.running = running
            yield running, edge


async def no_identify_pause(shard_id: int | None, *, initial: bool = False) -> None:
    """disnake waits 5 s between shards' IDENTIFYs for Discord's sake; the double needs no pause."""


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    async with world_with(db, Settings(typed_answers=True)) as made:
        yield made


@pytest.fixture
async def failing_openai() -> AsyncIterator[FakeAPI]:
    """OpenAI's API answering every request with 503."""
    api = FakeAPI()
    await api.start()
    api.script("openai", failure("openai", 503))
    yield api
    await api.stop()


@pytest.fixture
async def proxy(server_url: str) -> AsyncIterator[PostgresProxy]:
    through = PostgresProxy(server_url)
    await through.start()
    yield through
    await through.close()


@pytest.fixture
async def proxied_db(proxy: PostgresProxy, schema_name: str) -> AsyncIterator[Database]:
    """The test's database, reached through a proxy the test can cut."""
    database = await connect_to_schema(proxy.url, schema_name)
    await apply_schema(database)
    yield database
    await database.close()
