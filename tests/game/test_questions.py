"""The question model: what builds, what is refused and why, the JSON form and typed-answer matching."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import orjson
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from quizbot.errors import InvalidValue
from quizbot.game.progression import Difficulty
from quizbot.game.questions import (
    IDENTITY_PREFIX,
    MAX_EXPLANATION,
    MAX_OPTION_LABEL,
    MAX_TEXT,
    TRUE_FALSE,
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


IDENTITY = r"q1_[A-Za-z0-9_-]{22}"


def test_identity_is_the_prefix_and_22_base64url_characters() -> None:
    """An identity reads q1_ and 128 bits of digest in unpadded base64url."""
    assert IDENTITY_PREFIX == "q1_"
    assert re.fullmatch(IDENTITY, mc_question().identity)


def test_identity_of_a_fixed_question_never_changes() -> None:
    """A golden value: BLAKE2b-128 of the sorted-key compact JSON, which cannot change silently."""
    question = Question(
        question_id="golden-1",
        text="Which planet is known as the red planet?",
        kind=QuestionKind.MULTIPLE_CHOICE,
        category="science",
        difficulty=Difficulty.MEDIUM,
        explanation="Iron oxide makes Mars look red.",
        options=("Venus", "Mars", "Jupiter", "Saturn"),
        answer_index=1,
        hints=("It is the fourth planet.",),
        source="custom:g1/space",
    )
    canonical = (
        '{"accepted":[],"answer":1,"category":"science","difficulty":"medium",'
        '"explanation":"Iron oxide makes Mars look red.","hints":["It is the fourth planet."],'
        '"id":"golden-1","kind":"multiple_choice","options":["Venus","Mars","Jupiter","Saturn"],'
        '"source":"custom:g1/space","text":"Which planet is known as the red planet?"}'
    )
    digest = hashlib.blake2b(canonical.encode(), digest_size=16).digest()
    written = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert question.identity == "q1_" + written == "q1_ucSbb51_PwuUmtQ-Ea9fMQ"


@pytest.mark.parametrize(
    ("build", "changes"),
    [
        (mc_question, {"question_id": "q2"}),
        (mc_question, {"text": "Which planet is known as the blue planet?"}),
        (mc_question, {"text": "Which planet is known as the red planet? "}),
        (mc_question, {"category": "astronomy"}),
        (mc_question, {"difficulty": Difficulty.HARD}),
        (mc_question, {"explanation": ""}),
        (mc_question, {"options": ("Venus", "Mars", "Jupiter", "Uranus")}),
        (mc_question, {"options": ("Mars", "Venus", "Jupiter", "Saturn")}),
        (mc_question, {"answer_index": 2}),
        (mc_question, {"hints": ("Fourth from the sun.",)}),
        (mc_question, {"source": "generated"}),
        (short_question, {"accepted": ("Paris",)}),
        (short_question, {"accepted": ("Ville Lumière", "Paris")}),
        (short_question, {"hints": ("On the Seine", "City of light")}),
        (tf_question, {"answer_index": 1}),
        (tf_question, {"kind": QuestionKind.MULTIPLE_CHOICE}),
    ],
)
def test_identity_changes_with_any_field(build: Builder, changes: dict[str, Any]) -> None:
    """Changing any one field, even an option's order or a trailing space, gives another identity."""
    question = build()
    changed = replace(question, **changes)
    assert changed.identity != question.identity
    assert build(**{"question_id": question.question_id, **changes}).identity == changed.identity


def test_identity_is_computed_once_and_not_carried_by_replace() -> None:
    """The identity is kept on the instance; a replaced copy computes its own."""
    question = mc_question()
    assert question.identity is question.identity
    assert replace(question).identity == question.identity
    assert replace(question, text="Which planet has two moons?").identity != question.identity


def test_identity_treats_true_as_the_index_it_equals() -> None:
    """An answer of True equals index 1, so it has index 1's identity too."""
    data = orjson.loads(orjson.dumps(mc_question("by-bool").to_dict()))
    as_bool = Question.from_dict({**data, "answer": True})
    assert as_bool.answer_index is True
    assert as_bool == Question.from_dict(data)
    assert as_bool.identity == Question.from_dict(data).identity


def test_identity_survives_from_dict_and_interning() -> None:
    """from_dict(to_dict(q)) through JSON has q's identity, and the shared instance keeps it."""
    question = short_question("interned", hints=("City of light",))
    rebuilt = Question.from_dict(orjson.loads(orjson.dumps(question.to_dict())))
    assert rebuilt.identity == question.identity
    assert Question.from_dict(question.to_dict()) is rebuilt


TEXT = st.text(min_size=1, max_size=30).filter(str.strip)


@st.composite
def questions(draw: st.DrawFn) -> Question:
    """A valid question of any kind, with arbitrary Unicode text."""
    kind = draw(st.sampled_from(QuestionKind))
    fields: dict[str, Any] = {
        "question_id": draw(TEXT),
        "text": draw(TEXT),
        "kind": kind,
        "category": draw(TEXT),
        "difficulty": draw(st.sampled_from(Difficulty)),
        "explanation": draw(st.text(max_size=30)),
        "hints": tuple(draw(st.lists(TEXT, max_size=3))),
        "source": draw(st.sampled_from(["bank", "generated", "custom:g1/pack"])),
    }
    if kind is QuestionKind.SHORT_ANSWER:
        fields["accepted"] = tuple(draw(st.lists(TEXT, min_size=1, max_size=3)))
    else:
        options = (
            TRUE_FALSE if kind is QuestionKind.TRUE_FALSE else draw(st.lists(TEXT, min_size=2, max_size=5))
        )
        fields["options"] = tuple(options)
        fields["answer_index"] = draw(st.integers(0, len(options) - 1))
    try:
        return Question(**fields)
    except InvalidValue:
        assume(False)
        raise


@settings(max_examples=200, deadline=None)
@given(questions())
def test_identity_is_stable_across_the_json_round_trip(question: Question) -> None:
    """Any question rebuilt from its JSON form has the same identity, in the same format."""
    rebuilt = Question.from_dict(orjson.loads(orjson.dumps(question.to_dict())))
    assert rebuilt.identity == question.identity
    assert re.fullmatch(IDENTITY, question.identity)


@settings(max_examples=200, deadline=None)
@given(questions(), questions())
def test_identities_are_equal_exactly_when_questions_are(first: Question, second: Question) -> None:
    """Two questions share an identity if and only if they are equal."""
    assert (first.identity == second.identity) is (first == second)


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


@pytest.mark.parametrize("field", ["text", "explanation", "options", "hints"])
def test_a_lone_surrogate_is_refused(field: str) -> None:
    """Text that cannot be written as UTF-8 (a lone surrogate, as a hostile JSON escape gives) is refused."""
    values: dict[str, Any] = {
        "question_id": "s1",
        "text": "Which planet?",
        "kind": "multiple_choice",
        "category": "science",
        "difficulty": "easy",
        "explanation": "Mars is red.",
        "options": ("Mars", "Venus"),
        "answer_index": 0,
    }
    bad = "Mars \ud800"
    values[field] = (bad, "Venus") if field == "options" else (bad,) if field == "hints" else bad
    with pytest.raises(InvalidValue, match="lone surrogates"):
        Question(**values)
