"""Typed-answer matching: normalisation, typo tolerance per length band, whole words, options, properties."""

from __future__ import annotations

import string
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizbot.questions.matching import (
    MAX_RESPONSE,
    answer_matches,
    fuzzy_matcher,
    normalise,
    option_matches,
    tolerance,
)
from tests.game.factories import mc_question, short_question, tf_question

PROPERTIES = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Beyoncé", "beyonce"),
        ("  São   Paulo ", "sao paulo"),
        ("Simon & Garfunkel", "simon and garfunkel"),
        ("St. Louis", "st louis"),
        ("The Beatles", "beatles"),
        ("La Paz", "paz"),
        ("the", "the"),
        ("a", "a"),
        ("twenty-one", "21"),
        ("Twenty One Pilots", "21 pilots"),
        ("one hundred", "100"),
        ("ninety nine", "99"),
        ("1,000,000", "1000000"),
        ("Hawai'i", "hawaii"),
        ("Łódź", "lodz"),
        ("\uff34\uff2f\uff2b\uff39\uff2f", "tokyo"),  # full-width
        ("東京", "東京"),
        ("ｶﾞｽ", "ガス"),
        ("\u0667", "7"),  # Arabic-Indic seven
    ],
)
def test_normalise_table(text: str, expected: str) -> None:
    """normalise folds case, accents, "&", punctuation, articles, number words and width as tabled."""
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("response", "accepted", "expected"),
    [
        # accents, "&", articles, punctuation
        ("beyonce", ("Beyoncé",), True),
        ("BEYONCÉ", ("beyonce",), True),
        ("simon and garfunkel", ("Simon & Garfunkel",), True),
        ("AT&T", ("at and t",), True),
        ("Beatles", ("The Beatles",), True),
        ("the beatles", ("Beatles",), True),
        ("st louis", ("St. Louis",), True),
        ("St. Louis!!", ("st louis",), True),
        ("hawaii", ("Hawai'i",), True),
        # numbers
        ("seven", ("7",), True),
        ("7", ("seven",), True),
        ("twenty-one", ("21",), True),
        ("21", ("twenty one",), True),
        ("100", ("one hundred",), True),
        ("1984", ("1984",), True),
        ("1985", ("1984",), False),
        ("Apollo 12", ("Apollo 11",), False),
        ("in 1984", ("1984",), True),
        ("1984 or 1985", ("1984",), False),
        ("apolo 11", ("Apollo 11",), True),
        ("eight", ("7",), False),
        # up to 3 characters: exact only
        ("ant", ("Ant",), True),
        ("ans", ("Ant",), False),
        # 4 to 8 characters: one edit
        ("rone", ("Rome",), True),
        ("pairs", ("Paris",), True),
        ("porus", ("Paris",), False),
        ("jupyter", ("Jupiter",), True),
        ("jopyter", ("Jupiter",), False),
        ("mitosis", ("Meiosis",), False),
        # 9 to 14 characters: two edits
        ("missisipi", ("Mississippi",), True),
        ("misisipi", ("Mississippi",), False),
        # longer: about a seventh of the length
        ("leonard da vinci", ("Leonardo da Vinci",), True),
        ("leonado da vnci", ("Leonardo da Vinci",), True),
        ("leonado da vnc", ("Leonardo da Vinci",), False),
        # a multi-word answer's short words take no typos
        ("vitamin c", ("Vitamin D",), False),
        ("vitamn d", ("Vitamin D",), True),
        # whole words
        ("air", ("chair",), False),
        ("chair", ("air",), False),
        ("the planet jupiter", ("Jupiter",), True),
        ("i think it is jupyter", ("Jupiter",), True),
        ("jupiterian moons", ("Jupiter",), False),
        ("i think new york", ("New York",), True),
        ("new yrok", ("New York",), True),
        ("york", ("New York",), False),
        ("mercury venus earth mars jupiter saturn uranus neptune", ("Jupiter",), False),
        # several accepted answers
        ("ville lumiere", ("Paris", "Ville Lumière"), True),
        ("paris", ("Paris", "Ville Lumière"), True),
        ("lyon", ("Paris", "Ville Lumière"), False),
        # empty and spam
        ("", ("Paris",), False),
        ("   ", ("Paris",), False),
        ("?!...", ("Paris",), False),
        ("paris" + " " * (MAX_RESPONSE - 5), ("Paris",), True),
        ("paris" + " " * (MAX_RESPONSE - 4), ("Paris",), False),
        # other scripts
        ("東京", ("東京",), True),
        ("京都", ("東京",), False),
        ("tokyo", ("東京",), False),
        ("서울", ("서울",), True),
        ("москва", ("Москва",), True),
        ("αθηνα", ("Αθήνα",), True),
        ("नई दिल्ली", ("नई दिल्ली",), True),
    ],
)
def test_answer_matches_table(response: str, accepted: tuple[str, ...], expected: bool) -> None:
    """answer_matches gives the tabled verdict for each tricky response."""
    assert answer_matches(response, accepted) is expected


@pytest.mark.parametrize(
    ("length", "edits"),
    [(1, 0), (3, 0), (4, 1), (5, 1), (8, 1), (9, 2), (14, 2), (15, 2), (21, 3), (50, 7)],
)
def test_tolerance_grows_with_length(length: int, edits: int) -> None:
    """Allowed edits are 0 up to 3 characters, 1 to 8, 2 to 14, then a seventh of the length."""
    assert tolerance(length) == edits


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("Mars", True),
        ("mars!", True),
        ("Marz", True),
        ("the planet mars", True),
        ("b", True),
        ("B", True),
        ("(b)", True),
        ("2", True),
        ("2.", True),
        ("a", False),
        ("c", False),
        ("1", False),
        ("5", False),
        ("Venus", False),
        ("venus or mars", False),
        ("", False),
    ],
)
def test_multiple_choice_typed_answers(response: str, expected: bool) -> None:
    """A multiple-choice answer is the correct option's text, letter or number, and no other option."""
    assert fuzzy_matcher(mc_question(), response) is expected


