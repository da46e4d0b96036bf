"""Hints, revealed one at a time: the question's own hints first, then ones made from the answer.

For a typed answer: its length, then its first letter, then about a third of its letters. For
buttons: the question's own hints, then wrong options struck out one by one (never the last
one). Every hint shown lowers what the question is worth, for everyone.
"""

from __future__ import annotations

import random

from quizbot.game.questions import Question, QuestionKind

HINT_PENALTY = 0.2  # each hint takes a fifth off the question's points...
MIN_SHARE = 0.4  # ...down to at most 40% of them
MASK = "_"


def points_share(hints_shown: int) -> float:
    """The share of a question's points still on offer after `hints_shown` hints."""
    return max(MIN_SHARE, 1.0 - HINT_PENALTY * max(hints_shown, 0))


def hint_steps(question: Question, *, typed: bool) -> list[str]:
    """Every hint a question can give, mildest first."""
    steps = list(question.hints)
    if typed or question.kind is QuestionKind.SHORT_ANSWER:
        answer = question.correct_text
        letters = sum(c.isalnum() for c in answer)
        words = len(answer.split())
        steps.append(f"The answer has {letters} letters" + (f" in {words} words." if words > 1 else "."))
        steps.append(
            f"It starts with “{answer.lstrip()[0].upper()}”: {masked(answer, 0.0, question.question_id)}"
        )
        steps.append(f"Some letters: {masked(answer, 1 / 3, question.question_id)}")
        return steps
    wrong = [i for i in range(len(question.options)) if i != question.answer_index]
    random.Random(question.question_id).shuffle(wrong)  # the same order after a restart
    for struck in range(1, len(wrong)):
        gone = ", ".join(question.options[i] for i in sorted(wrong[:struck]))
        steps.append(f"It is not: {gone}.")
    return steps


def masked(answer: str, reveal: float, seed: str) -> str:
    """The answer with letters hidden: the first always shown, then `reveal` of the rest at random.

    Letters are spaced out so the count can be read ("J _ p _ t _ r"); words are set apart.
    """
    positions = [i for i, c in enumerate(answer) if c.isalnum()]
    if not positions:
        return answer
    rest = positions[1:]
    shown = {positions[0], *random.Random(seed).sample(rest, round(len(rest) * reveal))}
    words = "".join(c if (i in shown or not c.isalnum()) else MASK for i, c in enumerate(answer)).split()
    return "   ".join(" ".join(word) for word in words)
