"""Choosing a study session's questions against PostgreSQL: due cards first, most overdue first,
then new questions of the topic within the day's room, none the player has a card for."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from quizbot.bot.study_deck import missed_deck, study_deck, topic_names, topic_questions
from quizbot.game.questions import Question, QuestionKind
from quizbot.game.session import AnswerMode
from quizbot.questions.bank import QuestionBank
from quizbot.storage.pool import Database
from quizbot.storage.questions import keep_questions
from quizbot.storage.reports import EVERYWHERE, hide_question
from quizbot.storage.study import set_new_per_day

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
PLAYER = 42
GUILD, OTHER = 7 << 22, 8 << 22


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return QuestionBank.load()[0]


def of_kind(bank: QuestionBank, category: str, short: bool) -> list[Question]:
    """The category's questions that are (or are not) short answers."""
    return [q for q in bank.by_category[category] if (q.kind is QuestionKind.SHORT_ANSWER) is short]


async def card(db: Database, question: Question, due: datetime) -> None:
    """A card of PLAYER for `question`, due at `due`."""
    await db.pool.execute(
        "INSERT INTO review_cards (user_id, question_id, due, stability, difficulty, state, step,"
        " last_review) VALUES ($1, $2, $3, 5.0, 5.0, 2, NULL, $3::timestamptz - interval '5 days')",
        PLAYER,
        question.identity,
        due,
    )


def test_a_topic_is_a_category_or_a_pack_in_any_case(bank: QuestionBank) -> None:
    """ "SPACE" is the space category; a pack by its name or id; nothing for an unknown topic."""
    assert topic_questions(bank, "SPACE") == bank.by_category["space"]
    pack = next(iter(bank.packs.values()))
    assert topic_questions(bank, pack.name.upper()) == list(pack.questions)
    assert topic_questions(bank, pack.pack_id) == list(pack.questions)
    assert topic_questions(bank, "quantum knitting") is None
    assert len(topic_questions(bank, None) or []) == len(bank)
    names = topic_names(bank)
    assert len(names) == len({name.casefold() for name in names}) and "science" in names


async def test_due_cards_come_first_most_overdue_first_then_new_ones(
    db: Database, bank: QuestionBank
) -> None:
    """Two due cards (the older first), one not yet due left out, then new science questions that
    are neither carded nor short answers; a card whose question is not stored is skipped."""
    history = of_kind(bank, "history", short=False)
    science = of_kind(bank, "science", short=False)
    await keep_questions(db, [history[0], history[1], history[2], science[0]])
    await card(db, history[0], NOW - timedelta(hours=1))
    await card(db, history[1], NOW - timedelta(days=3))
    await card(db, history[2], NOW + timedelta(days=2))
    await card(db, science[0], NOW + timedelta(days=2))  # carded: never new again
    unstored = of_kind(bank, "arts", short=False)[0]
    await card(db, unstored, NOW - timedelta(days=9))
    deck = await study_deck(db, PLAYER, NOW, bank.by_category["science"], count=5, rng=random.Random(1))
    assert deck.questions[:2] == (history[1], history[0])
    assert (deck.reviews, deck.new, len(deck.questions)) == (2, 3, 5)
    fresh = deck.questions[2:]
    assert all(q.category == "science" and q.kind is not QuestionKind.SHORT_ANSWER for q in fresh)
    assert science[0] not in fresh and deck.mode is AnswerMode.BUTTONS


async def test_new_questions_stay_within_the_day_s_room(db: Database, bank: QuestionBank) -> None:
    """A cap of 2 new cards a day: two new questions at most, however many are asked for."""
    await set_new_per_day(db, PLAYER, 2)
    deck = await study_deck(db, PLAYER, NOW, bank.by_category["space"], count=10)
    assert (deck.reviews, deck.new) == (0, 2)
    await set_new_per_day(db, PLAYER, 0)
    assert (await study_deck(db, PLAYER, NOW, bank.by_category["space"], count=10)).questions == ()


