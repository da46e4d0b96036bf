"""Hidden questions leave the bank's choice for that guild (its own packs' too) but not for others, and
the lookup a report goes through finds only questions still in play where it is reported."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from quizbot.errors import InvalidValue
from quizbot.game.progression import Difficulty
from quizbot.game.questions import Question
from quizbot.questions.bank import QuestionBank
from quizbot.questions.custom import CustomPacks
from quizbot.questions.lookup import QuestionLookup
from quizbot.questions.sources import BankSource, QuestionRequest
from quizbot.storage.guilds import PostgresAskedQuestions
from quizbot.storage.packs import PostgresPackStore
from quizbot.storage.pool import Database
from quizbot.storage.questions import PostgresQuestionStore, keep_questions
from quizbot.storage.reports import EVERYWHERE, PostgresHiddenQuestions, hide_question
from tests.questions.test_bank import q, small_bank
from tests.questions.test_custom import PACK

GUILD, OTHER = 1, 2


async def hide(db: Database, question: Question, guild_id: int = GUILD) -> None:
    assert await hide_question(
        db, guild_id=guild_id, question_id=question.identity, hidden_by=9, reason="wrong"
    )


def sport(bank: QuestionBank) -> list[Question]:
    return bank.by_category["sport"]


def source(db: Database, bank: QuestionBank, custom: CustomPacks | None = None) -> BankSource:
    hidden = PostgresHiddenQuestions(db)
    return BankSource(bank, PostgresAskedQuestions(db), custom=custom, hidden=hidden, rng=random.Random(5))


def sport_request(guild_id: int, count: int) -> QuestionRequest:
    return QuestionRequest(guild_id=guild_id, difficulty=Difficulty.EASY, count=count, category="sport")


def test_the_bank_finds_its_questions_by_identity() -> None:
    """Every question by its identity; an identity it does not hold, or an added pack's, as it is now."""
    bank = small_bank()
    for question in sport(bank):
        assert bank.find(question.identity) is question
    assert bank.find("q1_" + "A" * 22) is None
    assert bank.ids_of([sport(bank)[0].identity, "q1_" + "A" * 22]) == {"p0"}


async def test_a_hidden_question_is_never_chosen_in_that_guild_but_is_elsewhere(db: Database) -> None:
    """With p1 hidden in guild 1, its quizzes get p0 and p2, again after the category starts over;
    guild 2 still gets all three."""
    bank = small_bank()
    await hide(db, sport(bank)[1])
    chooser = source(db, bank)
    for _ in range(4):  # twice through the category, the anti-repeat memory forgotten in between
        chosen = (await chooser.prepare(sport_request(GUILD, 2))).questions
        assert sorted(x.question_id for x in chosen) == ["p0", "p2"]
    elsewhere = (await chooser.prepare(sport_request(OTHER, 3))).questions
    assert sorted(x.question_id for x in elsewhere) == ["p0", "p1", "p2"]


async def test_a_category_short_of_questions_once_hidden_ones_are_left_out_is_refused(db: Database) -> None:
    """Three sport questions, one hidden: a quiz of three is refused rather than asking the hidden one."""
    bank = small_bank()
    await hide(db, sport(bank)[0])
    with pytest.raises(InvalidValue, match="only 2 questions"):
        await source(db, bank).prepare(sport_request(GUILD, 3))


async def test_a_question_hidden_everywhere_leaves_every_guild(db: Database) -> None:
    bank = small_bank()
    await hide(db, sport(bank)[2], EVERYWHERE)
    chooser = source(db, bank)
    for guild in (GUILD, OTHER, 0):
        chosen = (await chooser.prepare(sport_request(guild, 2))).questions
        assert sorted(x.question_id for x in chosen) == ["p0", "p1"]


async def test_a_hidden_question_of_the_guild_s_own_pack_is_not_asked(db: Database) -> None:
    """A server's pack question hidden there is left out of its quizzes of that pack."""
    library = CustomPacks(PostgresPackStore(db), QuestionBank.load()[0], cache_seconds=0)
    await library.add(GUILD, 42, "house.yaml", PACK)
    pack_questions = (await library.bank_for(GUILD)).by_category["house-rules"]
    founded = next(x for x in pack_questions if x.question_id.endswith("hr-1"))
    await hide(db, founded)
    chooser = source(db, library.shipped, custom=library)
    request = QuestionRequest(guild_id=GUILD, difficulty=Difficulty.EASY, count=1, category="house-rules")
    for _ in range(3):
        assert [x.question_id for x in (await chooser.prepare(request)).questions] != [founded.question_id]
    with pytest.raises(InvalidValue, match="only 1 questions"):
        await chooser.prepare(
            QuestionRequest(guild_id=GUILD, difficulty=Difficulty.EASY, count=2, category="house-rules")
        )


async def test_the_lookup_finds_bank_pack_and_generated_questions_still_in_play(db: Database) -> None:
    """The shipped bank's, the guild's pack's (not another guild's) and a generated one; not a stored
    bank question that the bank no longer holds, not a hidden one, not a malformed identity."""
    shipped = QuestionBank.load()[0]
    library = CustomPacks(PostgresPackStore(db), shipped, cache_seconds=0)
    await library.add(GUILD, 42, "house.yaml", PACK)
    lookup = QuestionLookup(shipped, PostgresQuestionStore(db), PostgresHiddenQuestions(db), custom=library)
    banked = shipped.by_category["science"][0]
    packed = (await library.bank_for(GUILD)).by_category["house-rules"][0]
    generated = replace(
        q("llm-openai-0123456789abcdef", "science", Difficulty.EASY, "Is water wet?"), source="openai"
    )
    retired = q("science-999", "science", Difficulty.EASY, "An old version of a bank question?")
    await keep_questions(db, [generated, retired, packed])

    assert await lookup.find(banked.identity, GUILD) is banked
    assert await lookup.find(banked.identity, 0) is banked  # from a DM
    assert await lookup.find(packed.identity, GUILD) == packed
    assert await lookup.find(packed.identity, OTHER) is None  # stored, but not that guild's pack
    assert await lookup.find(packed.identity, 0) == packed  # studied in a DM: its server's pack has it
    assert await lookup.find(generated.identity, OTHER) == generated
    assert await lookup.find(retired.identity, GUILD) is None
    assert await lookup.find("science-001", GUILD) is None
    assert await lookup.find(banked.identity + "x", GUILD) is None

    await library.remove(GUILD, "house-rules")
    assert await lookup.find(packed.identity, 0) is None
    assert await lookup.find(packed.identity, GUILD) is None
    await hide(db, banked)
    await hide(db, generated, EVERYWHERE)
    assert await lookup.find(banked.identity, GUILD) is None
    assert await lookup.find(banked.identity, OTHER) is banked
    assert await lookup.find(generated.identity, OTHER) is None
