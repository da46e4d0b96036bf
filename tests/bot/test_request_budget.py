"""Discord's request budget through the real client: a question's close is one edit, a game's end one post."""

from __future__ import annotations

import re

from quizbot.bot.render import Rendered
from quizbot.testing import MessageRecord, RequestRecord
from tests.bot.conftest import World
from tests.bot.play import answer_buttons, finish, next_question, start_quiz

POST = "POST /channels/{channel_id}/messages"
EDIT = "PATCH /channels/{channel_id}/messages/{message_id}"
CHANNEL_ROUTES = (POST, EDIT)


def over(message: MessageRecord) -> bool:
    return "The quiz is over" in message.text


def channel_requests(log: list[RequestRecord]) -> list[RequestRecord]:
    """The posts and edits of channel messages: what Discord's global budget counts (not interactions)."""
    return [r for r in log if r.route in CHANNEL_ROUTES]


def component_states(message: MessageRecord) -> list[tuple[str, bool, int]]:
    """(custom_id, disabled, style) of every button on a message."""
    rows = message.components or []
    return [(b["custom_id"], bool(b.get("disabled")), b["style"]) for row in rows for b in row["components"]]


async def play_four_questions(world: World) -> list[MessageRecord]:
    """Four questions answered by three players, to the end; the question messages, in order."""
    club = world.club
    await start_quiz(world, club, questions=4, mode="buttons")
    questions, since = [], 0.0
    for _ in range(4):
        question = await next_question(world, club, since)
        questions.append(question)
        for player in club.players[:3]:
            click = await world.double.click(question, answer_buttons(question)[0], player)
            await click.wait_ack(timeout=3.0)
        since = await finish(world, 5)
    await world.double.wait_for_message(
        lambda m: "The quiz is over" in m.text, timeout=10, channel=club.channel
    )
    await world.settle()
    return questions


async def test_a_four_question_game_for_three_costs_at_most_nine_channel_requests(world: World) -> None:
    """4 question posts, 4 close edits and one end-of-game post (podium and achievements): 9, not 16."""
    log_before = len(world.double.request_log)
    questions = await play_four_questions(world)
    made = channel_requests(world.double.request_log[log_before:])
    announcement, *game = made  # the quiz's announcement comes first, from the edge
    assert announcement.route == POST and "Trivia is starting" in str(announcement.body)
    assert [r.route for r in game] == [POST, EDIT] * 4 + [POST], [r.route for r in game]
    assert len(game) <= 9 and len(game) / 4 <= 2.25
    assert all(r.status == 200 for r in made)
    for question in questions:  # each closed in place: the answer, the scores, no live answer
        titles = [e.get("title") or "" for e in question.embeds]
        assert titles[0].startswith("Question ") and titles[1].startswith("✅ The answer")
        assert titles[2] == "📊 Scores"
        states = [state for state in component_states(question) if state[0].startswith("qb:a:")]
        assert states and all(disabled for _, disabled, _ in states)  # only Report stays live
        assert len(component_states(question)) == len(states) + 1
        assert sorted(style for _, _, style in states).count(3) == 1  # the right answer, in green
    end = world.double.last_message(world.club.channel)
    assert end is not None and "The quiz is over" in end.text and "🏅" in end.text


async def test_the_achievement_summary_names_and_pings_only_the_players_who_unlocked(world: World) -> None:
    """One message for everyone's achievements, mentioning exactly those players."""
    await play_four_questions(world)
    ends = [m for m in world.double.messages(world.club.channel) if "Achievements unlocked" in m.text]
    assert len(ends) == 1
    body = next(r.body for r in reversed(world.double.request_log) if r.route == POST)
    players = {str(p.id) for p in world.club.players[:3]}
    assert set(re.findall(r"<@(\d+)>", body["content"])) == players
    assert {str(u) for u in body["allowed_mentions"]["users"]} == players
    assert body["allowed_mentions"]["parse"] == []


async def test_a_close_whose_question_message_is_gone_is_posted(world: World) -> None:
    """404 Unknown Message on the edit: the close is posted instead, and the game goes on."""
    club = world.club
    await start_quiz(world, club, questions=1, mode="buttons")
    question = await next_question(world, club)
    click = await world.double.click(question, answer_buttons(question)[0], club.players[0])
    await click.wait_ack(timeout=3.0)
    await world.double.store.delete_message(question)
    await finish(world, 5)
    await world.double.wait_for_message(
        lambda m: "The quiz is over" in m.text, timeout=10, channel=club.channel
    )
    refused = [r for r in world.double.request_log if r.route == EDIT]
    assert [r.status for r in refused] == [404]
    reveal = [m for m in world.double.messages(club.channel) if "✅ The answer" in m.text]
    assert len(reveal) == 1 and "📊 Scores" in reveal[0].text


async def test_a_channel_sends_five_messages_per_five_seconds_on_the_edge_clock(world: World) -> None:
    """Twelve messages at once go out in order at Discord's per-channel pace: five now, five after
    five seconds, two after ten, on the edge clock (which moves itself: no real time is spent)."""
    club = world.club
    key = (club.guild.id, club.channel.id)
    start = world.edge_clock.time()
    for number in range(12):
        world.running.channel.post(key, Rendered(content=f"message {number}"))
    await world.settle()
    texts = [m.text for m in world.double.messages(club.channel.key) if m.text.startswith("message ")]
    assert texts == [f"message {number}" for number in range(12)]
    assert world.edge_clock.time() - start == 10.0
