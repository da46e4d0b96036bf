"""Full trivia games through the real disnake client and the loopback Discord."""

from __future__ import annotations

import time

from quizbot.bot.custom_ids import parse
from quizbot.testing import MessageRecord
from tests.bot.conftest import World


def is_question(message: MessageRecord) -> bool:
    return message.from_bot and any(
        (parse(c) is not None) for c in message.custom_ids if c.startswith("qb:a")
    )


async def test_a_full_game_with_buttons(world: World) -> None:
    """Start, answer by clicking, reveal, finish: every interaction acknowledged, scores stored."""
    club = world.club
    start = await world.double.slash(
        club.guild,
        club.channel,
        club.admin,
        "trivia start",
        {"questions": 2, "timeout": 5, "topic": "science"},
    )
    await start.wait_ack(timeout=3.0)
    await world.double.wait_for_message(
        lambda m: "Trivia is starting" in m.text, timeout=5, channel=club.channel.key
    )
    await world.settle()
    since = 0.0
    for _ in range(2):
        question = await world.double.wait_for_message(
            is_question, timeout=5, channel=club.channel.key, since=since
        )
        for player in club.players[:2]:
            button = question.custom_ids[1]
            click = await world.double.click(question, button, player)
            await click.wait_ack(timeout=3.0)
            assert click.ack_latency is not None and click.ack_latency < 3.0
        since = time.monotonic()
        await world.advance(5)  # the question closes
        await world.advance(4)  # the next question, or the end
    transcript = "\n".join(m.text for m in world.double.messages(club.channel.key))
    assert "The quiz is over" in transcript
    stored = await world.db.pool.fetchval("SELECT count(*) FROM answers")
    assert stored == 4
