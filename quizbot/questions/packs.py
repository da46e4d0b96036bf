"""Question packs: quizbot's YAML packs and Red-DiscordBot trivia lists, validated with file and line.

A bad pack raises PackError naming the file, the line and the field, and never anything else, so
one broken pack can be reported and skipped without taking the bot down.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import yaml

from quizbot.errors import InvalidValue, QuizbotError
from quizbot.game.progression import Difficulty
from quizbot.game.questions import TRUE_FALSE, Question, QuestionKind

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
}
PACK_FIELDS = {"pack", "name", "description", "questions", "author"}
E = TypeVar("E", bound=StrEnum)
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present; same nodes and marks


class PackError(QuizbotError):
    """A pack file is malformed; says where (file, line, field) and what was expected."""

    def __init__(self, source: str, line: int | None, field: str | None, problem: str) -> None:
        self.source, self.line, self.field, self.problem = source, line, field, problem
        where = source + (f", line {line}" if line is not None else "")
        what = f"{field}: " if field else ""
        super().__init__(f"{where}: {what}{problem}")


@dataclass(frozen=True, slots=True)
class Pack:
    """A validated set of questions with its id, name and where it came from."""

    pack_id: str
    name: str
    description: str
    questions: tuple[Question, ...]
    source: str

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
    if len(text.encode("utf-8")) > MAX_PACK_BYTES:
        raise PackError(source, None, None, f"packs are at most {MAX_PACK_BYTES:,} bytes")
    try:
        root = yaml.compose(text, Loader=FAST_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise PackError(
            source, line, None, f"is not valid YAML ({getattr(error, 'problem', error)})"
        ) from None
    if not isinstance(root, yaml.MappingNode):
        raise PackError(source, _line(root), None, "a pack is a mapping of fields (or of question: answers)")
    fields = _mapping(root, source)
    if "questions" in fields:
        return _quizbot_pack(fields, root, source, default_id)
    return _red_trivia(fields, source, default_id)


def _quizbot_pack(fields: dict[str, yaml.Node], root: yaml.Node, source: str, default_id: str) -> Pack:
    unknown = sorted(set(fields) - PACK_FIELDS)
    if unknown:
        raise PackError(
            source, _line(fields[unknown[0]]), unknown[0], f"unknown field; known: {sorted(PACK_FIELDS)}"
        )
    pack_id = _text(fields.get("pack"), source, "pack", default=default_id, limit=64).lower()
    name = _text(fields.get("name"), source, "name", default=pack_id.title(), limit=100)
    description = _text(fields.get("description"), source, "description", default="", limit=300)
    items = fields["questions"]
    if not isinstance(items, yaml.SequenceNode):
        raise PackError(source, _line(items), "questions", "must be a list of questions")
    if not items.value:
        raise PackError(source, _line(items), "questions", "the pack has no questions")
    if len(items.value) > MAX_QUESTIONS_PER_PACK:
        raise PackError(source, _line(items), "questions", f"at most {MAX_QUESTIONS_PER_PACK} questions")
    questions = tuple(_question(node, source, pack_id) for node in items.value)
    _no_duplicate_ids(questions, items.value, source)
    return Pack(pack_id, name, description, questions, source)


def _question(node: yaml.Node, source: str, category: str) -> Question:
    if not isinstance(node, yaml.MappingNode):
        raise PackError(source, _line(node), None, "each question is a mapping of fields")
    fields = _mapping(node, source)
    unknown = sorted(set(fields) - QUESTION_FIELDS)
    if unknown:
        raise PackError(source, _line(fields[unknown[0]]), unknown[0], "unknown question field")
    for required in ("id", "difficulty", "kind", "text", "explanation"):
        if required not in fields:
            raise PackError(source, _line(node), required, "is required")
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
    }
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
        raise PackError(source, _line(node), f"question {qid}", str(error).split(": ", 1)[-1]) from None


def _red_trivia(fields: dict[str, yaml.Node], source: str, pack_id: str) -> Pack:
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
            raise PackError(source, _line(node), text[:40], str(error).split(": ", 1)[-1]) from None
    if not questions:
        raise PackError(source, None, None, "the trivia list has no questions")
    return Pack(pack_id.lower(), pack_id.replace("_", " ").title(), "", tuple(questions), source)


# --- node helpers -------------------------------------------------------------------------------


def _line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def _mapping(node: yaml.MappingNode, source: str) -> dict[str, yaml.Node]:
    fields: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise PackError(source, _line(key_node), None, "keys must be plain text")
        key = str(key_node.value)
        if key in fields:
            raise PackError(source, _line(key_node), key, "appears twice")
        fields[key] = value_node
    return fields


def _scalar(node: yaml.Node | None, source: str, field: str) -> Any:
    """A scalar's value typed as YAML types it (text, number, boolean)."""
    if not isinstance(node, yaml.ScalarNode):
        raise PackError(source, _line(node), field, "must be a single value")
    return yaml.constructor.SafeConstructor().construct_object(node)


def _text(node: yaml.Node | None, source: str, field: str, *, default: str | None = None, limit: int) -> str:
    if node is None:
        if default is None:
            raise PackError(source, None, field, "is required")
        return default
    value = _scalar(node, source, field)
    if isinstance(value, bool) or value is None:
        raise PackError(source, _line(node), field, "must be text")
    text = str(value).strip()
    if not text or len(text) > limit:
        raise PackError(source, _line(node), field, f"must be 1 to {limit} characters")
    return text


def _text_list(
    node: yaml.Node | None,
    source: str,
    field: str,
    *,
    parent: yaml.Node | None = None,
    allow_missing: bool = False,
) -> list[str]:
    if node is None:
        if allow_missing:
            return []
        raise PackError(source, _line(parent), field, "is required")
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise PackError(source, _line(node), field, "must be a non-empty list")
    return [_text(item, source, field, limit=1000) for item in node.value]


def _choice(node: yaml.Node, source: str, field: str, kind: type[E]) -> E:
    value = _text(node, source, field, limit=64)
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise PackError(source, _line(node), field, f"{value!r} is not one of {choices}") from None


def _index(node: yaml.Node | None, source: str, parent: yaml.Node) -> int:
    value = _scalar(node, source, "answer") if node is not None else None
    if isinstance(value, bool) or not isinstance(value, int):
        line = _line(node) if node is not None else _line(parent)
        raise PackError(source, line, "answer", "must be the number of the correct option, counting from 0")
    return value


def _boolean(node: yaml.Node | None, source: str, parent: yaml.Node) -> bool:
    value = _scalar(node, source, "answer") if node is not None else None
    if not isinstance(value, bool):
        line = _line(node) if node is not None else _line(parent)
        raise PackError(source, line, "answer", "a true/false question's answer is true or false")
    return value


def _no_duplicate_ids(questions: tuple[Question, ...], nodes: list[yaml.Node], source: str) -> None:
    seen: dict[str, int | None] = {}
    for question, node in zip(questions, nodes, strict=True):
        if question.question_id in seen:
            first = seen[question.question_id]
            raise PackError(
                source, _line(node), "id", f"{question.question_id!r} is already used on line {first}"
            )
        seen[question.question_id] = _line(node)
