"""The /trivia cog end to end: colliding channel ids, crowds, typed answers, permissions, bad input."""

from __future__ import annotations

import asyncio
import copy

import pytest

from quizbot.bot.cogs import EXTENSIONS
from quizbot.bot.custom_ids import parse
from quizbot.game.questions import Difficulty
from quizbot.storage.guilds import GuildSettings, save_guild_settings
from tests.bot.conftest import World
from tests.bot.play import answer_buttons, finish, is_question, next_question, start_quiz


async def answers_stored(world: World, guild_id: int) -> int:
    return int(await world.db.pool.fetchval("SELECT count(*) FROM answers WHERE guild_id = $1", guild_id))


async def test_two_guilds_whose_channels_share_an_id_play_apart(world: World) -> None:
    """Games in two guilds' channels with the same id never meet: each has its own questions and scores."""
    await start_quiz(world, world.club, questions=1)
    await start_quiz(world, world.rival, questions=1)
    club_question = await next_question(world, world.club)
    rival_question = await next_question(world, world.rival)
    assert parse(answer_buttons(club_question)[0]).key != parse(answer_buttons(rival_question)[0]).key  # type: ignore[union-attr]
    for player in world.club.players:
        await (await world.double.click(club_question, answer_buttons(club_question)[1], player)).wait_ack()
    await (
        await world.double.click(rival_question, answer_buttons(rival_question)[0], world.rival.players[0])
    ).wait_ack()
    await finish(world, 5)
    assert await answers_stored(world, world.club.guild.id) == len(world.club.players)
    assert await answers_stored(world, world.rival.guild.id) == 1


async def test_twenty_players_clicking_in_the_same_second_are_each_counted_once(world: World) -> None:
    """Twenty clicks at once: every one acknowledged within 3 s, twenty answers stored."""
    crowd = world.double.standard_guild("Crowd", players=20)
    await world.double.announce_guild(crowd.guild)
    await start_quiz(world, crowd, questions=1)
    question = await next_question(world, crowd)
    button = answer_buttons(question)[1]
    clicks = await asyncio.gather(*(world.double.click(question, button, p) for p in crowd.players))
    acked = await asyncio.gather(*(c.wait_ack(timeout=3.0) for c in clicks))
    assert all(c.ack_latency is not None and c.ack_latency < 3.0 for c in acked)
    await finish(world, 5)
    assert await answers_stored(world, crowd.guild.id) == 20


async def test_typed_answers_are_judged_fairly(world: World) -> None:
    """In typed mode, a player typing the answer with a typo scores; a wrong guess does not."""
    await start_quiz(world, world.club, questions=1, mode="typed", topic="geography")
    question = await next_question(world, world.club)
    assert answer_buttons(question) == []
    entry = world.running.service.supervisor.directory.get(world.club.channel.key)
    assert entry is not None and entry.typed
    await world.double.say(world.club.guild, world.club.channel, world.club.players[0], "no idea")
    await world.settle()
    await finish(world, 5)
    rows = await world.db.pool.fetch("SELECT user_id, correct FROM answers")
    assert [(r["user_id"], r["correct"]) for r in rows] == [(world.club.players[0].id, False)]


async def test_a_player_cannot_stop_the_quiz_but_a_moderator_can(world: World) -> None:
    """Stop by a non-host is refused kindly; by a moderator it ends the game with a podium."""
    await start_quiz(world, world.club)
    refused = await world.double.slash(
        world.club.guild, world.club.channel, world.club.players[0], "trivia stop"
    )
    await refused.wait_ack()
    assert "Only the quiz host or a moderator" in _reply_text(refused)
    stopped = await world.double.slash(
        world.club.guild, world.club.channel, world.club.moderator, "trivia stop"
    )
    await stopped.wait_ack()
    await world.settle()
    assert world.club.channel.key not in world.running.service.supervisor.directory
    await world.double.wait_for_message(lambda m: "stopped" in m.text, channel=world.club.channel.key)


