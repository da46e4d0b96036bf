"""Typed-answer matching in each language: its articles, its number words, its true and false."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizbot.game.languages import WORDINGS
from quizbot.questions.matching import answer_matches, fuzzy_matcher, normalise, option_matches
from tests.game.factories import mc_question, short_question, tf_question

PROPERTIES = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
MIXED_WORDS = ("la", "le", "der", "un", "una", "dix", "sept", "elf", "o", "x", "l'x", "十", "dwie")
SHIPPED = ("en-US", "en-GB", "es-ES", "pt-BR", "fr", "de", "ru", "ja", "pl")


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # each language's articles, and only its own
        ("es-ES", "El Nilo", "nilo"),
        ("es-ES", "Las Vegas", "vegas"),
        ("es-ES", "Una casa", "casa"),
        ("es-ES", "The Beatles", "the beatles"),
        ("pt-BR", "O Rio Amazonas", "rio amazonas"),
        ("pt-BR", "As Cataratas", "cataratas"),
        ("pt-BR", "Um Sonho", "sonho"),
        ("fr", "Le Louvre", "louvre"),
        ("fr", "Les Misérables", "miserables"),
        ("fr", "L'Everest", "everest"),
        ("fr", "l\u2019Everest", "everest"),
        ("fr", "Une Étoile", "etoile"),
        ("fr", "El Salvador", "el salvador"),
        ("de", "Der Rhein", "rhein"),
        ("de", "Die Zauberflöte", "zauberflote"),
        ("de", "Das Boot", "boot"),
        ("de", "Ein Apfel", "apfel"),
        ("de", "Einen Hund", "hund"),
        ("de", "La Paz", "la paz"),
        ("ru", "La Paz", "la paz"),
        ("ru", "The Beatles", "the beatles"),
        ("pl", "La Paz", "la paz"),
        ("ja", "The Beatles", "the beatles"),
        ("en-US", "La Paz", "paz"),  # English keeps the articles its names borrow, as before
        ("en-GB", "The Beatles", "beatles"),
        # a lone article stays a word, and where it also means one, it is 1
        ("es-ES", "la", "la"),
        ("es-ES", "un", "1"),
        ("fr", "une", "1"),
        ("de", "ein", "1"),
        ("pt-BR", "uma", "1"),
        # numbers, 0 to 20, with and without accents
        ("es-ES", "cero", "0"),
        ("es-ES", "dieciséis", "16"),
        ("es-ES", "dieciseis", "16"),
        ("es-ES", "veinte", "20"),
        ("pt-BR", "três", "3"),
        ("pt-BR", "dezessete", "17"),
        ("pt-BR", "dezassete", "17"),
        ("pt-BR", "catorze", "14"),
        ("pt-BR", "quatorze", "14"),
        ("pt-BR", "vinte", "20"),
        ("fr", "zéro", "0"),
        ("fr", "dix-sept", "17"),
        ("fr", "dix-neuf ans", "19 ans"),
        ("fr", "vingt", "20"),
        ("de", "null", "0"),
        ("de", "zwölf", "12"),
        ("de", "fünfzehn", "15"),
        ("de", "zwanzig", "20"),
        ("ru", "ноль", "0"),
        ("ru", "семнадцать", "17"),
        ("ru", "две", "2"),
        ("ru", "двадцать", "20"),
        ("pl", "zero", "0"),
        ("pl", "piętnaście", "15"),
        ("pl", "dwie", "2"),
        ("pl", "dwadzieścia", "20"),
        ("ja", "〇", "0"),  # noqa: RUF001 - the ideographic zero, as Japanese writes it
        ("ja", "十七", "17"),
        ("ja", "二十", "20"),
        ("ja", "\uff11\uff17", "17"),  # full-width digits
        # a language with no table: no articles, digits only
        ("it", "Il Po", "il po"),
        ("it", "sette", "sette"),
    ],
)
def test_normalise_reads_each_language(language: str, text: str, expected: str) -> None:
    """normalise drops the language's leading articles and writes its number words as digits."""
    assert normalise(text, language) == expected


def test_english_is_still_the_default() -> None:
    """With no language, normalise reads English, as it always did."""
    assert normalise("The Twenty One Pilots") == normalise("The Twenty One Pilots", "en-US") == "21 pilots"


