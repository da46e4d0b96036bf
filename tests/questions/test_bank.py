"""The offline bank: loading, choosing by difficulty, nearest category, and no repeats per guild."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from quizbot.errors import InvalidValue
from quizbot.game.progression import Difficulty
from quizbot.game.questions import Question, QuestionKind
from quizbot.questions.bank import QuestionBank
from quizbot.questions.packs import Pack, PackError
from quizbot.questions.sources import BankSource, QuestionRequest
from quizbot.storage.guilds import PostgresAskedQuestions
from quizbot.storage.pool import Database


def q(qid: str, category: str, difficulty: Difficulty, text: str = "Which one?") -> Question:
    return Question(
        question_id=qid,
        text=text,
        kind=QuestionKind.TRUE_FALSE,
        category=category,
        difficulty=difficulty,
        explanation="Because.",
        options=("True", "False"),
        answer_index=0,
    )


def small_bank() -> QuestionBank:
    bank = QuestionBank()
    science = [q(f"s{i}", "science", Difficulty.EASY if i < 4 else Difficulty.HARD) for i in range(6)]
    science.append(q("s-planet", "science", Difficulty.HARD, "Is Mars a planet?"))
    bank.add(Pack("science", "Science", "", tuple(science), "science.yaml"))
    bank.add(
        Pack(
            "sport", "Sport", "", tuple(q(f"p{i}", "sport", Difficulty.EASY) for i in range(3)), "sport.yaml"
        )
    )
    return bank


def test_choose_prefers_the_difficulty_then_fills_in() -> None:
    """Questions of the wanted difficulty come first; others fill in when it runs short."""
    chosen = small_bank().choose("science", Difficulty.EASY, 6, rng=random.Random(1))
    assert [c.difficulty for c in chosen[:4]] == [Difficulty.EASY] * 4
    assert len({c.question_id for c in chosen}) == 6


def test_choose_skips_excluded_questions() -> None:
    """Excluded ids are never chosen; fewer come back when too few are left."""
    chosen = small_bank().choose("sport", Difficulty.EASY, 3, exclude={"p0", "p1"})
    assert [c.question_id for c in chosen] == ["p2"]


def test_an_unknown_category_is_refused() -> None:
    """Asking for a category that does not exist names the ones that do."""
    with pytest.raises(InvalidValue, match="science, sport"):
        small_bank().choose("cooking", Difficulty.EASY, 1)


@pytest.mark.parametrize(
    ("topic", "expected"),
    [("Science", "science"), ("sports", "sport"), ("planets", "science"), ("zzzz qqqq", None), ("", None)],
)
def test_nearest_category(topic: str, expected: str | None) -> None:
    """A topic maps to a category by name, or by its words appearing in that category's questions."""
    assert small_bank().nearest_category(topic) == expected


def test_a_bad_pack_is_reported_and_the_rest_load(tmp_path: Path) -> None:
    """Loading a folder skips a broken pack, reports it with its file, and keeps the good ones."""
    (tmp_path / "good.yaml").write_text(
        "questions:\n  - id: g1\n    difficulty: easy\n    kind: true_false\n    text: Water is wet.\n"
        "    answer: true\n    explanation: It is.\n"
    )
    (tmp_path / "broken.yaml").write_text("questions: [\n")
    bank, errors = QuestionBank.load(tmp_path)
    assert len(bank) == 1 and bank.categories == ["good"]
    assert [e.source for e in errors] == ["broken.yaml"]


def test_a_pack_reusing_an_id_is_refused() -> None:
    """Two packs may not share a question id."""
    bank = small_bank()
    with pytest.raises(PackError, match="already used"):
        bank.add(Pack("other", "Other", "", (q("s1", "other", Difficulty.EASY),), "other.yaml"))


async def test_a_guild_sees_no_repeats_until_the_category_runs_dry(db: Database) -> None:
    """Three sport questions: two quizzes of one never repeat, the third starts over."""
    source = BankSource(small_bank(), PostgresAskedQuestions(db), rng=random.Random(3))
    request = QuestionRequest(guild_id=1, difficulty=Difficulty.EASY, count=1, category="sport")
    seen = [(await source.prepare(request)).questions[0].question_id for _ in range(3)]
    assert sorted(seen) == ["p0", "p1", "p2"]
    again = (await source.prepare(request)).questions
    assert len(again) == 1


async def test_guilds_do_not_share_what_they_have_seen(db: Database) -> None:
    """One guild using up a category leaves another guild's choice untouched."""
    source = BankSource(small_bank(), PostgresAskedQuestions(db))
    for guild in (1, 2):
        prepared = await source.prepare(
            QuestionRequest(guild_id=guild, difficulty=Difficulty.EASY, count=3, category="sport")
        )
        assert sorted(x.question_id for x in prepared.questions) == ["p0", "p1", "p2"]


async def test_a_topic_falls_back_to_its_nearest_category(db: Database) -> None:
    """A free-text topic is served from the closest category, and the source says which."""
    prepared = await BankSource(small_bank(), PostgresAskedQuestions(db)).prepare(
        QuestionRequest(guild_id=1, difficulty=Difficulty.HARD, count=1, topic="planets")
    )
    assert prepared.questions[0].category == "science"
    assert prepared.source == "the offline bank (science)"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"count": 0}, "between 1 and 20"),
        ({"count": 21}, "between 1 and 20"),
        ({"topic": "x" * 101}, "100"),
        ({"topic": "   "}, "empty"),
        ({"difficulty": "brutal"}, "difficulty"),
        ({"guild_id": -5}, "guild_id"),
    ],
)
def test_bad_requests_are_refused(fields: dict[str, object], message: str) -> None:
    """Counts, topics, difficulties and ids out of range raise InvalidValue."""
    values: dict[str, object] = {"guild_id": 1, "difficulty": "easy", "count": 5, **fields}
    with pytest.raises(InvalidValue, match=message):
        QuestionRequest(**values)  # type: ignore[arg-type]


def test_the_shipped_bank_holds_at_least_500_valid_questions_in_10_categories() -> None:
    """Every shipped pack loads; 500+ questions, 10+ categories, each with all three difficulties."""
    bank, errors = QuestionBank.load()
    assert errors == []
    assert len(bank) >= 500
    assert len(bank.categories) >= 10
    for category in bank.categories:
        difficulties = {q.difficulty for q in bank.by_category[category]}
        assert difficulties == set(Difficulty), category
    assert all(q.explanation for qs in bank.by_category.values() for q in qs)


def test_a_button_quiz_gets_no_short_answer_questions() -> None:
    """Questions with no options cannot be answered with buttons, so they are left out."""
    bank, _ = QuestionBank.load()
    for category in bank.categories:
        chosen = bank.choose(category, Difficulty.MEDIUM, 40, buttons=True)
        assert chosen and all(q.kind is not QuestionKind.SHORT_ANSWER for q in chosen), category
