"""Refusals carry a key and details and are worded when shown, in the language of who reads them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from quizbot.bot import validation
from quizbot.bot.catalogue import Listed, Problem, Refused, fallback_notice, problem, problem_for
from quizbot.errors import InvalidState, InvalidValue, SessionNotFound
from quizbot.game.session import QuizSession, SessionConfig
from quizbot.game.values import parse_enum
from quizbot.i18n import Catalogue
from quizbot.questions.sources import Fallback
from quizbot.storage.guilds import GuildSettings
from quizbot.storage.records import Timeframe
from tests.bot.german import german_catalogue, speaking
from tests.game.factories import HOST_ID, T0, finished, started


@pytest.fixture
def german(tmp_path: Path) -> Iterator[Catalogue]:
    """The shipped English and the test's German, in use for the test."""
    with speaking(german_catalogue(tmp_path)) as catalogue:
        yield catalogue


def refusal(call: Callable[..., object], *args: object, **kwargs: object) -> Problem:
    """The catalogue entry of the refusal `call(...)` raises."""
    with pytest.raises(Refused) as raised:
        call(*args, **kwargs)
    return raised.value.problem


def test_a_problem_is_worded_in_the_locale_it_is_shown_in(german: Catalogue) -> None:
    """One refusal, two readers: German for de, English for en-US; `text` is the English it was made in."""
    found = refusal(validation.text, "topic", "x" * 101, limit=100)
    assert found.key == "option_too_long" and dict(found.details) == {"option": "topic", "limit": 100}
    assert found.text_for("de") == "**topic** darf höchstens 100 Zeichen lang sein."
    assert found.text_for("en-US") == "**topic** can be at most 100 characters long."
    assert found.text == found.text_for("en-US")


def test_details_are_worded_in_the_readers_locale_too(german: Catalogue) -> None:
    """Nested messages, lists ("or") and numbers follow the reader: 262.144 and "oder" in German."""
    kind = refusal(validation.upload_text, "file", "pack.yaml", b"x" * 300_000, limit=262_144)
    assert kind.text_for("de") == "**file** pack.yaml: hat 300.000 Byte; erlaubt sind höchstens 262.144."
    assert kind.text_for("en-US") == "**file** pack.yaml: is 300,000 bytes; uploads are at most 262,144."
    suffixes = problem("file_wrong_kind", option="file", suffixes=Listed((".yaml", ".yml"), either=True))
    assert suffixes.text_for("de") == "**file** muss eine .yaml oder .yml-Datei sein."
    assert suffixes.text_for("en-US") == "**file** must be a .yaml or .yml file."
    why = problem_for(InvalidState("no more hints for this question"))
    assert why.text_for("de") == "Das geht gerade nicht: für diese Frage gibt es keine weiteren Tipps"
    assert why.text_for("en-US") == "That can't be done right now: no more hints for this question"


def test_a_key_german_lacks_is_shown_in_english_and_logged_once(
    german: Catalogue, warnings: list[str]
) -> None:
    """Never the key's name: English words, and one warning however often it is shown."""
    found = problem("dms_closed")
    assert "dms_closed" in german.missing("de")
    assert found.text_for("de") == found.text_for("en-US")
    assert found.text_for("de").startswith("I can't send you direct messages")
    found.text_for("de")
    assert len([w for w in warnings if "'dms_closed'" in w]) == 1


def test_an_unknown_key_reads_as_the_generic_error_in_the_readers_language(german: Catalogue) -> None:
    """A key no catalogue has is kept for logs and tests, and shown as generic_error."""
    found = problem("no_such_message")
    assert found.key == "no_such_message"
    assert found.text_for("de") == "Etwas ist schiefgelaufen. Bitte versuche es später noch einmal."
    assert found.text_for("en-US") == "Something went wrong. Please try again later."


def test_too_few_details_fail_where_the_problem_is_made() -> None:
    """A missing placeholder is a KeyError at once, not a broken reply later."""
    with pytest.raises(KeyError, match="limit"):
        problem("option_too_long", option="topic")
    with pytest.raises(KeyError, match="count"):
        problem("reply.days")


