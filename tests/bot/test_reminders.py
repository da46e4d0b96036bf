"""Study reminders through the loopback Discord and PostgreSQL: sent once at their time, durable
across downtime, exactly once between two processes, closed DMs turned off, outages survived."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta

import pytest

from quizbot.bot.app import RunningBot
from quizbot.clock import ManualClock
from quizbot.config import Settings
from quizbot.storage.pool import Database
from quizbot.storage.study import set_reminder, study_settings
from quizbot.testing import DiscordDouble, MessageRecord, User
from tests.bot.conftest import bot_on
from tests.pgproxy import PostgresProxy
from tests.storage.study_rows import put_card

MESSAGE_ROUTE = "POST /channels/{channel_id}/messages"
START = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # a Tuesday, 08:00 UTC
AT_NINE = time(9, 0)
DAY = timedelta(days=1)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """`hour`:`minute` UTC, `day` days after START's."""
    return START.replace(hour=hour, minute=minute) + day * DAY


def dms(double: DiscordDouble, user: User) -> list[MessageRecord]:
    """What the bot sent to `user` in DMs of its own accord (not answering a command), oldest first."""
    key = double.dm_channel(user).key
    return [
        m
        for m in double.store.messages.values()
        if m.from_bot and m.key == key and not m.deleted and m.interaction is None and m.webhook_id is None
    ]


async def until(running: RunningBot, clock: ManualClock, moment: datetime) -> None:
    """Move the clock to `moment` and wait for the sweep that calls for (if it crossed a minute)."""
    clock.advance(moment.timestamp() - clock.time())
    await running.reminders.resting()


async def studying(db: Database, user: User, *, cards_due: int = 1, remind_at: time = AT_NINE) -> None:
    """`user` with `cards_due` cards due at START and a daily reminder at `remind_at` UTC."""
    for question in range(cards_due):
        await put_card(db, user.id, question, START - DAY)
    await set_reminder(db, user.id, remind_at, START)


@asynccontextmanager
async def bot(double: DiscordDouble, db: Database, clock: ManualClock) -> AsyncIterator[RunningBot]:
    """The bot on `double`, once its first sweep (what fell due while it was down) is done."""
    async with bot_on(double, db, Settings(), clock) as (running, _):
        await running.reminders.resting()
        yield running


async def test_a_reminder_is_sent_once_at_its_time_when_cards_are_due_and_again_the_next_day(
    db: Database,
) -> None:
    """At 09:00 the player with due cards gets one DM (plural, how to start and stop, no pings);
    one with nothing due gets none; the next day at 09:00 another."""
    clock = ManualClock(START.timestamp())
    async with DiscordDouble() as double:
        ana, ben = double.add_user("ana"), double.add_user("ben")
        await studying(db, ana, cards_due=2)
        await put_card(db, ben.id, 1, START + 5 * DAY)  # not due for days
        await set_reminder(db, ben.id, AT_NINE, START)
        async with bot(double, db, clock) as running:
            await until(running, clock, at(0, 8, 59))
            assert dms(double, ana) == []
            await until(running, clock, at(0, 9))
            [reminder] = dms(double, ana)
            assert reminder.text == (
                "⏰ Time to study! You have **2** cards due for review.\n"
                "Start with `/study start`. To stop these reminders, use `/study remind off`."
            )
            posted = [r for r in double.request_log if r.path.endswith(f"/{reminder.channel.id}/messages")]
            assert [r.body["allowed_mentions"] for r in posted] == [{"parse": []}]
            await until(running, clock, at(0, 9, 1))
            await until(running, clock, at(0, 23, 59))
            assert len(dms(double, ana)) == 1
            await until(running, clock, at(1, 9))
            assert len(dms(double, ana)) == 2
            assert dms(double, ben) == []
            assert running.reminders.figures().sent == 2


async def test_the_reminder_speaks_the_player_s_language(db: Database) -> None:
    """A player whose client spoke German at their last /study is reminded in German: plural, and
    the commands as a German client names them."""
    clock = ManualClock(START.timestamp())
    async with DiscordDouble() as double:
        ana = double.add_user("ana")
        await studying(db, ana, cards_due=3)
        ana.locale = "de"
        async with bot(double, db, clock) as running:
            await (await double.slash(None, None, ana, "study stats")).wait_ack(timeout=3.0)
            await until(running, clock, at(0, 9))
            [reminder] = dms(double, ana)
            assert reminder.text == (
                "⏰ Zeit zum Lernen! Bei dir sind **3** Karten zur Wiederholung fällig.\n"
                "Leg los mit `/lernen starten`. Keine Erinnerungen mehr? Nutze `/lernen erinnerung aus`."
            )


async def test_a_failing_send_is_retried_and_the_reminder_arrives_once(db: Database) -> None:
    """Discord answers the DM's post with 503 twice: the sender retries (on the edge clock) and the
    player gets one reminder."""
    clock = ManualClock(START.timestamp())
    async with DiscordDouble() as double:
        ana = double.add_user("ana")
        await studying(db, ana)
        async with bot(double, db, clock) as running:
            double.server_error_next(2, status=503)  # one disnake itself does not retry
            await until(running, clock, at(0, 9))
            assert len(dms(double, ana)) == 1
            assert [r.status for r in double.request_log if r.route == MESSAGE_ROUTE] == [503, 503, 200]