@pytest.mark.parametrize(
    ("response", "expected"),
    [("true", True), ("TRUE", True), ("tru", True), ("a", True), ("1", True), ("false", False), ("b", False)],
)
def test_true_false_typed_answers(response: str, expected: bool) -> None:
    """A true/false answer is "true", a near spelling of it, "a" or "1"."""
    assert fuzzy_matcher(tf_question(), response) is expected


@pytest.mark.parametrize(
    ("response", "accepted_index", "expected"),
    [("australa", 1, True), ("austria", 1, False), ("austra", 0, True), ("australia", 0, False)],
)
def test_close_options_go_to_the_nearest(response: str, accepted_index: int, expected: bool) -> None:
    """A typo close to two options counts only for the strictly nearer one."""
    options = ("Austria", "Australia", "Germany", "France")
    assert option_matches(response, options, accepted_index) is expected


@pytest.mark.parametrize(("response", "expected"), [("ab", True), ("3", True), ("c", False), ("b", False)])
def test_letters_are_not_labels_when_an_option_is_a_letter(response: str, expected: bool) -> None:
    """With options such as blood types "A" and "B", a typed letter means that option, not a position."""
    assert option_matches(response, ("A", "B", "AB", "O"), 2) is expected


@pytest.mark.parametrize(("response", "expected"), [("20", True), ("twenty", True), ("2", False)])
def test_numbers_are_not_labels_when_an_option_is_a_number(response: str, expected: bool) -> None:
    """With numeric options a typed number means that number, never an option position."""
    assert option_matches(response, ("10", "20", "30", "40"), 1) is expected


def test_options_that_read_the_same_refuse_their_text() -> None:
    """When two options normalise alike, typing that text picks neither."""
    assert option_matches("who", ("The Who", "Who", "Queen"), 1) is False


def test_short_answer_questions_use_their_accepted_answers() -> None:
    """fuzzy_matcher judges a short-answer question against every accepted answer."""
    assert fuzzy_matcher(short_question(), "ville lumiere") is True


def test_short_answer_questions_ignore_option_letters() -> None:
    """A lone letter is no label for a short-answer question."""
    assert fuzzy_matcher(short_question(), "a") is False


# --- properties --------------------------------------------------------------------------------------

LETTERS = st.characters(categories=("Lu", "Ll"), max_codepoint=0x52F)  # Latin, Greek, Cyrillic
WORD = st.text(LETTERS | st.sampled_from(string.digits), min_size=1, max_size=12)
ANSWER = st.lists(WORD, min_size=1, max_size=4).map(" ".join).filter(lambda a: normalise(a) != "")
PADDING = st.text(st.sampled_from(" \t\n.,!?;:-()\"'¿¡«»…*/"), max_size=8)


def strip_accents(text: str) -> str:
    """The text without its combining marks, as a player without an accent key would type it."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@PROPERTIES
@given(st.text(max_size=80))
def test_normalise_is_idempotent(text: str) -> None:
    """Normalising twice gives the same as normalising once."""
    once = normalise(text)
    assert normalise(once) == once


@PROPERTIES
@given(ANSWER)
def test_an_answer_matches_itself(answer: str) -> None:
    """Every accepted answer matches itself."""
    assert answer_matches(answer, [answer])


@PROPERTIES
@given(ANSWER)
def test_an_answer_matches_its_upper_case(answer: str) -> None:
    """Every accepted answer matches itself typed in capitals."""
    assert answer_matches(answer.upper(), [answer])


@PROPERTIES
@given(ANSWER)
def test_an_answer_matches_its_accent_stripped_form(answer: str) -> None:
    """Every accepted answer matches itself typed without accents."""
    assert answer_matches(strip_accents(answer), [answer])


@st.composite
def answer_and_response(draw: st.DrawFn) -> tuple[str, str]:
    """An accepted answer and a response that is it, a one-letter typo of it, or unrelated text."""
    answer = draw(ANSWER)
    kind = draw(st.sampled_from(("same", "typo", "other")))
    if kind == "same":
        return answer, answer
    if kind == "typo":
        at = draw(st.integers(0, len(answer) - 1))
        return answer, answer[:at] + draw(LETTERS) + answer[at + 1 :]
    return answer, draw(st.lists(WORD, max_size=5).map(" ".join))


@PROPERTIES
@given(answer_and_response(), PADDING, PADDING)
def test_surrounding_punctuation_never_changes_the_verdict(
    pair: tuple[str, str], before: str, after: str
) -> None:
    """Whitespace and punctuation around a response leave its verdict unchanged."""
    answer, response = pair
    assert answer_matches(before + response + after, [answer]) == answer_matches(response, [answer])


@st.composite
def disjoint_answer_and_response(draw: st.DrawFn) -> tuple[str, str]:
    """A one-word answer and a response of at least 4 characters made only of letters it lacks."""
    answer = draw(st.text(st.sampled_from(string.ascii_lowercase), min_size=1, max_size=15))
    others = sorted(set(string.ascii_lowercase) - set(answer))
    response = draw(st.text(st.sampled_from([*others, " "]), min_size=4, max_size=40))
    return answer, response


@PROPERTIES
@given(disjoint_answer_and_response())
def test_unrelated_letters_never_match_a_one_word_answer(pair: tuple[str, str]) -> None:
    """A response sharing no letter, so no whole word, with a one-word answer never matches it."""
    answer, response = pair
    assert not answer_matches(response, [answer])
