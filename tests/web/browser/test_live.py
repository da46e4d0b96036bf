"""The live game page in a real Chromium, fed by a game played through the loopback Discord: the
question large with its countdown and tally, the reveal, the podium; on a projector and a phone at
once; across a bot restart, reconnecting by itself; and without JavaScript."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from quizbot.bot.custom_ids import ButtonKind, parse
from quizbot.clock import ManualClock
from quizbot.config import Settings, WebSettings
from quizbot.storage.pool import Database
from quizbot.testing import DiscordDouble
from tests.bot.conftest import World, bot_on, world_with
from tests.bot.play import answer_buttons, next_question, start_quiz
from tests.bot.test_live_screen import private_link
from tests.web.browser.checks import (
    PHONE,
    PROJECTOR,
    broken_across_lines,
    findings,
    font_size,
    outside_viewport,
    tab_order,
)
from tests.web.browser.conftest import Pages

pytestmark = pytest.mark.slow

QUESTION_SECONDS, REVEAL_PAUSE = 30, 4
SHOWN = 15_000  # ms a browser may take to show a state the server has sent (a loaded CI machine)
# What must be on a projector's first screen while a question is open, and on a phone's.
ON_PROJECTOR = (".question-text", "ol.options", "#countdown", "#answers-in")
ON_PHONE = (".question-text", "#countdown")


def stage(page: Page, name: str) -> str:
    return f'#live [data-stage="{name}"]'


async def wait_stage(page: Page, name: str) -> None:
    await page.locator(stage(page, name)).wait_for(timeout=SHOWN)


async def answer(world: World, index: int, since: float, *players_options: tuple[int, int]) -> None:
    """The club's players (by number) click these options of question `index`, posted after `since`
    (time.monotonic())."""
    club = world.club
    question = await next_question(world, club, since)
    assert question.embeds and f"Question {index + 1} of" in question.embeds[0]["title"]
    for player, option in players_options:
        await (
            await world.double.click(question, answer_buttons(question)[option], club.players[player])
        ).wait_ack()
    await world.advance(1)  # past the tally's half-second pace


async def test_the_live_page_follows_a_game_on_a_projector_and_a_phone(
    db: Database, pages: Pages, tmp_path: Path
) -> None:
    """Both screens show the question large with its options, a countdown that ticks and the
    answers coming in (never what they are), then the answer and its explanation, then the podium;
    the projector's first screen holds all of the question; contrast and axe pass at each stage."""
    async with world_with(db, Settings(web=WebSettings(port=0))) as world:
        record = await start_quiz(world, world.club, screen=True, mode="buttons", questions=2, timeout=30)
        _, base, path = await private_link(record)
        projector = await pages.open(base + path, PROJECTOR)
        phone = await pages.open(base + path, PHONE)
        for page in (projector, phone):
            await wait_stage(page, "question")
        for name, page in (("projector", projector), ("phone", phone)):
            assert await findings(page, str(tmp_path / f"question-{name}.png")) == {}
            assert await broken_across_lines(page, "#countdown, #answers-in, ol.options li") == []
        assert await outside_viewport(projector, *ON_PROJECTOR) == []
        assert await outside_viewport(phone, *ON_PHONE) == []
        assert await font_size(projector, ".question-text") >= 48  # a long question's type is smaller
        assert await font_size(phone, ".question-text") >= 24
        assert await font_size(projector, "#countdown") >= 80
        counted = int(await projector.locator("#countdown").inner_text())
        assert 25 <= counted <= 30
        await expect(projector.locator("#countdown")).not_to_have_text(
            str(counted), timeout=SHOWN
        )  # it ticks

        await answer(world, 0, 0.0, (0, 1), (1, 0))  # options 0 and 1: a true or false question has two
        for page in (projector, phone):
            await expect(page.locator("#answers-in")).to_have_text("2", timeout=SHOWN)
            assert "Option" not in await page.locator("dl.tally").inner_text()  # the count, not the answers

        since = time.monotonic()
        await world.advance(QUESTION_SECONDS)
        for page in (projector, phone):
            await wait_stage(page, "reveal")
        assert await projector.locator("h2.answer").is_visible()
        assert await projector.locator("#live-status").inner_text() != ""  # said to screen readers
        assert await findings(projector, str(tmp_path / "reveal-projector.png")) == {}

        await world.advance(REVEAL_PAUSE)
        await wait_stage(projector, "question")
        await answer(world, 1, since, (0, 0))
        await world.advance(QUESTION_SECONDS)
        await world.advance(REVEAL_PAUSE)
        names = [member.user.name for member in world.club.players[:2]]
        for name, page in (("projector", projector), ("phone", phone)):
            await wait_stage(page, "over")
            podium = await page.locator("ol.podium").inner_text()
            assert all(player in podium for player in names), podium
            assert await findings(page, str(tmp_path / f"podium-{name}.png")) == {}
        stops = await tab_order(phone)
        assert [stop.href for stop in stops] == ["#content", "/"]
        assert all(stop.visible and stop.focus_visible for stop in stops)


