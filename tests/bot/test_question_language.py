"""Questions in the server's language, end to end through the loopback Discord and a real disnake client.

/trivia start asks the LLM providers (through their real SDKs, against a local fake API) for questions in
the channel's language and prefers a server's own packs in it; /trivia packs names each pack's
language, in the reader's, under a line saying the shipped bank is English.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager

import pytest

from quizbot import i18n
from quizbot.config import Settings
from quizbot.storage.pool import Database
from quizbot.testing import InteractionRecord, MessageRecord, StandardGuild
from tests.bot.conftest import World, world_with
from tests.questions.llm.support import FakeAPI, payload, settings_for, success

pytestmark = pytest.mark.filterwarnings("ignore:Inheritance class AiohttpClientSession:DeprecationWarning")

TIERE = """\
pack: tiere
name: Tiere
language: de
questions:
  - id: t1
    difficulty: medium
    kind: multiple_choice
    text: Wie viele Beine hat eine Spinne?
    options: [Sechs, Acht, Zehn]
    answer: 1
    explanation: Spinnen haben acht Beine.
  - id: t2
    difficulty: easy
    kind: true_false
    text: Wale sind Säugetiere.
    answer: true
    explanation: Sie atmen Luft und säugen ihre Jungen.
"""
GERMAN_QUESTIONS = ("Wie viele Beine hat eine Spinne?", "Wale sind Säugetiere.")


@pytest.fixture(autouse=True)
def no_ca_bundle_loading(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The fake LLM API is plain HTTP on localhost: skip loading CA certificates for each SDK client."""
    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", lambda *args, **kwargs: None)
    monkeypatch.setattr(ssl.SSLContext, "load_default_certs", lambda *args, **kwargs: None)
    yield


def world_in(
    db: Database, club_locale: str, settings: Settings | None = None
) -> AbstractAsyncContextManager[World]:
    """The club (preferred locale `club_locale`, three players) and its American rival, the bot running."""
    return world_with(db, settings or Settings(), club_locale=club_locale, club_players=3)


@pytest.fixture
async def api() -> AsyncIterator[FakeAPI]:
    fake = FakeAPI()
    await fake.start()
    yield fake
    await fake.stop()


def is_question(message: MessageRecord) -> bool:
    """A question the session posted, in whatever language the channel speaks: it has answer buttons."""
    return message.from_bot and any(c.startswith("qb:a") for c in message.custom_ids)


async def add_german_pack(world: World) -> None:
    """The club's admin has uploaded a German pack."""
    await world.running.bot.context.custom.add(
        world.club.guild.id, world.club.admin.id, "tiere.yaml", TIERE.encode()
    )


async def questions_asked(world: World, where: StandardGuild, count: int, **options: object) -> list[str]:
    """Start a quiz of `count` questions in the guild's #trivia and return each question's text."""
    since = time.monotonic()
    values = {"questions": count, "timeout": 5, **options}
    start = await world.double.slash(where.guild, where.channel, where.admin, "trivia start", values)
    await start.wait_ack(timeout=3.0)
    texts = []
    for number in range(count):
        if number:
            await world.advance(5)
            await world.advance(4)
        question = await world.double.wait_for_message(
            lambda m: is_question(m) and m.created_at >= since and all(t not in m.text for t in texts),
            timeout=5,
            channel=where.channel.key,
        )
        texts.append(question.embeds[0]["description"].strip("*"))
    return texts


def reply_text(record: InteractionRecord) -> str:
    texts = [record.original, *record.followups]
    return "\n".join(t.text for t in texts if t is not None)


async def test_a_german_server_plays_its_german_pack_first(db: Database) -> None:
    """With no topic, a server whose language is German gets its German pack's questions first."""
    async with world_in(db, "de") as world:
        await add_german_pack(world)
        asked = await questions_asked(world, world.club, 3)
    assert sorted(asked[:2]) == sorted(GERMAN_QUESTIONS)
    assert asked[2] not in GERMAN_QUESTIONS  # not enough German ones: the English bank fills in


async def test_an_english_server_keeps_to_english_questions(db: Database) -> None:
    """The same German pack in an English-speaking server is not preferred: English comes first."""
    async with world_in(db, "en-US") as world:
        await add_german_pack(world)
        asked = await questions_asked(world, world.club, 2)
    assert not set(asked) & set(GERMAN_QUESTIONS)


async def test_the_llm_is_asked_in_each_server_s_language(db: Database, api: FakeAPI) -> None:
    """A German server's topic reaches the provider's SDK asking for German; its rival's for English."""
    api.script("openai", success("openai", payload(2)))
    settings = Settings(llm=settings_for(api, "openai"))
    async with world_in(db, "de", settings) as world:
        await questions_asked(world, world.club, 2, topic="Vulkane")
        await questions_asked(world, world.rival, 2, topic="Volcanoes")
    prompts = [request.body["messages"][1]["content"] for request in api.requests("openai")]
    assert len(prompts) == 2
    assert "in German, locale de," in prompts[0] and '<subject>"Vulkane"</subject>' in prompts[0]
    assert "in English (United States), locale en-US," in prompts[1]


async def test_a_settings_language_is_the_one_questions_are_asked_in(db: Database, api: FakeAPI) -> None:
    """/settings set language: pt-BR in an English server: the provider is asked for Brazilian Portuguese."""
    api.script("openai", success("openai", payload(1)))
    settings = Settings(llm=settings_for(api, "openai"))
    async with world_in(db, "en-US", settings) as world:
        chose = await world.double.slash(
            world.club.guild, world.club.channel, world.club.admin, "settings set", {"language": "pt-BR"}
        )
        await chose.wait_ack(timeout=3.0)
        if chose.response_type == 5:  # deferred: saved once its follow-up is sent
            await chose.wait_followups(1, timeout=5.0)
        await questions_asked(world, world.club, 1, topic="vulcões")
    assert "in Portuguese (Brazil), locale pt-BR," in api.requests("openai")[0].body["messages"][1]["content"]


async def test_trivia_packs_names_each_pack_s_language_and_says_the_bank_is_english(db: Database) -> None:
    """Each category with its count and language; the shipped bank's line; the German pack as German."""
    async with world_in(db, "en-US") as world:
        await add_german_pack(world)
        where, player = world.club, world.club.players[0]
        english = await world.double.slash(where.guild, where.channel, player, "trivia packs", locale="en-US")
        german = await world.double.slash(where.guild, where.channel, player, "trivia packs", locale="de")
        await english.wait_ack(timeout=3.0)
        await german.wait_ack(timeout=3.0)
    shown = reply_text(english)
    assert i18n.text("en-US", "questions.bank_is_english") in shown
    assert "**tiere** — 2 questions · German" in shown
    assert "questions · English" in shown and "German, English" not in shown
    assert english.original is not None and english.original.ephemeral
    auf_deutsch = reply_text(german)
    assert i18n.text("de", "questions.bank_is_english") in auf_deutsch
    assert "**tiere** — 2 Fragen · Deutsch" in auf_deutsch
    assert "Fragen · Englisch" in auf_deutsch
