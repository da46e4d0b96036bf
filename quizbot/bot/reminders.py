"""Study reminders: once a minute, claim the reminders that fell due and DM each player whose cards wait.

`running_bot` owns one `ReminderSender`: started with the bot, stopped before the client closes.
Each sweep claims the due reminders with `storage.study.claim_reminders`, which moves each on to its
next day in the statement that finds it, so of several processes (shards, replicas) exactly one gets
any reminder, and a reminder is never claimed twice. A claimed reminder becomes a DM when the player
has cards due and its time of day has come today in the player's zone: one missed while the bot was
down goes out once on its return that day, and an older one (the bot came back the next day, before
the time) is skipped; the claim already moved it on, so it never comes twice.

The DM is worded in the player's language (their client's at their last command, else English),
pings no one, and goes through the bot's HTTP client within the edge's global request budget, after
everything in play (`Priority.BACKGROUND`). A sweep sends at most `per_minute` DMs and claims no more
than it can send; the rest are claimed in the next minute. A player whose DMs are closed (403, code
50007) or who is gone (404) has reminders turned off quietly, and the refusal is counted for
/supervisor status. A database outage is logged and the next minute tries again; nothing here
stops the bot. A reminder claimed and not yet sent when the bot stops is lost for that day: once
at most, never twice.

Reminders fall due on the games' clock (a daily moment, like a question's close; a test moves it by
hand); a send's retries wait on the edge clock, as the channels' do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiohttp
import disnake
from loguru import logger

from quizbot import i18n
from quizbot.backoff import full_jitter
from quizbot.bot.channel_language import ChannelLanguages
from quizbot.bot.limiter import Limiter, Priority
from quizbot.bot.localized import command_shown
from quizbot.bot.sweeper import MinuteSweeper
from quizbot.clock import Clock, sleep
from quizbot.i18n import LocaleLike
from quizbot.storage.pool import Database
from quizbot.storage.study import Reminder, cards_due, claim_reminders, stop_reminders

PER_MINUTE = 50  # DMs a sweep may send; the rest wait for the next minute's claim
SEND_ATTEMPTS = 3
RETRY_BASE, RETRY_CAP = 0.5, 5.0
CANNOT_DM = 50007  # Discord: "Cannot send messages to this user" (DMs closed, or no shared server)
START_COMMAND = ("study", "start")
STOP_COMMAND = ("study", "remind", "off")


class Outcome(Enum):
    """What became of one claimed reminder."""

    SENT = "sent"
    SKIPPED = "skipped"  # no card due, or its day is over
    REFUSED = "refused"  # DMs closed or the user gone: reminders turned off
    FAILED = "failed"  # Discord kept failing; today's reminder is lost, tomorrow's stands


@dataclass(slots=True)
class Sweep:
    """What one sweep did."""

    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    refused: int = 0
    failed: int = 0
    outage: bool = False  # the database could not be reached; the next minute tries again

    def note(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)


@dataclass(frozen=True, slots=True)
class ReminderFigures:
    """Reminders this process sent, and refusals (closed DMs) that turned a player's off, since start."""

    sent: int
    refused: int


