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
from quizbot.testing import DiscordDouble, StandardGuild
from quizbot.testing.actors import settle
from quizbot.testing.clocks import QuietBot, SteppingClock
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
    edge, quiet = SteppingClock(time.time()), QuietBot()
    async with edge.stepping(quiet), DiscordDouble() as double:
        club = double.standard_guild("Club", channel_id=777, players=club_players)
        rival = double.standard_guild("Rival", channel_id=777, players=2)
        if club_locale is not None:
            club.guild.preferred_locale = club_locale
        if rival_locale is not None:
            rival.guild.preferred_locale = rival_locale
        options = {"guild_ready_timeout": 0.05}
        async with (
            running_bot(
                settings, db, clock=clock, edge_clock=edge, owner="bot-1", bot_options=options
            ) as running,
            double.running(running.bot),
        ):
            quiet.running = running
            yield World(double, club, rival, running, clock, db, edge)


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
