"""quizbot's words in every shipped language: locale files, plural rules, numbers and fallback.

`load()` once at start-up reads and checks every file in quizbot/i18n/locales/ (a malformed one
raises LocaleFileError, a ConfigError naming its file and line); `text(locale, key, **params)` then
words a message. The same folder is what disnake's LocalizationStore reads for command names.
"""

from __future__ import annotations

from quizbot.i18n.catalogue import LOCALES, Catalogue, Language, Param
from quizbot.i18n.files import Shape
from quizbot.i18n.languages import DEFAULT, SUPPORTED, LocaleLike, resolve

__all__ = [
    "DEFAULT",
    "LOCALES",
    "SUPPORTED",
    "Catalogue",
    "Language",
    "LocaleLike",
    "Param",
    "Shape",
    "active",
    "load",
    "resolve",
    "text",
]

_active: Catalogue | None = None


def load() -> Catalogue:
    """Read and check every shipped locale file, and make it the catalogue `text` uses."""
    global _active  # noqa: PLW0603 - loaded once at start, read everywhere after
    _active = Catalogue.load()
    return _active


def active() -> Catalogue:
    """The catalogue loaded at start-up (loaded now, at first use, where nothing loaded it)."""
    return _active if _active is not None else load()


def text(locale: LocaleLike, key: str, /, **params: Param) -> str:
    """Message `key` in `locale`, from the loaded catalogue: see Catalogue.text."""
    return active().text(locale, key, **params)
