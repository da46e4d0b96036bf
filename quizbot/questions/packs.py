"""Question packs: quizbot's YAML packs and Red-DiscordBot trivia lists, validated with file and line.

A bad pack raises PackError naming the file, the line and the field, and never anything else, so
one broken pack can be reported and skipped without taking the bot down. A pack may say which
`language:` its questions are written in (a Discord locale such as de or pt-BR; English, en-US, when
it says nothing), and its answers are then matched in that language. Packs are a small subset
of YAML: no tags, anchors, aliases or second document, bounded depth and size, text only; a plain
value is text, an integer, a YAML 1.1 boolean or null, and no YAML constructor ever runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import yaml

from quizbot.errors import InvalidValue, QuizbotError
from quizbot.game.languages import DEFAULT_LANGUAGE, EXAMPLES, known_locale
from quizbot.game.progression import Difficulty
from quizbot.game.questions import TRUE_FALSE, Question, QuestionKind
from quizbot.questions.images import ImageRefused, checked_reference
from quizbot.questions.provenance import QUIZBOT_PACK, PackFormat, Provenance, authored

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
# Only the parser runs (libyaml when present): its events become our own nodes, and no YAML
# constructor or resolver ever sees a tag, so nothing in a pack can name a Python object or a type.
EVENT_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
MAX_DEPTH = 16  # a pack needs 4 levels (pack, questions, question, options)
MAX_SCALAR_CHARS = 4000  # the longest field is 1,024 characters
MAX_NODES = 100_000  # 5,000 small questions fill the 512 KiB with under 70,000; this bounds the time
NULLS = frozenset({"", "~", "null", "Null", "NULL"})
BOOLEANS = dict.fromkeys(["yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"], True)
BOOLEANS.update(dict.fromkeys(["no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"], False))
INTEGER = re.compile(r"[-+]?[0-9][0-9_]*")
# Anything but text: C0/C1 controls (tab and line breaks aside), lone surrogates, U+FFFE/U+FFFF.
NOT_TEXT = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
FIELD_ON_LINE = re.compile(r"\s*(?:-\s+)*([A-Za-z_][\w-]*)\s*:")


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
    root = _compose(text, source)
    if root is None:
        raise PackError(source, 1, None, "is empty; a pack is a mapping of fields (or of question: answers)")
    if not isinstance(root, MapNode):
        raise PackError(source, root.line, None, "a pack is a mapping of fields (or of question: answers)")
    fields = _mapping(root, source)
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
    author = _typed(stated) if isinstance(stated := fields.get("author"), ScalarNode) else None
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
    fields = _mapping(node, source)
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
    author = _typed(stated) if isinstance(stated := fields.get("AUTHOR"), ScalarNode) else None
    name = pack_id.replace("_", " ").title()
    provenance = authored(PackFormat.RED, author)
    return Pack(pack_id.lower(), name, "", tuple(questions), source, DEFAULT_LANGUAGE, provenance)


# --- reading YAML: libyaml's events, no tags, anchors or aliases -------------------------------


@dataclass(slots=True)
class ScalarNode:
    """A value as written; only a plain (unquoted) one can be null, a boolean or a number."""

    line: int
    value: str
    plain: bool


@dataclass(slots=True)
class ListNode:
    """A sequence and the line it starts on."""

    line: int
    items: list[Node]


@dataclass(slots=True)
class MapNode:
    """A mapping's keys and values, alternating in file order, and the line it starts on."""

    line: int
    items: list[Node]

    @property
    def pairs(self) -> list[tuple[Node, Node]]:
        return list(zip(self.items[::2], self.items[1::2], strict=True))


Node = ScalarNode | ListNode | MapNode
Open = tuple[ListNode | MapNode, str | None]  # a collection being read, and the field it belongs to


def _compose(text: str, source: str) -> Node | None:
    """The document's nodes; a tag, anchor, alias, second document, deep nesting or non-text is a PackError.

    Reading libyaml's events instead of composing lets every refusal name its line and field
    before anything is built from it, and keeps libyaml's speed.
    """
    bad = NOT_TEXT.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise PackError(source, line, _field_on_line(text, line), _not_text(bad.group()))
    loader = EVENT_LOADER(text)
    stack: list[Open] = []
    root: Node | None = None
    documents = nodes = 0
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, yaml.CollectionEndEvent):
                stack.pop()
                continue
            line = event.start_mark.line + 1
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise PackError(source, line, None, "a pack is one YAML document; remove the second")
            if not isinstance(event, yaml.NodeEvent):
                continue  # the stream's and the document's start and end
            where = _next_field(stack)
            nodes += 1
            if nodes > MAX_NODES:
                raise PackError(source, line, where, f"a pack holds at most {MAX_NODES:,} values")
            node = _node(event, source, line, where, depth=len(stack) + 1)
            if stack:
                stack[-1][0].items.append(node)
            else:
                root = node
            if not isinstance(node, ScalarNode):
                stack.append((node, where))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or error
        raise PackError(source, at, None, f"is not valid YAML ({problem})") from None
    finally:
        loader.dispose()
    return root


