"""The subset of YAML packs are written in: libyaml's events read into nodes of our own.

No tags, anchors, aliases or second document, bounded depth, size and node count, text only; a
plain value is text, an integer, a YAML 1.1 boolean or null, and no YAML constructor ever runs. A
fault is a PackError naming the file, the line and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from quizbot.errors import QuizbotError

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


def compose(text: str, source: str) -> Node | None:
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


def mapping(node: MapNode, source: str) -> dict[str, Node]:
    fields: dict[str, Node] = {}
    for key_node, value_node in node.pairs:
        if not isinstance(key_node, ScalarNode):
            raise PackError(source, key_node.line, None, "keys must be plain text")
        key = key_node.value
        if not isinstance(typed(key_node), str) or is_integer(key_node):
            raise PackError(source, key_node.line, key[:40], "a key must be text; put it in quotes")
        if key in fields:
            raise PackError(source, key_node.line, key[:40], "appears twice")
        fields[key] = value_node
    return fields


def typed(node: ScalarNode) -> str | bool | None:
    """A plain scalar's YAML 1.1 null or boolean, else its text (a number stays its text until asked)."""
    if not node.plain:
        return node.value
    if node.value in NULLS:
        return None
    return BOOLEANS.get(node.value, node.value)


def is_integer(node: ScalarNode) -> bool:
    return node.plain and INTEGER.fullmatch(node.value) is not None
