"""Hints: the question's own first, then length, first letter and masked letters, or struck options."""

from __future__ import annotations

import pytest

from quizbot.game.hints import hint_steps, masked, points_share
from quizbot.game.progression import Difficulty
from quizbot.game.questions import Question, QuestionKind


def short(answer: str, hints: tuple[str, ...] = ()) -> Question:
    return Question(
        "q1",
        "Which planet?",
        QuestionKind.SHORT_ANSWER,
        "space",
        Difficulty.EASY,
        "",
        accepted=(answer,),
        hints=hints,
    )


def choice() -> Question:
    return Question(
        "q2",
        "Which?",
        QuestionKind.MULTIPLE_CHOICE,
        "space",
        Difficulty.EASY,
        "",
        options=("a", "b", "c", "d"),
        answer_index=2,
    )


def test_typed_hints_go_from_authored_to_length_to_letters() -> None:
    """Authored hints first, then the length, the first letter, and some letters."""
    steps = hint_steps(short("Jupiter", hints=("It is the largest.",)), typed=True)
    assert steps[0] == "It is the largest."
    assert steps[1] == "The answer has 7 letters."
    assert steps[2].startswith("It starts with “J”: J _ _ _ _ _ _")
    assert steps[3].startswith("Some letters: J ")
    assert steps[3].count("_") < 6


def test_button_hints_strike_wrong_options_but_never_the_last() -> None:
    """Multiple choice strikes out wrong options one by one, leaving one wrong option standing."""
    steps = hint_steps(choice(), typed=False)
    assert len(steps) == 2
    struck = {part.strip(" .") for step in steps for part in step.removeprefix("It is not: ").split(",")}
    assert "c" not in struck and len(struck) == 2


def test_hints_are_the_same_after_a_restart() -> None:
    """The masked letters and struck options depend only on the question, not on chance."""
    assert hint_steps(short("Saturn"), typed=True) == hint_steps(short("Saturn"), typed=True)
    assert hint_steps(choice(), typed=False) == hint_steps(choice(), typed=False)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("Leonardo da Vinci", "L _ _ _ _ _ _ _   _ _   _ _ _ _ _"), ("C-3PO", "C - _ _ _")],
)
def test_masked_words_stay_apart_and_punctuation_shows(answer: str, expected: str) -> None:
    """Words are set apart and punctuation is never hidden."""
    assert masked(answer, 0.0, "seed") == expected


@pytest.mark.parametrize(("shown", "share"), [(0, 1.0), (1, 0.8), (2, 0.6), (3, 0.4), (9, 0.4)])
def test_each_hint_takes_a_fifth_down_to_forty_percent(shown: int, share: float) -> None:
    """The points share falls by 20% per hint and never below 40%."""
    assert points_share(shown) == pytest.approx(share)
