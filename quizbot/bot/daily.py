"""The question of the day: once a minute, claim the guilds whose hour has come and post theirs.

`running_bot` owns one `DailyPoster` (started with the bot, stopped before the client closes). Each
sweep claims the due posts (`storage.daily.claim_daily_posts`), which moves each guild on to its
next day's hour in the statement that finds it, so of several processes exactly one posts a day.

A question of the day is an ordinary session (`SessionConfig.daily`) keyed by its channel, like a
game there: it stays open until the next day's post, so the daily channel holds no other game
(/trivia start there is refused as in any busy channel). A post waits while that channel's session
(yesterday's, closing at this very minute, or a game started in between) is still running and its
answers are not all written; then it opens with yesterday's recap (the answer, its explanation,
how many got it right, and who if the server wants names) and today's question.

- A post claimed with less than an hour before the next one is due (the bot was down most of the
  day) is skipped: the next one comes soon. A claim replaced by the next day's drops the older.
- A channel Discord no longer knows turns the question of the day off (logged); one closed to the
  bot skips that day (logged). Posts waiting in this process when it stops are lost: once at most.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import disnake
from loguru import logger

from quizbot.bot.catalogue import Refused, say
from quizbot.bot.context import QuizContext
from quizbot.bot.limiter import Limiter, Priority
from quizbot.bot.render import GREEN, Rendered, checked
from quizbot.bot.reveal_view import correct_answer, report_button
from quizbot.bot.starting import begin, prepare_questions, quiz_language, start_session
from quizbot.bot.sweeper import ShardSweeper
from quizbot.errors import QuizbotError, SessionExists
from quizbot.game.config import DAILY_WINDOWS, SessionConfig
from quizbot.game.questions import Question
from quizbot.i18n import LocaleLike
from quizbot.storage.daily import (
    ClaimedPost,
    DailyPost,
    DailyRecap,
    claim_daily_posts,
    clear_daily,
    daily_recap,
    last_daily_post,
    record_daily_post,
)
from quizbot.storage.questions import find_questions
from quizbot.storage.schedules import Shards

PER_SWEEP = 100  # posts claimed a page at a time
NAMES_SHOWN = 20  # at most this many people named in a recap
RECORDING_WAIT = timedelta(minutes=10)  # past this, yesterday's recap is shown with what is written
NOBODY_HOSTS = 0  # a question of the day has no host: moderators may still stop it
IDLE_AFTER = 3600.0  # its session is never idle before it closes
DAILY_RUNS = uuid.UUID("9b0c6a52-3f0e-4c4e-9d0a-6f1b2c3d4e5f")  # a day's run id: uuid5 of guild and day


@dataclass(slots=True)
class DailySweep:
    """What one sweep did."""

    posted: int = 0
    waiting: int = 0
    skipped: int = 0
    failed: int = 0
    outage: bool = False


class DailyPoster(ShardSweeper):
    """The background poster of the question of the day; `sweep_once` is one minute's work."""

    what = "daily-question"

    def __init__(
        self, bot: disnake.Client, context: QuizContext, limiter: Limiter, *, shards: Shards
    ) -> None:
        super().__init__(bot, context, limiter, shards=shards)
        self.waiting: dict[int, ClaimedPost] = {}  # by guild: a claimed post not made yet

    async def sweep_once(self, now: datetime) -> DailySweep:
        """Claim the posts due, and try every claimed post not made yet."""
        done = DailySweep()
        try:
            for post in await claim_daily_posts(self.ctx.db, now, limit=PER_SWEEP, shards=self.shards):
                self.waiting[post.guild_id] = post
        except Exception as error:  # an outage: the next minute claims them (none is lost or doubled)
            logger.warning("could not claim the questions of the day ({}); trying again next minute", error)
            done.outage = True
        for guild_id, post in list(self.waiting.items()):
            outcome = await self._try(post, now)
            if outcome != "waiting":
                del self.waiting[guild_id]
            setattr(done, outcome, getattr(done, outcome) + 1)
        if done.posted or done.skipped or done.failed:
            logger.info(
                "questions of the day: {} posted, {} waiting, {} skipped, {} failed",
                done.posted,
                done.waiting,
                done.skipped,
                done.failed,
            )
        return done

    async def _try(self, post: ClaimedPost, now: datetime) -> str:
        """Make one claimed post once its channel is free; what became of it (a DailySweep field)."""
        key = (post.guild_id, post.channel_id)
        window = (post.next_post - now).total_seconds()
        if window < DAILY_WINDOWS[0]:
            logger.bind(guild=key[0], channel=key[1]).info(
                "the question of the day is skipped: the next one is due within the hour"
            )
            return "skipped"
        if key in self.ctx.directory or key in self.ctx.starting:
            return "waiting"
        return await self._run(post, now, window)

    async def _run(self, post: ClaimedPost, now: datetime, window: float) -> str:
        """Post it in its free channel: "posted", "waiting" (yesterday's answers are still being
        written, or a start took the channel) or "failed" (logged; a deleted channel turns it off)."""
        log = logger.bind(guild=post.guild_id, channel=post.channel_id)
        try:
            return await self._post(post, now, window)
        except (SessionExists, Refused):  # a /trivia start took the channel meanwhile: wait for it
            return "waiting"
        except disnake.HTTPException as error:
            if isinstance(error, disnake.NotFound):
                log.warning("the question of the day's channel is gone; it is turned off")
                await clear_daily(self.ctx.db, post.guild_id)
            else:
                log.warning("the question of the day's channel refused it ({}); skipped", error.text)
            return "failed"
        except QuizbotError as error:  # no question, the supervisor refusing: this day is dropped
            log.warning("the question of the day could not be posted: {}", error)
            return "failed"
        except Exception:  # a bug or an outage: this day is lost, the next one stands
            log.opt(exception=True).error("the question of the day failed")
            return "failed"

    async def _post(self, post: ClaimedPost, now: datetime, window: float) -> str:
        """Open today's question (kept first, for tomorrow's recap), announced with yesterday's, once
        yesterday's answers are all written (or, past RECORDING_WAIT, with those that are)."""
        key = (post.guild_id, post.channel_id)
        before = await last_daily_post(self.ctx.db, post.guild_id, post.day)
        recap = None if before is None else await daily_recap(self.ctx.db, before.run_id)
        writing = before is not None and recap is not None and not recap.recorded
        if writing and before is not None and now - before.closes_at < RECORDING_WAIT:
            return "waiting"
        await self.limiter.acquire(key, Priority.BACKGROUND)
        await self.bot.fetch_channel(post.channel_id)  # NotFound: deleted; Forbidden: closed to us
        asked = await find_questions(self.ctx.db, [before.question]) if before is not None else {}
        yesterday = asked.get(before.question) if before is not None else None
        with self.ctx.starting_in(key):
            language = await quiz_language(self.ctx, key)
            config = SessionConfig.daily("general", window=window)
            prepared = await prepare_questions(self.ctx, post.guild_id, config, "bank", language=language)
            if len(prepared.questions) != 1:
                raise QuizbotError("no question of the day could be chosen")
            today = prepared.questions[0]
            run_id = uuid.uuid5(DAILY_RUNS, f"{post.guild_id}:{post.day.isoformat()}")  # a retry's too
            await record_daily_post(
                self.ctx.db,
                DailyPost(post.guild_id, post.day, post.channel_id, run_id, today.identity, post.next_post),
            )
            session = await start_session(
                self.ctx, key, NOBODY_HOSTS, config, prepared, idle_timeout=window + IDLE_AFTER, run_id=run_id
            )
        shown = recap if yesterday is not None else None
        names = post.show_names

        def worded(locale: str) -> Rendered:  # in the channel's language, when it is sent
            embed = daily_embed(post.next_post, yesterday, shown, names=names, locale=locale)
            report = [report_button(yesterday, locale)] if yesterday is not None and shown is not None else []
            return checked(Rendered(embed=embed, buttons=report))  # yesterday's question can be reported

        self.ctx.outbox.post(key, worded)  # announced as a quiz is (see starting.announce)
        begin(session)
        log = logger.bind(guild=key[0], channel=key[1])
        log.info("question of the day posted")
        return "posted"


