"""Reading one locale file: one flat JSON object of keys to texts, checked, with the line of any fault.

A plural message is several keys, its base key and a CLDR category: "question_count#one",
"question_count#other". Placeholders are str.format names without format specs: "{provider}".
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Formatter

from quizbot.errors import LocaleFileError

PLURAL_MARK = "#"
CATEGORIES = ("zero", "one", "two", "few", "many", "other")  # CLDR's plural categories, in its order


@dataclass(frozen=True, slots=True)
class Shape:
    """What a base key must look like in every locale: plural or not, and its placeholders."""

    plural: bool
    names: frozenset[str]


@dataclass(frozen=True, slots=True)
class LocaleFile:
    """One locale's messages as read from its file, kept with the text to point at lines."""

    locale: str
    path: Path
    source: str
    messages: Mapping[str, str]

    def line_of(self, key: str) -> int:
        """The line where `key` is defined (its last definition), or 1 when it cannot be found."""
        found = [m.start() for m in _key_pattern(key).finditer(self.source)]
        return self.source.count("\n", 0, found[-1]) + 1 if found else 1

    def fault(self, key: str | None, problem: str) -> LocaleFileError:
        """The error for `problem`, at `key`'s line (line 1 for the file as a whole)."""
        return LocaleFileError(str(self.path), self.line_of(key) if key is not None else 1, problem)


def read(path: Path, locale: str) -> LocaleFile:
    """Read and parse `path`: UTF-8, valid JSON, one flat object of unique keys to non-empty text."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise LocaleFileError(str(path), 1, f"cannot be read ({error.strerror or error})") from None
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise LocaleFileError(str(path), line, "is not UTF-8 text") from None
    try:
        data = json.loads(source, object_pairs_hook=_Pairs)
    except json.JSONDecodeError as error:
        problem = f"is not valid JSON: {error.msg} (column {error.colno})"
        raise LocaleFileError(str(path), error.lineno, problem) from None
    file = LocaleFile(locale, path, source, {})
    if not isinstance(data, _Pairs):
        raise file.fault(None, "must hold one JSON object of keys to texts")
    seen: set[str] = set()
    messages: dict[str, str] = {}
    for key, value in data.pairs:
        if key in seen:
            raise file.fault(key, f"defines {key!r} twice")
        seen.add(key)
        if not isinstance(value, str):
            got = "an object" if isinstance(value, _Pairs) else json.dumps(value)
            raise file.fault(key, f"{key!r} must be text, not {got}")
        if not value.strip():
            raise file.fault(key, f"{key!r} is empty")
        messages[key] = value
    return LocaleFile(locale, path, source, messages)


def split_key(key: str) -> tuple[str, str | None]:
    """ "question_count#one" -> ("question_count", "one"); "busy" -> ("busy", None)."""
    base, mark, category = key.partition(PLURAL_MARK)
    return (base, category) if mark else (key, None)


def placeholders(template: str) -> frozenset[str]:
    """The placeholder names in `template`; ValueError for broken braces, specs or unnamed fields."""
    names: set[str] = set()
    try:
        fields = list(Formatter().parse(template))
    except ValueError as error:
        raise ValueError(
            f"its braces do not pair up ({error}); write a literal brace as {{{{ or }}}}"
        ) from None
    for _, field, spec, conversion in fields:
        if field is None:
            continue
        if not field.isidentifier():
            raise ValueError(f"the placeholder {{{field}}} must be a name, like {{count}}")
        if spec or conversion:
            raise ValueError(f"the placeholder {{{field}}} takes no format spec or conversion")
        names.add(field)
    return frozenset(names)


def shapes(file: LocaleFile, categories: frozenset[str]) -> dict[str, Shape]:
    """Each base key's shape, checking the file on its own terms.

    Keys are well formed, placeholders parse, every form of a plural message has the same
    placeholders, and a plural message has exactly the forms in `categories` (the language's CLDR
    plural categories, "other" included).
    """
    found: dict[str, Shape] = {}
    forms: dict[str, set[str]] = {}
    for key, template in file.messages.items():
        base, category = split_key(key)
        if not base or not base.strip() or base != base.strip():
            raise file.fault(key, f"{key!r} is not a usable key")
        if category is not None and category not in CATEGORIES:
            raise file.fault(key, f"{key!r}: after '#' comes a plural category ({', '.join(CATEGORIES)})")
        if category is not None and category not in categories:
            allowed = ", ".join(c for c in CATEGORIES if c in categories)
            raise file.fault(key, f"{key!r}: {file.locale} has no plural form {category!r} (only {allowed})")
        try:
            names = placeholders(template)
        except ValueError as error:
            raise file.fault(key, f"{key!r}: {error}") from None
        shape = Shape(category is not None, names)
        before = found.setdefault(base, shape)
        if before.plural != shape.plural:
            raise file.fault(key, f"{base!r} is both a plain and a plural message")
        if before.names != names:
            raise file.fault(
                key, f"{key!r} has placeholders {_show(names)}, its other forms {_show(before.names)}"
            )
        if category is not None:
            forms.setdefault(base, set()).add(category)
    for base, have in forms.items():
        if lacking := [c for c in CATEGORIES if c in categories and c not in have]:
            first = f"{base}{PLURAL_MARK}{next(c for c in CATEGORIES if c in have)}"
            wanted = ", ".join(f"{base}{PLURAL_MARK}{c}" for c in lacking)
            raise file.fault(first, f"{base!r} lacks the plural forms {file.locale} needs: {wanted}")
    return found


def compare(file: LocaleFile, own: Mapping[str, Shape], reference: Mapping[str, Shape], english: str) -> None:
    """Check a translation against the reference (English): no key English lacks, same shapes."""
    for key in file.messages:
        base, _ = split_key(key)
        shape, wanted = own[base], reference.get(base)
        if wanted is None:
            raise file.fault(key, f"{base!r} is not a key of {english}")
        if shape.plural != wanted.plural:
            kind = "a plural" if wanted.plural else "a plain"
            raise file.fault(key, f"{base!r} is {kind} message in {english}")
        if shape.names != wanted.names:
            raise file.fault(
                key, f"{key!r} has placeholders {_show(shape.names)}; {english} has {_show(wanted.names)}"
            )


class _Pairs:
    """A JSON object as its pairs in file order, so repeated keys are seen rather than merged."""

    def __init__(self, pairs: list[tuple[str, object]]) -> None:
        self.pairs = pairs


def _key_pattern(key: str) -> re.Pattern[str]:
    spellings = {json.dumps(key), json.dumps(key, ensure_ascii=False)}
    return re.compile("(?:" + "|".join(map(re.escape, spellings)) + r")\s*:")


def _show(names: frozenset[str]) -> str:
    return ", ".join(f"{{{name}}}" for name in sorted(names)) or "none"
