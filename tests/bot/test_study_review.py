"""Review what I missed, /study reset's buttons, and a study session across a restart, through the
real disnake client, the loopback Discord and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import uuid4

import pytest

from quizbot.bot.app import running_bot
from quizbot.bot.catalogue import MESSAGES
from quizbot.bot.custom_ids import ButtonKind, parse, parse_review, review_id
from quizbot.bot.render import render
from quizbot.clock import ManualClock
from quizbot.config import Settings
from quizbot.game.effects import AnnounceEnd, Standing
from quizbot.game.questions import QuestionKind
from quizbot.storage.pool import Database
from quizbot.storage.questions import keep_questions
from quizbot.testing import DiscordDouble, InteractionRecord, Member, MessageRecord, StandardGuild
from quizbot.testing.clocks import QuietBot, SteppingClock
from tests.bot.conftest import World
from tests.bot.play import answer_buttons, button_message, finish, next_question, start_quiz
from tests.bot.test_privacy import REFUSAL, final, settled
from tests.bot.test_quiz_cog import question_in_dm as next_in_dm
from tests.bot.test_study_cog import answer_all, asked, is_open, open_question, said, study

RUN = uuid4()
MISSED = (Standing(1, "Ann", 300, 1, 0), Standing(2, "Bob", 0, 0, 1))


def test_a_channel_podium_offers_review_when_someone_missed_a_question() -> None:
    """The button carries the run; none when nobody missed, in a study DM (guild 0), or without a run."""
    podium = render(AnnounceEnd("finished", MISSED, None, RUN), (5, 6), 1)
    assert [button.custom_id for button in podium.buttons] == [review_id(RUN)]
    assert podium.buttons[0].label == "Review what I missed"
    nobody = (Standing(1, "Ann", 300, 1, 0),)
    assert render(AnnounceEnd("finished", nobody, None, RUN), (5, 6), 1).buttons == []
    assert render(AnnounceEnd("finished", MISSED, None, RUN), (0, 6), 1).buttons == []
    assert render(AnnounceEnd("finished", MISSED), (5, 6), 1).buttons == []
    german = render(AnnounceEnd("stopped", MISSED, 1, RUN), (5, 6), 1, language="de")
    assert german.buttons[0].label == "Wiederholen, was ich verpasst habe"


async def press(world: World, message: MessageRecord, custom_id: str, member: Member) -> MessageRecord:
    """`member` presses a button; the bot's last, private word on it."""
    record: InteractionRecord = await world.double.click(message, custom_id, member)
    await record.wait_until(settled, timeout=5.0, what="the bot's answer")
    last = final(record)
    assert last is not None and last.ephemeral
    return last


async def stored(world: World, query: str, *args: object, at_least: int) -> None:
    """Move the games' clock a second at a time until `query` counts `at_least` (answers, and the
    cards they review, are written once a snapshot holding them is saved, on the checkpointer's tick)."""
    for _ in range(50):
        if await world.db.pool.fetchval(query, *args) >= at_least:
            return
        await world.advance(1.0)
    raise AssertionError(f"{query!r} never reached {at_least}")


async def test_review_what_i_missed_asks_it_again_and_study_brings_it_back_first_a_day_later(
    world: World,
) -> None:
    """End to end: a player misses a channel question, presses Review what I missed, is asked it in
    DMs; a day later /study start asks it first. Another player who missed nothing is told so."""
    club = world.club
    missing, right = club.players[0], club.players[1]
    await start_quiz(world, club, mode="buttons", questions=1)
    question = await next_question(world, club)
    missed = asked(world, question)
    wrong = (missed.answer_index + 1) % len(missed.options)
    for member, pick in ((missing, wrong), (right, missed.answer_index)):
        await (await world.double.click(question, answer_buttons(question)[pick], member)).wait_ack()
    await finish(world, 5)
    podium = await world.double.wait_for_message(
        lambda m: "The quiz is over" in m.text, timeout=5, channel=club.channel.key
    )
    (review,) = [c for c in podium.custom_ids if parse_review(c) is not None]
    await stored(world, "SELECT count(*) FROM answers WHERE guild_id <> 0", at_least=2)

    assert (await press(world, podium, review, right)).text == MESSAGES["study.missed_nothing"]
    assert "Check your DMs" in (await press(world, podium, review, missing)).text
    await world.settle()
    dm = world.double.dm_channel(missing)
    intro = next(m for m in world.double.messages(dm) if m.embeds)
    assert intro.embeds[0]["description"].startswith("**1 card to review** and **0 new questions**")
    again = await open_question(world, missing)
    assert asked(world, again) == missed
    refused = await press(world, podium, review, missing)
    assert REFUSAL in refused.text and "already have a study quiz" in refused.text
    await answer_all(world, missing, 1, right=True, after=10.0)  # Good: due again in minutes
    await finish(world, 5)
    dm_podium = next(m for m in world.double.messages(dm) if "The quiz is over" in m.text)
    assert dm_podium.custom_ids == []  # a study session's podium offers no review of itself

    await world.advance(24 * 3600)
    reply = await study(world, missing, topic="arts", questions=3)
    assert "Check your DMs" in reply.text
    first = await open_question(world, missing)
    assert asked(world, first) == missed and first.embeds[0]["title"] == "Question 1 of 3"


