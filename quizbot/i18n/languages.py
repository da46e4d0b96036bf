"""The locales quizbot ships, and how any Discord locale is matched to one of them."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

# Every locale with a file in quizbot/i18n/locales/, named as Discord names it. Adding a language
# is its file plus one line here.
SUPPORTED: tuple[str, ...] = (
    "en-US",
    "en-GB",
    "es-ES",
    "pt-BR",
    "fr",
    "de",
    "ru",
    "ja",
    "pl",
)
DEFAULT = "en-US"  # the reference every other file is checked against, and the last fallback

# Where a locale's own language has several shipped variants, the one its region reads best.
_NEAREST = {
    "en-AU": "en-GB",
    "en-IE": "en-GB",
    "en-IN": "en-GB",
    "en-NZ": "en-GB",
    "en-ZA": "en-GB",
}
# Languages whose variants are not interchangeable (zh-TW is written in other characters than zh-CN).
_NO_SHARING = frozenset({"zh"})


class HasValue(Protocol):
    """A locale enum member, such as disnake.Locale.de (whose value is "de")."""

    @property
    def value(self) -> str:
        """The locale's name."""
        ...


LocaleLike = str | HasValue | None


def resolve(locale: LocaleLike, supported: Sequence[str] = SUPPORTED) -> str:
    """The shipped locale to speak for `locale`: itself, else one of its language, else en-US.

    Takes a Discord locale name ("es-419"), a disnake.Locale, or None (no locale known); anything
    else (a forged interaction's locale may be any JSON value) counts as None.
    """
    name = locale if isinstance(locale, str) or locale is None else getattr(locale, "value", None)
    return _resolve(name if isinstance(name, str) else None, tuple(supported))


@lru_cache(maxsize=256)
def _resolve(name: str | None, supported: tuple[str, ...]) -> str:
    default = DEFAULT if DEFAULT in supported or not supported else supported[0]
    if not name:
        return default
    wanted = name.strip().replace("_", "-").lower()
    by_name = {locale.lower(): locale for locale in supported}
    if wanted in by_name:
        return by_name[wanted]
    near = {k.lower(): v for k, v in _NEAREST.items()}.get(wanted)
    if near in supported:
        return near
    language = wanted.split("-")[0]
    if language in _NO_SHARING:
        return default
    same = [locale for locale in supported if locale.lower().split("-")[0] == language]
    if DEFAULT.lower().split("-")[0] == language and DEFAULT in same:
        return DEFAULT
    return same[0] if same else default


def babel_name(locale: str) -> str:
    """Babel's name for a Discord locale: "en-US" -> "en_US", "es-419" -> "es_419"."""
    return locale.replace("-", "_")
