"""The shipped locale files: complete, consistent with English, and readable by disnake as well."""

from __future__ import annotations

import json
from string import Formatter

import disnake
import pytest
from babel import Locale

from quizbot import i18n
from quizbot.bot.catalogue import MESSAGES, fallback_notice, problem, say
from quizbot.i18n import DEFAULT, LOCALES, SUPPORTED, Catalogue
from quizbot.questions.sources import Fallback


def messages(locale: str) -> dict[str, str]:
    """A shipped file's messages, read with nothing but the json module."""
    data = json.loads((LOCALES / f"{locale}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def base_keys(locale: str) -> dict[str, set[str]]:
    """Each base key of a shipped file -> its plural forms (empty for a plain message)."""
    found: dict[str, set[str]] = {}
    for key in messages(locale):
        base, _, form = key.partition("#")
        found.setdefault(base, set()).update({form} if form else set())
    return found


def names(text: str) -> set[str]:
    """The placeholder names in a message."""
    return {field for _, field, _, _ in Formatter().parse(text) if field is not None}


def cldr_forms(locale: str) -> set[str]:
    """The plural categories babel's CLDR data gives the locale's language, "other" included."""
    return {*Locale.parse(locale.replace("-", "_")).plural_form.tags, "other"}


def test_every_shipped_file_is_listed_and_every_listed_locale_has_a_file() -> None:
    """The folder holds exactly the locales in SUPPORTED, English among them."""
    assert DEFAULT in SUPPORTED
    assert sorted(path.stem for path in LOCALES.glob("*.json")) == sorted(SUPPORTED)
    assert len(set(SUPPORTED)) == len(SUPPORTED)


def test_every_shipped_locale_is_a_discord_locale() -> None:
    """Files are named as Discord names its locales, so disnake can use them for commands."""
    assert {
        locale for locale in SUPPORTED if locale not in {member.value for member in disnake.Locale}
    } == set()


def test_disnake_s_localization_store_loads_the_same_folder() -> None:
    """The files are flat text, as disnake's LocalizationStore requires for command localisations."""
    store = disnake.LocalizationStore(strict=True)
    store.load(LOCALES)
    assert store.get("busy") == {locale: messages(locale)["busy"] for locale in SUPPORTED}


def test_the_shipped_catalogue_loads() -> None:
    """Every shipped file passes the loader's checks."""
    assert Catalogue.load().locales == (DEFAULT, *(locale for locale in SUPPORTED if locale != DEFAULT))


@pytest.mark.parametrize("locale", SUPPORTED)
def test_a_locale_has_every_message_english_has_and_no_other(locale: str) -> None:
    """Same base keys as English: nothing missing, nothing English lacks."""
    assert set(base_keys(locale)) == set(base_keys(DEFAULT))


@pytest.mark.parametrize("locale", SUPPORTED)
def test_plural_messages_have_exactly_the_forms_cldr_requires(locale: str) -> None:
    """Each plural message gives every form its language's CLDR rules need, and no others."""
    english = base_keys(DEFAULT)
    for base, forms in base_keys(locale).items():
        assert forms == (cldr_forms(locale) if english[base] else set()), (locale, base)


@pytest.mark.parametrize("locale", SUPPORTED)
def test_placeholders_match_english_exactly(locale: str) -> None:
    """Every message has English's placeholders, no more and no fewer."""
    english = {key.partition("#")[0]: names(text) for key, text in messages(DEFAULT).items()}
    for key, text in messages(locale).items():
        assert names(text) == english[key.partition("#")[0]], (locale, key)


def test_english_text_comes_from_en_us_json() -> None:
    """MESSAGES is the English file, key for key."""
    assert dict(MESSAGES) == messages(DEFAULT)


def test_problem_and_say_speak_the_locale_asked_for() -> None:
    """British English where it differs; English for a locale not shipped; American by default."""
    assert say("invalid_difficulty") == "Please choose a valid difficulty: easy, medium, or hard."
    assert say("invalid_difficulty", "en-GB") == "Please choose a valid difficulty: easy, medium or hard."
    assert problem("busy", "xx-XX").text == MESSAGES["busy"]
    assert problem("no such key").text == MESSAGES["generic_error"]


@pytest.mark.parametrize(
    ("fallback", "shown"),
    [
        (
            Fallback("provider_unavailable", "OpenAI", total=1),
            "OpenAI is unavailable right now, so this quiz has 1 question.",
        ),
        (
            Fallback("no_generator", total=10),
            "No AI question generator is set up on this bot, so this quiz has 10 questions.",
        ),
        (
            Fallback("generation_partial", "OpenAI", got=1, others=("Anthropic", "the offline bank")),
            "OpenAI wrote only 1 usable question, so the rest come from Anthropic and the offline bank.",
        ),
        (
            Fallback("generation_empty", "Gemini", others=("OpenAI", "Anthropic", "the offline bank")),
            "Gemini could not write usable questions about that topic, so these questions come from "
            "OpenAI, Anthropic and the offline bank.",
        ),
        (
            Fallback("generation_partial", "OpenAI", got=3, others=("the offline bank",)),
            "OpenAI wrote only 3 usable questions, so the rest come from the offline bank.",
        ),
    ],
)
def test_fallback_notices_read_as_they_did_in_english(fallback: Fallback, shown: str) -> None:
    """The fragments and counts are catalogue messages now; the English words are unchanged."""
    assert fallback_notice(fallback).text == shown


def test_load_makes_the_catalogue_the_active_one() -> None:
    """i18n.load() reads the shipped files once and text() uses them."""
    loaded = i18n.load()
    assert i18n.active() is loaded
    assert i18n.text("en-GB", "question_count", count=2) == "2 questions"
