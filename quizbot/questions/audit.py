"""Checks a reviewer would make of written questions: near-duplicates, repeated options, explanations
that teach a wrong option, thin explanations and a category's balance.

The shipped bank passes all of them (tests/questions/test_bank_content.py), and `quizbot questions
check` runs them over the bank with any packs a contributor is writing, naming each question by id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from quizbot.game.progression import Difficulty
from quizbot.game.questions import Question, QuestionKind
from quizbot.questions import pictures
from quizbot.questions.bank import QuestionBank
from quizbot.questions.matching import normalise
from quizbot.questions.packs import PackError, load_pack

NEAR_DUPLICATE = 90  # rapidfuzz token_sort_ratio of two normalised question texts
SIGNIFICANT = 4  # letters a word needs to stand for its whole option in an explanation
MIN_EXPLANATION_WORDS = 6
MIN_PER_CATEGORY = 100
SIGNS = "-\u2212+\u00b1"  # hyphen-minus, minus sign, plus, plus-minus


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with one question (or a pair of them, or a category)."""

    subject: str  # a question id, "a ~ b" for a pair, or a category
    problem: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.problem}"


def right_answer(question: Question) -> str:
    """The answer a question expects, as text: its right option, or its first accepted answer."""
    if question.answer_index is not None:
        return question.options[question.answer_index]
    return question.accepted[0] if question.accepted else ""


def near_duplicates(questions: Sequence[Question], cutoff: float = NEAR_DUPLICATE) -> list[Finding]:
    """Pairs of questions that ask for the same answer in nearly the same words.

    Texts and answers are compared together, folded and with word order set aside, so "What does URL
    stand for?" and "What does USB stand for?" are different questions, but one fact asked twice is not.
    A question's picture is part of what it asks: two about different pictures are different questions.
    """
    texts = [f"{normalise(q.text)} {normalise(right_answer(q))} {q.image or ''}" for q in questions]
    found = []
    for i, text in enumerate(texts):
        later = texts[i + 1 :]
        for _text, score, j in process.extract(
            text, later, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff, limit=None
        ):
            pair = f"{questions[i].question_id} ~ {questions[i + 1 + j].question_id}"
            found.append(Finding(pair, f"near-duplicate texts ({score:.0f}% alike)"))
    return found


def _option_key(option: str) -> tuple[str, bool]:
    """An option folded for comparison; a sign is kept, since minus one and one are different answers."""
    return normalise(option), option.strip()[:1] in SIGNS


def repeated_options(questions: Iterable[Question]) -> list[Finding]:
    """Multiple-choice questions with two options that are the same answer (the right one twice, say)."""
    found = []
    for question in questions:
        if question.kind is not QuestionKind.MULTIPLE_CHOICE:
            continue
        keys = [_option_key(option) for option in question.options]
        if len(set(keys)) != len(keys):
            found.append(Finding(question.question_id, f"options repeat: {list(question.options)}"))
    return found


def mentions(text: str, phrase: str) -> bool:
    """Whether `phrase` stands in `text` as whole words, both folded."""
    folded = normalise(phrase)
    return bool(folded) and f" {folded} " in f" {normalise(text)} "


def names_the_answer(explanation: str, answer: str) -> bool:
    """Whether an explanation names the answer: in full, or by one of its longer words at the start of
    one of its own ("potassium" in "potassium's")."""
    words = [w for w in normalise(answer).split() if len(w) >= SIGNIFICANT]
    folded = f" {normalise(explanation)}"
    return mentions(explanation, answer) or any(f" {word}" in folded for word in words)


def numeric(option: str) -> bool:
    """Whether an option is a number, which explanations may use for other things (two hearts, one)."""
    return all(word.replace(".", "").isdigit() for word in normalise(option).split())


