"""Builds and runs the whole bot: database, questions, supervisor, Discord client, and a clean stop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

from disnake.http import Route
from loguru import logger

from quizbot import i18n
from quizbot.actors.fanout import FanOut
from quizbot.actors.messages import ChannelLost
from quizbot.actors.policy import SupervisorSettings
from quizbot.bot.bot import QuizBot, build_bot
from quizbot.bot.channel import DiscordChannel
from quizbot.bot.channel_language import ChannelLanguages
from quizbot.bot.cogs import add_cogs
from quizbot.bot.context import QuizContext
from quizbot.bot.daily import DailyPoster
from quizbot.bot.housekeeping import keep_house
from quizbot.bot.reminders import ReminderSender
from quizbot.bot.role_grants import RoleGranter
from quizbot.bot.schedules import ScheduleRunner
from quizbot.bot.status import gather_status
from quizbot.clock import Clock, LoopClock
from quizbot.config import Settings
from quizbot.errors import QuizbotError
from quizbot.picture_files import QuestionPictures
from quizbot.questions.bank import QuestionBank
from quizbot.questions.custom import CustomPacks
from quizbot.questions.llm import LLMSource
from quizbot.questions.lookup import QuestionLookup
from quizbot.questions.sources import BankSource
from quizbot.service import QuizService, supervisor_settings
from quizbot.storage.guilds import PostgresAskedQuestions, guild_language
from quizbot.storage.packs import PostgresPackStore
from quizbot.storage.pool import Database
from quizbot.storage.questions import PostgresQuestionStore
from quizbot.storage.reports import PostgresHiddenQuestions
from quizbot.storage.schedules import Shards
from quizbot.web.context import WebContext
from quizbot.web.screens import screens_for
from quizbot.web.server import WebServer, start_web

CHANNEL_FLUSH_SECONDS = 3.0


@dataclass(slots=True)
class RunningBot:
    """A started bot and what it owns, for tests, the demo and `quizbot run`."""

    bot: QuizBot
    service: QuizService
    channel: DiscordChannel
    llm: LLMSource
    reminders: ReminderSender
    roles: RoleGranter
    schedules: ScheduleRunner
    daily: DailyPoster
    web: WebServer | None = None  # the web view, when QUIZBOT_WEB_PORT is set


def point_at(api_base: str | None) -> None:
    """Send disnake's REST calls to `api_base` (a loopback Discord in tests and the demo)."""
    if api_base:
        Route.BASE = api_base.rstrip("/")


