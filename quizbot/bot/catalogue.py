"""Every message a player may see when something goes wrong, in one place, keyed for tests and logs."""

from __future__ import annotations

from dataclasses import dataclass

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
from quizbot.questions.sources import Fallback, join_labels

MESSAGES: dict[str, str] = {
    "invalid_count": "The question count (**questions**) must be a whole number between 1 and 20.",
    "invalid_timeout": "The timeout (**timeout**) must be a whole number between 5 and 120 seconds.",
    "invalid_difficulty": "Please choose a valid difficulty: easy, medium, or hard.",
    "invalid_input": "That didn't look right: {detail}",
    "session_exists": ("There's already an active quiz in this channel. Use `/trivia stop` to end it first."),
    "session_not_found": "There's no active quiz in this channel. Use `/trivia start` to begin one.",
    "solo_exists": "You already have a study quiz running in your DMs. Use `/quiz stop` to end it first.",
    "solo_not_found": "You have no study quiz running. Use `/quiz start` to begin one.",
    "dms_closed": (
        "I can't send you direct messages, so I can't run your study quiz. Allow direct messages "
        "from server members (Privacy Settings) and try again."
    ),
    "not_quiz_host": "Only the quiz host or a moderator can do that.",
    "missing_permissions": "You need the Manage Server permission for that.",
    "question_closed": "That question has already closed — watch for the next one!",
    "stale_button": "That button belongs to an earlier question or quiz, so it does nothing now.",
    "not_now": "That can't be done right now: {detail}",
    "busy": "This quiz is very busy right now. Please try again in a moment.",
    "restarting": "The bot is restarting. Your game is saved — please try again in a moment.",
    # A quiz's fallback notice: {then} is "these questions come from X", "the rest come from X" or
    # "this quiz has N questions".
    "provider_unavailable": "{provider} is unavailable right now, so {then}.",
    "provider_not_set_up": "{provider} is not set up on this bot, so {then}.",
    "generation_empty": "{provider} could not write usable questions about that topic, so {then}.",
    "generation_partial": "{provider} wrote only {got}, so {then}.",
    "no_generator": "No AI question generator is set up on this bot, so {then}.",
    "generation_failed": (
        "I couldn't make questions about that topic. Try a different topic or a bank category."
    ),
    # Options and uploads refused at the edge (quizbot/bot/validation.py); each names the option and
    # quotes the value sent only when it is a short, plain choice.
    "option_missing": "**{option}** is required.",
    "option_empty": "**{option}** was sent without a value.",
    "option_not_text": "**{option}** must be text.",
    "option_too_long": "**{option}** can be at most {limit} characters long.",
    "option_control": "**{option}** can't contain control characters (such as tabs, line breaks or NUL).",
    "option_surrogate": "**{option}** contains characters that aren't valid text.",
    "option_blank": "**{option}** can't be empty or only spaces.",
    "option_not_a_choice": "That didn't look right: unknown {option} {value}; choose one of {choices}",
    "option_range": "**{option}** must be a whole number{unit} from {low} to {high}.",
    "option_not_a_flag": "**{option}** must be true or false.",
    "option_not_a_user": "**{option}** must be a member of this server.",
    "option_not_a_file": "**{option}** must be an attached file.",
    "unknown_time_zone": "**{option}** must be an IANA time zone name, like Europe/Paris.",
    "file_wrong_kind": "**{option}** must be a {suffixes} file.",
    "file_too_big": "**{option}** {filename}: is {size} bytes; uploads are at most {limit}.",
    "file_empty": "**{option}** is an empty file.",
    "file_not_utf8": "**{option}** must be UTF-8 text.",
    "file_has_controls": (
        "**{option}** can't contain NUL or other control characters (tabs and line breaks are fine)."
    ),
    "preparing": "⏳ Preparing your quiz…",
    "trivia_starting": "🎯 Trivia is starting!",
    "achievements_unlocked": "🏅 Achievements unlocked",
    "question_closed_footer": "Closed.",
    "invalid_requests_title": "Invalid requests (10 min)",
    "invalid_requests": "{count} of Discord's {limit} (401, 403, 429)",
    "hosted_by": "Hosted by {name}",
    "packs_title": "📚 Question packs",
    "pack_line": "**{name}** — {count} questions",
    "providers": "AI providers: {ready}. The offline bank is always available.",
    "no_providers": "none (no API keys are set)",
    "solo_starting": "📚 Your study quiz is starting!",
    "solo_stop_hint": " Stop any time with `/quiz stop`.",
    "solo_check_dms": "📬 Check your DMs: your study quiz is starting there.",
    "solo_started_here": "✅ Your study quiz is starting below.",
    "quiz_started": "✅ Your quiz has started in this channel.",
    "session_starting": "A quiz is already starting in this channel; it will begin in a moment.",
    "button_retired": "This button is no longer in use.",
    "unreadable_options": "Some of that command's options didn't make sense, so I couldn't run it.",
    "db_connection": "I couldn't reach the database. Please try again in a few moments.",
    # What a player is told was done, once it is saved.
    "answer_taken": "You chose **{letter}**.",
    "answer_changed": "Changed to **{letter}**.",
    "quiz_stopped": "The quiz is stopped.",
    "study_stopped": "Your study quiz is stopped.",
    "question_skipped": "Skipped.",
    "hint_posted": "Hint posted.",
    "quiz_resumed": "Continuing where we left off.",
    "recovery_closed": "The interrupted quiz is closed.",
    "recovery_new": "The interrupted quiz is closed. Start a new one with `/trivia start`.",
    # Durability: {done} is what was done ("You chose **B**.", "The quiz is stopped.").
    "not_saved_yet": (
        "{done} I can't reach the database right now, so this isn't saved yet: it will be as soon "
        "as the database is back, unless the bot restarts before then."
    ),
    "session_moved": "This quiz is now being run by another copy of the bot. Please try again.",
    "session_crashed": "This quiz hit repeated errors and was stopped. Sorry!",
    "session_set_aside": (
        "A quiz in this channel could not be brought back after a restart, so it was set aside. "
        "Sorry! Start a new one with `/trivia start`."
    ),
    "channel_lost": "The bot can no longer post in that channel, so its quiz was stopped.",
    "generic_error": "Something went wrong. Please try again later.",
}


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


