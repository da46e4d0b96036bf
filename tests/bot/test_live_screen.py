"""/trivia start screen:true through the loopback Discord: the host's private link, and the live page's
stream following the game, across a bot restart on the same database."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

from quizbot.bot.custom_ids import ButtonKind, parse
from quizbot.clock import ManualClock
from quizbot.config import Settings, WebSettings
from quizbot.game.effects import AnswersIn
from quizbot.storage.pool import Database
from quizbot.testing import DiscordDouble, InteractionRecord, MessageRecord
from tests.bot.conftest import World, bot_on, world_with
from tests.bot.play import answer_buttons, finish, next_question, start_quiz
from tests.web.live_support import EventStream

WEB = Settings(web=WebSettings(port=0))  # the web view on any free loopback port
LINK = re.compile(r"(http://127\.0\.0\.1:\d+)(/live/[A-Za-z0-9_-]{48})")


async def private_link(record: InteractionRecord) -> tuple[MessageRecord, str, str]:
    """The follow-up holding the screen's link: the message, the server's base and the link's path."""
    await record.wait_until(lambda r: any(LINK.search(m.text) for m in r.followups), 5, "the screen's link")
    message = next(m for m in record.followups if LINK.search(m.text))
    found = LINK.search(message.text)
    assert found is not None
    return message, found.group(1), found.group(2)


@asynccontextmanager
async def stream_of(url: str, **headers: str) -> AsyncIterator[EventStream]:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        assert response.status == 200
        yield EventStream(response)


async def test_the_host_gets_a_private_link_and_the_page_follows_the_game(db: Database) -> None:
    """The link comes to the host alone; its stream shows the question, the answers coming in (never
    what they are, and Discord is sent nothing for them), the reveal with the scores, and the podium."""
    async with world_with(db, WEB) as world:
        club = world.club
        record = await start_quiz(world, club, screen=True, mode="buttons", questions=1, timeout=30)
        message, base, path = await private_link(record)
        assert message.ephemeral and "Anyone with the link can watch" in message.text
        public = [m for m in world.double.messages(club.channel) if not m.ephemeral]
        assert public and not any("/live/" in m.text for m in public)
        question = await next_question(world, club)
        async with stream_of(f"{base}{path}/events") as stream:
            shown = await stream.until(lambda e: e.kind == "question")
            assert shown.data["answers"] == 0 and shown.data["remaining"] == 30000
            requests = sum(world.running.channel.requests.values())
            for player, option in ((club.players[0], 1), (club.players[1], 0)):
                await (
                    await world.double.click(question, answer_buttons(question)[option], player)
                ).wait_ack()
            await world.advance(1)  # the tally's half-second pause passes
            tallied = await stream.until(lambda e: e.data["answers"] == 2)
            assert tallied.kind == "question"
            assert sum(world.running.channel.requests.values()) == requests  # no request for a tally
            await finish(world, 30)
            names = [m.user.name for m in club.players[:2]]
            reveal = await stream.until(
                lambda e: e.kind in ("reveal", "over") and all(n in e.html for n in names)
            )
            assert reveal.data["remaining"] is None
            over = await stream.until(lambda e: e.kind == "over")
            assert "The quiz is over!" in over.html and names[0] in over.html
        page = await aiohttp_text(f"{base}{path}")
        assert "The quiz is over!" in page


async def aiohttp_text(url: str) -> str:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        return await response.text()


async def test_a_screen_is_refused_privately_when_the_web_view_is_off(world: World) -> None:
    """Without a web view, screen:true is refused privately, and no quiz starts."""
    club = world.club
    record = await world.double.slash(
        club.guild, club.channel, club.admin, "trivia start", {"screen": True, "questions": 1}
    )
    await record.wait_until(lambda r: r.original is not None and bool(r.original.text), 5, "a refusal")
    assert record.original is not None and record.original.ephemeral
    assert "The live screen needs the bot's web pages" in record.original.text
    assert world.running.service.directory.get(club.channel.key) is None
    assert await world.db.pool.fetchval("SELECT count(*) FROM live_screens") == 0


async def test_a_forged_screen_value_is_refused_privately(db: Database) -> None:
    """A screen value no client would send is refused privately; nothing is stored, no quiz starts."""
    async with world_with(db, WEB) as world:
        club = world.club
        record = await world.double.slash(
            club.guild, club.channel, club.admin, "trivia start", {"screen": "yes"}, forged=True
        )
        await record.wait_until(lambda r: r.original is not None and bool(r.original.text), 5, "a refusal")
        assert record.original is not None and record.original.ephemeral
        assert world.running.service.directory.get(club.channel.key) is None
        assert await db.pool.fetchval("SELECT count(*) FROM live_screens") == 0


async def test_the_screen_follows_its_game_across_a_restart(db: Database) -> None:
    """The bot stops with question 2 open and answered once; the next process brings the game back
    paused, the page says so with the scores, and after Continue it shows the question with its tally
    kept, then the podium. A viewer reconnecting with its last event id hears the new state at once."""
    clock = ManualClock(time.time())
    async with DiscordDouble() as double:
        club = double.standard_guild("Club", channel_id=777, players=3)
        p0, p1, p2 = club.players
        async with bot_on(double, db, WEB, clock) as (running, edge):
            world = World(double, club, club, running, clock, db, edge)
            record = await start_quiz(world, club, screen=True, mode="buttons", questions=2, timeout=30)
            _, base, path = await private_link(record)
            question = await next_question(world, club)
            await (await double.click(question, answer_buttons(question)[1], p0)).wait_ack()
            since = await finish(world, 30)
            second = await next_question(world, club, since)
            await (await double.click(second, answer_buttons(second)[0], p1)).wait_ack()
            await world.settle()
            async with stream_of(f"{base}{path}/events") as stream:
                before = await stream.until(lambda e: e.kind == "question" and e.data["answers"] == 1)
                assert before.data["index"] == 1
        async with bot_on(double, db, WEB, clock, owner="bot-2") as (running, edge):
            world = World(double, club, club, running, clock, db, edge)
            screens = running.bot.context.screens
            assert screens is not None
            new_base = screens.base_url
            async with stream_of(f"{new_base}{path}/events", **{"Last-Event-ID": before.id}) as stream:
                paused = await stream.next()
                assert paused.kind == "paused" and "It stopped at question 2 of 2" in paused.html
                assert p0.user.name in paused.html
                prompt = await double.wait_for_message(
                    lambda m: "interrupted" in m.text, timeout=15, channel=club.channel.key
                )
                resume = next(
                    c for c in prompt.custom_ids if (b := parse(c)) and b.kind is ButtonKind.RECOVERY
                )
                since = time.monotonic()
                await (await double.click(prompt, resume, club.admin)).wait_ack()
                await world.settle()
                again = await stream.until(lambda e: e.kind == "question")
                assert (again.data["index"], again.data["answers"]) == (1, 1)  # the tally kept
                question = await next_question(world, club, since)
                await (await double.click(question, answer_buttons(question)[0], p2)).wait_ack()
                await world.advance(1)
                assert (await stream.until(lambda e: e.data["answers"] == 2)).kind == "question"
                await finish(world, 30)
                over = await stream.until(lambda e: e.kind == "over")
                assert "The quiz is over!" in over.html
                assert all(member.user.name in over.html for member in (p0, p1, p2))


async def test_the_discord_channel_sends_nothing_for_a_tally(world: World) -> None:
    """The Discord edge ignores an answer tally outright: nothing queued, no sender started."""
    channel = world.running.channel
    await channel.show(world.club.channel.key, AnswersIn(0, 3))
    assert channel.pending == 0 and not channel._senders
