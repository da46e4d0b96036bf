"""Every message a player may see when something goes wrong, in one place, keyed for tests and logs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from quizbot import i18n
from quizbot.errors import (
    ActorDead,
    AskTimeout,
    GenerationFailed,
    InvalidState,
    InvalidValue,
    MailboxFull,
    NotHost,
    PoisonMessage,
    QuestionClosed,
    QuizbotError,
    SessionExists,
    SessionMoved,
    SessionNotFound,
    ShuttingDown,
    StorageError,
)
from quizbot.i18n import DEFAULT, LocaleLike, Param
from quizbot.questions.sources import Fallback


class _English(Mapping[str, str]):
    """English's messages by key, as en-US.json writes them (a plural message's forms as key#form)."""

    def __getitem__(self, key: str) -> str:
        return i18n.active().english[key]

    def __iter__(self) -> Iterator[str]:
        return iter(i18n.active().english)

    def __len__(self) -> int:
        return len(i18n.active().english)


# The texts live in quizbot/i18n/locales/<locale>.json; this is English's, read when first used.
MESSAGES: Mapping[str, str] = _English()


@dataclass(frozen=True, slots=True)
class Problem:
    """A catalogue key and the text to show for it."""

    key: str
    text: str


class Refused(QuizbotError):
    """A check at the edge failed; carries the catalogue entry to show, so nothing needs mapping."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found.text)
        self.problem = found


def problem(key: str, /, locale: LocaleLike = DEFAULT, **details: Param) -> Problem:
    """The catalogue entry `key` in `locale`, filled in with `details` (an unknown key: generic_error)."""
    catalogue = i18n.active()
    if key not in catalogue:
        return Problem(key, catalogue.text(locale, "generic_error"))
    return Problem(key, catalogue.text(locale, key, **details))


def say(key: str, /, locale: LocaleLike = DEFAULT, **details: Param) -> str:
    """The catalogue's text for `key` (a notice rather than a refusal) in `locale`, filled in."""
    return problem(key, locale, **details).text


# Exceptions whose message is fixed, in the order they are checked (subclasses first).
_KEYS: tuple[tuple[type[BaseException], str], ...] = (
    (SessionExists, "session_exists"),
    (SessionNotFound, "session_not_found"),
    (NotHost, "not_quiz_host"),
    (QuestionClosed, "question_closed"),
    (MailboxFull, "busy"),
    (AskTimeout, "busy"),
    (ShuttingDown, "restarting"),
    (SessionMoved, "session_moved"),
    (ActorDead, "restarting"),
    (StorageError, "db_connection"),
    (GenerationFailed, "generation_failed"),
    (PoisonMessage, "generic_error"),
)


def problem_for(error: BaseException, locale: LocaleLike = DEFAULT) -> Problem:
    """The friendly message for an exception; anything unexpected is a generic error.

    A Refused error carries its entry already worded (in the locale it was refused in).
    """
    if isinstance(error, Refused):
        return error.problem
    if isinstance(error, InvalidValue):
        return _invalid(str(error), locale)
    if isinstance(error, InvalidState):
        return problem("not_now", locale, detail=str(error))
    key = next((key for kind, key in _KEYS if isinstance(error, kind)), "generic_error")
    return problem(key, locale)


def _invalid(detail: str, locale: LocaleLike) -> Problem:
    if "question count" in detail:
        return problem("invalid_count", locale)
    if "timeout" in detail:
        return problem("invalid_timeout", locale)
    if "difficulty" in detail:
        return problem("invalid_difficulty", locale)
    return problem("invalid_input", locale, detail=detail)


def fallback_notice(fallback: Fallback, locale: LocaleLike = DEFAULT) -> Problem:
    """The players' words for a quiz that did not come wholly from the provider they chose."""
    words = i18n.active()
    sources = words.join(locale, fallback.others)
    if not fallback.others:
        then = words.text(locale, "fallback_quiz_has", questions=_questions(locale, fallback.total))
    elif fallback.key == "generation_partial":
        then = words.text(locale, "fallback_rest_from", sources=sources)
    else:
        then = words.text(locale, "fallback_from", sources=sources)
    got = words.text(locale, "usable_question_count", count=fallback.got)
    return problem(fallback.key, locale, provider=fallback.provider, got=got, then=then)


def _questions(locale: LocaleLike, count: int) -> str:
    """ "1 question", "2 questions", as the locale counts them."""
    return i18n.active().text(locale, "question_count", count=count)