def problem(key: str, **details: str) -> Problem:
    """The catalogue entry `key`, filled in with `details`."""
    template = MESSAGES.get(key, MESSAGES["generic_error"])
    return Problem(key, template.format(**details) if details else template.replace(": {detail}", ""))


def say(key: str, **details: str) -> str:
    """The catalogue's text for `key` (a notice rather than a refusal), filled in with `details`."""
    return problem(key, **details).text


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


def problem_for(error: BaseException) -> Problem:
    """The friendly message for an exception; anything unexpected is a generic error."""
    if isinstance(error, Refused):
        return error.problem
    if isinstance(error, InvalidValue):
        return _invalid(str(error))
    if isinstance(error, InvalidState):
        return problem("not_now", detail=str(error))
    key = next((key for kind, key in _KEYS if isinstance(error, kind)), "generic_error")
    return problem(key)


def _invalid(detail: str) -> Problem:
    if "question count" in detail:
        return problem("invalid_count")
    if "timeout" in detail:
        return problem("invalid_timeout")
    if "difficulty" in detail:
        return problem("invalid_difficulty")
    return problem("invalid_input", detail=detail)


def fallback_notice(fallback: Fallback) -> Problem:
    """The players' words for a quiz that did not come wholly from the provider they chose."""
    if not fallback.others:
        then = f"this quiz has {_count(fallback.total, 'question')}"
    elif fallback.key == "generation_partial":
        then = f"the rest come from {join_labels(fallback.others)}"
    else:
        then = f"these questions come from {join_labels(fallback.others)}"
    got = _count(fallback.got, "usable question")
    return problem(fallback.key, provider=fallback.provider, got=got, then=then)


def _count(count: int, noun: str) -> str:
    """ "1 question", "2 questions"."""
    return f"{count} {noun}{'s' * (count != 1)}"
