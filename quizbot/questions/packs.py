"""Question packs: quizbot's YAML packs and Red-DiscordBot trivia lists, validated with file and line.

A bad pack raises PackError naming the file, the line and the field, and never anything else, so
one broken pack can be reported and skipped without taking the bot down. A pack may say which
`language:` its questions are written in (a Discord locale such as de or pt-BR; English, en-US, when
it says nothing), and its answers are then matched in that language. Packs are written in a small
subset of YAML (quizbot/questions/yaml_subset.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from quizbot.errors import InvalidValue
from quizbot.game.languages import DEFAULT_LANGUAGE, EXAMPLES, known_locale
from quizbot.game.progression import Difficulty
from quizbot.game.questions import TRUE_FALSE, Question, QuestionKind
from quizbot.questions.images import ImageRefused, checked_reference
from quizbot.questions.provenance import QUIZBOT_PACK, PackFormat, Provenance, authored
from quizbot.questions.yaml_subset import (
    ListNode,
    MapNode,
    Node,
    PackError,
    ScalarNode,
    compose,
    is_integer,
    mapping,
    typed,
)

__all__ = [
    "MAX_PACK_BYTES",
    "MAX_QUESTIONS_PER_PACK",
    "QUESTION_FIELDS",
    "Pack",
    "PackError",
    "load_pack",
    "parse_pack",
]

MAX_PACK_BYTES = 512 * 1024
MAX_QUESTIONS_PER_PACK = 5000
QUESTION_FIELDS = {
    "id",
    "difficulty",
    "kind",
    "text",
    "options",
    "answer",
    "accepted",
    "explanation",
    "hints",
    "image",
}
PACK_FIELDS = {"pack", "name", "description", "questions", "author", "language"}
E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class Pack:
    """A validated set of questions with its id, name and where it came from."""

    pack_id: str
    name: str
    description: str
    questions: tuple[Question, ...]
    source: str
    language: str = DEFAULT_LANGUAGE  # the Discord locale its questions are written in
    provenance: Provenance = QUIZBOT_PACK  # its format, who made it, its licence and credit

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(q.category for q in self.questions)


def load_pack(path: Path) -> Pack:
    """Read a pack file (quizbot format, or a Red trivia list when it has no `questions` key)."""
    try:
        size = path.stat().st_size
        if size > MAX_PACK_BYTES:
            raise PackError(path.name, None, None, f"is {size:,} bytes; packs are at most {MAX_PACK_BYTES:,}")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PackError(path.name, None, None, f"cannot be read: {error}") from None
    return parse_pack(text, source=path.name, default_id=path.stem)


def parse_pack(text: str, *, source: str, default_id: str) -> Pack:
    """Parse pack text; quizbot packs have a `questions` list, Red trivia lists map question -> answers."""
    if len(text) > MAX_PACK_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_PACK_BYTES:
        raise PackError(source, None, None, f"packs are at most {MAX_PACK_BYTES:,} bytes")
    root = compose(text, source)
    if root is None:
        raise PackError(source, 1, None, "is empty; a pack is a mapping of fields (or of question: answers)")
    if not isinstance(root, MapNode):
        raise PackError(source, root.line, None, "a pack is a mapping of fields (or of question: answers)")
    fields = mapping(root, source)
    if "questions" in fields:
        return _quizbot_pack(fields, source, default_id)
    return _red_trivia(fields, source, default_id)


def _quizbot_pack(fields: dict[str, Node], source: str, default_id: str) -> Pack:
    unknown = sorted(set(fields) - PACK_FIELDS)
    if unknown:
        raise PackError(
            source, fields[unknown[0]].line, unknown[0], f"unknown field; known: {sorted(PACK_FIELDS)}"
        )
    pack_id = _text(fields.get("pack"), source, "pack", default=default_id, limit=64).lower()
    name = _text(fields.get("name"), source, "name", default=pack_id.title(), limit=100)
    description = _text(fields.get("description"), source, "description", default="", limit=300)
    language = _language(fields.get("language"), source)
    items = fields["questions"]
    if not isinstance(items, ListNode):
        raise PackError(source, items.line, "questions", "must be a list of questions")
    if not items.items:
        raise PackError(source, items.line, "questions", "the pack has no questions")
    if len(items.items) > MAX_QUESTIONS_PER_PACK:
        raise PackError(source, items.line, "questions", f"at most {MAX_QUESTIONS_PER_PACK} questions")
    questions = tuple(_question(node, source, pack_id, language) for node in items.items)
    _no_duplicate_ids(questions, items.items, source)
    author = typed(stated) if isinstance(stated := fields.get("author"), ScalarNode) else None
    provenance = authored(PackFormat.QUIZBOT, author)
    return Pack(pack_id, name, description, questions, source, language, provenance)


def _language(node: Node | None, source: str) -> str:
    """The pack's `language:`, a Discord locale in Discord's spelling ("pt-br" is pt-BR); en-US if absent."""
    if node is None:
        return DEFAULT_LANGUAGE
    value = _text(node, source, "language", limit=64)
    locale = known_locale(value)
    if locale is None:
        examples = ", ".join(EXAMPLES)
        raise PackError(
            source, node.line, "language", f"{value!r} is not a Discord locale; use one such as {examples}"
        )
    return locale


def _question(node: Node, source: str, category: str, language: str) -> Question:
    if not isinstance(node, MapNode):
        raise PackError(source, node.line, None, "each question is a mapping of fields")
    fields = mapping(node, source)
    unknown = sorted(set(fields) - QUESTION_FIELDS)
    if unknown:
        raise PackError(source, fields[unknown[0]].line, unknown[0], "unknown question field")
    for required in ("id", "difficulty", "kind", "text", "explanation"):
        if required not in fields:
            raise PackError(source, node.line, required, "is required")
    qid = _text(fields["id"], source, "id", limit=64)
    values: dict[str, Any] = {
        "question_id": qid,
        "text": _text(fields["text"], source, "text", limit=1000),
        "kind": _choice(fields["kind"], source, "kind", QuestionKind),
        "category": category,
        "difficulty": _choice(fields["difficulty"], source, "difficulty", Difficulty),
        "explanation": _text(fields["explanation"], source, "explanation", limit=1024),
        "hints": tuple(_text_list(fields.get("hints"), source, "hints", allow_missing=True)),
        "source": f"pack:{category}",
        "language": language,
    }
    if (image := fields.get("image")) is not None:
        try:
            values["image"] = checked_reference(_text(image, source, "image", limit=4000), qid)
        except ImageRefused as refused:  # a PackError like any other, its reason kept for the edge
            raise PackError(source, image.line, "image", str(refused)) from refused
    kind = values["kind"]
    if kind is QuestionKind.MULTIPLE_CHOICE:
        values["options"] = tuple(_text_list(fields.get("options"), source, "options", parent=node))
        values["answer_index"] = _index(fields.get("answer"), source, node)
    elif kind is QuestionKind.TRUE_FALSE:
        values["options"] = TRUE_FALSE
        values["answer_index"] = 0 if _boolean(fields.get("answer"), source, node) else 1
    else:
        values["accepted"] = tuple(_text_list(fields.get("accepted"), source, "accepted", parent=node))
    try:
        return Question(**values)
    except InvalidValue as error:  # Discord's limits and the model's own rules
        raise PackError(source, node.line, f"question {qid}", str(error).split(": ", 1)[-1]) from None


def _red_trivia(fields: dict[str, Node], source: str, pack_id: str) -> Pack:
    """A Red-DiscordBot trivia list: AUTHOR and CONFIG keys, then question: [answers...]."""
    questions = []
    for number, (text, node) in enumerate(
        ((k, v) for k, v in fields.items() if k not in ("AUTHOR", "CONFIG")), start=1
    ):
        answers = _text_list(node, source, f"answers to {text[:40]!r}")
        try:
            questions.append(
                Question(
                    question_id=f"{pack_id}-{number:04d}",
                    text=text,
                    kind=QuestionKind.SHORT_ANSWER,
                    category=pack_id.lower(),
                    difficulty=Difficulty.MEDIUM,
                    explanation="",
                    accepted=tuple(answers),
                    source=f"red:{pack_id}",
                )
            )
        except InvalidValue as error:
            raise PackError(source, node.line, text[:40], str(error).split(": ", 1)[-1]) from None
    if not questions:
        raise PackError(source, None, None, "the trivia list has no questions")
    author = typed(stated) if isinstance(stated := fields.get("AUTHOR"), ScalarNode) else None
    name = pack_id.replace("_", " ").title()
    provenance = authored(PackFormat.RED, author)
    return Pack(pack_id.lower(), name, "", tuple(questions), source, DEFAULT_LANGUAGE, provenance)


def _text(node: Node | None, source: str, field: str, *, default: str | None = None, limit: int) -> str:
    if node is None:
        if default is None:
            raise PackError(source, None, field, "is required")
        return default
    if not isinstance(node, ScalarNode):
        raise PackError(source, node.line, field, "must be a single value")
    value = typed(node)
    if not isinstance(value, str):
        raise PackError(source, node.line, field, "must be text")
    text = value.strip()
    if not text or len(text) > limit:
        raise PackError(source, node.line, field, f"must be 1 to {limit} characters")
    return text


def _text_list(
    node: Node | None,
    source: str,
    field: str,
    *,
    parent: Node | None = None,
    allow_missing: bool = False,
) -> list[str]:
    if node is None:
        if allow_missing:
            return []
        raise PackError(source, parent.line if parent is not None else None, field, "is required")
    if not isinstance(node, ListNode) or not node.items:
        raise PackError(source, node.line, field, "must be a non-empty list")
    return [_text(item, source, field, limit=1000) for item in node.items]


def _choice(node: Node, source: str, field: str, kind: type[E]) -> E:
    value = _text(node, source, field, limit=64)
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise PackError(source, node.line, field, f"{value!r} is not one of {choices}") from None


def _index(node: Node | None, source: str, parent: Node) -> int:
    """The correct option's number: a plain integer, small enough to be one."""
    if not isinstance(node, ScalarNode) or not is_integer(node) or len(node.value) > 9:
        line = node.line if node is not None else parent.line
        raise PackError(source, line, "answer", "must be the number of the correct option, counting from 0")
    return int(node.value.replace("_", ""))


def _boolean(node: Node | None, source: str, parent: Node) -> bool:
    value = typed(node) if isinstance(node, ScalarNode) else None
    if not isinstance(value, bool):
        line = node.line if node is not None else parent.line
        raise PackError(source, line, "answer", "a true/false question's answer is true or false")
    return value


def _no_duplicate_ids(questions: tuple[Question, ...], nodes: list[Node], source: str) -> None:
    seen: dict[str, int] = {}
    for question, node in zip(questions, nodes, strict=True):
        if question.question_id in seen:
            first = seen[question.question_id]
            raise PackError(
                source, node.line, "id", f"{question.question_id!r} is already used on line {first}"
            )
        seen[question.question_id] = node.line
