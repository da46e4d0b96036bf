"""Every shipped locale's messages, loaded and checked once, and the lookup that words a message."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent
from loguru import logger

from quizbot.errors import LocaleFileError
from quizbot.i18n.files import PLURAL_MARK, LocaleFile, Shape, compare, read, shapes
from quizbot.i18n.languages import DEFAULT, SUPPORTED, LocaleLike, babel_name, resolve

LOCALES = Path(__file__).resolve().parent / "locales"

Param = str | int | float  # ints and floats are written as numbers of the locale; text as it is

# quizbot's English lists have no serial comma ("A, B and C"), as they had before translation.
_LIST_STYLE = {"en-US": "en_GB"}


@dataclass(frozen=True, slots=True)
class Language:
    """One locale's messages and what babel knows of it (plural rules, number and list formats)."""

    locale: str
    babel: Locale
    messages: Mapping[str, str]
    shapes: Mapping[str, Shape]

    def template(self, key: str, count: object) -> str:
        """The text for base key `key`; for a plural message, the form `count` takes here."""
        if not self.shapes[key].plural:
            return self.messages[key]
        if isinstance(count, bool) or not isinstance(count, int | float):
            raise TypeError(f"{key!r} is a plural message: give it a number as count, not {count!r}")
        return self.messages[f"{key}{PLURAL_MARK}{self.babel.plural_form(abs(count))}"]


class Catalogue:
    """The messages of every shipped locale; looks up, pluralises, fills in and falls back to English."""

    def __init__(self, languages: Mapping[str, Language]) -> None:
        self._languages = dict(languages)  # English (DEFAULT) first
        self._default = self._languages[DEFAULT]
        self._locales = tuple(self._languages)
        self._reported: set[tuple[str, str]] = set()

    @classmethod
    def load(cls, directory: Path = LOCALES, locales: Sequence[str] = SUPPORTED) -> Catalogue:
        """Read and check `directory`/<locale>.json for each locale (English first, the reference).

        Raises LocaleFileError (a ConfigError) naming the file and line of the first fault.
        """
        ordered = [DEFAULT, *(locale for locale in locales if locale != DEFAULT)]
        languages: dict[str, Language] = {}
        for locale in ordered:
            file, language = _read(directory / f"{locale}.json", locale)
            if locale != DEFAULT:
                compare(file, language.shapes, languages[DEFAULT].shapes, DEFAULT)
            languages[locale] = language
        return cls(languages)

    @property
    def locales(self) -> tuple[str, ...]:
        """The loaded locales, English first."""
        return self._locales

    @property
    def english(self) -> Mapping[str, str]:
        """English's messages as written in its file (a plural message's forms under key#form)."""
        return self._default.messages

    def __contains__(self, key: object) -> bool:
        """True when `key` is a message (a base key) of the English catalogue."""
        return key in self._default.shapes

    def keys(self) -> frozenset[str]:
        """Every message's base key, as English has them."""
        return frozenset(self._default.shapes)

    def shape(self, key: str) -> Shape:
        """Whether base key `key` is plural, and its placeholders (KeyError if English lacks it)."""
        return self._default.shapes[key]

    def missing(self, locale: str) -> list[str]:
        """The base keys English has and `locale` lacks, sorted: the ones shown in English there."""
        have = self._languages[locale].shapes
        return sorted(key for key in self._default.shapes if key not in have)

    def resolve(self, locale: LocaleLike) -> str:
        """The loaded locale to speak for any Discord locale (see languages.resolve)."""
        return resolve(locale, self._locales)

    def text(self, locale: LocaleLike, key: str, /, **params: Param) -> str:
        """Message `key` in `locale`, its plural form chosen by `count`, numbers written for it.

        A key the locale lacks is shown in English, and logged once per locale and key. A key
        English lacks, or a placeholder left without a value, is a KeyError.
        """
        language = self._languages[self.resolve(locale)]
        if key not in language.shapes:
            if key not in self._default.shapes:
                raise KeyError(f"no message {key!r} in {self._default.locale}")
            self._report(language.locale, key)
            language = self._default
        template = language.template(key, params.get("count"))
        return template.format_map({name: _written(value, language.babel) for name, value in params.items()})

    def number(self, locale: LocaleLike, value: int | float, *, decimals: int | None = None) -> str:
        """`value` as `locale` writes numbers: 1234 is "1,234" in en-US and "1.234" in de.

        `decimals` fixes how many digits follow the point (1: 2.0 is "2.0", 0.25 is "0.2")."""
        babel = self._languages[self.resolve(locale)].babel
        if decimals is None:
            return _written(value, babel)
        return format_decimal(value, "#,##0" + ("." + "0" * decimals if decimals else ""), babel)

    def percent(self, locale: LocaleLike, share: float) -> str:
        """`share` (0.5) as a percentage the locale's way: "50%" in en-US, "50 %" in de."""
        return format_percent(share, locale=self._languages[self.resolve(locale)].babel)

    def join(
        self, locale: LocaleLike, items: Sequence[str], *, either: bool = False, plain: bool = False
    ) -> str:
        """ "A", "A and B", "A, B and C" (`either`: "A or B"), in the locale's words and punctuation.

        `plain` lists without a conjunction, "A, B, C" ("A、B、C" in Japanese): the choices after "one of"."""
        if len(items) <= 1:
            return "".join(items)
        name = self.resolve(locale)
        if plain:
            between = self._languages[name].babel.list_patterns["standard"]["middle"]  # "{0}, {1}"
            return reduce(between.format, items)
        babel = _LIST_STYLE.get(name, self._languages[name].babel)
        return format_list(list(items), "or" if either else "standard", babel)

    def _report(self, locale: str, key: str) -> None:
        if (locale, key) not in self._reported:
            self._reported.add((locale, key))
            logger.warning(
                "locale {} has no message {!r}; showing it in {}", locale, key, self._default.locale
            )


def _read(path: Path, locale: str) -> tuple[LocaleFile, Language]:
    file = read(path, locale)
    try:
        parsed = Locale.parse(babel_name(locale))
    except (UnknownLocaleError, ValueError):
        raise LocaleFileError(str(path), 1, f"{locale!r} is not a locale babel knows") from None
    categories = frozenset({*parsed.plural_form.tags, "other"})
    return file, Language(locale, parsed, file.messages, shapes(file, categories))


def _written(value: Param, locale: Locale) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return format_decimal(value, locale=locale)
