"""Hints, revealed one at a time: the question's own hints first, then ones made from the answer.

For a typed answer: its length, then its first letter, then about a third of its letters. For
buttons: the question's own hints, then wrong options struck out one by one (never the last
one). Every hint shown lowers what the question is worth, for everyone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from quizbot.game.questions import Question, QuestionKind

HINT_PENALTY = 0.2  # each hint takes a fifth off the question's points...
MIN_SHARE = 0.4  # ...down to at most 40% of them
MASK = "_"


def points_share(hints_shown: int) -> float:
    """The share of a question's points still on offer after `hints_shown` hints."""
    return max(MIN_SHARE, 1.0 - HINT_PENALTY * max(hints_shown, 0))


class HintKind(StrEnum):
    """What a hint tells: the question's own words, or something made from its answer or options."""

    OWN = "own"  # the question's own hint, shown as written
    LENGTH = "length"  # how many letters (and words) the answer has
    FIRST_LETTER = "first_letter"  # its first letter, and the answer masked
    SOME_LETTERS = "some_letters"  # about a third of its letters
    NOT = "not"  # wrong options struck out


@dataclass(frozen=True, slots=True)
class Hint:
    """One hint as parts, so the edge can word it in a channel's language; `english` is its text."""

    kind: HintKind
    text: str = ""  # OWN: the question's hint; FIRST_LETTER, SOME_LETTERS: the masked answer
    letters: int = 0
    words: int = 0
    first: str = ""
    struck: tuple[str, ...] = ()

    @property
    def english(self) -> str:
        """The hint in English, as the game core words it."""
        match self.kind:
            case HintKind.LENGTH:
                words = f" in {self.words} words." if self.words > 1 else "."
                return f"The answer has {self.letters} letters{words}"
            case HintKind.FIRST_LETTER:
                return f"It starts with “{self.first}”: {self.text}"
            case HintKind.SOME_LETTERS:
                return f"Some letters: {self.text}"
            case HintKind.NOT:
                return f"It is not: {', '.join(self.struck)}."
        return self.text


def hint_steps(question: Question, *, typed: bool) -> list[str]:
    """Every hint a question can give, mildest first, in English."""
    return [hint.english for hint in hints(question, typed=typed)]


def hints(question: Question, *, typed: bool) -> list[Hint]:
    """Every hint a question can give, mildest first, as parts."""
    steps = [Hint(HintKind.OWN, text) for text in question.hints]
    if typed or question.kind is QuestionKind.SHORT_ANSWER:
        answer = question.correct_text
        letters = sum(c.isalnum() for c in answer)
        words = len(answer.split())
        first = answer.lstrip()[0].upper()
        steps.append(Hint(HintKind.LENGTH, letters=letters, words=words))
        steps.append(Hint(HintKind.FIRST_LETTER, masked(answer, 0.0, question.question_id), first=first))
        steps.append(Hint(HintKind.SOME_LETTERS, masked(answer, 1 / 3, question.question_id)))
        return steps
    wrong = [i for i in range(len(question.options)) if i != question.answer_index]
    random.Random(question.question_id).shuffle(wrong)  # the same order after a restart
    for struck in range(1, len(wrong)):
        gone = tuple(question.options[i] for i in sorted(wrong[:struck]))
        steps.append(Hint(HintKind.NOT, struck=gone))
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
