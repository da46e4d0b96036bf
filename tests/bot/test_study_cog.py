"""/study through the real disnake client, the loopback Discord and PostgreSQL: each subcommand's
success and its refusals, and the /quiz alias."""

from __future__ import annotations

from typing import Any

import pytest

from quizbot.bot.catalogue import MESSAGES
from quizbot.game.questions import Question
from quizbot.testing import Member, MessageRecord
from tests.bot.conftest import World
from tests.bot.play import answer_buttons, finish, is_question
from tests.bot.test_privacy import REFUSAL, final, settled
from tests.bot.test_quiz_cog import question_in_dm, solo_key


async def said(
    world: World,
    player: Member,
    command: str,
    options: dict[str, Any] | None = None,
    *,
    forged: bool = False,
    locale: str | None = None,
) -> MessageRecord:
    """`player` uses `command` in the club's #trivia; the bot's last, private word on it."""
    club = world.club
    record = await world.double.slash(
        club.guild, club.channel, player, command, options or {}, forged=forged, locale=locale
    )
    await record.wait_until(settled, timeout=5.0, what="the bot's answer")
    last = final(record)
    assert last is not None and last.ephemeral, (command, last)
    return last


async def study(world: World, player: Member, **options: Any) -> MessageRecord:
    """/study start with small defaults; the private reply, once the session has settled."""
    reply = await said(world, player, "study start", {"questions": 2, "timeout": 5, **options})
    await world.settle()
    return reply


def asked(world: World, message: MessageRecord) -> Question:
    """The bank question a DM question message shows."""
    text = message.embeds[0]["description"]
    bank = world.running.bot.context.bank
    return next(q for qs in bank.by_category.values() for q in qs if text == f"**{q.text}**")


def is_open(message: MessageRecord) -> bool:
    """A question whose answer buttons can still be pressed (a closed one's Report can, too)."""
    return is_question(message) and any(
        not c.get("disabled")
        for row in message.components
        for c in row.get("components", [])
        if c.get("custom_id", "").startswith("qb:a:")
    )


async def open_question(world: World, player: Member) -> MessageRecord:
    """The open question in the player's DM."""
    dm = world.double.dm_channel(player)
    return await world.double.wait_for_message(is_open, timeout=5, channel=dm.key)


async def answer_all(
    world: World, player: Member, count: int, *, right: bool, after: float = 0.0
) -> list[Question]:
    """Answer each of a study session's `count` questions, rightly or wrongly, `after` seconds
    (a right answer within a third of the time is Easy, later Good); return them."""
    questions = []
    for _ in range(count):
        message = await open_question(world, player)
        await world.advance(after)
        question = asked(world, message)
        pick = question.answer_index if right else (question.answer_index + 1) % len(question.options)
        await (await world.double.click(message, answer_buttons(message)[pick], player)).wait_ack()
        questions.append(question)
        await world.settle()
        await finish(world, 0.1)
    return questions


async def test_start_asks_new_questions_of_the_topic_in_the_dm(world: World) -> None:
    """With no cards yet, /study start brings new questions of the topic (button ones) to the DMs."""
    player = world.club.players[0]
    reply = await study(world, player, topic="Science", questions=3)
    assert "Check your DMs" in reply.text
    intro = next(m for m in world.double.messages(world.double.dm_channel(player)) if m.embeds)
    assert intro.embeds[0]["description"].startswith(
        "**0 cards to review** and **3 new questions**, 5 seconds each."
    )
    question = await question_in_dm(world, player)
    assert question.embeds[0]["title"] == "Question 1 of 3"
    assert asked(world, question).category == "science" and answer_buttons(question)


async def test_an_answer_closes_the_question_at_once_and_shows_the_explanation(world: World) -> None:
    """No waiting for the timer: the player's one answer reveals the question with its explanation."""
    player = world.club.players[0]
    await study(world, player, topic="space")
    message = await question_in_dm(world, player)
    question = asked(world, message)
    await (await world.double.click(message, answer_buttons(message)[0], player)).wait_ack()
    await world.settle()  # no clock moved: the answer itself closed the question
    descriptions = [embed.get("description") for embed in message.embeds]
    assert question.explanation and question.explanation in descriptions


async def test_a_topic_that_names_nothing_is_refused(world: World) -> None:
    """A topic that is neither a category nor a pack: a private refusal, no session."""
    player = world.club.players[0]
    reply = await said(world, player, "study start", {"topic": "quantum knitting"})
    assert REFUSAL in reply.text and MESSAGES["study.unknown_topic"] in reply.text
    assert solo_key(world, player) not in world.running.service.supervisor.directory


async def test_nothing_due_and_no_new_room_is_refused_saying_when_the_next_card_is_due(world: World) -> None:
    """With the day's cap at 0: no cards, nothing to study; once a card exists, when it is due."""
    player = world.club.players[0]
    capped = await said(world, player, "study new_cards", {"count": 0})
    assert capped.text == "From now on, /study brings up to **0** new questions a day."
    refused = await said(world, player, "study start")
    assert MESSAGES["study.nothing_now"] in refused.text
    await said(world, player, "study new_cards", {"count": 1})
    await study(world, player, questions=1)
    await answer_all(world, player, 1, right=True)
    await said(world, player, "study new_cards", {"count": 0})
    later = await said(world, player, "study start")
    assert REFUSAL in later.text and "Your next card is due <t:" in later.text


