"""Solo study quizzes (/quiz) through the real disnake client, the loopback Discord and PostgreSQL."""

from __future__ import annotations

import time

from quizbot.testing import InteractionRecord, Member, MessageRecord
from tests.bot.conftest import World
from tests.bot.play import answer_buttons, finish, is_question

MESSAGE_ROUTE = "POST /channels/{channel_id}/messages"


def solo_key(world: World, player: Member) -> tuple[int, int]:
    """The session key of a player's solo quiz: guild 0 and their DM channel."""
    return (0, world.double.dm_channel(player).id)


async def start_solo(world: World, player: Member, questions: int = 3) -> InteractionRecord:
    """`player` uses /quiz start in the club's #trivia; waits for the answer and for the quiz to settle."""
    options = {"questions": questions, "timeout": 5, "topic": "science"}
    record = await world.double.slash(world.club.guild, world.club.channel, player, "quiz start", options)
    await record.wait_ack(timeout=3.0)
    await record.wait_original_edit(timeout=5.0)
    await world.settle()
    return record


async def question_in_dm(world: World, player: Member, since: float = 0.0) -> MessageRecord:
    """The first question posted in the player's DM at or after `since`."""
    dm = world.double.dm_channel(player)
    return await world.double.wait_for_message(is_question, timeout=5, channel=dm.key, since=since)


async def clickable_question(world: World, player: Member) -> MessageRecord:
    """The first DM question with answer buttons; short-answer ones (typed only) are let close."""
    since = 0.0
    for _ in range(3):
        question = await question_in_dm(world, player, since)
        if answer_buttons(question):
            return question
        since = await finish(world, 5)
    raise AssertionError("three short-answer questions in a row")


async def podium(world: World, player: Member) -> MessageRecord:
    """Close questions until the end; the podium posted in the player's DM."""
    dm = world.double.dm_channel(player)
    for _ in range(20):
        await finish(world, 5)
        found = [m for m in world.double.messages(dm) if "The quiz is over" in m.text]
        if found:
            return found[0]
    raise AssertionError("the solo quiz never ended")


async def test_start_from_a_guild_posts_the_first_question_in_the_dm(world: World) -> None:
    """/quiz start in a server puts the first question in the player's DMs and nothing in the channel."""
    player = world.club.players[0]
    record = await start_solo(world, player)
    question = await question_in_dm(world, player)
    assert question.embeds[0]["title"] == "Question 1 of 3"
    assert question.channel.guild is None and question.channel.recipient is player.user
    assert not any(is_question(m) for m in world.double.messages(world.club.channel))
    assert record.original is not None and record.original.ephemeral
    assert "Check your DMs" in record.original.text


async def test_the_player_answers_by_clicking_in_the_dm(world: World) -> None:
    """A click on an answer button in the DM is taken and acknowledged privately."""
    player = world.club.players[0]
    await start_solo(world, player)
    question = await clickable_question(world, player)
    click = await world.double.click(question, answer_buttons(question)[1], player)
    await click.wait_ack(timeout=3.0)
    assert click.original is not None and click.original.ephemeral
    assert "You chose **B**" in click.original.text


async def test_the_game_finishes_with_the_podium_in_the_dm(world: World) -> None:
    """Once every question has closed, the podium is posted in the DM with the player on it."""
    player = world.club.players[0]
    await start_solo(world, player)
    question = await clickable_question(world, player)
    await (await world.double.click(question, answer_buttons(question)[0], player)).wait_ack(timeout=3.0)
    assert player.user.name in (await podium(world, player)).text
    assert solo_key(world, player) not in world.running.service.supervisor.directory


async def test_solo_answers_are_stored_under_guild_zero(world: World) -> None:
    """A solo quiz's answers, member row and run are stored as guild 0's, not the server's."""
    player = world.club.players[0]
    await start_solo(world, player)
    question = await clickable_question(world, player)
    await (await world.double.click(question, answer_buttons(question)[0], player)).wait_ack(timeout=3.0)
    await podium(world, player)
    pool = world.db.pool
    assert await pool.fetchval("SELECT array_agg(DISTINCT guild_id) FROM answers") == [0]
    assert await pool.fetchval("SELECT count(*) FROM guild_members WHERE guild_id = 0") == 1
    assert await pool.fetchval("SELECT count(*) FROM quiz_runs WHERE guild_id = 0") == 1
    club = world.club.guild.id
    assert await pool.fetchval("SELECT count(*) FROM guild_members WHERE guild_id = $1", club) == 0


