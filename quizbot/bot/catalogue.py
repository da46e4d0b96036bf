"""Every message a player may see when something goes wrong, in one place, keyed for tests and logs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TypeAlias

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
from quizbot.questions.sources import Fallback, SourceKind, SourceLabel


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


# What fills a placeholder: a value (numbers are written the reader's way), or words of its own.
Detail: TypeAlias = "Param | Problem | Listed"


@dataclass(frozen=True, slots=True)
class Listed:
    """Items the reader's language joins: "A, B and C", with `either` "A, B or C", `plain` "A, B, C";
    an item that is a Problem is worded in that language too."""

    items: tuple[str | Problem, ...]
    either: bool = False
    plain: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    """A catalogue key and its details, worded only when shown, in the language of who reads it.

    `text_for(locale)` words it in any locale (a detail that is a Problem or Listed is worded in the
    same one); `text` in `locale`, the one it was made for (English unless given). An unknown key
    reads as generic_error.
    """

    key: str
    details: Mapping[str, Detail] = field(default_factory=dict)
    locale: LocaleLike = DEFAULT

    def text_for(self, locale: LocaleLike) -> str:
        """The message in `locale`, its details filled in (and worded there too)."""
        words = i18n.active()
        if self.key not in words:
            return words.text(locale, "generic_error")
        filled = {name: _worded(value, locale) for name, value in self.details.items()}
        return words.text(locale, self.key, **filled)

    @property
    def text(self) -> str:
        """The message in the locale it was made for."""
        return self.text_for(self.locale)


def _worded(value: Detail, locale: LocaleLike) -> Param:
    if isinstance(value, Problem):
        return value.text_for(locale)
    if isinstance(value, Listed):
        items = [item.text_for(locale) if isinstance(item, Problem) else item for item in value.items]
        return i18n.active().join(locale, items, either=value.either, plain=value.plain)
    return value


class Refused(QuizbotError):
    """A check at the edge failed; carries the catalogue entry to show, worded when it is shown."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found.text)  # the locale it was made for (English): for logs
        self.problem = found


def problem(key: str, /, locale: LocaleLike = DEFAULT, **details: Detail) -> Problem:
    """The catalogue entry `key` with `details`, to be worded in `locale` unless shown elsewhere.

    A known key given too few details is a KeyError here, where the mistake is, not when shown.
    An unknown key is kept (tests and logs name it) and reads as generic_error.
    """
    return problem_of(key, details, locale)


def problem_of(key: str, details: Mapping[str, Detail], locale: LocaleLike = DEFAULT) -> Problem:
    """`problem`, its details given as a mapping (KeyError for a known key given too few)."""
    catalogue = i18n.active()
    if key in catalogue:
        shape = catalogue.shape(key)
        wanted = shape.names | ({"count"} if shape.plural else set())
        if lacking := sorted(wanted - details.keys()):
            raise KeyError(f"message {key!r} needs {', '.join(lacking)}")
    return Problem(key, details, locale)


def say(key: str, /, locale: LocaleLike = DEFAULT, **details: Detail) -> str:
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
    """The friendly message for an exception (to be worded in `locale`); anything unexpected is a
    generic error.

    A domain error's own text is English from deep inside: the ones players meet are matched to
    catalogue messages of their own, the rest shown in a localised frame ("That didn't look right:").
    """
    if isinstance(error, Refused):
        return replace(error.problem, locale=locale)
    if isinstance(error, InvalidValue):
        return replace(invalid(str(error)), locale=locale)
    if isinstance(error, InvalidState):
        return problem("not_now", locale, detail=_matched(str(error), _STATES))
    key = next((key for kind, key in _KEYS if isinstance(error, kind)), "generic_error")
    return problem(key, locale)


