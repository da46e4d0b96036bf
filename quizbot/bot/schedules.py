"""Scheduled games: once a minute, claim the runs that fell due and start each game in its channel.

`running_bot` owns one `ScheduleRunner` (started with the bot, stopped before the client closes).
Each sweep first claims the role pings due (`storage.schedules.claim_pings`) and posts them, pinging
that one role and nobody else; then it claims the due runs (`claim_runs`), which moves each schedule
on to its next run in the statement that finds it, so of several processes exactly one gets a run,
and never twice. A run starts the game exactly as /trivia start does (the server's defaults under
the schedule's options, questions prepared first, the announcement before the first question),
hosted by the admin who made the schedule.

- A channel with a game (or a start) under way: the run waits, tried again every minute, and after
  `BUSY_WAIT` it is skipped with a note in the channel.
- A run claimed more than `MISSED_AFTER` late (the bot was down at its time) is skipped, and the
  channel is told; within it, it starts on return. Either way the claim moved it on: never twice.
- A channel Discord no longer knows (deleted) disables the schedule, logged and shown in
  /trivia schedule list. Runs waiting in this process when it stops are lost: once at most.

Runs fall due on the games' clock (as a question's close does); a test moves it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import disnake
from loguru import logger

from quizbot.bot.catalogue import Refused, say
from quizbot.bot.context import QuizContext
from quizbot.bot.limiter import Limiter, Priority
from quizbot.bot.render import Rendered
from quizbot.bot.starting import (
    announce,
    begin,
    prepare_questions,
    quiz_language,
    sized_to,
    start_session,
    starting_embed,
)
from quizbot.bot.sweeper import ShardSweeper
from quizbot.errors import QuizbotError, SessionExists
from quizbot.game.progression import Difficulty
from quizbot.game.session import AnswerMode, SessionConfig
from quizbot.storage.guilds import guild_settings
from quizbot.storage.schedules import (
    ClaimedPing,
    ClaimedRun,
    Shards,
    claim_pings,
    claim_runs,
    disable_schedule,
)

BUSY_WAIT = timedelta(minutes=5)  # how long a run waits for a busy channel
MISSED_AFTER = timedelta(minutes=10)  # later than this (the bot was down), a run is skipped
CHANNEL_DELETED = "channel_deleted"  # a disabled schedule's reason, worded by /trivia schedule list
PER_SWEEP = 100  # runs (and pings) claimed a page at a time


@dataclass(slots=True)
class Waiting:
    """A claimed run not started yet: its channel was busy when tried."""

    run: ClaimedRun
    claimed_at: datetime

    @property
    def key(self) -> tuple[int, int]:
        return (self.run.guild_id, self.run.channel_id)


@dataclass(slots=True)
class RunSweep:
    """What one sweep did."""

    pinged: int = 0
    started: int = 0
    waiting: int = 0
    skipped: int = 0  # busy too long, or missed while down
    disabled: int = 0
    failed: int = 0
    outage: bool = False


class ScheduleRunner(ShardSweeper):
    """The background runner of scheduled games; `sweep_once` is one minute's work."""

    what = "scheduled-games"

    def __init__(
        self, bot: disnake.Client, context: QuizContext, limiter: Limiter, *, shards: Shards
    ) -> None:
        super().__init__(bot, context, limiter, shards=shards)
        self.waiting: list[Waiting] = []

    async def sweep_once(self, now: datetime) -> RunSweep:
        """Post the pings due, claim the runs due, and try every claimed run not started yet."""
        done = RunSweep()
        try:
            pings = await claim_pings(self.ctx.db, now, limit=PER_SWEEP, shards=self.shards)
            runs = await claim_runs(self.ctx.db, now, limit=PER_SWEEP, shards=self.shards)
        except Exception as error:  # an outage: the next minute claims them (none is lost or doubled)
            logger.warning("could not claim scheduled games ({}); trying again next minute", error)
            done.outage = True
            pings, runs = [], []
        for ping in pings:
            done.pinged += await self._ping(ping)
        for run in runs:
            if now - run.scheduled > MISSED_AFTER:
                self._note(run, "schedule.note.missed", run.scheduled)
                done.skipped += 1
                continue
            self.waiting.append(Waiting(run, now))
        still: list[Waiting] = []
        for waiting in self.waiting:
            outcome = await self._try(waiting, now)
            if outcome == "waiting":
                still.append(waiting)
            setattr(done, outcome, getattr(done, outcome) + 1)
        self.waiting = still
        if done.started or done.skipped or done.disabled or done.failed:
            logger.info(
                "scheduled games: {} started, {} waiting, {} skipped, {} disabled, {} failed",
                done.started,
                done.waiting,
                done.skipped,
                done.disabled,
                done.failed,
            )
        return done

    async def _try(self, waiting: Waiting, now: datetime) -> str:
        """Start one claimed run if its channel is free; what became of it (a RunSweep field)."""
        run, key = waiting.run, waiting.key
        if key not in self.ctx.directory and key not in self.ctx.starting:
            return await self._run(run)
        if now - waiting.claimed_at < BUSY_WAIT:
            return "waiting"
        logger.bind(guild=key[0], channel=key[1], schedule=run.schedule_id).info(
            "the channel stayed busy; this run is skipped"
        )
        self._note(run, "schedule.note.busy", run.scheduled)
        return "skipped"

    async def _run(self, run: ClaimedRun) -> str:
        """Start the run in its free channel, or disable the schedule if the channel is gone."""
        log = logger.bind(guild=run.guild_id, channel=run.channel_id, schedule=run.schedule_id)
        try:
            if not await self._channel_exists(run):
                log.warning("the channel of a scheduled game is gone; the schedule is disabled")
                await disable_schedule(self.ctx.db, run.guild_id, run.schedule_id, CHANNEL_DELETED)
                return "disabled"
            await self._start(run)
        except (SessionExists, Refused):  # a /trivia start took the channel meanwhile: wait for it
            return "waiting"
        except disnake.Forbidden as error:  # the bot may no longer see the channel: nobody to tell
            log.warning(
                "a scheduled game's channel is closed to the bot ({}); this run is skipped", error.text
            )
            return "failed"
        except QuizbotError as error:  # no questions, the supervisor refusing: this run is dropped
            log.warning("a scheduled game could not start: {}", error)
            self._note(run, "schedule.note.failed", run.scheduled)
            return "failed"
        except Exception:  # a bug or an outage: this run is lost, the schedule's next one stands
            log.opt(exception=True).error("a scheduled game failed to start")
            return "failed"
        log.info("scheduled game started")
        return "started"

    async def _channel_exists(self, run: ClaimedRun) -> bool:
        """Whether Discord still has the channel in the schedule's guild (asked, not the cache)."""
        await self.limiter.acquire((run.guild_id, run.channel_id), Priority.BACKGROUND)
        try:
            channel = await self.bot.fetch_channel(run.channel_id)
        except disnake.NotFound:
            return False
        return getattr(getattr(channel, "guild", None), "id", run.guild_id) == run.guild_id

    async def _start(self, run: ClaimedRun) -> None:
        """Start the game as /trivia start would: server defaults under the schedule's options."""
        key = (run.guild_id, run.channel_id)
        options = run.options
        with self.ctx.starting_in(key):
            defaults = await guild_settings(self.ctx.db, run.guild_id)
            typed = options.mode == "typed" if options.mode else defaults.typed_answers
            difficulty = Difficulty(options.difficulty) if options.difficulty else defaults.default_difficulty
            config = SessionConfig(
                question_count=options.questions or defaults.default_questions,
                question_timeout=options.timeout or defaults.default_timeout,
                difficulty=difficulty,
                mode=AnswerMode.TYPED if typed else AnswerMode.BUTTONS,
                single_answer=options.single_answer,
                topic=options.topic or "general",
            )
            language = await quiz_language(self.ctx, key)
            prepared = await prepare_questions(
                self.ctx, run.guild_id, config, options.provider, language=language
            )
            config = sized_to(config, prepared)
            idle = float(defaults.idle_timeout)
            session = await start_session(self.ctx, key, run.created_by, config, prepared, idle_timeout=idle)

        def worded(locale: str) -> disnake.Embed:  # in the channel's language, when it is sent
            embed = starting_embed(say("trivia_starting", locale), config, prepared, locale=locale)
            embed.set_footer(text=say("schedule.footer", locale, number=run.schedule_id))
            return embed

        announce(self.ctx, key, worded)
        begin(session)

    def _note(self, run: ClaimedRun, key: str, moment: datetime) -> None:
        """Tell the schedule's channel why a run did not start (in its language, pinging no one)."""
        stamp = disnake.utils.format_dt(moment, "t")  # each reader's client shows it in their own zone
        words: dict[str, Any] = {"number": run.schedule_id, "time": stamp}
        self.ctx.outbox.post(
            (run.guild_id, run.channel_id), lambda locale: Rendered(content=say(key, locale, **words))
        )

    async def _ping(self, ping: ClaimedPing) -> int:
        """Post the role ping ahead of a run, allowing that one role to be mentioned; 1 if sent."""
        key = (ping.guild_id, ping.channel_id)
        log = logger.bind(guild=key[0], channel=key[1], schedule=ping.schedule_id)
        language = await quiz_language(self.ctx, key)
        stamp = disnake.utils.format_dt(ping.next_run, "R")  # "in 10 minutes", in the reader's words
        content = say("schedule.ping", language, role=f"<@&{ping.role_id}>", time=stamp)
        await self.limiter.acquire(key, Priority.BACKGROUND)
        try:
            channel = self.bot.get_partial_messageable(ping.channel_id)
            await channel.send(content=content, allowed_mentions=role_only(ping.role_id))
        except disnake.HTTPException as error:  # the channel gone or closed to the bot: the run will tell
            log.warning("could not post a scheduled game's role ping ({})", error)
            return 0
        return 1


def role_only(role_id: int) -> disnake.AllowedMentions:
    """Mentions limited to one role: never @everyone, @here, users or any other role."""
    return disnake.AllowedMentions(
        everyone=False, users=False, roles=[disnake.Object(role_id)], replied_user=False
    )
