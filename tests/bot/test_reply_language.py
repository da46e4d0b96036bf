"""Through the loopback Discord: private replies speak the language of whoever clicked or typed.

A user's client language is `User.locale` in the double, and every interaction of theirs carries
it. German here is the test's own (tests/bot/german.py) until real translations ship; en-GB and
en-US are the shipped pair that already differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from quizbot.i18n import Catalogue
from quizbot.storage.achievements import grant_achievements
from quizbot.testing import InteractionRecord, Member, MessageRecord
from tests.bot.conftest import World
from tests.bot.german import german_catalogue, speaking
from tests.bot.play import answer_buttons, next_question, start_quiz
from tests.bot.test_stats_cog import quiz


@pytest.fixture
def german(world: World, tmp_path: Path) -> Iterator[Catalogue]:
    """The test's German in use, loaded after the bot read the shipped files at start-up."""
    with speaking(german_catalogue(tmp_path)) as catalogue:
        yield catalogue


def speaks(member: Member, locale: str) -> Member:
    """Set the language of `member`'s Discord client."""
    member.user.locale = locale
    return member


def answered(record: InteractionRecord) -> bool:
    """The bot answered at once, filled its deferred reply, or followed up."""
    return record.response_type == 4 or bool(record.original_edits or record.followups)


def shown(record: InteractionRecord) -> MessageRecord:
    """The message the user ends up seeing."""
    message = record.followups[-1] if record.followups else record.original
    assert message is not None
    return message


async def refusal(world: World, member: Member, command: str, **options: object) -> MessageRecord:
    """Use `command` in the club's #trivia as `member`; the private refusal they get."""
    club = world.club
    record = await world.double.slash(club.guild, club.channel, member, command, dict(options), forged=True)
    message = shown(await record.wait_until(answered, timeout=5.0, what="the refusal"))
    assert message.ephemeral
    return message


async def test_a_refusal_speaks_each_users_language(world: World, german: Catalogue) -> None:
    """The same refusal, side by side: German for the German client, English for the English one."""
    hans = speaks(world.club.players[0], "de")
    ann = world.club.players[1]
    assert (await refusal(world, hans, "trivia stop")).text == (
        "❌ Entschuldigung\nIn diesem Kanal läuft gerade kein Quiz. Starte eines mit `/trivia start`."
    )
    assert (await refusal(world, ann, "trivia stop")).text == (
        "❌ Sorry\nThere's no active quiz in this channel. Use `/trivia start` to begin one."
    )


async def test_a_refused_option_is_named_as_the_client_names_it(world: World, german: Catalogue) -> None:
    """The validator's refusal is worded at reply time, with the option's German name."""
    hans = speaks(world.club.players[0], "de")
    refused = await refusal(world, hans, "trivia start", topic="x" * 101)
    assert "**thema** darf höchstens 100 Zeichen lang sein." in refused.text
    english = await refusal(world, world.club.players[1], "trivia start", topic="x" * 101)
    assert "**topic** can be at most 100 characters long." in english.text


async def test_a_click_is_acknowledged_in_the_clickers_language(world: World, german: Catalogue) -> None:
    """ "You chose" follows whoever clicked, while the quiz itself was started in English."""
    await start_quiz(world, world.club, questions=1)
    question = await next_question(world, world.club)
    hans, ann = speaks(world.club.players[0], "de"), world.club.players[1]
    german_click = await world.double.click(question, answer_buttons(question)[1], hans)
    english_click = await world.double.click(question, answer_buttons(question)[0], ann)
    await german_click.wait_ack()
    await english_click.wait_ack()
    assert german_click.response_data.get("content") == "Du hast **B** gewählt."
    assert english_click.response_data.get("content") == "You chose **A**."


async def test_an_unknown_button_is_refused_in_the_clickers_language(world: World, german: Catalogue) -> None:
    """A click on a button from an old version: the refusal's title and text are German."""
    club = world.club
    button = {"type": 2, "style": 1, "label": "B", "custom_id": "legacy-answer-2"}
    old = await world.double.store.create_message(
        club.channel,
        world.double.bot_user,
        {"content": "An old question", "components": [{"type": 1, "components": [button]}]},
        [],
    )
    click = await world.double.click(old, "legacy-answer-2", speaks(club.players[0], "de"))
    await click.wait_ack(timeout=3.0)
    assert click.original is not None and click.original.ephemeral
    assert click.original.text == "❌ Entschuldigung\nDieser Knopf wird nicht mehr verwendet."


async def test_stats_speak_the_askers_language_and_write_its_numbers(world: World, german: Catalogue) -> None:
    """/stats for a German client: German plurals and percentages, the achievement's German name."""
    hans = speaks(world.club.players[0], "de")
    await quiz(world, world.club, [(hans, 10)])
    await grant_achievements(world.db, world.club.guild.id, hans.id, ["first_quiz"])
    record = await world.double.slash(world.club.guild, world.club.channel, hans, "stats")
    embed = shown(await record.wait_until(answered, timeout=5.0, what="the stats")).embeds[0]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Streak"] == "1 Tag (Bestwert: 1 Tag)"
    assert fields["Accuracy"] == "100\xa0% (1 of 1)"
    assert fields["Recent achievements"].startswith("🏅 **Erste Schritte** <t:")


async def test_a_study_quiz_is_introduced_in_its_players_language(world: World, german: Catalogue) -> None:
    """/quiz start from a server: the private note and the intro in the DM speak German (the note
    that /quiz is now /study is the shipped German's, which this test's German lacks: English)."""
    hans = speaks(world.club.players[0], "de")
    options = {"questions": 3, "timeout": 5, "topic": "science"}
    record = await world.double.slash(world.club.guild, world.club.channel, hans, "quiz start", options)
    await record.wait_original_edit(timeout=5.0)
    assert record.original is not None and record.original.ephemeral
    assert record.original.text.startswith(
        "📬 Schau in deine Direktnachrichten: Dort beginnt dein Lernquiz.\n"
    )
    dm = world.double.dm_channel(hans)
    intro = await world.double.wait_for_message(lambda m: "Lernquiz" in m.text, timeout=5, channel=dm.key)
    assert intro.embeds[0]["title"] == "📚 Dein Lernquiz beginnt!"
    assert intro.embeds[0]["description"].startswith(
        "**0 Karten zum Wiederholen** und **3 neue Fragen**, je 5 Sekunden."
    )


async def test_british_and_american_readers_each_get_their_own_english(world: World) -> None:
    """With the shipped files alone: en-GB and en-US differ where their English does."""
    british = speaks(world.club.players[0], "en-GB")
    american = world.club.players[1]
    club = world.club
    for member, ending in ((british, "see how you get on!"), (american, "see how you do!")):
        record = await world.double.slash(club.guild, club.channel, member, "stats")
        reply = shown(await record.wait_until(answered, timeout=5.0, what="the stats"))
        assert reply.content.startswith("You haven't played any games here yet.")
        assert reply.content.endswith(ending), (member.user.locale, reply.content)


async def test_an_unshipped_dialect_reads_its_languages_nearest_english(world: World) -> None:
    """en-AU has no file of its own and reads en-GB's words; a language with none reads en-US's."""
    club = world.club
    for member, ending in (
        (speaks(club.players[0], "en-AU"), "see how you get on!"),
        (speaks(club.players[1], "ko"), "see how you do!"),
    ):
        record = await world.double.slash(club.guild, club.channel, member, "stats")
        reply = shown(await record.wait_until(answered, timeout=5.0, what="the stats"))
        assert reply.content.endswith(ending), (member.user.locale, reply.content)
