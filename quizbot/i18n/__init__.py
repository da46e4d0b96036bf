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
    "stamp",
    "text",
]

_active: Catalogue | None = None
Stamp = tuple[tuple[str, int, int], ...]  # each locale file's name, size and modification time
_shipped: tuple[Stamp, Catalogue] | None = None  # the shipped files as last read, and what they held


def load() -> Catalogue:
    """Read and check every shipped locale file, and make it the catalogue `text` uses.

    Files unchanged since the last load (same names, sizes and modification times) are not read
    again: tests and the demo start many bots in one process, and each read costs about 70 ms.
    """
    global _active, _shipped  # noqa: PLW0603 - loaded once at start, read everywhere after
    files = stamp()
    if _shipped is None or _shipped[0] != files:
        _shipped = (files, Catalogue.load())
    _active = _shipped[1]
    return _active


def stamp() -> Stamp:
    """Each shipped locale file's name, size and modification time: what a cached read depends on."""
    return tuple(sorted((p.name, (s := p.stat()).st_size, s.st_mtime_ns) for p in LOCALES.glob("*.json")))


def active() -> Catalogue:
    """The catalogue loaded at start-up (loaded now, at first use, where nothing loaded it)."""
    return _active if _active is not None else load()


def text(locale: LocaleLike, key: str, /, **params: Param) -> str:
    """Message `key` in `locale`, from the loaded catalogue: see Catalogue.text."""
    return active().text(locale, key, **params)
