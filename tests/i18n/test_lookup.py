"""Looking a message up: plural forms by CLDR, numbers by locale, English for what is missing."""

from __future__ import annotations

import disnake
import pytest

from quizbot.i18n import Catalogue, LocaleLike, resolve
from tests.i18n.conftest import ENGLISH, GERMAN, POLISH, WriteLocales

SHIPPED_LATER = ("en-US", "en-GB", "es-ES", "pt-BR", "fr", "de", "ru", "ja", "pl")  # the list


@pytest.fixture
def catalogue(locales: WriteLocales) -> Catalogue:
    """English, Polish (one, few, many, other; no "hello") and German, from the tests' folder."""
    return Catalogue.load(locales(en_US=ENGLISH, pl=POLISH, de=GERMAN), ("en-US", "pl", "de"))


ENGLISH_COUNTS = [(0, "0 questions"), (1, "1 question"), (2, "2 questions"), (1234, "1,234 questions")]


@pytest.mark.parametrize(("count", "shown"), ENGLISH_COUNTS)
def test_english_plurals_and_numbers(catalogue: Catalogue, count: int, shown: str) -> None:
    """English has one and other; its numbers group thousands with commas."""
    assert catalogue.text("en-US", "question_count", count=count) == shown


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (1, "1 pytanie"),  # one
        (2, "2 pytania"),  # few
        (4, "4 pytania"),
        (5, "5 pytań"),  # many
        (12, "12 pytań"),  # the teens are many, not few
        (22, "22 pytania"),  # few again
        (0, "0 pytań"),
        (1.5, "1,5 pytania"),  # other: fractions, with a decimal comma
        (12345, "12\xa0345 pytań"),  # grouped with a no-break space
    ],
)
def test_polish_plural_forms_follow_cldr(catalogue: Catalogue, count: float, shown: str) -> None:
    """Polish picks among one, few, many and other by babel's CLDR rules, and writes numbers its way."""
    assert catalogue.text("pl", "question_count", count=count) == shown


def test_numbers_in_any_parameter_are_written_for_the_locale(catalogue: Catalogue) -> None:
    """Every int or float parameter is a number of the locale; text is left exactly as it is."""
    assert catalogue.number("de", 1234) == "1.234"
    assert catalogue.number("en-US", 1234) == "1,234"
    assert catalogue.text("de", "hello", name=1234) == "Hallo, 1.234!"
    assert catalogue.text("de", "hello", name="1234") == "Hallo, 1234!"
    assert catalogue.text("de", "question_count", count=1) == "1 Frage"


def test_placeholders_in_values_are_not_read_again(catalogue: Catalogue) -> None:
    """A value holding braces (a player's name) is shown as it is, never formatted itself."""
    assert catalogue.text("en-US", "hello", name="{count} {0}") == "Hello, {count} {0}!"


def test_a_missing_message_falls_back_to_english_and_is_logged_once(
    catalogue: Catalogue, warnings: list[str]
) -> None:
    """Polish lacks "hello": English is shown, never the key, and the gap is logged once."""
    for _ in range(3):
        assert catalogue.text("pl", "hello", name="Ala") == "Hello, Ala!"
    assert catalogue.text("de", "hello", name="Ala") == "Hallo, Ala!"
    assert len(warnings) == 1 and "pl" in warnings[0] and "'hello'" in warnings[0]


def test_a_fallback_is_logged_once_per_locale_and_key(locales: WriteLocales, warnings: list[str]) -> None:
    """Two locales lacking the same message are each logged, once."""
    german = {key: text for key, text in GERMAN.items() if key != "hello"}
    catalogue = Catalogue.load(locales(en_US=ENGLISH, pl=POLISH, de=german), ("en-US", "pl", "de"))
    for locale in ("pl", "de", "pl", "de"):
        catalogue.text(locale, "hello", name="Ala")
    assert len(warnings) == 2


def test_an_unknown_locale_speaks_english(catalogue: Catalogue) -> None:
    """A locale with no file, or none at all, gets English."""
    assert catalogue.text("ja", "busy") == "Busy right now."
    assert catalogue.text(None, "busy") == "Busy right now."
    assert catalogue.text(disnake.Locale.de, "busy") == "Gerade beschäftigt."


def test_a_key_english_lacks_is_an_error(catalogue: Catalogue) -> None:
    """A message nobody wrote is a bug in the caller, not something to show."""
    with pytest.raises(KeyError, match="no message 'nonsense'"):
        catalogue.text("en-US", "nonsense")


def test_a_plural_message_needs_a_number(catalogue: Catalogue) -> None:
    """Without a numeric count there is no form to choose."""
    with pytest.raises(TypeError, match="give it a number as count"):
        catalogue.text("pl", "question_count", count="5")
    with pytest.raises(TypeError):
        catalogue.text("pl", "question_count")


def test_lists_are_joined_in_the_locale_s_words(catalogue: Catalogue) -> None:
    """ "A, B and C" in English (no serial comma, as before), "A, B und C" in German."""
    assert catalogue.join("en-US", ["A", "B", "C"]) == "A, B and C"
    assert catalogue.join("de", ["A", "B", "C"]) == "A, B und C"
    assert catalogue.join("pl", ["A", "B"]) == "A i B"
    assert catalogue.join("de", ["A"]) == "A"
    assert catalogue.join("de", []) == ""


RESOLVED: list[tuple[LocaleLike, str]] = [
    ("de", "de"),
    ("en-GB", "en-GB"),
    ("en-US", "en-US"),
    ("es-419", "es-ES"),  # Latin American Spanish reads Spain's
    ("pt-PT", "pt-BR"),
    ("en-AU", "en-GB"),
    ("en", "en-US"),
    ("fr-CA", "fr"),
    ("de_AT", "de"),
    ("PT-br", "pt-BR"),
    ("zh-CN", "en-US"),
    ("ko", "en-US"),
    (None, "en-US"),
    ("", "en-US"),
    (disnake.Locale.es_LATAM, "es-ES"),
    (disnake.Locale.ja, "ja"),
]


@pytest.mark.parametrize(("locale", "shipped"), RESOLVED)
def test_resolve_finds_the_nearest_shipped_locale(locale: LocaleLike, shipped: str) -> None:
    """The locale itself, else one of its language, else English."""
    assert resolve(locale, SHIPPED_LATER) == shipped


def test_resolve_never_mixes_chinese_scripts() -> None:
    """zh-TW is not served zh-CN's characters: it falls back to English."""
    assert resolve("zh-TW", (*SHIPPED_LATER, "zh-CN")) == "en-US"
    assert resolve("zh-CN", (*SHIPPED_LATER, "zh-CN")) == "zh-CN"


def test_resolve_falls_back_to_english_when_the_language_is_not_shipped() -> None:
    """With English alone, Spanish speakers get English; en-AU gets en-US when en-GB is not there."""
    assert resolve("es-419", ("en-US",)) == "en-US"
    assert resolve("en-AU", ("en-US", "de")) == "en-US"