async def test_a_stale_button_is_refused_politely_and_changes_nothing(world: World) -> None:
    """Clicking an answer on a question that has closed gets an ephemeral refusal, no answer stored."""
    await start_quiz(world, world.club)
    first = await next_question(world, world.club)
    live = copy.deepcopy(first.components)
    since = await finish(world, 5)
    await next_question(world, world.club, since)
    answers = [b for row in first.components for b in row["components"] if b["custom_id"].startswith("qb:a:")]
    assert answers and all(b.get("disabled") for b in answers)  # closed (Report stays live)
    first.components = live  # a client the close's edit has not reached yet still shows live buttons
    late = await world.double.click(first, answer_buttons(first)[0], world.club.players[0])
    await late.wait_ack()
    assert "earlier question" in _reply_text(late) or "already closed" in _reply_text(late)
    assert await answers_stored(world, world.club.guild.id) == 0


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"questions": 0}, "between 1 and 20"),
        ({"questions": 21}, "between 1 and 20"),
        ({"timeout": 4}, "between 5 and 120"),
        ({"timeout": 121}, "between 5 and 120"),
    ],
)
async def test_options_out_of_range_get_the_catalogue_message(
    world: World, options: dict[str, int], expected: str
) -> None:
    """Counts and timeouts out of range are refused with the friendly message; no quiz starts."""
    record = await world.double.slash(
        world.club.guild, world.club.channel, world.club.admin, "trivia start", options
    )
    await record.wait_ack()
    assert expected in _reply_text(record)
    assert world.club.channel.key not in world.running.service.supervisor.directory


async def test_options_left_out_take_the_servers_defaults(world: World) -> None:
    """A server that set 3 hard typed questions gets them from a bare /trivia start; options still win."""
    settings = GuildSettings(
        default_questions=3, default_difficulty=Difficulty.HARD, typed_answers=True, idle_timeout=600
    )
    await save_guild_settings(world.db, world.club.guild.id, settings)
    record = await world.double.slash(world.club.guild, world.club.channel, world.club.admin, "trivia start")
    await record.wait_ack(timeout=3.0)
    started = await world.double.wait_for_message(
        lambda m: "Trivia is starting" in m.text, timeout=5, channel=world.club.channel.key
    )
    assert "3 hard questions" in started.text
    entry = world.running.service.supervisor.directory.get(world.club.channel.key)
    assert entry is not None and entry.typed
    await start_quiz(world, world.rival, questions=4, mode="buttons")
    rival = world.running.service.supervisor.directory.get(world.rival.channel.key)
    assert rival is not None and not rival.typed


async def test_a_second_quiz_in_a_busy_channel_is_refused(world: World) -> None:
    """/trivia start where a quiz runs says so, and the first quiz carries on."""
    await start_quiz(world, world.club)
    again = await world.double.slash(world.club.guild, world.club.channel, world.club.admin, "trivia start")
    await again.wait_ack()
    assert "already an active quiz" in _reply_text(again)


async def test_a_storm_of_429s_delays_messages_but_loses_and_repeats_none(world: World) -> None:
    """Discord rate-limits the channel for a while: every message still arrives, exactly once."""
    world.double.rate_limit_next(8, retry_after=0.05)
    await start_quiz(world, world.club, questions=2)
    since = await finish(world, 5)
    await finish(world, 5)
    titles = [
        m.embeds[0].get("title") for m in world.double.messages(world.club.channel.key) if is_question(m)
    ]
    assert titles == ["Question 1 of 2", "Question 2 of 2"]
    assert since > 0


def test_every_extension_loads_and_no_two_commands_collide() -> None:
    """Each cog module is an extension; their top-level command names are unique."""
    from disnake.ext import commands  # noqa: PLC0415

    from quizbot.bot.bot import QuizBot  # noqa: PLC0415

    names: list[str] = []
    for extension in EXTENSIONS:
        bot = QuizBot()
        bot._context = object()  # type: ignore[assignment]  # setup only hands it to the cog
        bot.load_extension(extension)
        names += [c.name for c in bot.slash_commands]
        assert isinstance(bot, commands.InteractionBot)
    assert len(names) == len(set(names)), names
    assert "trivia" in names


def _reply_text(record: object) -> str:
    texts = [getattr(record, "original", None), *getattr(record, "followups", [])]
    return "\n".join(t.text for t in texts if t is not None)
