"""Slash commands in the user's client language, through disnake's own localisation support.

Every command, option and choice in the cogs is declared as `disnake.Localized(english, key=...)`
with a key under `cmd.`: `cmd.<command path>.name`, `.description`, and `.choice.<value>` for a
choice ("cmd.trivia.start.difficulty.choice.easy"). The bot's i18n is a CommandLocalizations,
disnake's LocalizationStore reading the same locale files as the message catalogue, so disnake
puts `name_localizations` and `description_localizations` into the commands it registers.
"""

from __future__ import annotations

from collections.abc import Iterable

import disnake

from quizbot import i18n
from quizbot.i18n import LocaleLike

PREFIX = "cmd."


def command_word(locale: LocaleLike, *path: str) -> str:
    """One command, group or option name (the last of `path`) as a client in `locale` shows it: its
    `cmd.<path>.name` text where the catalogue has one, else as registered."""
    key = ".".join(("cmd", *path, "name"))
    return i18n.text(locale, key) if key in i18n.active() else path[-1]


def command_shown(locale: LocaleLike, *path: str) -> str:
    """A command as a client in `locale` shows it, quoted (`/study start`), each part by `command_word`."""
    return "`/" + " ".join(command_word(locale, *path[:depth]) for depth in range(1, len(path) + 1)) + "`"


class CommandLocalizations(disnake.LocalizationStore):
    """disnake's LocalizationStore over quizbot's shipped locale files.

    It sends no en-US localisation: the English written in the cogs is Discord's default for every
    locale without one, and en-US.json holds that same English (a test keeps them equal). It is
    strict, so a `cmd.` key that English lacks stops start-up rather than leaving a name untranslated.
    """

    def __init__(self) -> None:
        """The shipped locales (i18n.SUPPORTED), each file read by disnake's own loader."""
        super().__init__(strict=True)
        for locale in i18n.SUPPORTED:
            self.load(i18n.LOCALES / f"{locale}.json")

    def get(self, key: str) -> dict[str, str] | None:
        """`key`'s text in every shipped locale but en-US (LocalizationKeyError when none has it)."""
        found = super().get(key)
        return None if found is None else {loc: text for loc, text in found.items() if loc != i18n.DEFAULT}


_shared: tuple[i18n.Stamp, CommandLocalizations] | None = None  # the files as last read, and the store


def shipped_localizations() -> CommandLocalizations:
    """The CommandLocalizations of the shipped files, read again only when one of them changed.

    Every bot's commands are localised from it: tests and the demo start many bots in one process,
    and reading the nine files costs each about 10 ms. The store is only read once loaded.
    """
    global _shared  # noqa: PLW0603 - one store per process while the files stay the same
    files = i18n.stamp()
    if _shared is None or _shared[0] != files:
        _shared = (files, CommandLocalizations())
    return _shared[1]


def choices(option_key: str, values: Iterable[str]) -> list[disnake.OptionChoice]:
    """An option's choices, each named by its value in English and by `<option_key>.choice.<value>`.

    `option_key` is the option's key stem, "cmd.trivia.start.difficulty" for /trivia start difficulty.
    """
    if not option_key.startswith(PREFIX):
        raise ValueError(f"a command's localisation key starts with {PREFIX!r}, not {option_key!r}")
    return [
        disnake.OptionChoice(disnake.Localized(value, key=f"{option_key}.choice.{value}"), value)
        for value in values
    ]
