"""Strict checking of a model's reply: repair what is safe to repair, drop every other bad item."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from quizbot.errors import InvalidValue
from quizbot.game.languages import DEFAULT_LANGUAGE, wording
from quizbot.game.progression import Difficulty
from quizbot.game.questions import (
    MAX_EXPLANATION,
    MAX_OPTION_LABEL,
    MAX_OPTIONS,
    MIN_OPTIONS,
    TRUE_FALSE,
    Question,
    QuestionKind,
)
from quizbot.game.values import parse_enum

_FENCE = re.compile(r"^```[a-zA-Z]*\s*(.*?)\s*```$", re.DOTALL)
_SENTENCE_END = re.compile(r"[.!?][\"')\]]?(?=\s|$)")
_KINDS = {"multiple_choice": QuestionKind.MULTIPLE_CHOICE, "true_false": QuestionKind.TRUE_FALSE}


@dataclass(frozen=True, slots=True)
class ParseResult:
    """The valid questions from a reply, and why each dropped item was dropped."""

    questions: tuple[Question, ...]
    dropped: tuple[str, ...] = ()


class _Dropped(Exception):
    """One item is unusable; the message says why."""


def parse_questions(
    raw: object, *, provider: str, category: str, count: int, language: str = DEFAULT_LANGUAGE
) -> ParseResult:
    """Valid Questions (at most `count`, written in `language`) from a reply: JSON text, or an
    already-decoded object.

    The reply must be {"questions": [...]} (a bare list is accepted too). Items that cannot be
    safely repaired are dropped and reported, never passed on; a reply that is not JSON or has
    the wrong shape gives no questions at all.
    """
    items = _items(raw)
    if isinstance(items, str):
        return ParseResult((), (items,))
    questions: list[Question] = []
    dropped: list[str] = []
    seen_texts: set[str] = set()
    for index, item in enumerate(items):
        try:
            question = _question(item, provider=provider, category=category, language=language)
        except _Dropped as reason:
            dropped.append(f"item {index}: {reason}")
            continue
        folded = _fold(question.text)
        if folded in seen_texts:
            dropped.append(f"item {index}: the same question twice")
            continue
        seen_texts.add(folded)
        questions.append(question)
    return ParseResult(tuple(questions[:count]), tuple(dropped))


def _items(raw: object) -> list[Any] | str:
    """The list of items in a reply, or a string saying why there is none."""
    data: object = raw
    if isinstance(raw, bytes | bytearray):
        data = raw.decode("utf-8", errors="replace")
    if isinstance(data, str):
        text = data.strip()
        fenced = _FENCE.match(text)
        if fenced:  # a Markdown code block around the JSON: safe to unwrap
            text = fenced.group(1)
        try:
            data = json.loads(text)
        except ValueError:
            return "the reply is not JSON"
    if isinstance(data, Mapping):
        data = data.get("questions")
    if not isinstance(data, list):
        return 'the reply is not {"questions": [...]}'
    return data


def _question(item: object, *, provider: str, category: str, language: str) -> Question:
    if not isinstance(item, Mapping):
        raise _Dropped("not an object")
    text = _required_text(item, "question")
    kind = _KINDS.get(str(item.get("kind", "multiple_choice")))
    if kind is None:
        raise _Dropped(f"unknown kind {item.get('kind')!r}")
    options, answer = _options(item.get("options"))
    truths = [_truth(option, language) for option in options]
    if kind is QuestionKind.TRUE_FALSE or sorted(truths, key=str) == [False, True]:
        kind, options, answer = _true_false(truths, answer)
    elif not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise _Dropped(f"{len(options)} options; it needs {MIN_OPTIONS} to {MAX_OPTIONS}")
    try:
        difficulty = parse_enum(Difficulty, item.get("difficulty"), "difficulty")
    except InvalidValue as error:
        raise _Dropped(str(error)) from None
    explanation = shorten_explanation(_required_text(item, "explanation"))
    digest = hashlib.sha256(json.dumps([text, options], ensure_ascii=False).encode()).hexdigest()[:16]
    try:
        return Question(
            question_id=f"llm-{provider}-{digest}",
            text=text,
            kind=kind,
            category=category,
            difficulty=difficulty,
            explanation=explanation,
            options=options,
            answer_index=answer,
            source=provider,
            language=language,
        )
    except InvalidValue as error:
        raise _Dropped(str(error)) from None


def _required_text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _Dropped(f"no {key}")
    return value.strip()


def _options(raw: object) -> tuple[tuple[str, ...], int]:
    """The options, trimmed and with exact repeats removed, and the index of the one correct one."""
    if not isinstance(raw, list):
        raise _Dropped("options is not a list")
    labels: list[str] = []
    correct: list[bool] = []
    for option in raw:
        if not isinstance(option, Mapping):
            raise _Dropped("an option is not an object")
        label, right = option.get("text"), option.get("correct")
        if not isinstance(label, str) or not isinstance(right, bool):
            raise _Dropped("an option lacks text or a true/false 'correct'")
        label = " ".join(label.split())
        if not label:
            raise _Dropped("an option is empty")
        if len(label) > MAX_OPTION_LABEL:
            raise _Dropped(f"an option is over {MAX_OPTION_LABEL} characters")
        folded = [_fold(existing) for existing in labels]
        if _fold(label) in folded:
            if correct[folded.index(_fold(label))] != right:
                raise _Dropped("the same option is marked both right and wrong")
            continue  # a plain repeat: drop it
        labels.append(label)
        correct.append(right)
    if correct.count(True) != 1:
        raise _Dropped("no correct option" if True not in correct else "more than one correct option")
    return tuple(labels), correct.index(True)


def _truth(option: str, language: str) -> bool | None:
    """What an option says if it says true or false, in English or the question's language ("Wahr")."""
    folded, words = _fold(option), wording(language)
    if folded == "true" or folded in map(_fold, words.true):
        return True
    if folded == "false" or folded in map(_fold, words.false):
        return False
    return None


def _true_false(truths: list[bool | None], answer: int) -> tuple[QuestionKind, tuple[str, ...], int]:
    """A true/false question's kind, options and answer, from what each option said."""
    if sorted(truths, key=str) != [False, True]:
        raise _Dropped("a true/false question needs exactly the options True and False")
    return QuestionKind.TRUE_FALSE, TRUE_FALSE, 0 if truths[answer] else 1


def shorten_explanation(text: str, limit: int = MAX_EXPLANATION) -> str:
    """`text` if it fits, else cut at the last sentence end that fits (or a word, with an ellipsis)."""
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text) if m.end() <= limit]
    if ends and ends[-1] >= limit // 4:
        return text[: ends[-1]]
    head = text[: limit - 1]
    words = head.rsplit(None, 1)[0] if " " in head else head
    return words.rstrip(" ,;:") + "…"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