async def test_a_second_start_while_one_runs_is_refused(world: World) -> None:
    """A player with a solo quiz running cannot start another one."""
    player = world.club.players[0]
    await start_solo(world, player)
    again = await world.double.slash(
        world.club.guild, world.club.channel, player, "quiz start", {"questions": 3}
    )
    (refusal,) = await again.wait_followups(1, timeout=5.0)
    assert refusal.ephemeral and "already have a study quiz" in refusal.text
    intros = [m for m in world.double.messages(world.double.dm_channel(player)) if "study quiz" in m.text]
    assert len(intros) == 1


async def test_stop_ends_the_solo_quiz(world: World) -> None:
    """/quiz stop, used in the server, stops the player's quiz in their DMs."""
    player = world.club.players[0]
    await start_solo(world, player)
    stop = await world.double.slash(world.club.guild, world.club.channel, player, "quiz stop")
    (done,) = await stop.wait_followups(1, timeout=5.0)
    assert "stopped" in done.text
    await world.settle()
    assert solo_key(world, player) not in world.running.service.supervisor.directory
    await world.double.wait_for_message(
        lambda m: "The quiz was stopped" in m.text, timeout=5, channel=world.double.dm_channel(player)
    )


async def test_stop_without_a_solo_quiz_is_refused(world: World) -> None:
    """/quiz stop with no solo quiz running says so and stops nothing."""
    player = world.club.players[0]
    stop = await world.double.slash(world.club.guild, world.club.channel, player, "quiz stop")
    (refusal,) = await stop.wait_followups(1, timeout=5.0)
    assert refusal.ephemeral and "no study quiz running" in refusal.text


async def test_a_solo_quiz_does_not_block_a_group_quiz_in_the_channel(world: World) -> None:
    """A group quiz can start in the very channel a solo quiz was started from."""
    await start_solo(world, world.club.players[0])
    club = world.club
    group = await world.double.slash(
        club.guild, club.channel, club.admin, "trivia start", {"questions": 2, "timeout": 5}
    )
    await group.wait_ack(timeout=3.0)
    await world.double.wait_for_message(
        lambda m: "Trivia is starting" in m.text, timeout=5, channel=club.channel.key
    )
    registry = world.running.service.supervisor.directory
    assert (club.guild.id, club.channel.id) in registry
    assert solo_key(world, club.players[0]) in registry


async def test_closed_dms_are_refused_and_start_nothing(world: World) -> None:
    """When the player's DMs are closed, they are told so privately and no quiz starts."""
    player = world.club.players[0]
    world.double.fail_next(route=MESSAGE_ROUTE, status=403)
    record = await world.double.slash(world.club.guild, world.club.channel, player, "quiz start")
    (refusal,) = await record.wait_followups(1, timeout=5.0)
    assert refusal.ephemeral and "direct messages" in refusal.text
    await world.settle()
    assert solo_key(world, player) not in world.running.service.supervisor.directory
    assert world.double.messages(world.double.dm_channel(player)) == []


async def test_start_in_dms_runs_right_there(world: World) -> None:
    """/quiz start used in the DM itself starts the quiz there: a private reply, then the intro in the DM."""
    player = world.club.players[0]
    since = time.monotonic()
    record = await world.double.slash(None, None, player, "quiz start", {"questions": 2, "timeout": 5})
    reply = await record.wait_original_edit(timeout=5.0)
    assert reply.ephemeral
    intro = await world.double.wait_for_message(
        lambda m: not m.ephemeral and "study quiz is starting" in m.text,
        timeout=5,
        channel=world.double.dm_channel(player),
    )
    assert intro.interaction is None  # a message in the DM, not the interaction's response
    await world.settle()
    assert (await question_in_dm(world, player, since)).embeds[0]["title"] == "Question 1 of 2"
    assert solo_key(world, player) in world.running.service.supervisor.directory
