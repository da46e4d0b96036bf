"""Steps of a game as people take them through the double, shared by the edge's tests."""

from __future__ import annotations

import time
from typing import Any

from quizbot.bot.custom_ids import ButtonKind, parse
from quizbot.testing import InteractionRecord, MessageRecord, StandardGuild
from tests.bot.conftest import World


def answer_buttons(message: MessageRecord) -> list[str]:
    """The answer-button custom_ids of a bot message, in option order."""
    return [c for c in message.custom_ids if (b := parse(c)) is not None and b.kind is ButtonKind.ANSWER]


async def start_quiz(world: World, where: StandardGuild, **options: Any) -> InteractionRecord:
    """/trivia start by the guild's admin; waits for the announcement."""
    values: dict[str, Any] = {"questions": 2, "timeout": 5, "topic": "science", **options}
    record = await world.double.slash(where.guild, where.channel, where.admin, "trivia start", values)
    await record.wait_ack(timeout=3.0)
    await world.double.wait_for_message(
        lambda m: "Trivia is starting" in m.text, timeout=5, channel=where.channel.key
    )
    await world.settle()
    return record


async def next_question(world: World, where: StandardGuild, since: float = 0.0) -> MessageRecord:
    """The first question message posted in the guild's channel at or after `since`."""
    return await world.double.wait_for_message(is_question, timeout=5, channel=where.channel.key, since=since)


def is_question(message: MessageRecord) -> bool:
    """A question the session posted (not an ephemeral scores reply)."""
    title = (message.embeds[0].get("title") or "") if message.embeds else ""
    return not message.ephemeral and title.startswith("Question ") and " of " in title


async def finish(world: World, question_seconds: float, pause: float = 4.0) -> float:
    """Close the open question and move on; returns the monotonic time before the move."""
    since = time.monotonic()
    await world.advance(question_seconds)
    await world.advance(pause)
    return since


async def button_message(world: World, where: StandardGuild, custom_id: str) -> MessageRecord:
    """A bot message in the guild's channel with one button of this id, as an old version of the
    bot (or a forger) might have left there."""
    button = {"type": 2, "style": 1, "label": "B", "custom_id": custom_id}
    return await world.double.store.create_message(
        where.channel,
        world.double.bot_user,
        {"content": "An old message", "components": [{"type": 1, "components": [button]}]},
        [],
    )