class ReminderSender(MinuteSweeper):
    """The background sender of study reminders; `sweep_once` is one minute's work."""

    what = "study-reminders"

    def __init__(
        self,
        bot: disnake.Client,
        db: Database,
        languages: ChannelLanguages,
        limiter: Limiter,
        *,
        clock: Clock,
        edge_clock: Clock,
        per_minute: int = PER_MINUTE,
    ) -> None:
        super().__init__(bot, clock=clock)
        self.db = db
        self.languages = languages
        self.limiter = limiter
        self.edge_clock = edge_clock
        self.per_minute = per_minute
        self.sent = 0
        self.refused = 0

    def figures(self) -> ReminderFigures:
        return ReminderFigures(self.sent, self.refused)

    async def sweep_once(self, now: datetime) -> Sweep:
        """Claim the reminders due by `now`, page by page, and send those with cards due today."""
        done = Sweep()
        room = self.per_minute
        while room > 0:
            asked = room
            try:
                claimed = await claim_reminders(self.db, now, limit=asked)
            except Exception as error:  # an outage (or anything storage does): next minute tries again
                logger.warning("could not claim study reminders ({}); trying again next minute", error)
                done.outage = True
                break
            done.claimed += len(claimed)
            today = [reminder for reminder in claimed if due_today(reminder, now)]
            try:
                due = await cards_due(self.db, [reminder.user_id for reminder in today], now)
            except Exception as error:  # an outage: these are lost for today, never sent twice
                logger.warning("could not count the claimed reminders' cards ({}); skipped", error)
                done.outage = True
                break
            for reminder in claimed:
                try:
                    outcome = await self._remind(reminder, now, due.get(reminder.user_id, 0))
                except Exception:  # a bug: this one is lost for today, the others still go
                    logger.bind(user=reminder.user_id).opt(exception=True).error("a study reminder failed")
                    outcome = Outcome.FAILED
                done.note(outcome)
                if outcome is Outcome.SENT:
                    self.sent += 1
                elif outcome is Outcome.REFUSED:
                    self.refused += 1
                if outcome is not Outcome.SKIPPED:
                    room -= 1
            if len(claimed) < asked:
                break  # nothing more is due
        if done.claimed:
            logger.info(
                "study reminders: {} claimed, {} sent, {} skipped, {} refused, {} failed",
                done.claimed,
                done.sent,
                done.skipped,
                done.refused,
                done.failed,
            )
        return done

    async def _remind(self, reminder: Reminder, now: datetime, cards: int) -> Outcome:
        """DM one claimed reminder if it is still due today and `cards` wait; turn it off if refused."""
        if cards <= 0 or not due_today(reminder, now):
            return Outcome.SKIPPED
        log = logger.bind(user=reminder.user_id)
        content = reminder_text(reminder.locale or self.languages.of_player(reminder.user_id), cards)
        for attempt in range(SEND_ATTEMPTS):
            if attempt:
                await sleep(self.edge_clock, full_jitter(attempt - 1, RETRY_BASE, RETRY_CAP))
            try:
                await self._send(reminder.user_id, content)
                return Outcome.SENT
            except disnake.HTTPException as error:
                if refused(error):
                    log.info("the player's DMs are closed or they are gone ({}); reminders off", error.text)
                    await self._turn_off(reminder.user_id)
                    return Outcome.REFUSED
                if error.status < 500 and error.status != 429:
                    log.error("Discord refused a study reminder ({}); it is dropped", error)
                    return Outcome.FAILED
                log.warning("a study reminder failed ({}); retrying", error)
            except (TimeoutError, OSError, aiohttp.ClientError) as error:
                log.warning("a study reminder failed ({!r}); retrying", error)
        log.error("a study reminder kept failing; today's is dropped")
        return Outcome.FAILED

    async def _send(self, user_id: int, content: str) -> None:
        """Open the DM and post in it: two requests, each within the global budget."""
        key = (0, user_id)
        await self.limiter.acquire(key, Priority.BACKGROUND)
        channel = await self.bot.create_dm(disnake.Object(user_id))
        await self.limiter.acquire(key, Priority.BACKGROUND)
        await channel.send(content=content, allowed_mentions=disnake.AllowedMentions.none())

    async def _turn_off(self, user_id: int) -> None:
        try:
            await stop_reminders(self.db, user_id)
        except Exception as error:  # an outage: the next reminder is refused and turned off then
            logger.bind(user=user_id).warning("could not turn off refused reminders ({})", error)


def due_today(reminder: Reminder, now: datetime) -> bool:
    """Whether the reminder's time of day has come today in its player's zone. One claimed on its
    own day has; one left from an earlier day (the bot was down) has once today's moment passed
    too, so it goes out once that day, and not at all when the bot is back before the time (the
    claim moved it on to today's moment)."""
    zone = _zone(reminder.time_zone)
    return reminder.scheduled.astimezone(zone).time() <= now.astimezone(zone).time()


def refused(error: disnake.HTTPException) -> bool:
    """Whether Discord refuses DMs to this user for good: closed DMs, or the user is gone."""
    return isinstance(error, disnake.Forbidden | disnake.NotFound) or error.code == CANNOT_DM


def reminder_text(locale: LocaleLike, cards_due: int) -> str:
    """The reminder DM in `locale`: how many cards are due, how to start, how to stop."""
    start, stop = command_shown(locale, *START_COMMAND), command_shown(locale, *STOP_COMMAND)
    return i18n.text(locale, "reminder.due", count=cards_due, start=start, stop=stop)


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # checked when set; UTC rather than no reminder
        return UTC