def free_port() -> int:
    """A loopback port nothing listens on now, so two bot processes in turn can serve on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_live_page_comes_back_by_itself_after_a_bot_restart(db: Database, pages: Pages) -> None:
    """The bot stops with question 2 open: the page, never reloaded, says it is reconnecting, then
    shows the game paused once the next process is up; after Continue the question with its tally,
    then the podium."""
    web = Settings(web=WebSettings(port=free_port()))
    clock = ManualClock(time.time())
    async with DiscordDouble() as double:
        club = double.standard_guild("Club", channel_id=777, players=3)
        async with bot_on(double, db, web, clock) as (running, edge):
            world = World(double, club, club, running, clock, db, edge)
            record = await start_quiz(world, club, screen=True, mode="buttons", questions=2, timeout=30)
            _, base, path = await private_link(record)
            page = await pages.open(base + path, PROJECTOR)
            await page.evaluate("window.openedOnce = true")  # gone if the page ever reloads
            await answer(world, 0, 0.0, (0, 1))
            since = time.monotonic()
            await world.advance(QUESTION_SECONDS)
            await world.advance(REVEAL_PAUSE)
            await answer(world, 1, since, (1, 0))
            await expect(page.locator("#answers-in")).to_have_text("1", timeout=SHOWN)
        reconnecting = await page.locator("#live").get_attribute("data-reconnecting")
        assert reconnecting
        await expect(page.locator("#live-status")).to_have_text(reconnecting, timeout=SHOWN)
        async with bot_on(double, db, web, clock, owner="bot-2") as (running, edge):
            world = World(double, club, club, running, clock, db, edge)
            await wait_stage(page, "paused")
            assert "It stopped at question 2 of 2" in await page.locator("#live").inner_text()
            assert await page.locator("#live-status").inner_text() != reconnecting
            prompt = await double.wait_for_message(
                lambda m: "interrupted" in m.text, timeout=15, channel=club.channel.key
            )
            resume = next(c for c in prompt.custom_ids if (b := parse(c)) and b.kind is ButtonKind.RECOVERY)
            await (await double.click(prompt, resume, club.admin)).wait_ack()
            await world.settle()
            await wait_stage(page, "question")
            assert (await page.locator("#answers-in").inner_text()).strip() == "1"  # the tally kept
            await world.advance(QUESTION_SECONDS)
            await world.advance(REVEAL_PAUSE)
            await wait_stage(page, "over")
            assert club.players[1].user.name in await page.locator("ol.podium").inner_text()
        assert await page.evaluate("window.openedOnce === true")


async def test_the_live_page_without_javascript_refreshes_itself(db: Database, pages: Pages) -> None:
    """JavaScript off: the question is on the page as served, a note says it refreshes itself, and
    it shows the reveal after a refresh on its own."""
    async with world_with(db, Settings(web=WebSettings(port=0))) as world:
        record = await start_quiz(world, world.club, screen=True, mode="buttons", questions=1, timeout=30)
        _, base, path = await private_link(record)
        page = await pages.open(base + path, PHONE, javascript=False)
        await wait_stage(page, "question")
        assert await page.locator("noscript").count() >= 1
        assert await outside_viewport(page, ".question-text") == []
        await world.advance(QUESTION_SECONDS)
        await wait_stage(page, "reveal")  # after the page's own refresh, a few seconds on
        assert await page.locator("#live-status").inner_text() == ""
