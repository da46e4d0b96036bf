"""A question's language: Discord locales, how it is stored, and the exact matcher reading answers in it."""

from __future__ import annotations

from typing import Any

import disnake
import pytest

from quizbot.errors import InvalidValue
from quizbot.game.languages import (
    DEFAULT_LANGUAGE,
    DISCORD_LOCALES,
    WORDINGS,
    known_locale,
    language_code,
    same_language,
)
from quizbot.game.questions import Question, exact_matcher
from tests.game.factories import mc_question, short_question, tf_question


def test_the_locales_are_discords() -> None:
    """The game core's list of locales is disnake's Locale, which it may not import."""
    assert set(DISCORD_LOCALES) == {locale.value for locale in disnake.Locale}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("de", "de"),
        ("pt-BR", "pt-BR"),
        ("pt-br", "pt-BR"),
        ("PT_br", "pt-BR"),
        ("  es-419 ", "es-419"),
        ("klingon", None),
        ("german", None),
        ("en", None),
        ("", None),
        (None, None),
        (7, None),
    ],
)
def test_known_locale_spells_a_locale_as_discord_does(name: object, expected: str | None) -> None:
    """Any letter case and _ for - name a Discord locale; anything else names none."""
    assert known_locale(name) == expected


def test_languages_are_compared_by_their_language_subtag() -> None:
    """en-GB and en-US write one language; es-ES and pt-BR do not."""
    assert language_code("pt-BR") == "pt"
    assert same_language("en-GB", "en-US")
    assert same_language("es-419", "es-ES")
    assert not same_language("es-ES", "pt-BR")


def test_every_tabled_language_is_one_of_discords() -> None:
    """Each language with rules is the language of some Discord locale."""
    assert set(WORDINGS) <= {language_code(locale) for locale in DISCORD_LOCALES}


# --- the question model -------------------------------------------------------------------------


def test_a_question_is_english_unless_it_says_otherwise() -> None:
    """The default language is en-US, and to_dict leaves it out, so identities stay as they were."""
    question = mc_question()
    assert question.language == DEFAULT_LANGUAGE == "en-US"
    assert "language" not in question.to_dict()
    assert Question.from_dict(question.to_dict()) == question


def test_a_question_in_another_language_keeps_it_through_its_dict() -> None:
    """A German question's dict says "de", and from_dict brings it back (and shares it when plain)."""
    question = short_question(accepted=("acht",), language="de")
    data = question.to_dict()
    assert data["language"] == "de"
    assert Question.from_dict(data) == question
    assert Question.from_dict(data) is Question.from_dict(dict(data))


def test_a_dict_without_a_language_is_english() -> None:
    """Snapshots and stored questions from before languages read as English."""
    data = mc_question().to_dict()
    del data["source"]
    assert "language" not in data
    assert Question.from_dict(data).language == "en-US"


def test_the_language_is_part_of_the_identity() -> None:
    """The same question in another language is another question; in en-US it is the old one."""
    english = mc_question()
    assert mc_question(language="en-US").identity == english.identity
    assert mc_question(language="de").identity != english.identity
    assert mc_question(language="en-GB").identity != english.identity


@pytest.mark.parametrize("language", ["german", "DE", "pt-br", "", "xx-YY"])
def test_a_language_must_be_a_discord_locale_as_discord_spells_it(language: str) -> None:
    """Anything but a Discord locale in Discord's spelling is refused, naming the question."""
    with pytest.raises(InvalidValue, match=r"'q1'.*language must be a Discord locale such as en-US"):
        mc_question(language=language)


def test_a_language_that_is_not_text_is_refused() -> None:
    """from_dict of a forged dict with a number for a language is refused, not crashed on."""
    data: dict[str, Any] = {**mc_question().to_dict(), "language": 3}
    with pytest.raises(InvalidValue, match="language"):
        Question.from_dict(data)


# --- the exact matcher in each language ---------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "accepted", "response", "expected"),
    [
        ("en-US", "The Beatles", "beatles", True),
        ("en-US", "7", "seven", True),
        ("en-US", "twenty", "20", True),
        ("es-ES", "El Nilo", "nilo", True),
        ("es-ES", "Los Andes", "los andes", True),
        ("es-ES", "17", "diecisiete", True),
        ("es-ES", "1", "uno", True),
        ("es-ES", "Un gato", "gato", True),
        ("pt-BR", "O Amazonas", "amazonas", True),
        ("pt-BR", "16", "dezesseis", True),
        ("pt-BR", "2", "duas", True),
        ("fr", "L'Everest", "everest", True),
        ("fr", "La Seine", "seine", True),
        ("fr", "17", "dix-sept", True),
        ("fr", "17", "dix sept", True),
        ("de", "Der Rhein", "rhein", True),
        ("de", "12", "zwölf", True),
        ("de", "12", "zwolf", True),
        ("de", "1", "eins", True),
        ("ru", "17", "семнадцать", True),
        ("ru", "Волга", "волга", True),
        ("pl", "17", "siedemnaście", True),
        ("pl", "La Paz", "paz", False),  # Polish has no articles
        ("ja", "17", "十七", True),
        ("ja", "東京", "東京", True),
        ("de", "The Beatles", "beatles", False),  # English articles are not German ones
        ("en-US", "17", "siebzehn", False),  # nor German numbers English ones
        ("it", "Il Po", "po", False),  # a language with no table: no articles
        ("it", "7", "7", True),
    ],
)
def test_the_exact_matcher_reads_answers_in_the_questions_language(
    language: str, accepted: str, response: str, expected: bool
) -> None:
    """Articles and number words count in the question's own language, and only there."""
    question = short_question(accepted=(accepted,), language=language)
    assert exact_matcher(question, response) is expected


@pytest.mark.parametrize(
    ("language", "true", "false"),
    [("en-US", "true", "false"), ("de", "wahr", "falsch"), ("fr", "vrai", "faux"), ("ja", "正しい", "誤り")],
)
def test_the_exact_matcher_takes_true_and_false_in_the_questions_language(
    language: str, true: str, false: str
) -> None:
    """A true/false question takes its language's words, and "True" whatever the language."""
    right, wrong = tf_question(language=language), tf_question(answer_index=1, language=language)
    assert exact_matcher(right, true) and exact_matcher(right, "True")
    assert not exact_matcher(right, false)
    assert exact_matcher(wrong, false) and not exact_matcher(wrong, true)
