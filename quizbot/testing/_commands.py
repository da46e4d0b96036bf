"""What Discord checks in an application command a bot registers: names, descriptions, choices, localisations.

Discord's rules (application commands, "Application Command Naming" and "Localization"): a
CHAT_INPUT command's name and its options' names match ^[-_\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$
and use the lowercase form of every letter that has one; descriptions are 1-100 characters; a
choice's name is 1-100 characters; `name_localizations` and `description_localizations` are keyed
by Discord's locales and their values follow the same rules as the field they localise; sibling
options have different names. The double is stricter than Discord documents in one way: sibling
options may not share a name in any locale either, since a user there would see two of one name.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

import disnake

from quizbot.testing._model import JSON

LOCALES = frozenset(locale.value for locale in disnake.Locale)
CHAT_INPUT = 1
SUBCOMMANDS = (1, 2)  # SUB_COMMAND, SUB_COMMAND_GROUP
MAX_NAME = 32
MAX_TEXT = 100
MAX_OPTIONS = 25
# Code points of the Devanagari and Thai scripts (Unicode's Scripts.txt) that are neither letters nor
# numbers: their vowel signs, viramas and marks. A test holds these against the regex module's \p{sc=...}.
_SCRIPTS: tuple[tuple[int, int], ...] = (
    *((0x0900, 0x0950), (0x0955, 0x0963), (0x0966, 0x097F), (0xA8E0, 0xA8FF), (0x11B00, 0x11B09)),  # Deva
    *((0x0E01, 0x0E3A), (0x0E40, 0x0E5B)),  # Thai
)


def name_character(char: str) -> bool:
    """Whether Discord allows `char` in a CHAT_INPUT command's or an option's name."""
    if char in "-_" or unicodedata.category(char)[0] in "LN":
        return True
    point = ord(char)
    return any(low <= point <= high for low, high in _SCRIPTS)


def chat_input_name(name: object) -> str | None:
    """Why `name` cannot name a CHAT_INPUT command or an option, or None when it can."""
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME:
        return f"must be text of 1 to {MAX_NAME} characters"
    if not all(map(name_character, name)):
        return "may hold only letters, numbers, - and _"
    if name != name.lower():
        return "must be lowercase"
    return None


def command_problem(payload: JSON) -> tuple[str, str] | None:
    """The first field of `payload` Discord would refuse, as (its path, why), or None.

    Each bot a test starts registers the same commands again: a payload seen before (as JSON, the
    form it arrived in) is judged from memory rather than character by character again.
    """
    return _judged(json.dumps(payload, sort_keys=True))


@functools.lru_cache(maxsize=256)
def _judged(payload: str) -> tuple[str, str] | None:
    return next(_problems(json.loads(payload)), None)


def _problems(command: JSON) -> Iterator[tuple[str, str]]:
    kind = command.get("type") or CHAT_INPUT
    if kind != CHAT_INPUT:  # user and message commands: any case, spaces allowed; no description
        yield from _field(command, "", "name", _text(MAX_NAME))
        return
    yield from _named(command, "")
    yield from _options(command.get("options") or [], "options")


def _named(item: JSON, at: str) -> Iterator[tuple[str, str]]:
    """A command's or option's name and description, with their localisations."""
    yield from _field(item, at, "name", chat_input_name)
    yield from _field(item, at, "description", _text(MAX_TEXT))


def _options(options: Any, at: str) -> Iterator[tuple[str, str]]:
    if not isinstance(options, list) or len(options) > MAX_OPTIONS:
        yield at, f"must be a list of at most {MAX_OPTIONS}"
        return
    for index, option in enumerate(options):
        if not isinstance(option, dict):
            yield f"{at}.{index}", "must be an object"
            return
        yield from _named(option, f"{at}.{index}.")
        choices = option.get("choices") or []
        if len(choices) > MAX_OPTIONS:
            yield f"{at}.{index}.choices", f"must be a list of at most {MAX_OPTIONS}"
        for number, choice in enumerate(choices):
            yield from _field(choice, f"{at}.{index}.choices.{number}.", "name", _text(MAX_TEXT))
        if option.get("type") in SUBCOMMANDS:
            yield from _options(option.get("options") or [], f"{at}.{index}.options")
    yield from _unique(options, at)


def _text(limit: int) -> Callable[[object], str | None]:
    def rule(value: object) -> str | None:
        ok = isinstance(value, str) and 1 <= len(value) <= limit
        return None if ok else f"must be text of 1 to {limit} characters"

    return rule


def _field(
    item: JSON, at: str, field: str, rule: Callable[[object], str | None]
) -> Iterator[tuple[str, str]]:
    """`field` and each of its localisations by `rule`; a localisation for no Discord locale is refused."""
    if (why := rule(item.get(field))) is not None:
        yield f"{at}{field}", why
    localisations = item.get(f"{field}_localizations")
    if localisations is None:
        return
    if not isinstance(localisations, dict):
        yield f"{at}{field}_localizations", "must be an object keyed by locale"
        return
    for locale, value in localisations.items():
        path = f"{at}{field}_localizations.{locale}"
        if locale not in LOCALES:
            yield path, "is not one of Discord's locales"
        elif value is not None and (why := rule(value)) is not None:  # null: the default is shown
            yield path, why


def _unique(siblings: list[Any], at: str) -> Iterator[tuple[str, str]]:
    """Sibling options (or subcommands): no name twice, by default nor in any locale."""
    items = [item for item in siblings if isinstance(item, dict)]
    locales = {locale for item in items for locale in item.get("name_localizations") or {}}
    for locale in (None, *sorted(locales)):
        seen: set[object] = set()
        for item in items:
            name = item.get("name")
            if locale is not None:
                name = (item.get("name_localizations") or {}).get(locale) or name
            if name in seen:
                where = "" if locale is None else f" in {locale}"
                yield at, f"two of these share the name {name!r}{where}"
                return
            seen.add(name)