async def test_stats_count_the_reviews_and_the_cards_due(world: World) -> None:
    """Two new cards, one missed (Again: a minute), one right after a pause (Good: ten minutes):
    a quarter of an hour later both are due, two reviews, no retention yet, a one-day streak."""
    player = world.club.players[0]
    await study(world, player, topic="history", questions=1)
    await answer_all(world, player, 1, right=False)
    await study(world, player, topic="history", questions=1)
    await answer_all(world, player, 1, right=True, after=3.0)
    await world.advance(15 * 60)
    stats = await said(world, player, "study stats")
    lines = stats.embeds[0]["description"].split("\n")
    assert lines == [
        "Due now: **2**",
        "Due today: **2**",
        "Due this week: **2**",
        "Reviews done: **2**",
        "True retention (30 days): not enough reviews yet",
        "Longest study streak: **1 day**",
        "Time zone: UTC",
    ]


async def test_stats_give_true_retention_once_a_learned_card_is_reviewed(world: World) -> None:
    """A card answered right at once (Easy) is learned; answered right again when due, a month
    later, it is the one review of a learned card: 100 % retention, in the reader's language too."""
    player = world.club.players[0]
    await study(world, player, topic="computing", questions=1)
    await answer_all(world, player, 1, right=True)
    await world.advance(30 * 24 * 3600)
    await study(world, player, topic="computing", questions=1)
    await answer_all(world, player, 1, right=True)
    stats = await said(world, player, "study stats")
    assert "True retention (30 days): **100%**" in stats.embeds[0]["description"]
    german = await said(world, player, "study stats", locale="de")
    lines = german.embeds[0]["description"].split("\n")
    assert "Echte Behaltensquote (30 Tage): **100\xa0%**" in lines and "Längste Lernserie: **1 Tag**" in lines


async def test_timezone_takes_an_iana_name_in_any_case_and_stats_use_it(world: World) -> None:
    """europe/paris is stored as Europe/Paris; /study stats then counts days there."""
    player = world.club.players[0]
    reply = await said(world, player, "study timezone", {"zone": "europe/paris"})
    assert reply.text == "Your study days now follow **Europe/Paris**."
    stats = await said(world, player, "study stats")
    assert stats.embeds[0]["description"].endswith("Time zone: Europe/Paris")


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Paris", "UTC+2", "../../etc/passwd", "x" * 64])
async def test_a_zone_not_in_the_iana_list_is_refused(world: World, zone: str) -> None:
    """Anything but an IANA name is refused privately and changes nothing."""
    player = world.club.players[0]
    reply = await said(world, player, "study timezone", {"zone": zone}, forged=True)
    assert REFUSAL in reply.text and "must be an IANA time zone name" in reply.text
    assert await world.db.pool.fetchval("SELECT count(*) FROM study_settings") == 0


async def test_zone_autocomplete_offers_iana_names_containing_the_text(world: World) -> None:
    """Case-insensitive contains, at most 25."""
    club, player = world.club, world.club.players[0]
    for typed, expected in (("PARIS", ["Europe/Paris"]), ("a", None)):
        record = await world.double.autocomplete(
            club.guild, club.channel, player, "study timezone", focused="zone", options={"zone": typed}
        )
        await record.wait_ack(timeout=3.0)
        values = [choice["value"] for choice in record.choices]
        assert values == expected if expected else len(values) == 25


async def test_new_cards_out_of_range_is_refused(world: World) -> None:
    """A forged 101 (or -1) is refused and stores nothing."""
    player = world.club.players[0]
    for count in (101, -1):
        reply = await said(world, player, "study new_cards", {"count": count}, forged=True)
        assert REFUSAL in reply.text
    assert await world.db.pool.fetchval("SELECT count(*) FROM study_settings") == 0


async def test_remind_at_stores_the_time_and_says_when_the_first_reminder_comes(world: World) -> None:
    """07:30 in the player's zone (Europe/Paris): the reply names it; remind off stops it."""
    player = world.club.players[0]
    await said(world, player, "study timezone", {"zone": "Europe/Paris"})
    reply = await said(world, player, "study remind at", {"time": "07:30"})
    assert reply.text.startswith(
        "⏰ I'll remind you every day at **07:30** (Europe/Paris) when cards are due."
    )
    assert " 07:30." in reply.text  # the first reminder, in Paris time
    stored = await world.db.pool.fetchrow("SELECT remind_at, remind_next FROM study_settings")
    assert str(stored["remind_at"]) == "07:30:00" and stored["remind_next"] is not None
    off = await said(world, player, "study remind off")
    assert off.text == "Study reminders are off."
    again = await said(world, player, "study remind off")
    assert again.text == "You had no study reminders, so nothing changed."


@pytest.mark.parametrize(
    "value",
    [
        "7:5",
        "24:00",
        "0730",
        "07:30pm",
        "",
        "12:60",
        " 7:30",
        "07:30\n",
        "٠٧:٣٠",  # noqa: RUF001 - non-ASCII digits, on purpose
        "x" * 100,
        730,
        True,
    ],
)
async def test_a_time_that_is_not_hh_mm_is_refused(world: World, value: object) -> None:
    """Strict HH:MM, 00:00 to 23:59: anything else is refused privately and stores nothing."""
    player = world.club.players[0]
    reply = await said(world, player, "study remind at", {"time": value}, forged=True)
    assert REFUSAL in reply.text
    assert await world.db.pool.fetchval("SELECT count(*) FROM study_settings") == 0


async def test_quiz_start_is_an_alias_with_a_note(world: World) -> None:
    """/quiz start starts the same study session, and its reply says /quiz is now /study."""
    player = world.club.players[0]
    reply = await said(world, player, "quiz start", {"topic": "science", "questions": 2, "timeout": 5})
    assert MESSAGES["study.quiz_alias_note"] in reply.text
    await world.settle()
    assert solo_key(world, player) in world.running.service.supervisor.directory
    stopped = await said(world, player, "study stop")
    assert stopped.text == "Your study quiz is stopped."
