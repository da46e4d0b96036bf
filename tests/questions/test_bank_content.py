"""The shipped bank as content: its size and balance, no near-duplicates, and answers that agree.

The checks are quizbot.questions.audit's, which `quizbot questions check` also runs for contributors.
"""

from __future__ import annotations

from functools import cache

import pytest

from quizbot.game.progression import Difficulty
from quizbot.game.questions import Question, QuestionKind
from quizbot.questions import audit
from quizbot.questions.bank import QuestionBank

MIN_QUESTIONS = 2000
MIN_CATEGORIES = 16


@cache
def shipped() -> tuple[Question, ...]:
    bank, errors = QuestionBank.load()
    assert errors == []
    return tuple(q for questions in bank.by_category.values() for q in questions)


def test_the_bank_holds_2000_questions_in_16_categories_of_100_or_more() -> None:
    """Size and balance: every category has 100+ questions, of every difficulty and every kind."""
    questions = shipped()
    assert len(questions) >= MIN_QUESTIONS
    assert len({q.category for q in questions}) >= MIN_CATEGORIES
    assert audit.imbalance(questions) == []


def test_no_two_questions_ask_the_same_thing() -> None:
    """No question repeats another, in its own pack or any other, in nearly the same words."""
    assert audit.near_duplicates(shipped()) == []


def test_a_right_option_never_appears_among_the_wrong_ones() -> None:
    """A multiple-choice question's options are all different answers."""
    assert audit.repeated_options(shipped()) == []


def test_no_explanation_names_a_wrong_option_as_right() -> None:
    """No true/false explanation opens with the wrong verdict; no multiple-choice one names a wrong
    option without the right answer."""
    assert audit.contradictions(shipped()) == []


def test_every_explanation_teaches_in_one_line() -> None:
    """Each explanation is one line of six words or more that is not the question again."""
    assert audit.thin_explanations(shipped()) == []


def question(kind: QuestionKind, text: str, explanation: str, **fields: object) -> Question:
    return Question(
        question_id="x",
        text=text,
        kind=kind,
        category="space",
        difficulty=Difficulty.EASY,
        explanation=explanation,
        **fields,  # type: ignore[arg-type]
    )


PLANETS = ("Jupiter", "Saturn", "Mars", "Venus")


@pytest.mark.parametrize(
    ("explanation", "contradicts"),
    [
        ("Saturn is the largest planet, about nine times as wide as Earth.", True),
        ("Jupiter is larger than Saturn, the runner-up, by about a fifth in width.", False),
        ("Jupiter's mass is more than twice that of all the other planets together.", False),
        ("It is more than eleven times as wide as Earth and made mostly of hydrogen.", False),
    ],
)
def test_the_contradiction_check_tells_teaching_from_comparing(explanation: str, contradicts: bool) -> None:
    """Naming a wrong option alone is caught; naming it beside the answer (even as "Jupiter's") is not."""
    asked = question(
        QuestionKind.MULTIPLE_CHOICE,
        "Which is the largest planet?",
        explanation,
        options=PLANETS,
        answer_index=0,
    )
    assert (audit.contradiction(asked) is not None) is contradicts


def test_a_reversed_verdict_and_repeated_options_are_caught() -> None:
    """A true/false explanation opening with the wrong verdict, and an option given twice."""
    reversed_verdict = question(
        QuestionKind.TRUE_FALSE,
        "Jupiter is the smallest planet.",
        "True: Jupiter is the smallest of the eight.",
        options=("True", "False"),
        answer_index=1,
    )
    assert audit.contradiction(reversed_verdict) is not None
    twice = question(
        QuestionKind.MULTIPLE_CHOICE,
        "Which is the largest planet?",
        "Jupiter is more than eleven times as wide as Earth.",
        options=("Jupiter", "Saturn", "JUPITER!", "Venus"),
        answer_index=0,
    )
    signs = question(
        QuestionKind.MULTIPLE_CHOICE,
        "What is i squared?",
        "By definition i is a square root of minus one, so i times i is minus one.",
        options=("1", "\u22121", "0", "i"),
        answer_index=1,
    )
    assert [f.subject for f in audit.repeated_options([twice, signs])] == ["x"]


def test_near_duplicates_are_the_same_question_not_the_same_frame() -> None:
    """One fact asked twice in other words is caught; two acronyms asked alike are not."""
    url = question(
        QuestionKind.SHORT_ANSWER,
        "What does URL stand for?",
        "Six words or more here.",
        accepted=("uniform resource locator",),
    )
    usb = question(
        QuestionKind.SHORT_ANSWER,
        "What does USB stand for?",
        "Six words or more here.",
        accepted=("universal serial bus",),
    )
    again = question(
        QuestionKind.SHORT_ANSWER,
        "What, does URL stand for",
        "Six words or more here.",
        accepted=("Uniform Resource Locator",),
    )
    assert audit.near_duplicates([url, usb]) == []
    assert len(audit.near_duplicates([url, usb, again])) == 1
