"""Scheduled games through the loopback Discord and PostgreSQL, on the injected games' clock: a run
starts once at its time, waits for a busy channel then skips with a note, starts on return from a
short downtime and is skipped with a note after a long one, pings its role alone, disables itself
when its channel is deleted, and starts once when two processes race for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta

import pytest

from quizbot.bot.app import RunningBot
from quizbot.clock import ManualClock
from quizbot.config import Settings
from quizbot.storage.pool import Database
from quizbot.storage.schedules import DAILY, GameOptions, add_schedule, list_schedules
from quizbot.testing import DiscordDouble, MessageRecord, StandardGuild
from quizbot.testing.actors import settle
from tests.bot.conftest import bot_on
from tests.bot.play import is_question

START = datetime(2026, 3, 10, 19, 45, tzinfo=UTC)  # a Tuesday; the games run at 20:00 UTC
MESSAGE_ROUTE = "POST /channels/{channel_id}/messages"


def at(hour: int, minute: int, *, day: int = 0) -> datetime:
    return START.replace(hour=hour, minute=minute) + timedelta(days=day)


async def schedule(db: Database, club: StandardGuild, **ping: int) -> None:
    """A daily game at 20:00 (UTC, the server's default zone) in the club's #trivia, made by its admin."""
    options = GameOptions(topic="science", questions=2, timeout=5)
    number = await add_schedule(
        db, club.guild.id, club.channel.id, club.admin.id, time(20, 0), DAILY, options, START, **ping
    )
    assert number == 1


@asynccontextmanager
async def scene(db: Database, **ping: int) -> AsyncIterator[tuple[DiscordDouble, StandardGuild, ManualClock]]:
    """The double with the club, its daily 20:00 game scheduled, and the games' clock at START."""
    async with DiscordDouble() as double:
        club = double.standard_guild("Club", players=2)
        await schedule(db, club, **ping)
        yield double, club, ManualClock(START.timestamp())


@asynccontextmanager
async def bot(
    double: DiscordDouble, db: Database, clock: ManualClock, *, owner: str = "bot-1"
) -> AsyncIterator[RunningBot]:
    """The bot on `double`, once its first sweep (what fell due while it was down) is done."""
    async with bot_on(double, db, Settings(), clock, owner=owner) as (running, _):
        await running.schedules.resting()
        await quiet(running)
        yield running


async def quiet(running: RunningBot) -> None:
    """Let the sessions catch up and send what is queued for Discord."""
    await settle(running.service.supervisor, ask_timeout=5)
    await running.channel.drained()


async def until(running: RunningBot, clock: ManualClock, moment: datetime) -> None:
    """Move the clock to `moment`, wait for the sweep that calls for, and for what it sent."""
    clock.advance(moment.timestamp() - clock.time())
    await running.schedules.resting()
    await quiet(running)


async def minute_by_minute(running: RunningBot, clock: ManualClock, last: datetime) -> None:
    """Move the clock on a minute at a time up to `last`, as the bot would live them."""
    while clock.time() < last.timestamp():
        await until(running, clock, datetime.fromtimestamp(clock.time(), UTC) + timedelta(minutes=1))


def posted(double: DiscordDouble, club: StandardGuild, words: str) -> list[MessageRecord]:
    """The bot's public messages in the club's #trivia that contain `words`."""
    return [
        m
        for m in double.store.messages.values()
        if m.from_bot and m.key == club.channel.key and not m.ephemeral and not m.deleted and words in m.text
    ]


def starts(double: DiscordDouble, club: StandardGuild) -> list[MessageRecord]:
    return posted(double, club, "Trivia is starting")


async def test_a_scheduled_game_starts_once_at_its_time_and_again_the_next_day(db: Database) -> None:
    """Nothing before 20:00; at 20:00 one game (announced with its schedule's number, then its first
    question); nothing more that evening; the next day at 20:00 another."""
    async with scene(db) as (double, club, clock), bot(double, db, clock) as running:
        await until(running, clock, at(19, 59))
        assert starts(double, club) == []
        await until(running, clock, at(20, 0))
        [started] = starts(double, club)
        assert started.embeds[0]["footer"]["text"] == "Scheduled game #1"
        assert "2 medium questions from the offline bank (science), 5 seconds each" in started.text
        assert [m for m in double.store.messages.values() if is_question(m) and m.key == club.channel.key]
        await minute_by_minute(running, clock, at(20, 5))
        await until(running, clock, at(23, 59))
        assert len(starts(double, club)) == 1
        await until(running, clock, at(20, 0, day=1))
        assert len(starts(double, club)) == 2
        assert [s.next_run for s in await list_schedules(db, club.guild.id)] == [at(20, 0, day=2)]


@pytest.mark.parametrize("freed", [False, True], ids=["stays-busy", "freed-at-20:02"])
async def test_a_busy_channel_makes_the_run_wait_up_to_five_minutes_then_skip_with_a_note(
    db: Database, freed: bool
) -> None:
    """A quiz started by hand at 19:58 is still running at 20:00: the run waits, tried every minute.
    Still busy at 20:05, it is skipped with a note in the channel (once); freed at 20:02, the
    scheduled game starts at the next minute instead."""
    async with scene(db) as (double, club, clock), bot(double, db, clock) as running:
        await until(running, clock, at(19, 58))
        by_hand = {"topic": "science", "questions": 20, "timeout": 120}
        record = await double.slash(club.guild, club.channel, club.admin, "trivia start", by_hand)
        await record.wait_ack()
        await double.wait_for_message(lambda m: "Trivia is starting" in m.text, channel=club.channel.key)
        await quiet(running)
        await minute_by_minute(running, clock, at(20, 2))
        assert len(starts(double, club)) == 1 and len(running.schedules.waiting) == 1
        if freed:
            stop = await double.slash(club.guild, club.channel, club.admin, "trivia stop")
            await stop.wait_ack()
            await quiet(running)
        await minute_by_minute(running, clock, at(20, 10))
        skipped = posted(double, club, "is skipped: a quiz was still running here after 5 minutes")
        if freed:
            assert len(starts(double, club)) == 2 and skipped == []
            assert starts(double, club)[-1].embeds[0]["footer"]["text"] == "Scheduled game #1"
        else:
            assert len(starts(double, club)) == 1 and len(skipped) == 1
            assert skipped[0].content.startswith("⏭ Scheduled game **#1** (due at <t:")
        assert running.schedules.waiting == []


@pytest.mark.parametrize(
    ("back", "started", "noted"),
    [(at(20, 8), 1, 0), (at(20, 15), 0, 1), (at(9, 0, day=1), 0, 1)],
    ids=["back-within-10-min", "back-after-15-min", "back-next-morning"],
)
async def test_a_run_missed_while_down_starts_on_return_within_ten_minutes_else_is_skipped_with_a_note(
    db: Database, back: datetime, started: int, noted: int
) -> None:
    """The bot stops at 19:55 and the clock passes 20:00 with no bot. Back by 20:10 the game starts on
    return; later, the channel is told it was missed. Either way never twice, and the next day's
    game is on time."""
    async with scene(db) as (double, club, clock):
        async with bot(double, db, clock) as running:
            await until(running, clock, at(19, 55))
        clock.advance(back.timestamp() - clock.time())  # nobody sweeps meanwhile
        async with bot(double, db, clock) as running:
            missed = "was missed while I was offline, so it is skipped"
            assert (len(starts(double, club)), len(posted(double, club, missed))) == (started, noted)
            await minute_by_minute(running, clock, back + timedelta(minutes=3))
            assert (len(starts(double, club)), len(posted(double, club, missed))) == (started, noted)
            await until(running, clock, at(20, 0, day=1))
            assert len(starts(double, club)) == started + 1


async def test_the_role_ping_comes_minutes_before_and_may_mention_only_that_role(db: Database) -> None:
    """Ten minutes before 20:00 the channel is told, pinging the chosen role: the request allows that
    role's mention and nothing else (no @everyone, no users)."""
    role_id = 424242  # the runner pings whatever role the admin chose (checked then)
    pinged = scene(db, ping_role_id=role_id, ping_minutes=10)
    async with pinged as (double, club, clock), bot(double, db, clock) as running:
        await until(running, clock, at(19, 49))
        assert posted(double, club, "🔔") == []
        await until(running, clock, at(19, 50))
        [ping] = posted(double, club, "🔔")
        assert ping.content == f"🔔 <@&{role_id}> Trivia starts <t:{int(at(20, 0).timestamp())}:R>!"
        [request] = [r for r in double.request_log if r.route == MESSAGE_ROUTE and "🔔" in str(r.body)]
        assert request.body["allowed_mentions"] == {"parse": [], "roles": [role_id]}
        await minute_by_minute(running, clock, at(20, 1))
        assert len(posted(double, club, "🔔")) == 1 and len(starts(double, club)) == 1


async def test_a_schedule_whose_channel_was_deleted_is_disabled_and_logged(
    db: Database, warnings: list[str]
) -> None:
    """The channel is gone at 20:00: no game, the schedule is disabled with its reason (shown by
    /trivia schedule list) and a log line, and it never runs again."""
    async with scene(db) as (double, club, clock), bot(double, db, clock) as running:
        club.guild.channels.remove(club.channel)
        await until(running, clock, at(20, 0))
        [gone] = await list_schedules(db, club.guild.id)
        assert (gone.enabled, gone.disabled_reason) == (False, "channel_deleted")
        assert any("channel of a scheduled game is gone" in w for w in warnings)
        await until(running, clock, at(20, 0, day=1))
        assert starts(double, club) == [] and running.schedules.waiting == []


async def test_two_processes_racing_for_one_run_start_it_once(db: Database) -> None:
    """Two bots on one database sweep at the same 20:00: one claims the run, the game starts once."""
    async with (
        scene(db) as (double, club, clock),
        bot(double, db, clock) as first,
        bot(double, db, clock, owner="bot-2") as second,
    ):
        clock.advance(at(20, 0).timestamp() - clock.time())  # both wake for the same minute
        for running in (first, second):
            await running.schedules.resting()
            await quiet(running)
        assert len(starts(double, club)) == 1
        await minute_by_minute(first, clock, at(20, 3))
        await second.schedules.resting()
        assert len(starts(double, club)) == 1


async def test_a_channel_closed_to_the_bot_skips_that_run_and_keeps_the_schedule(
    db: Database, warnings: list[str]
) -> None:
    """Discord refuses the channel (403) at 20:00: that run is skipped with a log line, the schedule
    stays enabled, and the next day's game starts."""
    async with scene(db) as (double, club, clock), bot(double, db, clock) as running:
        double.fail_next(1, route="GET /channels/{channel_id}", status=403)
        await until(running, clock, at(20, 0))
        assert starts(double, club) == []
        assert any("channel is closed to the bot" in w for w in warnings)
        [kept] = await list_schedules(db, club.guild.id)
        assert kept.enabled
        await until(running, clock, at(20, 0, day=1))
        assert len(starts(double, club)) == 1
