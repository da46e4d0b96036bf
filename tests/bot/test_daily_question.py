"""The question of the day through the loopback Discord and PostgreSQL, on the injected games' clock:
/settings set turns it on (refusals included), the post at the server's hour (across a DST change),
private answers, the next day's recap (counts, names on and off), a restart in the middle of its
day, two processes posting once, and the daily streak on /stats."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from quizbot import i18n
from quizbot.bot.app import RunningBot
from quizbot.bot.catalogue import MESSAGES
from quizbot.bot.custom_ids import report_id
from quizbot.bot.daily import daily_embed
from quizbot.clock import ManualClock
from quizbot.game.questions import Question
from quizbot.storage.daily import DailyRecap, daily_settings, last_daily_post
from quizbot.storage.guilds import GuildSettings, save_guild_settings
from quizbot.storage.pool import Database
from quizbot.storage.questions import find_questions
from quizbot.testing import DiscordDouble, Member, MessageRecord, Overwrite, StandardGuild
from tests.bot.play import answer_buttons, is_question
from tests.bot.test_admin_cog import answer
from tests.bot.test_schedule_runner import bot as sweeping_bot
from tests.bot.test_schedule_runner import quiet
from tests.bot.test_stats_cog import answered, shown
from tests.game.factories import mc_question

BERLIN = "Europe/Berlin"  # clocks go forward on Sunday 29 March 2026 (02:00 CET -> 03:00 CEST)
START = datetime(2026, 3, 28, 7, 30, tzinfo=UTC)  # Saturday, 08:30 in Berlin
FIRST = datetime(2026, 3, 28, 8, 0, tzinfo=UTC)  # 09:00 CET
SECOND = datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # 09:00 CEST: 23 hours later
NEAR = timedelta(minutes=15)  # around a post the clock moves a minute at a time
SEND_MESSAGES = 1 << 11


@asynccontextmanager
async def scene(db: Database) -> AsyncIterator[tuple[DiscordDouble, StandardGuild, ManualClock]]:
    """The double with the club (in Berlin's zone, three players) and the games' clock at START."""
    async with DiscordDouble() as double:
        club = double.standard_guild("Club", players=3)
        await save_guild_settings(db, club.guild.id, GuildSettings(time_zone=BERLIN))
        yield double, club, ManualClock(START.timestamp())


@asynccontextmanager
async def bot(
    double: DiscordDouble, db: Database, clock: ManualClock, *, owner: str = "bot-1"
) -> AsyncIterator[RunningBot]:
    """The bot on `double`, once its first sweeps are done."""
    async with sweeping_bot(double, db, clock, owner=owner) as running:
        await running.daily.resting()
        await quiet(running)
        yield running


async def until(running: RunningBot, clock: ManualClock, moment: datetime) -> None:
    """Move the clock to `moment` as the bot would live it: a minute at a time within NEAR of a
    post (when the question changes hands), at most a quarter of an hour elsewhere, where nothing
    falls due (each step still fires every timer due in it, and the sweeps run after it)."""
    near = NEAR.total_seconds()
    while (now := clock.time()) < moment.timestamp():
        step = 60.0 if any(abs(now - post.timestamp()) < near for post in (FIRST, SECOND)) else 900.0
        for post in (FIRST, SECOND):  # never step past the start of a post's minute-by-minute span
            if now < post.timestamp() - near:
                step = min(step, post.timestamp() - near - now)
        clock.advance(min(step, moment.timestamp() - now))
        await quiet(running)
        await running.daily.resting()
        await quiet(running)


async def turn_on(double: DiscordDouble, club: StandardGuild, **options: Any) -> MessageRecord:
    """/settings set with the question-of-the-day options, by the club's admin; its private reply."""
    values = {"daily_channel": club.channel, "daily_hour": 9} | options
    return await answer(await double.slash(club.guild, club.channel, club.admin, "settings set", values))


def posts(double: DiscordDouble, club: StandardGuild) -> list[MessageRecord]:
    """The questions of the day announced in the club's #trivia, oldest first."""
    return [
        m
        for m in sorted(double.store.messages.values(), key=lambda m: m.id)
        if m.from_bot and m.key == club.channel.key and not m.ephemeral and m.embeds
        if m.embeds[0].get("title") == "❓ Question of the day"
    ]


def public(double: DiscordDouble, club: StandardGuild) -> int:
    """How many messages the bot has posted for everyone in the club's #trivia."""
    return sum(
        1
        for m in double.store.messages.values()
        if m.from_bot and m.key == club.channel.key and not m.ephemeral
    )


def questions(double: DiscordDouble, club: StandardGuild) -> list[MessageRecord]:
    return sorted(
        (m for m in double.store.messages.values() if is_question(m) and m.key == club.channel.key),
        key=lambda m: m.id,
    )


async def todays_question(db: Database, club: StandardGuild, day: datetime) -> Question:
    post = await last_daily_post(db, club.guild.id, (day + timedelta(days=1)).date())
    assert post is not None
    return (await find_questions(db, [post.question]))[post.question]


async def choose(double: DiscordDouble, message: MessageRecord, who: Member, option: int) -> str:
    """Click option `option` as `who`; the private reply's text."""
    record = await double.click(message, answer_buttons(message)[option], who)
    reply = await answer(record)
    assert reply.ephemeral
    return reply.text


@pytest.mark.parametrize("names", [True, False], ids=["names", "counts-only"])
async def test_a_day_of_the_question_then_the_recap_across_a_dst_change(db: Database, names: bool) -> None:
    """Turned on for 09:00 Berlin time: posted at 08:00 UTC, answered privately all day, closed and
    recapped at the next 09:00, 07:00 UTC after the clocks went forward; the recap counts (and names,
    if wanted) who got it right; the right ones have a streak of 1 on /stats."""
    async with scene(db) as (double, club, clock), bot(double, db, clock) as running:
        said = await turn_on(double, club, daily_names=names)
        [field] = [f for f in said.embeds[0]["fields"] if f["name"] == "Question of the day ✏️"]
        assert field["value"].startswith(f"<#{club.channel.id}> every day at 09:00\n")
        stored = await daily_settings(db, club.guild.id)
        assert stored is not None and stored.next_post == FIRST

        await until(running, clock, FIRST - timedelta(minutes=1))
        assert posts(double, club) == []
        await until(running, clock, FIRST)
        [first_post] = posts(double, club)
        closes = int(SECOND.timestamp())
        assert first_post.embeds[0]["description"].startswith(
            f"Answer with the buttons before <t:{closes}:t>"
        )
        assert "fields" not in first_post.embeds[0]  # nothing to recap yet
        [question] = questions(double, club)
        asked = await todays_question(db, club, FIRST)
        right = asked.answer_index
        assert right is not None
        wrong = (right + 1) % len(answer_buttons(question))
        ann, bob, cy = club.players
        letters = "ABCD"
        await until(running, clock, FIRST + timedelta(hours=5))
        assert await choose(double, question, ann, right) == f"You chose **{letters[right]}**."
        assert await choose(double, question, bob, wrong) == f"You chose **{letters[wrong]}**."
        await until(running, clock, FIRST + timedelta(hours=22))
        assert await choose(double, question, cy, wrong) == f"You chose **{letters[wrong]}**."
        assert await choose(double, question, cy, right) == f"Changed to **{letters[right]}**."
        assert len(posts(double, club)) == 1 and len(questions(double, club)) == 1  # nothing revealed
        shown_before = public(double, club)
        game = await double.slash(club.guild, club.channel, club.admin, "trivia start", {"questions": 2})
        busy = await answer(game)
        assert busy.ephemeral and busy.embeds[0]["description"] == MESSAGES["session_exists"]
        hint = await answer(await double.slash(club.guild, club.channel, ann, "trivia hint"))
        assert hint.ephemeral and "no more hints for this question" in hint.text
        for command in ("trivia stop", "trivia skip"):  # the admin moderates: still refused, nothing lost
            refused = await answer(await double.slash(club.guild, club.channel, club.admin, command))
            assert refused.ephemeral and "question of the day stays open until the next one" in refused.text
        assert public(double, club) == shown_before  # no hint or game shown in the channel

        await until(running, clock, SECOND + timedelta(minutes=3))
        assert len(questions(double, club)) == 2
        [_, recap] = posts(double, club)
        assert recap.custom_ids == [report_id(asked.identity)]  # yesterday's question can be reported
        assert not first_post.custom_ids
        [recapped] = recap.embeds[0]["fields"]
        assert recapped["name"].startswith("✅ Last question's answer: ")
        assert "2 of 3 players got it right." in recapped["value"]
        assert (f"<@{ann.id}> <@{cy.id}>" in recapped["value"]) is names
        assert f"<@{bob.id}>" not in recapped["value"]
        await until(running, clock, SECOND + timedelta(minutes=10))
        assert len(posts(double, club)) == 2  # once a day

        for who, streak in ((ann, "1 day"), (bob, "0 days")):
            record = await double.slash(club.guild, club.channel, who, "stats")
            card = shown(await record.wait_until(answered, timeout=5.0, what="the card"))
            [daily] = [f for f in card.embeds[0]["fields"] if f["name"] == "Question of the day"]
            assert daily["value"] == streak


async def test_a_restart_in_the_middle_of_the_day_keeps_the_answers(db: Database) -> None:
    """Answered before a restart, the question is posted again by the next process (fresh buttons,
    the same deadline, no recovery prompt); answers before and after count in the next recap."""
    async with scene(db) as (double, club, clock):
        async with bot(double, db, clock) as running:
            await turn_on(double, club)
            await until(running, clock, FIRST)
            [question] = questions(double, club)
            asked = await todays_question(db, club, FIRST)
            assert asked.answer_index is not None
            await choose(double, question, club.players[0], asked.answer_index)
        async with bot(double, db, clock, owner="bot-2") as running:
            [_, again] = questions(double, club)
            assert again.embeds[0]["fields"][2]["value"] == f"<t:{int(SECOND.timestamp())}:R>"
            assert not [m for m in double.store.messages.values() if "Continue" in str(m.components)]
            await choose(double, again, club.players[1], asked.answer_index)
            await until(running, clock, SECOND + timedelta(minutes=3))
            recap = posts(double, club)[-1]
            assert "2 of 2 players got it right." in recap.embeds[0]["fields"][0]["value"]


async def test_two_processes_post_the_day_once(db: Database) -> None:
    """Two bots on one database wake for the same 09:00: one question of the day is posted."""
    async with scene(db) as (double, club, clock), bot(double, db, clock) as first:
        await turn_on(double, club)
        async with bot(double, db, clock, owner="bot-2") as second:
            clock.advance(FIRST.timestamp() - clock.time())  # both wake for the same minute
            for running in (first, second):
                await running.daily.resting()
                await quiet(running)
            assert len(posts(double, club)) == 1 and len(questions(double, club)) == 1


async def test_refusals_at_setup(db: Database) -> None:
    """A channel the bot cannot post in, an hour out of range, an hour before any channel, and off
    with other options: each refused privately from the catalogue, nothing stored; off turns it off."""
    async with scene(db) as (double, club, clock), bot(double, db, clock):
        closed = club.guild.add_text_channel(
            "closed", overwrites=[Overwrite(club.guild.bot_member.id, kind=1, deny=SEND_MESSAGES)]
        )
        await double.announce_guild(club.guild)
        refusals: list[tuple[dict[str, Any], str]] = [
            (
                {"daily_channel": closed},
                f"I can't post the question of the day in <#{closed.id}>: I need View Channel, "
                "Send Messages and Embed Links there.",
            ),
            ({"daily_hour": 24}, "**daily_hour** must be a whole number from 0 to 23."),
            ({"daily_hour": -1}, "**daily_hour** must be a whole number from 0 to 23."),
        ]
        for options, words in refusals:
            refused = await turn_on(double, club, **options)
            assert refused.ephemeral and refused.embeds[0]["description"] == words
        alone = {"daily_hour": 7}
        record = await double.slash(club.guild, club.channel, club.admin, "settings set", alone)
        refused = await answer(record)
        assert refused.embeds[0]["description"] == (
            "Choose a **daily_channel** first: the question of the day has no channel yet."
        )
        assert await daily_settings(db, club.guild.id) is None
        await turn_on(double, club)
        both = await turn_on(double, club, daily_off=True)
        assert both.embeds[0]["description"].startswith("**daily_off** turns the question of the day off")
        off = await answer(
            await double.slash(club.guild, club.channel, club.admin, "settings set", {"daily_off": True})
        )
        [daily] = [f for f in off.embeds[0]["fields"] if f["name"] == "Question of the day ✏️"]
        assert daily["value"] == "Off"
        assert await daily_settings(db, club.guild.id) is None


@pytest.mark.parametrize("locale", i18n.SUPPORTED)
@pytest.mark.parametrize("right", [0, 1, 2, 5, 25])
def test_the_post_is_worded_in_every_shipped_locale_within_discord_limits(locale: str, right: int) -> None:
    """Title, until when, the recap's count (every plural form) and names, with no placeholder left."""
    asked = mc_question(text="Q" * 400, explanation="E" * 600)
    recap = DailyRecap(answered=right + 1, right=tuple(range(1, right + 1)), recorded=True)
    embed = daily_embed(SECOND, asked, recap, names=True, locale=locale)
    embed.check_limits()
    words = [embed.title or "", embed.description or "", *(f.name + f.value for f in embed.fields)]
    assert all("{" not in text and text for text in words)
    assert f"<t:{int(SECOND.timestamp())}:t>" in (embed.description or "")
    nobody = daily_embed(SECOND, asked, DailyRecap(0, (), True), names=True, locale=locale)
    assert nobody.fields[0].value.endswith(i18n.text(locale, "daily.recap.nobody"))
