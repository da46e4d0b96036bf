"""The question model: what builds, what is refused and why, the JSON form and typed-answer matching."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

from quizbot.errors import InvalidValue
from quizbot.game.progression import Difficulty
from quizbot.game.questions import (
    MAX_EXPLANATION,
    MAX_OPTION_LABEL,
    MAX_TEXT,
    Question,
    QuestionKind,
    exact_matcher,
)
from tests.game.factories import mc_question, short_question, tf_question

Builder = Callable[..., Question]


@pytest.mark.parametrize(
    ("build", "kind"),
    [
        (mc_question, QuestionKind.MULTIPLE_CHOICE),
        (tf_question, QuestionKind.TRUE_FALSE),
        (short_question, QuestionKind.SHORT_ANSWER),
    ],
)
def test_valid_question_builds(build: Builder, kind: QuestionKind) -> None:
    """A well-formed question of each kind builds and reports no problems."""
    question = build()
    assert question.kind is kind
    assert question.problems() == []


def test_kind_and_difficulty_strings_become_enums() -> None:
    """Kind and difficulty given as plain strings are stored as their enums."""
    question = mc_question(kind="multiple_choice", difficulty="hard")
    assert question.kind is QuestionKind.MULTIPLE_CHOICE
    assert question.difficulty is Difficulty.HARD


@pytest.mark.parametrize(
    ("build", "fields", "problem"),
    [
        (mc_question, {"options": ("Only",), "answer_index": 0}, "2 to 5 options"),
        (mc_question, {"options": ("A", "B", "C", "D", "E", "F")}, "2 to 5 options"),
        (mc_question, {"options": ("Venus", "x" * (MAX_OPTION_LABEL + 1))}, "1 to 80 characters"),
        (mc_question, {"options": ("Venus", "   ", "Mars")}, "1 to 80 characters"),
        (mc_question, {"options": ("Venus", "")}, "1 to 80 characters"),
        (mc_question, {"options": ("Mars", "MARS", "Venus")}, "say the same thing"),
        (mc_question, {"options": ("Éclair", "eclair", "Venus")}, "say the same thing"),
        (mc_question, {"options": ("New  York", " new york", "Venus")}, "say the same thing"),
        (mc_question, {"answer_index": None}, "exactly one option must be the correct one"),
        (mc_question, {"answer_index": 4}, "exactly one option must be the correct one"),
        (mc_question, {"answer_index": -1}, "exactly one option must be the correct one"),
        (tf_question, {"options": ("Yes", "No")}, "options True and False"),
        (tf_question, {"options": ("False", "True")}, "options True and False"),
        (tf_question, {"options": ("True", "False", "Maybe")}, "options True and False"),
        (short_question, {"accepted": ()}, "at least one accepted answer"),
        (short_question, {"accepted": ("Paris", "  ")}, "at least one accepted answer"),
        (mc_question, {"text": ""}, f"text must be 1 to {MAX_TEXT} characters"),
        (mc_question, {"text": "   "}, f"text must be 1 to {MAX_TEXT} characters"),
        (mc_question, {"text": "?" * (MAX_TEXT + 1)}, f"text must be 1 to {MAX_TEXT} characters"),
        (mc_question, {"explanation": "e" * (MAX_EXPLANATION + 1)}, "explanation must be at most"),
        (mc_question, {"category": ""}, "category must be 1 to 64 characters"),
        (mc_question, {"category": "c" * 65}, "category must be 1 to 64 characters"),
        (mc_question, {"kind": "essay"}, "unknown question kind 'essay'"),
        (mc_question, {"difficulty": "impossible"}, "unknown difficulty 'impossible'"),
    ],
)
def test_invalid_question_is_refused(build: Builder, fields: dict[str, Any], problem: str) -> None:
    """A question breaking one rule raises InvalidValue naming the question id and the problem."""
    with pytest.raises(InvalidValue) as caught:
        build("bad-1", **fields)
    assert "'bad-1'" in str(caught.value)
    assert problem in str(caught.value)


def test_question_without_id_is_refused() -> None:
    """An empty question id is itself a problem."""
    with pytest.raises(InvalidValue, match="it needs an id"):
        mc_question("")


def test_every_problem_is_listed() -> None:
    """A question with several problems names all of them in one message."""
    with pytest.raises(InvalidValue) as caught:
        mc_question("bad-2", text="", options=("Only",), answer_index=3)
    message = str(caught.value)
    assert "text must be" in message
    assert "2 to 5 options" in message
    assert "exactly one option" in message


@pytest.mark.parametrize("length", [1, MAX_OPTION_LABEL])
def test_option_label_length_limits_are_inclusive(length: int) -> None:
    """Option labels of 1 and 80 characters are fine."""
    question = mc_question(options=("Venus", "m" * length))
    assert len(question.options[1]) == length


def test_text_and_explanation_at_their_limits_build() -> None:
    """Text of MAX_TEXT and an explanation of MAX_EXPLANATION characters are allowed."""
    question = mc_question(text="t" * MAX_TEXT, explanation="e" * MAX_EXPLANATION)
    assert len(question.text) == MAX_TEXT


def test_empty_explanation_is_allowed() -> None:
    """A question may come without an explanation."""
    assert mc_question(explanation="").explanation == ""


@pytest.mark.parametrize("count", [2, 5])
def test_two_to_five_options_build(count: int) -> None:
    """The smallest and largest option counts are allowed."""
    options = tuple(f"option {n}" for n in range(count))
    assert len(mc_question(options=options, answer_index=count - 1).options) == count


@pytest.mark.parametrize(
    ("question", "expected"),
    [(mc_question(), "Mars"), (tf_question(), "True"), (short_question(), "Paris")],
)
def test_correct_text(question: Question, expected: str) -> None:
    """correct_text is the right option, or the first accepted short answer."""
    assert question.correct_text == expected


@pytest.mark.parametrize(
    "question",
    [
        mc_question(hints=("It is the fourth planet.",), source="generated"),
        tf_question(),
        short_question(hints=("City of light", "On the Seine")),
    ],
)
def test_dict_round_trip(question: Question) -> None:
    """from_dict(to_dict(q)) gives back an equal question, also after a trip through JSON."""
    assert Question.from_dict(question.to_dict()) == question
    assert Question.from_dict(orjson.loads(orjson.dumps(question.to_dict()))) == question


def test_from_dict_fills_optional_fields() -> None:
    """Only id, text, kind, category and difficulty are required in the dict form."""
    data = {
        "id": "min",
        "text": "Capital of Japan?",
        "kind": "short_answer",
        "category": "geography",
        "difficulty": "easy",
        "accepted": ["Tokyo"],
    }
    question = Question.from_dict(data)
    assert (question.explanation, question.hints, question.source) == ("", (), "bank")


def test_from_dict_shares_one_instance_for_equal_data() -> None:
    """Equal plain data rebuilds one shared question; values equal only across types are kept apart."""
    data = orjson.loads(orjson.dumps(mc_question("shared").to_dict()))
    assert Question.from_dict(data) is Question.from_dict(dict(data))
    as_bool = Question.from_dict({**data, "answer": True})
    assert as_bool.answer_index is True
    assert Question.from_dict(data).answer_index == 1 and type(Question.from_dict(data).answer_index) is int


def test_from_dict_validates_again() -> None:
    """A tampered dict is refused just like a bad constructor call."""
    data = mc_question("tampered").to_dict()
    data["answer"] = 9
    with pytest.raises(InvalidValue, match=r"'tampered'.*correct one"):
        Question.from_dict(data)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("Paris", True),
        ("paris", True),
        ("PARIS", True),
        ("  Paris  ", True),
        ("ville lumiere", True),
        ("VILLE   LUMIÈRE", True),
        ("Ville\tLumière", True),
        ("Pàrís", True),
        ("Pari", False),
        ("Paris, France", False),
        ("Lyon", False),
        ("", False),
    ],
)
def test_exact_matcher_on_short_answers(response: str, expected: bool) -> None:
    """Any accepted answer matches, ignoring case, accents and spacing; anything else does not."""
    assert exact_matcher(short_question(), response) is expected


@pytest.mark.parametrize(("response", "expected"), [("mars", True), (" MARS ", True), ("Venus", False)])
def test_exact_matcher_on_multiple_choice_uses_the_correct_option(response: str, expected: bool) -> None:
    """Typed answers to a multiple-choice question match the correct option's text."""
    assert exact_matcher(mc_question(), response) is expected