def test_problem_for_keeps_a_refusals_key_and_takes_the_readers_locale(german: Catalogue) -> None:
    """A Refused error's entry comes back as it was made, to be worded for whoever reads it."""
    found = problem_for(Refused(problem("option_range", option="questions", low="1", high="20")), "de")
    assert found.key == "option_range"
    assert found.text == "**questions** muss eine ganze Zahl von 1 bis 20 sein."
    assert problem_for(SessionNotFound("no quiz"), "de").text.startswith(
        "In diesem Kanal läuft gerade kein Quiz"
    )


def skipped() -> QuizSession:
    """A session whose first question the host skipped: revealed, none open."""
    game = started()
    game.skip(HOST_ID, False, T0 + 1)
    return game


def paused() -> QuizSession:
    """A session paused after a restart, waiting for Continue."""
    game = started()
    game.pause()
    return game


def stopped() -> QuizSession:
    """A session its host stopped."""
    game = started()
    game.stop(HOST_ID, False, T0 + 1)
    return game


def core_error(act: Callable[[], object]) -> Exception:
    """What the game core or storage raises for `act`."""
    with pytest.raises((InvalidValue, InvalidState)) as raised:
        act()
    return raised.value


@pytest.mark.parametrize(
    ("act", "key"),
    [
        (lambda: SessionConfig(question_count=0), "invalid_count"),
        (lambda: SessionConfig(question_timeout=1), "invalid_timeout"),
        (lambda: SessionConfig(difficulty="brutal"), "invalid_difficulty"),
        (lambda: parse_enum(Timeframe, "year", "timeframe"), "option_not_a_choice"),
        (lambda: GuildSettings(default_questions=50), "option_range"),
        (lambda: GuildSettings(time_zone="Mars/Olympus"), "reply.why_unknown_time_zone"),
        (lambda: started().answer(10, "ten", 0, 7, T0 + 1), "reply.why_no_such_option"),
        (lambda: skipped().hint(T0 + 2), "reply.why_no_question_to_hint"),
        (lambda: skipped().skip(HOST_ID, False, T0 + 2), "reply.why_no_question_to_skip"),
        (lambda: finished().stop(HOST_ID, False, T0 + 1000), "reply.why_quiz_over"),
        (lambda: started().resume(HOST_ID, False, T0 + 1), "reply.why_not_paused"),
        (lambda: paused().hint(T0 + 1), "reply.why_paused"),
        (lambda: stopped().hint(T0 + 2), "reply.why_quiz_stopped"),
        (lambda: finished().hint(T0 + 1000), "reply.why_quiz_finished"),
    ],
)
def test_the_domain_errors_players_meet_have_words_of_their_own(act: Callable[[], object], key: str) -> None:
    """Raised by the core itself, so a reworded core message fails here rather than showing English."""
    found = problem_for(core_error(act))
    shown = found.details.get("detail") if found.key in ("invalid_input", "not_now") else found
    assert isinstance(shown, Problem) and shown.key == key, found


def test_other_domain_errors_keep_their_text_in_a_localised_frame(german: Catalogue) -> None:
    """An InvalidValue nobody mapped is still refused in the reader's language, its detail as raised."""
    found = problem_for(InvalidValue("a run cannot finish before it started"))
    assert found.text_for("de") == "Das sah nicht richtig aus: a run cannot finish before it started"


def test_a_fallback_notice_is_worded_for_its_reader(german: Catalogue) -> None:
    """Counts and source lists inside the notice follow the locale it is shown in."""
    notice = fallback_notice(Fallback("generation_partial", "OpenAI", 1, ("the offline bank (nature)",), 5))
    assert notice.text_for("en-US") == (
        "OpenAI wrote only 1 usable question, so the rest come from the offline bank (nature)."
    )


def test_lists_percentages_and_fixed_decimals_follow_the_locale(german: Catalogue) -> None:
    """The catalogue's helpers for what the replies show besides messages."""
    assert german.join("de", ["a", "b", "c"], either=True) == "a, b oder c"
    assert german.join("en-US", ["a", "b", "c"]) == "a, b and c"
    assert german.percent("de", 0.5) == "50\xa0%" and german.percent("en-US", 2 / 3) == "67%"
    assert german.number("de", 1234.5, decimals=1) == "1.234,5"
    assert german.number("en-US", 2, decimals=1) == "2.0"
