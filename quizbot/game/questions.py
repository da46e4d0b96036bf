"""The question model: multiple choice, true/false and short answer, checked against Discord's limits."""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

import orjson

from quizbot.errors import InvalidValue
from quizbot.game.images import image_problem
from quizbot.game.languages import DEFAULT_LANGUAGE, EXAMPLES, Folded, folded, known_locale
from quizbot.game.progression import Difficulty
from quizbot.game.values import parse_enum

MAX_OPTION_LABEL = 80  # a Discord button label
MAX_TEXT = 1000  # the question, inside an embed description (4096) with room for the rest
MAX_EXPLANATION = 1024  # an embed field value
MAX_CATEGORY = 64
MIN_OPTIONS, MAX_OPTIONS = 2, 5
TRUE_FALSE = ("True", "False")
INTERNED_QUESTIONS = 4096  # distinct questions from_dict keeps built, for the sessions that share them
# A question's identity is this prefix and IDENTITY_BYTES of BLAKE2b over its canonical JSON. The
# prefix names the format: a change to what is hashed, or how, must take a new one.
IDENTITY_PREFIX = "q1_"
IDENTITY_BYTES = 16  # 128 bits, written as 22 base64url characters (a snapshot names every question)
IDENTITY_PATTERN = re.compile(r"q1_[A-Za-z0-9_-]{22}")  # every identity `identity` gives


def is_identity(text: str) -> bool:
    """Whether `text` has the shape of a question's identity (a custom id or a command-line argument)."""
    return IDENTITY_PATTERN.fullmatch(text) is not None


class QuestionKind(StrEnum):
    """How a question is answered."""

    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    SHORT_ANSWER = "short_answer"