def _node(event: yaml.NodeEvent, source: str, line: int, field: str | None, *, depth: int) -> Node:
    """One event as a node, or the PackError saying why a pack may not hold it."""
    if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
        named = f"*{event.anchor}" if isinstance(event, yaml.AliasEvent) else f"&{event.anchor}"
        raise PackError(
            source, line, field, f"anchors and aliases ({named}) are not allowed; write values out"
        )
    tag = getattr(event, "tag", None)
    if tag is not None:
        shown = tag.replace("tag:yaml.org,2002:", "!!")[:40]
        raise PackError(source, line, field, f"tags ({shown}) are not allowed; write plain values")
    if isinstance(event, yaml.ScalarEvent):
        value: str = event.value
        if len(value) > MAX_SCALAR_CHARS:
            raise PackError(source, line, field, f"a value is at most {MAX_SCALAR_CHARS:,} characters")
        bad = NOT_TEXT.search(value) if event.style == '"' else None  # the text itself was checked
        if bad is not None:  # an escape such as "\0" in a double-quoted value
            raise PackError(source, line, field, _not_text(bad.group()))
        return ScalarNode(line, value, plain=not event.style)  # libyaml says "", PyYAML None
    if depth > MAX_DEPTH:
        raise PackError(source, line, field, f"is nested more than {MAX_DEPTH} levels deep")
    if isinstance(event, yaml.SequenceStartEvent):
        return ListNode(line, [])
    return MapNode(line, [])


def _next_field(stack: list[Open]) -> str | None:
    """The field the next node belongs to: a mapping's value belongs to its key."""
    if not stack:
        return None
    node, field = stack[-1]
    key = node.items[-1] if isinstance(node, MapNode) and len(node.items) % 2 else None
    return key.value[:40] if isinstance(key, ScalarNode) else field


def _not_text(char: str) -> str:
    return f"holds U+{ord(char):04X}, which is not text; packs are plain UTF-8 text"


def _field_on_line(text: str, line: int) -> str | None:
    """The key a line starts with, if any: the best guess at a field before the YAML is read."""
    lines = text.split("\n")
    found = FIELD_ON_LINE.match(lines[line - 1]) if 0 < line <= len(lines) else None
    return found.group(1) if found is not None else None


# --- node helpers -------------------------------------------------------------------------------


def _mapping(node: MapNode, source: str) -> dict[str, Node]:
    fields: dict[str, Node] = {}
    for key_node, value_node in node.pairs:
        if not isinstance(key_node, ScalarNode):
            raise PackError(source, key_node.line, None, "keys must be plain text")
        key = key_node.value
        if not isinstance(_typed(key_node), str) or _integer(key_node):
            raise PackError(source, key_node.line, key[:40], "a key must be text; put it in quotes")
        if key in fields:
            raise PackError(source, key_node.line, key[:40], "appears twice")
        fields[key] = value_node
    return fields


def _typed(node: ScalarNode) -> str | bool | None:
    """A plain scalar's YAML 1.1 null or boolean, else its text (a number stays its text until asked)."""
    if not node.plain:
        return node.value
    if node.value in NULLS:
        return None
    return BOOLEANS.get(node.value, node.value)


def _integer(node: ScalarNode) -> bool:
    return node.plain and INTEGER.fullmatch(node.value) is not None


def _text(node: Node | None, source: str, field: str, *, default: str | None = None, limit: int) -> str:
    if node is None:
        if default is None:
            raise PackError(source, None, field, "is required")
        return default
    if not isinstance(node, ScalarNode):
        raise PackError(source, node.line, field, "must be a single value")
    value = _typed(node)
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
    if not isinstance(node, ScalarNode) or not _integer(node) or len(node.value) > 9:
        line = node.line if node is not None else parent.line
        raise PackError(source, line, "answer", "must be the number of the correct option, counting from 0")
    return int(node.value.replace("_", ""))


def _boolean(node: Node | None, source: str, parent: Node) -> bool:
    value = _typed(node) if isinstance(node, ScalarNode) else None
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