@asynccontextmanager
async def running_bot(  # noqa: PLR0915 - the one place where everything is wired together
    settings: Settings,
    db: Database,
    *,
    clock: Clock | None = None,
    edge_clock: Clock | None = None,
    supervisor: SupervisorSettings | None = None,
    owner: str | None = None,
    bot_options: dict[str, Any] | None = None,
    journal: bool = True,
) -> AsyncIterator[RunningBot]:
    """Wire everything, start the supervisor (respawning live sessions) and yield; stop it all after.

    The caller logs the bot in (`bot.start(token)`); leaving the block snapshots every session,
    sends what is queued for Discord (briefly), and closes the client and the providers.
    `clock` times the games, study reminders and scheduled games; `edge_clock` paces what is sent
    to Discord (both the loop's by default). The schedule runner and the reminder sender are
    stopped first on the way out.
    `journal=False` is for measurement only: see QuizService.
    """
    i18n.load()  # every locale file, read and checked once: a malformed one stops start-up here
    bank, errors = QuestionBank.load()
    for error in errors:
        logger.error("question pack skipped: {}", error)
    custom = CustomPacks(PostgresPackStore(db), bank)
    hidden = PostgresHiddenQuestions(db)
    bank_source = BankSource(bank, PostgresAskedQuestions(db), custom=custom, hidden=hidden)
    llm = LLMSource.from_settings(settings.llm, bank_source)
    bot = build_bot(
        typed_answers=settings.typed_answers,
        shard_count=settings.shard_count,
        shard_ids=settings.shard_ids,
        **(bot_options or {}),
    )
    keep_house()  # bounded webhook locks, short collector pauses: see housekeeping
    edge_clock = edge_clock or LoopClock()
    pictures = QuestionPictures(db)  # questions' attachment pictures: uploaded to Discord, served on screens
    languages = ChannelLanguages(bot, lambda guild_id: guild_language(db, guild_id), clock=edge_clock)
    bot.add_listener(languages.seen_command, "on_slash_command")  # a /quiz player's locale, for the DM
    channel = DiscordChannel(  # it reads epochs and modes from the service's directory, made below
        bot,
        epoch_of=lambda key: listing.epoch if (listing := service.directory.get(key)) else None,
        typed_mode=lambda key: bool((listing := service.directory.get(key)) and listing.typed),
        languages=languages,
        clock=edge_clock,
        pictures=pictures,
    )
    games_clock = clock or LoopClock()
    screens = await screens_for(settings.web, db, games_clock)  # live games' screens, with the web view
    service = QuizService(
        db,
        channel if screens is None else FanOut(channel, screens),  # the web is told what the channel is
        supervisor or supervisor_settings(settings),
        clock=games_clock,
        owner=owner,
        journal=journal,
    )
    ref = await service.start()

    def channel_lost(key: tuple[int, int]) -> None:
        try:
            ref.tell(ChannelLost(key))
        except QuizbotError as error:  # shutting down: the quiz is being saved and stopped anyway
            logger.bind(guild=key[0], channel=key[1]).warning("channel lost, not reported: {}", error)

    channel.on_lost = channel_lost
    reminders = ReminderSender(  # reminders fall due on the games' clock; their retries wait at the edge
        bot, db, languages, channel.limiter, clock=games_clock, edge_clock=edge_clock
    )
    context = QuizContext(
        directory=service.directory,
        supervisor_ref=ref,
        db=db,
        bank=bank,
        questions=llm,
        bank_questions=bank_source,
        custom=custom,
        outbox=channel,
        lookup=QuestionLookup(bank, PostgresQuestionStore(db), hidden, custom=custom),
        providers=tuple(llm.slots),
        languages=languages,
        clock=games_clock,
        reminders=reminders,
        screens=screens,
    )
    bot.context = context
    add_cogs(bot)
    reminders.start()  # it waits for the bot to be ready, then sweeps every minute
    roles = RoleGranter(bot, db, channel.limiter, clock=games_clock)  # role rewards, on the games' clock
    roles.start()
    shards = Shards(settings.shard_count, settings.shard_ids)  # scheduled games, on the games' clock:
    schedules = ScheduleRunner(bot, context, channel.limiter, shards=shards)  # this process's guilds
    schedules.start()
    daily = DailyPoster(bot, context, channel.limiter, shards=shards)  # the question of the day, likewise
    daily.start()
    web_view = WebContext(  # it reads storage and the status the owner sees; it never calls Discord
        db,
        frozenset(bank.categories),
        admin_token=settings.web.admin_token,
        status=lambda: gather_status(context),
        requests_per_minute=settings.web.requests_per_minute,
        screens=screens,
        pictures=pictures,
    )
    web = await start_web(settings.web, web_view)
    if screens is not None and web is not None and not settings.web.public_url:
        screens.base_url = replace(settings.web, port=web.port).base_url  # the port it got (0: any)
    try:
        yield RunningBot(bot, service, channel, llm, reminders, roles, schedules, daily, web)
    finally:
        if web is not None:  # first: no page reads a bot that is stopping
            await web.stop()
        await daily.stop()
        await schedules.stop()
        await roles.stop()
        await reminders.stop()
        await service.stop()
        await channel.flush(within=CHANNEL_FLUSH_SECONDS)
        await channel.close()
        await llm.aclose()
        if not bot.is_closed():
            await bot.close()


async def run_forever(settings: Settings, db: Database) -> None:
    """`quizbot run`: log in with DISCORD_TOKEN and serve until SIGTERM or SIGINT."""
    point_at(settings.discord_api_base)
    async with running_bot(settings, db) as running:
        login = asyncio.create_task(running.bot.start(settings.discord_token.value), name="discord")
        stop = asyncio.create_task(running.service.run_until_signalled(), name="signals")
        done, _ = await asyncio.wait({login, stop}, return_when=asyncio.FIRST_COMPLETED)
        for task in (login, stop):
            if task not in done:
                task.cancel()
        await asyncio.gather(login, stop, return_exceptions=True)
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