@pytest.mark.parametrize(
    ("language", "response", "accepted", "expected"),
    [
        ("es-ES", "el amazonas", "Amazonas", True),
        ("es-ES", "diecisiete", "17", True),
        ("es-ES", "17", "diecisiete", True),
        ("es-ES", "dieciocho", "17", False),
        ("pt-BR", "o brasil", "Brasil", True),
        ("pt-BR", "dezenove", "19", True),
        ("fr", "l'everest", "Everest", True),
        ("fr", "everest", "L'Everest", True),
        ("fr", "dix sept", "17", True),
        ("fr", "dix huit", "17", False),
        ("de", "rhein", "Der Rhein", True),
        ("de", "eine Sonate", "Sonate", True),
        ("de", "siebzehn", "17", True),
        ("ru", "семнадцать", "17", True),
        ("ru", "волга", "Волга", True),
        ("pl", "dziewiętnaście", "19", True),
        ("pl", "dziewietnascie", "19", True),
        ("ja", "十九", "19", True),
        ("ja", "19", "十九", True),
        # typo tolerance is the same in every language
        ("de", "Zauberflote", "Die Zauberflöte", True),
        ("de", "Zaubreflöte", "Die Zauberflöte", True),
        ("de", "Zuabrefölte", "Die Zauberflöte", False),
        ("fr", "missisipi", "Mississippi", True),
        ("fr", "misisipi", "Mississippi", False),
        # numbers still match exactly
        ("es-ES", "diecinueve", "1999", False),
        ("de", "elf", "12", False),
    ],
)
def test_answers_match_in_each_language(language: str, response: str, accepted: str, expected: bool) -> None:
    """Articles, numbers and typos in the question's language."""
    assert answer_matches(response, [accepted], language) is expected


@pytest.mark.parametrize(
    ("language", "response", "expected"),
    [
        ("de", "siebzehn", True),
        ("de", "seventeen", False),
        ("en-US", "seventeen", True),
        ("en-US", "siebzehn", False),
        ("fr", "dix-sept", True),
        ("es-ES", "diecisiete", True),
        ("es-ES", "dix-sept", False),
    ],
)
def test_the_fuzzy_matcher_chooses_by_the_questions_language(
    language: str, response: str, expected: bool
) -> None:
    """The same answer, 17, takes number words in the question's language only."""
    assert fuzzy_matcher(short_question(accepted=("17",), language=language), response) is expected


@pytest.mark.parametrize(
    ("language", "true", "false"),
    [
        ("en-US", "true", "false"),
        ("es-ES", "verdadero", "falso"),
        ("pt-BR", "verdadeiro", "falso"),
        ("fr", "vrai", "faux"),
        ("de", "wahr", "falsch"),
        ("ru", "правда", "ложь"),
        ("pl", "prawda", "fałsz"),
        ("ja", "正しい", "誤り"),
    ],
)
def test_true_and_false_in_each_language(language: str, true: str, false: str) -> None:
    """A typed true/false answer may be the language's word, or True and False as the buttons say."""
    right, wrong = tf_question(language=language), tf_question(answer_index=1, language=language)
    assert fuzzy_matcher(right, true) and fuzzy_matcher(right, "True") and fuzzy_matcher(right, "a")
    assert not fuzzy_matcher(right, false)
    assert fuzzy_matcher(wrong, false) and fuzzy_matcher(wrong, "False")
    assert not fuzzy_matcher(wrong, true)


def test_language_words_for_true_do_not_leak_into_other_options() -> None:
    """Only a true/false question takes "wahr": a German multiple-choice question takes its options."""
    question = mc_question(options=("Wahr", "Falsch", "Vielleicht"), answer_index=2, language="de")
    assert fuzzy_matcher(question, "vielleicht")
    assert not fuzzy_matcher(question, "wahr")
    assert option_matches("zwei", ("1", "2", "3"), 1, "de")
    assert not option_matches("zwei", ("1", "2", "3"), 1, "en-US")


@PROPERTIES
@given(st.sampled_from(SHIPPED), st.text(max_size=60))
def test_normalise_is_idempotent_in_every_language(language: str, text: str) -> None:
    """Normalising twice in a language gives the same as normalising once."""
    once = normalise(text, language)
    assert normalise(once, language) == once


@PROPERTIES
@given(
    st.sampled_from(sorted(set(WORDINGS) - {"en"})),
    st.lists(st.sampled_from(MIXED_WORDS), max_size=6),
)
def test_an_answer_of_article_and_number_words_matches_itself(language: str, words: list[str]) -> None:
    """Whatever mix of articles and number words an answer is, it matches itself."""
    answer = " ".join(words) or "x"
    assert answer_matches(answer, [answer], language)