def contradiction(question: Question) -> str | None:
    """What in the explanation names a wrong answer as the right one, if anything.

    A true/false explanation must not open with the opposite verdict; a multiple-choice explanation
    that names a wrong option must also name the right one, so it compares rather than teaches the
    wrong one. Numbers are left out: an explanation may count other things.
    """
    explanation = normalise(question.explanation)
    verdict = explanation.split()[0] if explanation else ""
    if question.kind is QuestionKind.TRUE_FALSE:
        right = normalise(question.options[question.answer_index or 0])
        if verdict in {"true", "false"} and verdict != right:
            return f"opens with {verdict!r} but the answer is {right!r}"
    elif question.kind is QuestionKind.MULTIPLE_CHOICE and question.answer_index is not None:
        right = question.options[question.answer_index]
        wrong = [o for i, o in enumerate(question.options) if i != question.answer_index]
        named = [o for o in wrong if not numeric(o) and mentions(question.explanation, o)]
        if named and not names_the_answer(question.explanation, right):
            return f"names {named} but not the answer {right!r}"
    return None


def contradictions(questions: Iterable[Question]) -> list[Finding]:
    """Every question whose explanation names a wrong answer as right (see `contradiction`)."""
    return [Finding(q.question_id, problem) for q in questions if (problem := contradiction(q)) is not None]


def thin_explanations(questions: Iterable[Question]) -> list[Finding]:
    """Explanations that cannot teach: under six words, more than one line, or the question again."""
    found = []
    for question in questions:
        explanation = question.explanation.strip()
        if "\n" in explanation:
            found.append(Finding(question.question_id, "the explanation is more than one line"))
        elif len(explanation.split()) < MIN_EXPLANATION_WORDS:
            found.append(Finding(question.question_id, "the explanation is too short to teach anything"))
        elif normalise(explanation) == normalise(question.text):
            found.append(Finding(question.question_id, "the explanation repeats the question"))
    return found


def imbalance(questions: Iterable[Question], minimum: int = MIN_PER_CATEGORY) -> list[Finding]:
    """Categories under `minimum` questions, or missing a difficulty or a kind of question."""
    by_category: dict[str, list[Question]] = {}
    for question in questions:
        by_category.setdefault(question.category, []).append(question)
    found = []
    for category, members in sorted(by_category.items()):
        if len(members) < minimum:
            found.append(Finding(category, f"{len(members)} questions; a category needs {minimum}"))
        difficulties = Counter(q.difficulty for q in members)
        if missing := [d.value for d in Difficulty if not difficulties[d]]:
            found.append(Finding(category, f"no {', '.join(missing)} questions"))
        kinds = Counter(q.kind for q in members)
        if missing := [k.value for k in QuestionKind if not kinds[k]]:
            found.append(Finding(category, f"no {', '.join(missing)} questions"))
    return found


def audit(questions: Sequence[Question], *, minimum: int = MIN_PER_CATEGORY) -> list[Finding]:
    """Every check above over `questions`, in one list."""
    return [
        *near_duplicates(questions),
        *repeated_options(questions),
        *contradictions(questions),
        *thin_explanations(questions),
        *imbalance(questions, minimum),
    ]


def check_packs(paths: Sequence[Path]) -> list[str]:
    """`quizbot questions check`: the shipped bank with the given pack files, audited together.

    A pack whose id is a shipped category's adds to that category, as a contributor's draft would.
    Returns one line per problem: the packs that do not load, then every finding.
    """
    bank, errors = QuestionBank.load()
    questions = [q for members in bank.by_category.values() for q in members]
    lines = [str(error) for error in errors]
    for path in paths:
        try:
            questions.extend(load_pack(path).questions)
        except PackError as error:
            lines.append(str(error))
    lines.extend(pictures.missing(q for q in questions if pictures.shipped(q)))
    ids = Counter(q.question_id for q in questions)
    lines.extend(f"{qid}: the id is used {n} times" for qid, n in sorted(ids.items()) if n > 1)
    return lines + [str(finding) for finding in audit(questions)]
