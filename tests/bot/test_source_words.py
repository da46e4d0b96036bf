"""Through the loopback Discord: a quiz's intro names where its questions come from in the reader's
language (the offline bank in their words, "and" as their language joins), and English as before."""

from __future__ import annotations

import pytest

from quizbot.config import Settings
from quizbot.storage.pool import Database
from quizbot.testing import MessageRecord
from tests.bot.conftest import World, world_with
from tests.bot.test_channel_language_e2e import world_speaking
from tests.questions.llm.support import FakeAPI, settings_for

pytestmark = pytest.mark.filterwarnings("ignore:Inheritance class AiohttpClientSession:DeprecationWarning")


async def announcement(world: World, topic: str = "science") -> dict[str, object]:
    """/trivia start in the club's #trivia; the embed of the announcement, in the channel's language.

    (A study session, /quiz start's alias since issue 12, serves bank questions and due cards and
    names no source: the channel's announcement is where a quiz's source is named.)"""
    club = world.club
    options = {"questions": 3, "timeout": 5, "topic": topic}
    record = await world.double.slash(club.guild, club.channel, club.admin, "trivia start", options)
    await record.wait_ack(timeout=3.0)
    announced: MessageRecord = await world.double.wait_for_message(
        lambda m: m.from_bot and bool(m.embeds) and "3" in (m.embeds[0].get("description") or ""),
        timeout=5,
        channel=club.channel.key,
    )
    await world.settle()
    return announced.embeds[0]


@pytest.mark.parametrize(
    ("locale", "note"),
    [
        ("de", "OpenAI ist gerade nicht verfügbar, deshalb liefert die Offline-Fragenbank diese Fragen."),
        ("ja", "OpenAI は現在利用できないため、問題はオフラインの問題集から出題します。"),
        ("en-US", "OpenAI is unavailable right now, so these questions come from the offline bank."),
    ],
)
async def test_a_fallback_note_names_the_bank_in_the_servers_language(
    db: Database, failing_openai: FakeAPI, locale: str, note: str
) -> None:
    """OpenAI is down and the bank serves (no category is near the topic): the note says so in the
    server's words."""
    llm = settings_for(failing_openai, "openai", QUIZBOT_LLM_ATTEMPTS="1")
    async with world_with(db, Settings(llm=llm), club_locale=locale) as world:
        embed = await announcement(world, topic="crochet")  # a word no shipped question uses
    fields = embed["fields"]
    assert isinstance(fields, list) and [field["value"] for field in fields] == [note]


@pytest.mark.parametrize(
    ("locale", "source"),
    [
        ("de", "Die Fragen liefert die Offline-Fragenbank (science)."),
        ("ja", "出題元：オフラインの問題集「science」"),  # noqa: RUF001 - a full-width colon
        ("en-US", "2 medium questions from the offline bank (science), 5 seconds each."),
    ],
)
async def test_a_channels_announcement_names_the_bank_in_the_servers_language(
    db: Database, locale: str, source: str
) -> None:
    """/trivia start on a server whose language is German or Japanese: the announcement names the
    bank in it."""
    async with world_speaking(db, locale) as world:
        club = world.club
        options = {"questions": 2, "timeout": 5, "topic": "science"}
        record = await world.double.slash(club.guild, club.channel, club.admin, "trivia start", options)
        await record.wait_ack(timeout=3.0)
        announced = await world.double.wait_for_message(
            lambda m: m.from_bot and bool(m.embeds) and source in (m.embeds[0].get("description") or ""),
            timeout=5,
            channel=club.channel.key,
        )
        if locale != "en-US":
            assert "offline bank" not in str(announced.embeds[0])
        await world.settle()