@pytest.mark.parametrize(
    ("back", "on_return", "next_one"),
    [
        (at(0, 9, 30), 1, at(1, 9)),  # back the same day: sent once on return
        (at(1, 8), 0, at(1, 9)),  # back the next morning: yesterday's skipped, today's on time
        (at(1, 10), 1, at(2, 9)),  # back the next day after the time: today's, once
    ],
    ids=["same-day", "next-morning", "next-day-late"],
)
async def test_a_reminder_due_while_the_bot_was_down_is_sent_once_on_return_the_same_day(
    db: Database, back: datetime, on_return: int, next_one: datetime
) -> None:
    """The bot stops at 08:30; the clock passes 09:00 with no bot. Back the same day, the missed
    reminder goes out once; back the next morning, it is skipped and that day's comes at 09:00."""
    clock = ManualClock(START.timestamp())
    async with DiscordDouble() as double:
        ana = double.add_user("ana")
        await studying(db, ana)
        async with bot(double, db, clock) as running:
            await until(running, clock, at(0, 8, 30))
        clock.advance(back.timestamp() - clock.time())  # nobody sends meanwhile
        async with bot(double, db, clock) as running:
            assert len(dms(double, ana)) == on_return
            await until(running, clock, next_one - timedelta(minutes=1))
            assert len(dms(double, ana)) == on_return
            await until(running, clock, next_one)
            assert len(dms(double, ana)) == on_return + 1


async def test_two_processes_send_each_reminder_exactly_once(db: Database) -> None:
    """Two bots (shard 0 and shard 1 of 2, one database) sweep the same 20 due reminders at the same
    moment, five DMs a minute each: every player gets exactly one, the rest in the next minute."""
    clock = ManualClock(START.timestamp())
    async with DiscordDouble(shards=2) as double:
        players = [double.add_user(f"player{n}") for n in range(20)]
        for player in players:
            await studying(db, player)
        shards = [Settings(shard_count=2, shard_ids=(n,)) for n in (0, 1)]
        async with (
            bot_on(double, db, shards[0], clock, owner="bot-1") as (first, _),
            bot_on(double, db, shards[1], clock, owner="bot-2") as (second, _),
        ):
            senders = [first.reminders, second.reminders]
            for sender in senders:
                sender.per_minute = 5
                await sender.resting()
            clock.advance(at(0, 9).timestamp() - clock.time())  # both sweep now, racing for the same rows
            for sender in senders:
                await sender.resting()
            assert [s.sent for s in senders] == [5, 5]
            clock.advance(60)
            for sender in senders:
                await sender.resting()
            assert [len(dms(double, player)) for player in players] == [1] * 20
            assert sum(s.sent for s in senders) == 20


async def test_closed_dms_turn_reminders_off_and_are_counted_in_supervisor_status(db: Database) -> None:
    """A player who closed their DMs (403, 50007) and one who is gone have reminders turned off
    quietly; both refusals are counted and shown to the owner; a third player is reminded as usual."""
    clock = ManualClock(START.timestamp())
    async with DiscordDouble() as double:
        club = double.standard_guild("Club", players=1)
        closed, gone, open_ = double.add_user("closed"), double.add_user("gone"), double.add_user("open")
        closed.accepts_dms = False
        for user in (closed, gone, open_):
            await studying(db, user)
        del double.world.users[gone.id]
        async with bot(double, db, clock) as running:
            await until(running, clock, at(0, 9))
            assert dms(double, closed) == [] and len(dms(double, open_)) == 1
            for user in (closed, gone):
                assert (await study_settings(db, user.id)).remind_at is None
            assert (await study_settings(db, open_.id)).remind_at == AT_NINE
            assert running.reminders.figures().refused == 2
            await until(running, clock, at(1, 9))
            assert running.reminders.figures().refused == 2  # turned off: never asked again
            record = await double.slash(club.guild, club.channel, club.guild.owner, "supervisor status")
            await record.wait_ack(timeout=3.0)
            [status] = await record.wait_followups(1, timeout=5.0)
            fields = {f["name"]: f["value"] for f in status.embeds[0]["fields"]}
            assert fields["Study reminders"] == "2 sent · 2 turned off (DMs closed)"


async def test_a_database_outage_during_a_sweep_is_survived_and_the_next_sweep_sends(
    proxied_db: Database, db: Database, proxy: PostgresProxy, warnings: list[str]
) -> None:
    """PostgreSQL is away at 09:00: the sweep logs it and the bot goes on; at 09:01 it is back and
    the reminder goes out, once."""
    clock = ManualClock(START.timestamp())
    async with DiscordDouble() as double:
        ana = double.add_user("ana")
        await studying(db, ana)
        async with bot(double, proxied_db, clock) as running:
            await proxy.cut()
            await until(running, clock, at(0, 9))
            assert dms(double, ana) == []
            assert any("could not claim study reminders" in w for w in warnings)
            await proxy.restore()
            await until(running, clock, at(0, 9, 1))
            await until(running, clock, at(0, 9, 2))
            assert len(dms(double, ana)) == 1


async def test_a_reminder_keeps_the_language_it_was_set_in_after_a_restart(db: Database) -> None:
    """Set with /study remind at from a German client, the reminder is worded in German by a bot
    that started after it and has never seen the player (the locale is stored with the reminder)."""
    clock = ManualClock(START.timestamp())
    async with DiscordDouble() as double:
        ana = double.add_user("ana")
        ana.locale = "de"
        await put_card(db, ana.id, 0, START - DAY)
        async with bot(double, db, clock):
            command = await double.slash(None, None, ana, "study remind at", {"time": "09:00"})
            assert "09:00" in (await command.wait_ack(timeout=3.0)).content
        ana.locale = "en-US"  # whatever the client says now: this bot never sees a command of hers
        async with bot(double, db, clock) as running:
            await until(running, clock, at(0, 9))
            [reminder] = dms(double, ana)
            assert reminder.text.startswith("⏰ Zeit zum Lernen!")
