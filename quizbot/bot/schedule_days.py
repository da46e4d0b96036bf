"""The days of a scheduled game: read from what an admin typed, and shown in the reader's language.

A schedule's days are a mask (bit 0 Monday .. bit 6 Sunday, as storage keeps them). People type
"daily", "weekdays" (or those words in their own language), or days of the week by name, whole or
abbreviated, in English or their client's language ("mon, wed, fri", "Fr.", "пятница"), separated
by commas, spaces or slashes. Day names come from CLDR (babel), so every shipped locale reads and
writes its own.
"""

from __future__ import annotations

import re
from functools import cache

from babel import Locale

from quizbot import i18n
from quizbot.bot.catalogue import say
from quizbot.i18n import DEFAULT, LocaleLike
from quizbot.i18n.languages import babel_name
from quizbot.storage.schedules import DAILY, WEEKDAYS

_SEPARATORS = re.compile(r"[\s,;/\u3001\uff0c]+")  # and the ideographic and full-width commas
_KEYWORDS = {"daily": DAILY, "weekdays": WEEKDAYS}


@cache
def _day_names(locale: str) -> dict[str, int]:
    """Every way CLDR writes a day of the week in `locale` (wide and abbreviated, formatted and on
    its own), folded and without a final dot, to the day's bit."""
    cldr = Locale.parse(babel_name(locale))
    names: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for index, name in cldr.days[context][width].items():
                names[_folded(name)] = 1 << index
    return names


def _folded(word: str) -> str:
    return word.casefold().rstrip(".")


def parse_days(typed: str, locale: LocaleLike) -> int | None:
    """The mask `typed` means in English or the reader's `locale`, or None when any word is not a
    day (or a keyword) there."""
    reader = i18n.resolve(locale)
    words = [word for word in _SEPARATORS.split(typed.strip()) if word]
    if not words:
        return None
    keywords = {_folded(word): mask for word, mask in _KEYWORDS.items()}
    keywords |= {_folded(say(f"schedule.days.{word}", reader)): mask for word, mask in _KEYWORDS.items()}
    if len(words) == 1 and (mask := keywords.get(_folded(words[0]))) is not None:
        return mask
    names = _day_names(DEFAULT) | _day_names(reader)
    mask = 0
    for word in words:
        bit = names.get(_folded(word))
        if bit is None:
            return None
        mask |= bit
    return mask


def days_shown(mask: int, locale: LocaleLike) -> str:
    """A mask as the reader says it: "daily", "weekdays", else the days' short names in order."""
    reader = i18n.resolve(locale)
    for word, known in _KEYWORDS.items():
        if mask == known:
            return say(f"schedule.days.{word}", reader)
    abbreviated = Locale.parse(babel_name(reader)).days["format"]["abbreviated"]
    return ", ".join(abbreviated[day] for day in range(7) if mask & (1 << day))


def day_suggestions(typed: str, locale: LocaleLike) -> list[str]:
    """What to offer while someone types the days option: the keywords and the day names in their
    language that contain the last word typed (at most 25, Discord's limit)."""
    reader = i18n.resolve(locale)
    *before, last = _SEPARATORS.split(typed) if typed else [""]
    head = ", ".join(word for word in before if word)
    folded = _folded(last)
    wide = Locale.parse(babel_name(reader)).days["format"]["wide"]
    days = [wide[day] for day in range(7) if folded in wide[day].casefold()]
    if head:
        return [f"{head}, {day}" for day in days][:25]
    keywords = [say(f"schedule.days.{word}", reader) for word in _KEYWORDS]
    return ([word for word in keywords if folded in word.casefold()] + days)[:25]
