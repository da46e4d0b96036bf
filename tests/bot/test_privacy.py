"""A refusal is never public: races, late failures, bad options and retired buttons, through the double."""

from __future__ import annotations

import asyncio
import sys

import pytest

from quizbot.bot.catalogue import MESSAGES
from quizbot.errors import StorageError
from quizbot.storage.guilds import GuildSettings, guild_settings
from quizbot.testing import InteractionRecord, MessageRecord
from tests.bot.conftest import World
from tests.bot.play import button_message, start_quiz

REFUSAL = "❌ Sorry"


def answers(record: InteractionRecord) -> list[MessageRecord]:
    """Every message the bot sent in answer to an interaction: its response and follow-ups."""
    return [m for m in [record.original, *record.followups] if m is not None and not m.deleted]


def final(record: InteractionRecord) -> MessageRecord | None:
    """The bot's last word on an interaction (a follow-up, else its response), if it has spoken."""
    said = answers(record)
    return said[-1] if said else None


def settled(record: InteractionRecord) -> bool:
    """True once the bot has answered and any "thinking" or "preparing" message was filled in."""
    last = final(record)
    if last is None or (last is record.original and last.flags & (1 << 7)):
        return False
    return last.text != MESSAGES["preparing"]


def text_of(message: MessageRecord | None) -> str:
    return "" if message is None else message.text


def public_refusals(world: World) -> list[MessageRecord]:
    """Refusals anyone in a channel can see: should always be none."""
    return [
        m
        for m in world.double.store.messages.values()
        if m.from_bot and not m.deleted and not m.ephemeral and REFUSAL in m.text
    ]


async def test_twenty_simultaneous_starts_make_one_game_one_announcement_and_nineteen_private_refusals(
    world: World,
) -> None:
    """Of 20 starts at once one starts a game; only its announcement is public, every reply private."""
    crowd = world.double.standard_guild("Crowd", players=20)
    await world.double.announce_guild(crowd.guild)
    options = {"questions": 2, "timeout": 5, "topic": "science"}
    records = await asyncio.gather(
        *(world.double.slash(crowd.guild, crowd.channel, p, "trivia start", options) for p in crowd.players)
    )
    for record in records:
        await record.wait_ack(timeout=3.0)
        await record.wait_until(settled, timeout=5.0, what="a final answer")
    await world.settle()
    public = [m for m in world.double.messages(crowd.channel) if not m.ephemeral]
    announcements = [m for m in public if "Trivia is starting" in m.text]
    assert len(announcements) == 1 and announcements[0].interaction is None
    assert all(m.ephemeral for r in records for m in answers(r))
    refused = [r for r in records if REFUSAL in text_of(final(r))]
    assert len(refused) == 19
    assert all(
        MESSAGES["session_starting"] in r.original.text or "already an active quiz" in r.original.text
        for r in refused
        if r.original is not None
    )
    started = [r for r in records if r not in refused]
    assert len(started) == 1 and MESSAGES["quiz_started"] in started[0].original.text  # type: ignore[union-attr]
    assert f"Hosted by {started[0].user.name}" in announcements[0].text
    assert crowd.channel.key in world.running.service.supervisor.directory
    assert public_refusals(world) == []


async def test_a_busy_channel_and_bad_options_are_refused_privately_before_any_defer(world: World) -> None:
    """Refusals of /trivia start are the interaction's own ephemeral response, never a public defer."""
    club = world.club
    bad = await world.double.slash(
        club.guild, club.channel, club.players[0], "trivia start", {"provider": "evil"}, forged=True
    )
    await bad.wait_ack()
    assert bad.response_type == 4 and bad.original is not None and bad.original.ephemeral
    assert "unknown provider 'evil'" in bad.original.text
    assert club.channel.key not in world.running.service.supervisor.directory
    await start_quiz(world, club)
    busy = await world.double.slash(club.guild, club.channel, club.players[1], "trivia start")
    await busy.wait_ack()
    assert busy.response_type == 4 and busy.original is not None and busy.original.ephemeral
    assert "already an active quiz" in busy.original.text
    assert public_refusals(world) == []


async def test_a_late_failure_after_a_public_defer_is_still_private(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database failing under /leaderboard's public defer: the thinking message goes, refusal private."""

    async def down(*args: object, **kwargs: object) -> None:
        raise StorageError("the database is away")

    # The module the bot runs: load_extension imports the cog afresh, so not the one imported above.
    monkeypatch.setattr(sys.modules["quizbot.bot.cogs.stats"], "leaderboard", down)
    club = world.club
    record = await world.double.slash(club.guild, club.channel, club.players[0], "leaderboard")
    await record.wait_until(settled, timeout=5.0, what="the refusal")
    refusal = final(record)
    assert refusal is not None and refusal.ephemeral and MESSAGES["db_connection"] in refusal.text
    assert record.original is not None and record.original.deleted  # the public "thinking" message
    assert public_refusals(world) == []


async def test_a_five_thousand_character_time_zone_is_refused_by_name(world: World) -> None:
    """The zone that once reached the filesystem is refused with the option's name; nothing is saved."""
    club = world.club
    record = await world.double.slash(
        club.guild, club.channel, club.admin, "settings set", {"time_zone": "Europe/" + "x" * 5000}
    )
    await record.wait_until(settled, timeout=5.0, what="the refusal")
    refusal = final(record)
    assert refusal is not None and refusal.ephemeral and "**time_zone**" in refusal.text
    assert await guild_settings(world.db, club.guild.id) == GuildSettings()


@pytest.mark.parametrize("custom_id", ["legacy-answer-2", "qb:a:1:2", "qb:" + "9" * 97, "trivia:continue"])
async def test_a_button_quizbot_does_not_know_gets_a_private_answer(world: World, custom_id: str) -> None:
    """A click on a button from an old version (or anyone's) is answered privately, not left to fail."""
    club = world.club
    old = await button_message(world, club, custom_id)
    click = await world.double.click(old, custom_id, club.players[0])
    await click.wait_ack(timeout=3.0)
    assert click.original is not None and click.original.ephemeral
    assert MESSAGES["button_retired"] in click.original.text
    assert public_refusals(world) == []