@dataclass(frozen=True, slots=True)
class Question:
    """One question with its answer, explanation and where it came from; valid once built."""

    question_id: str
    text: str
    kind: QuestionKind
    category: str
    difficulty: Difficulty
    explanation: str
    options: tuple[str, ...] = ()
    answer_index: int | None = None
    accepted: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    source: str = "bank"
    language: str = DEFAULT_LANGUAGE  # the Discord locale it is written in; answers are matched in it
    image: str | None = None  # a picture the question shows: an https URL or attachment://<name>
    _identity: str = field(default="", init=False, repr=False, compare=False)  # filled by `identity`

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", parse_enum(QuestionKind, self.kind, "question kind"))
            object.__setattr__(self, "difficulty", parse_enum(Difficulty, self.difficulty, "difficulty"))
        except InvalidValue as error:  # name the question, as every other problem does
            raise InvalidValue(f"question {self.question_id!r}: {error}") from None
        problems = self.problems()
        if problems:
            raise InvalidValue(f"question {self.question_id!r}: " + "; ".join(problems))

    def problems(self) -> list[str]:
        """Everything wrong with this question, in words (empty when it is valid)."""
        found = []
        if not self.question_id:
            found.append("it needs an id")
        texts = (self.question_id, self.text, self.category, self.explanation, self.source)
        if not all(_encodable(t) for t in (*texts, *self.options, *self.accepted, *self.hints)):
            found.append("its text holds characters that are not valid Unicode (lone surrogates)")
        found.extend(_language_problems(self.language))
        found.extend(_image_problems(self.image))
        if not self.text.strip() or len(self.text) > MAX_TEXT:
            found.append(f"text must be 1 to {MAX_TEXT} characters")
        if not self.category.strip() or len(self.category) > MAX_CATEGORY:
            found.append(f"category must be 1 to {MAX_CATEGORY} characters")
        if len(self.explanation) > MAX_EXPLANATION:
            found.append(f"explanation must be at most {MAX_EXPLANATION} characters")
        if self.kind is QuestionKind.SHORT_ANSWER:
            if not self.accepted or not all(a.strip() for a in self.accepted):
                found.append("a short-answer question needs at least one accepted answer")
            return found
        if self.kind is QuestionKind.TRUE_FALSE and self.options != TRUE_FALSE:
            found.append("a true/false question has the options True and False")
        if not MIN_OPTIONS <= len(self.options) <= MAX_OPTIONS:
            found.append(f"it needs {MIN_OPTIONS} to {MAX_OPTIONS} options")
        if any(not o.strip() or len(o) > MAX_OPTION_LABEL for o in self.options):
            found.append(f"each option must be 1 to {MAX_OPTION_LABEL} characters")
        if len({_fold(o) for o in self.options}) != len(self.options):
            found.append("two options say the same thing")
        if self.answer_index is None or not 0 <= self.answer_index < len(self.options):
            found.append("exactly one option must be the correct one")
        return found

    @property
    def correct_text(self) -> str:
        """The correct answer as shown to players."""
        if self.kind is QuestionKind.SHORT_ANSWER:
            return self.accepted[0]
        assert self.answer_index is not None  # guaranteed by validation
        return self.options[self.answer_index]

    @property
    def identity(self) -> str:
        """The content address naming this question everywhere: equal content, equal identity.

        It digests everything `to_dict` holds, id and source included, so any change to the question
        gives another identity. Computed on first use and kept, so building a question stays cheap.
        """
        if not self._identity:
            data = self.to_dict()
            if data["answer"] is not None:
                data["answer"] = int(data["answer"])  # True is the index 1, as equality says
            digest = hashlib.blake2b(
                orjson.dumps(data, option=orjson.OPT_SORT_KEYS), digest_size=IDENTITY_BYTES
            )
            text = base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()
            object.__setattr__(self, "_identity", IDENTITY_PREFIX + text)
        return self._identity

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, for snapshots; "language" only when it is not English (en-US) and "image"
        only when there is one, so a question written before either existed keeps its identity."""
        data: dict[str, Any] = {
            "id": self.question_id,
            "text": self.text,
            "kind": self.kind.value,
            "category": self.category,
            "difficulty": self.difficulty.value,
            "explanation": self.explanation,
            "options": list(self.options),
            "answer": self.answer_index,
            "accepted": list(self.accepted),
            "hints": list(self.hints),
            "source": self.source,
        }
        if self.language != DEFAULT_LANGUAGE:
            data["language"] = self.language
        if self.image is not None:
            data["image"] = self.image
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Question:
        """Rebuild from `to_dict` output (validated again).

        Questions are immutable, so equal plain data (str and int values, as JSON gives) yields
        one shared, already validated instance: restored sessions drawn from one bank share it.
        """
        values = (  # in field order
            data["id"],
            data["text"],
            data["kind"],
            data["category"],
            data["difficulty"],
            data.get("explanation", ""),
            tuple(data.get("options", ())),
            data.get("answer"),
            tuple(data.get("accepted", ())),
            tuple(data.get("hints", ())),
            data.get("source", "bank"),
            data.get("language", DEFAULT_LANGUAGE),
            data.get("image"),
        )
        if cls is Question and _plain(values):
            return _interned(values)
        return cls(*values)


def _plain(values: tuple[Any, ...]) -> bool:
    """Whether from_dict's values are exact str (and int or None for the answer): safe to share by value.

    Equality alone would let True stand for 1, or a str subclass for its text.
    """
    answer = values[7]
    if answer is not None and type(answer) is not int:
        return False
    texts = (*values[:6], *values[6], *values[8], *values[9], values[10], values[11])
    image = values[12]
    return set(map(type, texts)) == _ONLY_STR and (image is None or type(image) is str)


_ONLY_STR = {str}


@lru_cache(maxsize=INTERNED_QUESTIONS)
def _interned(values: tuple[Any, ...]) -> Question:
    return Question(*values)


Matcher = Callable[[Question, str], bool]


def exact_matcher(question: Question, response: str) -> bool:
    """Typed answers equal to an accepted answer, ignoring case, accents, spacing, a leading article and
    how a number is written, in the question's language (a true/false question takes its words too)."""
    rules = folded(question.language, _fold_words)
    answers = question.accepted if question.kind is QuestionKind.SHORT_ANSWER else (question.correct_text,)
    wanted = {_answer(a, rules) for a in answers}
    if question.kind is QuestionKind.TRUE_FALSE:
        wanted |= rules.true if question.answer_index == 0 else rules.false
    return _answer(response, rules) in wanted


def _answer(text: str, rules: Folded) -> str:
    """`text` folded for the exact matcher in a language: its words, articles dropped, numbers in digits."""
    return " ".join(rules.words(_fold_words(rules.unelide(text))))


def _fold_words(text: str) -> list[str]:
    """The words of `text` folded (case, accents), with hyphens as spaces ("dix-sept" is two words)."""
    return _fold(text.replace("-", " ")).split()


def _language_problems(language: str) -> list[str]:
    """What is wrong with a question's language: it must be a Discord locale, spelt as Discord does."""
    if known_locale(language) == language:
        return []
    return [f"language must be a Discord locale such as {', '.join(EXAMPLES)}"]


def _image_problems(image: object) -> list[str]:
    """What is wrong with a question's picture, if it has one (an https URL or attachment://<name>)."""
    if image is None:
        return []
    wrong = image_problem(image) if isinstance(image, str) else "image must be text"
    return [wrong] if wrong else []


def _encodable(text: str) -> bool:
    """Whether `text` can be written as UTF-8 (JSON, the database, Discord): no lone surrogates."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
