"""Outages during play: an LLM provider that fails, and PostgreSQL going away mid-game."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from quizbot.bot.catalogue import MESSAGES
from quizbot.config import Settings
from quizbot.storage.packs import save_guild_pack
from quizbot.storage.pool import Database
from tests.bot.conftest import World, world_with
from tests.bot.play import answer_buttons, finish, is_question, next_question
from tests.pgproxy import PostgresProxy
from tests.questions.llm.support import FakeAPI, payload, settings_for, success


async def test_a_failing_provider_falls_back_to_the_bank_and_says_so(
    db: Database, failing_openai: FakeAPI
) -> None:
    """OpenAI is down: the quiz still starts, from the bank, and the announcement says so in the
    catalogue's provider_unavailable words."""
    llm = settings_for(failing_openai, "openai", QUIZBOT_LLM_ATTEMPTS="1")
    async with world_with(db, Settings(llm=llm)) as world:
        options = {"topic": "volcanoes", "provider": "openai", "questions": 2, "timeout": 5}
        club = world.club
        record = await world.double.slash(club.guild, club.channel, club.admin, "trivia start", options)
        await record.wait_ack(timeout=3.0)
        started = await world.double.wait_for_message(
            lambda m: "Trivia is starting" in m.text, timeout=10, channel=club.channel.key
        )
        unavailable = MESSAGES["provider_unavailable"].format(provider="OpenAI", then="these questions")
        assert unavailable.removesuffix(".") + " come from the offline bank" in started.text
        assert failing_openai.requests("openai"), "the provider was asked first"
        await world.settle()
        question = await next_question(world, club)
        assert question.embeds[0]["title"] == "Question 1 of 2"


@pytest.fixture
async def terse_openai() -> AsyncIterator[FakeAPI]:
    """OpenAI's API writing one usable question, whatever it is asked for."""
    api = FakeAPI()
    await api.start()
    api.script("openai", success("openai", payload(1)))
    yield api
    await api.stop()


TWO_DINOSAURS = """\
pack: dinosaurs
name: Dinosaurs
questions:
  - id: horns
    difficulty: medium
    kind: multiple_choice
    text: "Which dinosaur had three horns?"
    options: ["Stegosaurus", "Triceratops"]
    answer: 1
    explanation: "Triceratops means three-horned face."
  - id: plates
    difficulty: medium
    kind: multiple_choice
    text: "Which dinosaur had bony plates along its back?"
    options: ["Stegosaurus", "Triceratops"]
    answer: 0
    explanation: "Stegosaurus carried two rows of bony plates."
"""


async def test_a_short_set_the_bank_cannot_fill_makes_a_shorter_quiz(
    db: Database, terse_openai: FakeAPI
) -> None:
    """OpenAI writes 1 of 5 questions and the bank's nearest category (a server pack of 2) cannot
    fill in the rest: the quiz starts with the one question, and the announcement says why."""
    llm = settings_for(terse_openai, "openai", QUIZBOT_LLM_ATTEMPTS="1")
    async with world_with(db, Settings(llm=llm)) as world:
        club = world.club
        await save_guild_pack(
            db,
            club.guild.id,
            pack_id="dinosaurs",
            name="Dinosaurs",
            body=TWO_DINOSAURS,
            question_count=2,
            added_by=club.admin.user.id,
        )
        options = {"topic": "dinosaurs of the jurassic", "provider": "openai", "questions": 5}
        record = await world.double.slash(club.guild, club.channel, club.admin, "trivia start", options)
        await record.wait_ack(timeout=3.0)
        started = await world.double.wait_for_message(
            lambda m: "Trivia is starting" in m.text, timeout=10, channel=club.channel.key
        )
        assert "1 medium question from OpenAI," in started.text
        assert "OpenAI wrote only 1 usable question, so this quiz has 1 question." in started.text
        await world.settle()
        question = await next_question(world, club)
        assert question.embeds[0]["title"] == "Question 1 of 1"


async def stored(world: World, guild_id: int, db: Database) -> tuple[int, int]:
    """(answer rows, the sum of the club members' points) as PostgreSQL has them."""
    answers = await db.pool.fetchval("SELECT count(*) FROM answers WHERE guild_id = $1", guild_id)
    points = await db.pool.fetchval(
        "SELECT coalesce(sum(points), 0) FROM guild_members WHERE guild_id = $1", guild_id
    )
    return int(answers), int(points)


@pytest.mark.parametrize("back_after", [1, 2], ids=["back-mid-game", "back-after-the-end"])
async def test_the_database_going_away_mid_game_loses_nothing(
    proxied_db: Database, db: Database, proxy: PostgresProxy, back_after: int
) -> None:
    """PostgreSQL goes away during question 1: the game plays on, and every answer lands once it is back.

    Back mid-game, the live session's held answers are written; back after the end, the ended
    game's answers and run are written by the supervisor's next tick.
    """
    settings = Settings(typed_answers=True)
    async with world_with(proxied_db, settings) as world:
        club = world.club
        values = {"questions": 2, "timeout": 5, "topic": "science", "mode": "buttons"}
        start = await world.double.slash(club.guild, club.channel, club.admin, "trivia start", values)
        await start.wait_ack(timeout=3.0)
        await next_question(world, club)
        await proxy.cut()
        since = 0.0
        for number in (1, 2):
            question = await world.double.wait_for_message(
                is_question, timeout=10, channel=club.channel.key, since=since
            )
            assert question.embeds[0]["title"] == f"Question {number} of 2"
            button = answer_buttons(question)[0]
            clicks = await asyncio.gather(*(world.double.click(question, button, p) for p in club.players))
            for click in clicks:
                await click.wait_ack(timeout=3.0)
            since = await finish(world, 5)  # the question closes while the database is away
            if number == back_after:
                assert await stored(world, club.guild.id, db) == (0, 0)
                await proxy.restore()
        over = lambda m: "The quiz is over" in m.text  # noqa: E731
        await world.double.wait_for_message(over, timeout=10, channel=club.channel.key)
        await world.settle()
        answers, points = await stored(world, club.guild.id, db)
        for _ in range(5):  # the supervisor tries again on its next snapshot tick, on the quiz clock
            if answers == 2 * len(club.players):
                break
            await world.advance(settings.snapshot_interval)  # settle() waits for the tick's flush
            answers, points = await stored(world, club.guild.id, db)
        assert answers == 2 * len(club.players)
        scores = await db.pool.fetchval("SELECT sum(points) FROM answers WHERE guild_id = $1", club.guild.id)
        assert points == scores
        runs = await db.pool.fetchval("SELECT count(*) FROM quiz_runs WHERE guild_id = $1", club.guild.id)
        assert runs == 1
