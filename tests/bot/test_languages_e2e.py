"""Two languages at once, with the shipped translations: a German player's private replies are
German while the channel speaks the French its server chose with /settings."""

from __future__ import annotations

import time

from quizbot import i18n
from quizbot.config import Settings
from quizbot.storage.pool import Database
from quizbot.testing import MessageRecord
from tests.bot.conftest import world_with
from tests.bot.test_admin_cog import answer


def is_question(message: MessageRecord) -> bool:
    return message.from_bot and any(c.startswith("qb:a") for c in message.custom_ids)


async def test_a_german_player_reads_german_while_the_channel_speaks_the_server_s_french(
    db: Database,
) -> None:
    """/settings set language:fr; a player whose client is in German starts a quiz and answers:
    the start's reply and the answer's acknowledgement are German, the announcement and the
    question are French."""
    async with world_with(db, Settings()) as world:
        club = world.club
        admin = await world.double.slash(
            club.guild, club.channel, club.admin, "settings set", {"language": "fr"}
        )
        await answer(admin)  # the server's language is saved once the admin is told so
        player = club.players[0]
        player.user.locale = "de"
        since = time.monotonic()
        options = {"questions": 1, "timeout": 5, "topic": "science"}
        start = await world.double.slash(club.guild, club.channel, player, "trivia start", options)
        await start.wait_ack(timeout=3.0)
        question = await world.double.wait_for_message(
            is_question, timeout=5, channel=club.channel.key, since=since
        )
        await world.settle()
        channel = [m for m in world.double.messages(club.channel.key) if not m.ephemeral]
        announcement = next(m for m in channel if m.embeds and m.created_at >= since and not is_question(m))
        answer_button = next(c for c in question.custom_ids if c.startswith("qb:a"))
        click = await world.double.click(question, answer_button, player)
        await click.wait_ack(timeout=3.0)
        reply = click.original.text if click.original is not None else ""
        started = start.original.text if start.original is not None else ""

    assert announcement.embeds[0]["title"] == i18n.text("fr", "trivia_starting")
    assert question.embeds[0]["title"] == i18n.text("fr", "channel.question.title", number=1, total=1)
    assert started == i18n.text("de", "quiz_started")
    german_ack = i18n.text("de", "answer_taken", letter="X").split("X")[0]
    assert (
        reply.startswith(german_ack)
        and german_ack != i18n.text("en-US", "answer_taken", letter="X").split("X")[0]
    )
