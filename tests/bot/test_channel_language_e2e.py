"""The channel's language end to end: the real disnake client, the loopback Discord and PostgreSQL.

So that every channel message shows which language it was worded in, these tests load a copy of
the shipped locale files whose en-GB marks each channel text with 🇬🇧 (same keys, same placeholders).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from quizbot import i18n
from quizbot.bot.app import running_bot
from quizbot.clock import ManualClock
from quizbot.config import Settings
from quizbot.storage.pool import Database
from quizbot.testing import DiscordDouble, MessageRecord, StandardGuild
from tests.bot.conftest import World

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


@asynccontextmanager
async def world_speaking(db: Database, club_locale: str, rival_locale: str = "en-US") -> AsyncIterator[World]:
    """The club and its rival (their #trivia channels share an id) with these preferred locales."""
    clock = ManualClock(time.time())
    async with DiscordDouble() as double:
        club = double.standard_guild("Club", channel_id=777, players=4)
        rival = double.standard_guild("Rival", channel_id=777, players=2)
        club.guild.preferred_locale, rival.guild.preferred_locale = club_locale, rival_locale
        options = {"guild_ready_timeout": 0.05}
        async with (
            running_bot(Settings(), db, clock=clock, owner="bot-1", bot_options=options) as running,
            double.running(running.bot),
        ):
            yield World(double, club, rival, running, clock, db)


def is_question(message: MessageRecord) -> bool:
    """A question the session posted: it carries answer buttons."""
    return message.from_bot and any(c.startswith("qb:a") for c in message.custom_ids)


async def play_through(world: World, where: StandardGuild, questions: int = 2) -> list[MessageRecord]:
    """Start a quiz in the guild's #trivia, let every question close, and return the channel's messages."""
    options = {"questions": questions, "timeout": 5, "topic": "science", "mode": "buttons"}
    start = await world.double.slash(where.guild, where.channel, where.admin, "trivia start", options)
    await start.wait_ack(timeout=3.0)
    await world.double.wait_for_message(is_question, timeout=5, channel=where.channel.key)
    for _ in range(questions):
        await world.advance(5)  # the question closes: one edit, with the reveal and the scores
        await world.advance(4)  # the next question, or the end
    return [m for m in world.double.messages(where.channel.key) if not m.ephemeral]


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
