"""The channel's language end to end: the real disnake client, the loopback Discord and PostgreSQL.

So that every channel message shows which language it was worded in, these tests load a copy of
the shipped locale files whose en-GB marks each channel text with 🇬🇧 (same keys, same placeholders).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from quizbot import i18n
from quizbot.bot.channel_language import language_name
from quizbot.config import Settings
from quizbot.storage.guilds import GuildSettings, guild_language, guild_settings
from quizbot.storage.pool import Database
from quizbot.testing import MessageRecord, StandardGuild
from tests.bot.conftest import World, world_with

MARK = "🇬🇧 "
UNMARKED = frozenset({"channel.separator"})  # joins names: a mark there would only repeat


@pytest.fixture
def marked_british(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The shipped locales, with every channel text of en-GB marked; what the bot loads at start."""
    for locale in i18n.SUPPORTED:
        data = json.loads((i18n.LOCALES / f"{locale}.json").read_text(encoding="utf-8"))
        if locale == "en-GB":
            data = {
                key: MARK + text if key.startswith("channel.") and key not in UNMARKED else text
                for key, text in data.items()
            }
        (tmp_path / f"{locale}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    def load() -> i18n.Catalogue:
        monkeypatch.setattr(i18n, "_active", i18n.Catalogue.load(tmp_path))
        return i18n.active()

    monkeypatch.setattr(i18n, "load", load)
    load()
    yield


def world_speaking(
    db: Database, club_locale: str, rival_locale: str = "en-US"
) -> AbstractAsyncContextManager[World]:
    """The club and its rival (their #trivia channels share an id) with these preferred locales."""
    return world_with(db, Settings(), club_locale=club_locale, rival_locale=rival_locale)


def is_question(message: MessageRecord) -> bool:
    """A question the session posted: it carries answer buttons."""
    return message.from_bot and any(c.startswith("qb:a") for c in message.custom_ids)


async def play_through(world: World, where: StandardGuild, questions: int = 2) -> list[MessageRecord]:
    """Start a quiz in the guild's #trivia, let every question close, and return the channel's
    messages of this quiz (once its podium is posted)."""
    since = time.monotonic()
    options = {"questions": questions, "timeout": 5, "topic": "science"}
    start = await world.double.slash(where.guild, where.channel, where.admin, "trivia start", options)
    await start.wait_ack(timeout=3.0)
    await world.double.wait_for_message(is_question, timeout=5, channel=where.channel.key, since=since)
    for _ in range(questions):
        await world.advance(5)  # the question closes: one edit, with the reveal and the scores
        await world.advance(4)  # the next question, or the end
    await world.double.wait_for_message(
        lambda m: "🏁" in m.text, timeout=5, channel=where.channel.key, since=since
    )
    return [m for m in world.double.messages(where.channel.key) if not m.ephemeral and m.created_at >= since]


def session_messages(messages: list[MessageRecord]) -> list[MessageRecord]:
    """The messages the session itself sent (questions with their closes, the podium)."""
    return [m for m in messages if is_question(m) or "🏁" in m.text]


def headings(message: MessageRecord) -> list[str]:
    """Every embed title and field name of a message: the texts the channel's language words."""
    found = []
    for embed in message.embeds:
        found += [embed["title"]] if embed.get("title") else []
        found += [field["name"] for field in embed.get("fields") or []]
    return found


@pytest.mark.usefixtures("marked_british")
async def test_a_server_s_preferred_locale_is_its_channel_s_language(
    db: Database, marked_british: None
) -> None:
    """With no /settings language, a server whose preferred locale is en-GB gets British messages,
    and its rival (en-US, the same channel id) American ones."""
    async with world_speaking(db, "en-GB") as world:
        british = session_messages(await play_through(world, world.club))
        american = session_messages(await play_through(world, world.rival))
    assert len(british) == len(american) == 3  # two questions (each closed by an edit) and the podium
    assert [len(m.embeds) for m in british[:2]] == [3, 3]  # the question, its reveal, the scores
    assert all(heading.startswith(MARK) for m in british for heading in headings(m))
    assert all(MARK not in m.text for m in american)
    assert american[0].embeds[0]["title"] == "Question 1 of 2"


@pytest.mark.usefixtures("marked_british")
async def test_a_preferred_locale_quizbot_does_not_ship_speaks_english(
    db: Database, marked_british: None
) -> None:
    """A server whose preferred locale has no file (nor a relative) speaks en-US."""
    async with world_speaking(db, "tr") as world:
        messages = session_messages(await play_through(world, world.club))
    assert messages and all(MARK not in m.text for m in messages)
    assert messages[0].embeds[0]["title"] == "Question 1 of 2"


@pytest.mark.usefixtures("marked_british")
async def test_a_study_quiz_in_dms_speaks_its_player_s_locale(db: Database) -> None:
    """/quiz from a client in en-GB: the DM's question is British, whatever the server speaks."""
    async with world_speaking(db, "en-US") as world:
        player = world.club.players[0]
        options = {"questions": 1, "timeout": 5, "topic": "science"}
        record = await world.double.slash(
            world.club.guild, world.club.channel, player, "quiz start", options, locale="en-GB"
        )
        await record.wait_ack(timeout=3.0)
        question = await world.double.wait_for_message(
            lambda m: bool(m.embeds) and (m.embeds[0].get("title") or "").endswith("Question 1 of 1"),
            timeout=5,
            channel=world.double.dm_channel(player).key,
        )
    assert question.embeds[0]["title"] == MARK + "Question 1 of 1"


async def settings_set(world: World, options: dict[str, object]) -> MessageRecord:
    """/settings set by the club's admin; the bot's private answer (a follow-up: it defers first)."""
    club = world.club
    record = await world.double.slash(club.guild, club.channel, club.admin, "settings set", options)
    await record.wait_ack(timeout=3.0)
    if record.response_type == 5:
        return (await record.wait_followups(1, timeout=5.0))[0]
    assert record.original is not None
    return record.original


def field(message: MessageRecord, name: str) -> str | None:
    fields = [f for embed in message.embeds for f in embed.get("fields") or []]
    return next((f["value"] for f in fields if f["name"] == name), None)


@pytest.mark.usefixtures("marked_british")
async def test_settings_set_language_is_what_the_channel_speaks_until_cleared(db: Database) -> None:
    """`/settings set language:en-GB` makes the club's channel British (the rival keeps its own);
    `language:default` gives it back to the server's preferred locale."""
    async with world_speaking(db, "en-US") as world:
        saved = await settings_set(world, {"language": "en-GB"})
        assert saved.ephemeral and field(saved, "language ✏️") == "British English (en-GB)"
        assert await guild_language(db, world.club.guild.id) == "en-GB"
        british = session_messages(await play_through(world, world.club))
        american = session_messages(await play_through(world, world.rival))
        cleared = await settings_set(world, {"language": "default"})
        again = session_messages(await play_through(world, world.club))
    assert british and all(heading.startswith(MARK) for m in british for heading in headings(m))
    assert american and all(MARK not in m.text for m in american)
    assert field(cleared, "language ✏️") == "American English (en-US) (the server's own)"
    assert await guild_language(db, world.club.guild.id) is None
    assert again and all(MARK not in m.text for m in again)


@pytest.mark.usefixtures("marked_british")
async def test_a_language_chosen_mid_game_speaks_from_the_next_message(db: Database) -> None:
    """The channel reads the setting from its cache, which /settings updates at once."""
    async with world_speaking(db, "en-US") as world:
        club = world.club
        options = {"questions": 2, "timeout": 5, "topic": "science"}
        start = await world.double.slash(club.guild, club.channel, club.admin, "trivia start", options)
        await start.wait_ack(timeout=3.0)
        first = await world.double.wait_for_message(is_question, timeout=5, channel=club.channel.key)
        await settings_set(world, {"language": "en-GB"})
        await world.advance(5)
        await world.advance(4)
        second = await world.double.wait_for_message(
            lambda m: is_question(m) and m.id != first.id, timeout=5, channel=club.channel.key
        )
    assert first.embeds[0]["title"] == "Question 1 of 2"  # worded before the change
    assert [e.get("title", "")[: len(MARK)] for e in first.embeds[1:]] == [MARK, MARK]  # its close after
    assert second.embeds[0]["title"] == MARK + "Question 2 of 2"


@pytest.mark.usefixtures("marked_british")
async def test_an_unsupported_language_is_refused_naming_the_supported_ones(db: Database) -> None:
    """A language quizbot does not ship is refused privately, listing each shipped one by its own
    name; nothing is stored, and the other settings given with it are not saved either."""
    async with world_speaking(db, "en-US") as world:
        refused = await settings_set(world, {"language": "tlh", "default_questions": 5})
        stored = await guild_language(db, world.club.guild.id)
        settings = await guild_settings(db, world.club.guild.id)
    assert refused.ephemeral
    assert "**language** can't be 'tlh'" in refused.text
    names = [language_name(locale) for locale in i18n.SUPPORTED]  # "Deutsch (de)", ...
    assert i18n.active().join("en-US", names, either=True) in refused.text
    assert "`default` for the server's own language" in refused.text
    assert stored is None and settings == GuildSettings()


@pytest.mark.usefixtures("marked_british")
async def test_the_language_option_offers_every_shipped_language(db: Database) -> None:
    """Autocomplete offers the shipped locales by their own names and the server's own language."""
    async with world_speaking(db, "en-US") as world:
        club = world.club
        record = await world.double.autocomplete(
            club.guild, club.channel, club.admin, "settings set", focused="language", options={"language": ""}
        )
        await record.wait_ack(timeout=3.0)
    assert [c["value"] for c in record.choices] == [*i18n.SUPPORTED, "default"]
    assert record.choices[1]["name"] == "British English (en-GB)"