# What the game core says when something cannot be done now, matched to the players' words
# (shown in not_now's frame). Tests raise each of these from the core itself.
_STATES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"there is no open question to give a hint for"), "reply.why_no_question_to_hint"),
    (re.compile(r"no more hints for this question"), "reply.why_no_more_hints"),
    (re.compile(r"there is no open question to skip"), "reply.why_no_question_to_skip"),
    (re.compile(r"the quiz is already over"), "reply.why_quiz_over"),
    (re.compile(r"the quiz is not waiting to continue"), "reply.why_not_paused"),
    (re.compile(r"the quiz is paused after a restart"), "reply.why_paused"),
    (re.compile(r"the quiz is finished"), "reply.why_quiz_finished"),
    (re.compile(r"the quiz is stopped"), "reply.why_quiz_stopped"),
    (re.compile(r"the quiz is expired"), "reply.why_quiz_expired"),
    (re.compile(r"teams are fixed once the first question is asked"), "reply.why_teams_fixed"),
    (re.compile(r"the game has already begun"), "reply.why_game_begun"),
    (re.compile(r"this quiz is not a team game"), "reply.why_not_team_game"),
    (re.compile(r"the question of the day is not stopped or skipped"), "reply.why_daily_runs"),
)
# What storage and the game core say of a bad value, matched to the players' words, first match
# wins: a pattern's named groups are the message's details (options and values as sent, never
# English words); a reply.why_ key is shown in invalid_input's frame ("That didn't look right: ...").
_VALUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"question count"), "invalid_count"),
    (re.compile(r"timeout"), "invalid_timeout"),
    (re.compile(r"difficulty"), "invalid_difficulty"),
    (
        re.compile(r"^unknown (?P<option>[\w ]+) (?P<value>'.{0,40}'); choose one of (?P<choices>.+)$"),
        "option_not_a_choice",
    ),
    (
        re.compile(r"^(?P<option>\w+) must be a whole number from (?P<low>\d+) to (?P<high>\d+)"),
        "option_range",
    ),
    (re.compile(r"^option \d+ does not exist for this question"), "reply.why_no_such_option"),
    (re.compile(r"^a button answer is an option number"), "reply.why_no_such_option"),
    (re.compile(r"^a typed answer is 1 to 200 characters"), "reply.why_typed_answer_length"),
    (re.compile(r"^a server can keep at most (?P<limit>\d+) packs"), "reply.why_too_many_packs"),
    (re.compile(r"^unknown time zone (?P<zone>'.{0,70}')"), "reply.why_unknown_time_zone"),
    (re.compile(r"^there is no team \S+ in a game of"), "reply.why_no_such_team"),
)


# The option a message names when the text it matched names none (as the code calls it: the edge
# names it as the reader's client does).
_OPTIONS = {"invalid_count": "questions", "invalid_timeout": "timeout"}


def invalid(detail: str) -> Problem:
    """The message for an InvalidValue's text: its own where players meet it, else the generic frame
    around the text as it is."""
    for pattern, key in _VALUES:
        if found := pattern.search(detail):
            groups: dict[str, Detail] = {"option": _OPTIONS[key]} if key in _OPTIONS else {}
            groups |= {k: _detail(k, v) for k, v in found.groupdict().items()}
            if key.startswith("reply.why_"):
                return problem("invalid_input", detail=problem_of(key, groups))
            return problem_of(key, groups)
    return problem("invalid_input", detail=detail)


def _detail(name: str, value: str) -> Detail:
    """A matched group as a detail: a number, choices to list in the reader's way, or the text."""
    if name == "limit":
        return int(value)
    if name == "choices":
        return Listed(tuple(value.split(", ")), plain=True)
    return value


def _matched(detail: str, known: tuple[tuple[re.Pattern[str], str], ...]) -> Detail:
    """The catalogue's words for a domain error's text, or the text itself where none match."""
    return next((problem(key) for pattern, key in known if pattern.search(detail)), detail)


def source_words(label: SourceLabel | str) -> str | Problem:
    """Who served questions, in the reader's words: the offline bank (and its category) from the
    catalogue, a provider by its own name; text is shown as it is."""
    if isinstance(label, str) or label.kind is SourceKind.PROVIDER:
        return str(label)
    return problem("source.bank", category=label.name) if label.name else problem("source.bank_any")


def sources_listed(labels: Iterable[SourceLabel | str]) -> Listed:
    """Who served a quiz's questions, to be joined in the reader's language ("A and B")."""
    return Listed(tuple(source_words(label) for label in labels))


def fallback_notice(fallback: Fallback, locale: LocaleLike = DEFAULT) -> Problem:
    """The players' words for a quiz that did not come wholly from the provider they chose."""
    sources = sources_listed(fallback.others)
    if not fallback.others:
        questions = problem("question_count", count=fallback.total)
        then = problem("fallback_quiz_has", questions=questions)
    elif fallback.key == "generation_partial":
        then = problem("fallback_rest_from", sources=sources)
    else:
        then = problem("fallback_from", sources=sources)
    got = problem("usable_question_count", count=fallback.got)
    return problem(fallback.key, locale, provider=fallback.provider, got=got, then=then)
