"""Hints as parts: what the edge words in a channel's language, the same hints the English text gives."""

from __future__ import annotations

from quizbot.game.hints import Hint, HintKind, hint_steps, hints
from quizbot.game.progression import Difficulty
from quizbot.game.questions import Question, QuestionKind

TYPED = Question(
    "q1",
    "Which planet?",
    QuestionKind.SHORT_ANSWER,
    "space",
    Difficulty.EASY,
    "",
    accepted=("Great Red Spot",),
    hints=("It is on Jupiter.",),
)
CHOICE = Question(
    "q2",
    "Which?",
    QuestionKind.MULTIPLE_CHOICE,
    "space",
    Difficulty.EASY,
    "",
    options=("a", "b", "c", "d"),
    answer_index=2,
)


def test_typed_hints_come_as_their_kinds_in_order() -> None:
    """Authored, length (letters and words), first letter, some letters."""
    parts = hints(TYPED, typed=True)
    assert [p.kind for p in parts] == [
        HintKind.OWN,
        HintKind.LENGTH,
        HintKind.FIRST_LETTER,
        HintKind.SOME_LETTERS,
    ]
    assert (parts[1].letters, parts[1].words) == (12, 3)
    assert parts[2].first == "G" and parts[2].text.startswith("G _")


def test_button_hints_name_the_struck_options() -> None:
    """Each strike-out hint carries the options it strikes, never the right one."""
    parts = hints(CHOICE, typed=False)
    assert [len(p.struck) for p in parts] == [1, 2]
    assert all("c" not in p.struck for p in parts)


def test_the_parts_read_as_the_english_hints() -> None:
    """`english` is exactly what hint_steps gives, so English channels read as before."""
    for question, typed in ((TYPED, True), (CHOICE, False)):
        assert [p.english for p in hints(question, typed=typed)] == hint_steps(question, typed=typed)
    assert Hint(HintKind.LENGTH, letters=7, words=1).english == "The answer has 7 letters."