def daily_embed(
    closes: datetime,
    yesterday: Question | None,
    recap: DailyRecap | None,
    *,
    names: bool,
    locale: LocaleLike,
) -> disnake.Embed:
    """The day's post: yesterday's answer, explanation and how many got it right (and who, if the
    server shows names), then today's question's title and until when it is open."""
    until = disnake.utils.format_dt(closes, "t")
    embed = disnake.Embed(
        title=say("daily.title", locale), description=say("daily.open", locale, time=until), colour=GREEN
    )
    if yesterday is None or recap is None:
        return embed
    answer = correct_answer(yesterday, str(locale))[:200]
    lines = [f"**{yesterday.text[:300]}**", yesterday.explanation[:500]]
    if recap.answered:
        lines.append(say("daily.recap.count", locale, count=recap.answered, right=len(recap.right)))
    else:
        lines.append(say("daily.recap.nobody", locale))
    if names and recap.right:
        mentions = " ".join(f"<@{user}>" for user in recap.right[:NAMES_SHOWN])
        more = len(recap.right) - NAMES_SHOWN
        lines.append(say("daily.recap.more", locale, names=mentions, count=more) if more > 0 else mentions)
    embed.add_field(say("daily.recap.title", locale, answer=answer), "\n".join(filter(None, lines))[:1024])
    return embed
