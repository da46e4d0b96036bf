"""A channel Discord refuses for good (403 or 404) ends its quiz, recorded, and no more is sent to it."""

from __future__ import annotations

import pytest

from quizbot.actors.messages import SessionKey
from quizbot.testing import Overwrite
from tests.bot.conftest import World
from tests.bot.play import answer_buttons, next_question, start_quiz

SEND_MESSAGES = 1 << 11
MESSAGE_ROUTE = "POST /channels/{channel_id}/messages"


async def _until_released(world: World, key: SessionKey) -> None:
    """Round-trip the actors until the session is gone (each settle is bounded; a few suffice)."""
    for _ in range(20):
        if key not in world.running.service.supervisor.directory:
            return
        await world.settle()
    raise AssertionError(f"the session in {key} was never released")


@pytest.mark.parametrize("how", ["permission removed (403)", "channel gone (404)"])
async def test_losing_the_channel_mid_game_ends_and_records_the_quiz(world: World, how: str) -> None:
    """The bot loses the channel during a question: the game stops, is recorded, and goes quiet."""
    club = world.club
    await start_quiz(world, club, questions=3)
    question = await next_question(world, club)
    for player in club.players[:2]:
        await (await world.double.click(question, answer_buttons(question)[1], player)).wait_ack()
    if how.endswith("(403)"):
        club.channel.overwrites.append(Overwrite(club.guild.bot_member.id, kind=1, deny=SEND_MESSAGES))
    else:
        world.double.fail_next(1000, route=MESSAGE_ROUTE, status=404)
    refused_before = world.double.requests[MESSAGE_ROUTE]

    await world.advance(5)  # the question closes: an edit of its own message
    await world.advance(4)  # the next question's post is refused
    await _until_released(world, club.channel.key)
    await world.advance(30)  # nothing of this quiz is left to post, however long we wait
    await world.settle()

    run = await world.db.pool.fetchrow("SELECT outcome, question_count FROM quiz_runs")
    assert run is not None and run["outcome"] == "stopped"
    answered = await world.db.pool.fetchval("SELECT count(*) FROM answers WHERE guild_id = $1", club.guild.id)
    assert answered == 2  # the closed question's answers are kept
    assert world.double.requests[MESSAGE_ROUTE] - refused_before == 1  # one refusal, then silence