async def test_a_due_short_answer_card_makes_the_session_typed(db: Database, bank: QuestionBank) -> None:
    """A card from a typed game can only be typed: the whole session is typed then."""
    short = of_kind(bank, "sport", short=True)[0]
    await keep_questions(db, [short])
    await card(db, short, NOW - timedelta(minutes=5))
    deck = await study_deck(db, PLAYER, NOW, bank.by_category["sport"], count=3)
    assert deck.questions[0] == short and deck.mode is AnswerMode.TYPED


async def test_missed_questions_keep_the_game_s_order_once_each(db: Database, bank: QuestionBank) -> None:
    """The missed questions as the game asked them; one no longer stored is left out."""
    nature = of_kind(bank, "nature", short=False)
    await keep_questions(db, nature[:2])
    deck = await missed_deck(db, [nature[1].identity, nature[0].identity, nature[1].identity, "q1_gone"])
    assert deck.questions == (nature[1], nature[0]) and (deck.reviews, deck.new) == (2, 0)


async def hide(db: Database, question: Question, guild_id: int) -> None:
    await hide_question(db, guild_id=guild_id, question_id=question.identity, hidden_by=9, reason="")


async def due_history(db: Database, bank: QuestionBank, count: int) -> list[Question]:
    """`count` stored history questions with PLAYER's cards due, the first the most overdue."""
    history = of_kind(bank, "history", short=False)[:count]
    await keep_questions(db, history)
    for n, question in enumerate(history):
        await card(db, question, NOW - timedelta(days=count - n))
    return history


async def test_a_hidden_question_leaves_the_due_cards_where_it_is_hidden(
    db: Database, bank: QuestionBank
) -> None:
    """Three due cards, one hidden in GUILD and one everywhere: studying from GUILD gets the third
    only; from another server or a DM, the one hidden in GUILD is due again."""
    history = await due_history(db, bank, 3)
    await hide(db, history[0], GUILD)
    await hide(db, history[1], EVERYWHERE)
    nothing_new: list[Question] = []
    here = await study_deck(db, PLAYER, NOW, nothing_new, count=5, guild_id=GUILD)
    assert here.questions == (history[2],) and here.reviews == 1
    for elsewhere in (OTHER, 0):
        deck = await study_deck(db, PLAYER, NOW, nothing_new, count=5, guild_id=elsewhere)
        assert deck.questions == (history[0], history[2])


async def test_the_due_limit_counts_only_questions_in_play(db: Database, bank: QuestionBank) -> None:
    """Hidden cards do not take up the session's places: asked for two, it gets two in play."""
    history = await due_history(db, bank, 4)
    await hide(db, history[0], GUILD)
    await hide(db, history[1], GUILD)
    deck = await study_deck(db, PLAYER, NOW, [], count=2, guild_id=GUILD)
    assert deck.questions == (history[2], history[3])


async def test_a_hidden_question_is_never_a_new_card(db: Database, bank: QuestionBank) -> None:
    """Of a pool of three, one hidden in GUILD and one everywhere: new cards there are the third alone;
    in another server, two."""
    science = of_kind(bank, "science", short=False)[:3]
    await hide(db, science[0], GUILD)
    await hide(db, science[1], EVERYWHERE)
    here = await study_deck(db, PLAYER, NOW, science, count=5, guild_id=GUILD)
    assert here.questions == (science[2],) and here.new == 1
    elsewhere = await study_deck(db, PLAYER, NOW, science, count=5, guild_id=OTHER, rng=random.Random(2))
    assert set(elsewhere.questions) == {science[0], science[2]}


async def test_missed_questions_hidden_in_the_game_s_guild_are_left_out(
    db: Database, bank: QuestionBank
) -> None:
    """Review what I missed in GUILD skips a question hidden there; from a DM it is still there."""
    nature = of_kind(bank, "nature", short=False)[:2]
    await keep_questions(db, nature)
    await hide(db, nature[0], GUILD)
    missed = [nature[0].identity, nature[1].identity]
    assert (await missed_deck(db, missed, guild_id=GUILD)).questions == (nature[1],)
    assert (await missed_deck(db, missed)).questions == tuple(nature)