async def test_reset_deletes_only_the_presser_s_study_data_after_confirming(world: World) -> None:
    """Cancel deletes nothing; a stranger pressing the same button is refused; Delete removes the
    player's cards, log and settings, and nobody else's, nor any game data."""
    club = world.club
    player, stranger = club.players[0], club.players[1]
    for member in (player, stranger):
        await study(world, member, topic="nature", questions=1)
        await answer_all(world, member, 1, right=True)
        await said(world, member, "study remind at", {"time": "08:00"})
    asked_first = await said(world, player, "study reset")
    assert asked_first.embeds[0]["description"] == MESSAGES["study.reset_confirm"]
    delete, cancel = asked_first.custom_ids

    copy = await button_message(world, club, delete)  # the same id, where a stranger can press it
    refused = await press(world, copy, delete, stranger)
    assert REFUSAL in refused.text and MESSAGES["study.reset_not_yours"] in refused.text
    assert (await press(world, asked_first, cancel, player)).text == MESSAGES["study.reset_cancelled"]
    pool = world.db.pool
    counts = """
        SELECT (SELECT count(*) FROM review_cards), (SELECT count(*) FROM review_log),
               (SELECT count(*) FROM study_settings)
    """
    assert tuple(await pool.fetchrow(counts)) == (2, 2, 2)

    done = await press(world, asked_first, delete, player)
    assert done.text == (
        "Your study data is deleted: 1 card and 1 review, with your study settings and reminders."
    )
    assert tuple(await pool.fetchrow(counts)) == (1, 1, 1)
    assert await pool.fetchval("SELECT count(*) FROM review_cards WHERE user_id = $1", stranger.id) == 1
    assert await pool.fetchval("SELECT count(*) FROM answers WHERE user_id = $1", player.id) == 1


@pytest.mark.parametrize(
    "custom_id",
    [
        "qb:m:xyz",
        "qb:m:" + "0" * 33,
        "qb:m:" + "A" * 32,
        "qb:z:1:maybe",
        "qb:z:abc:yes",
        "qb:z:0:yes",
        "qb:z:",
    ],
)
async def test_forged_study_button_ids_are_refused_privately(world: World, custom_id: str) -> None:
    """A malformed review or reset id does nothing but a private "no longer in use"."""
    club = world.club
    forged = await button_message(world, club, custom_id)
    refused = await press(world, forged, custom_id, club.players[0])
    assert REFUSAL in refused.text and MESSAGES["button_retired"] in refused.text
    assert world.double.messages(world.double.dm_channel(club.players[0])) == []


@asynccontextmanager
async def bot_process(
    double: DiscordDouble, db: Database, clock: ManualClock, club: StandardGuild, owner: str
) -> AsyncIterator[World]:
    """A bot on `double` and `db`, its games on `clock`, as a World; leaving stops it as SIGTERM
    does (every session snapshotted), for the next one to respawn."""
    edge, quiet = SteppingClock(time.time()), QuietBot()
    options = {"guild_ready_timeout": 0.05}
    async with (
        edge.stepping(quiet),
        running_bot(
            Settings(), db, clock=clock, edge_clock=edge, owner=owner, bot_options=options
        ) as running,
        double.running(running.bot),
    ):
        quiet.running = running
        yield World(double, club, club, running, clock, db, edge)


def recovery(prompt: MessageRecord, choice: str) -> str:
    """The id of a recovery prompt's button for `choice`."""
    return next(
        c
        for c in prompt.custom_ids
        if (b := parse(c)) and b.kind is ButtonKind.RECOVERY and b.value == choice
    )


async def test_a_restart_in_the_middle_of_a_study_session_resumes_it(db: Database) -> None:
    """A study session is a session like any other: snapshotted on stop, respawned paused with a
    recovery prompt in the DM, and Continue asks the same question again."""
    clock = ManualClock(time.time())
    async with DiscordDouble() as double:
        club = double.standard_guild("Club", players=1)
        player = club.players[0]
        async with bot_process(double, db, clock, club, "bot-1") as world:
            await study(world, player, topic="sport", questions=2)
            await answer_all(world, player, 1, right=True)
            second = await open_question(world, player)
        async with bot_process(double, db, clock, club, "bot-2") as world:
            dm = double.dm_channel(player)
            prompt = await double.wait_for_message(
                lambda m: "interrupted" in m.text, timeout=10, channel=dm.key
            )
            await press(world, prompt, recovery(prompt, "continue"), player)
            await world.settle()
            again = await double.wait_for_message(
                lambda m: is_open(m) and m.id != second.id, timeout=5, channel=dm.key
            )
            assert asked(world, again) == asked(world, second)
            assert again.embeds[0]["title"] == "Question 2 of 2"


async def test_a_due_short_answer_card_is_studied_by_typing_in_the_dm(world: World) -> None:
    """A card from a typed channel game has no options: its study session is typed, and the answer
    typed in the DM closes the question at once."""
    player = world.club.players[0]
    bank = world.running.bot.context.bank
    short = next(q for q in bank.by_category["geography"] if q.kind is QuestionKind.SHORT_ANSWER)
    await keep_questions(world.db, [short])
    await world.db.pool.execute(
        "INSERT INTO review_cards (user_id, question_id, due, stability, difficulty, state, step,"
        " last_review) VALUES ($1, $2, now() - interval '1 day', 5, 5, 2, NULL, now() - interval '6 days')",
        player.id,
        short.identity,
    )
    await study(world, player, topic="geography", questions=1)
    question = await next_in_dm(world, player)
    assert asked(world, question) == short and question.custom_ids == []
    await world.double.dm(player, short.accepted[0])
    await world.settle()  # no clock moved: the typed answer closed the question
    assert short.explanation in [embed.get("description") for embed in question.embeds]
    await stored(world, "SELECT reviews FROM review_cards WHERE user_id = $1", player.id, at_least=2)
