"""Domain exceptions: each says exactly what was wrong, so the edge can turn it into a friendly reply."""

from __future__ import annotations


class QuizbotError(Exception):
    """Base of every error quizbot raises on purpose."""


class ConfigError(QuizbotError):
    """A setting in the environment is missing or malformed; names the variable and what it expects."""

    def __init__(self, variable: str, expected: str, got: str | None = None) -> None:
        self.variable = variable
        self.expected = expected
        shown = "" if got is None else f" (got {got!r})"
        super().__init__(f"{variable} must be {expected}{shown}")


class LocaleFileError(ConfigError):
    """A translation file is malformed; names the file, the line and what is wrong with it."""

    def __init__(self, path: str, line: int, problem: str) -> None:
        QuizbotError.__init__(self, f"{path}, line {line}: {problem}")
        self.variable = path
        self.expected = problem
        self.path = path
        self.line = line
        self.problem = problem


class InvalidValue(QuizbotError, ValueError):
    """A value is out of range or of the wrong kind; raised before any SQL runs."""


class StorageError(QuizbotError):
    """The database could not be reached or kept failing after retries."""


class DatabaseUnavailable(StorageError):
    """The database refused connections for longer than the start-up retries allow."""


class ActorDead(QuizbotError):
    """The actor stopped before it could handle the message."""


class MailboxFull(QuizbotError):
    """The actor's mailbox is at capacity; the message was refused rather than queued without bound."""


class AskTimeout(QuizbotError, TimeoutError):
    """An ask got no reply within its timeout."""


class PoisonMessage(QuizbotError):
    """A message crashed the same actor twice and was dropped."""


class SessionExists(QuizbotError):
    """A quiz is already running in this channel."""


class SessionNotFound(QuizbotError):
    """No quiz is running in this channel."""


class NotHost(QuizbotError):
    """Only the quiz host or a moderator may do this."""


class QuestionClosed(QuizbotError):
    """The question this answer is for is no longer open."""


class InvalidState(QuizbotError):
    """The session cannot do this in its current state (e.g. answer before it started)."""


class GenerationFailed(QuizbotError):
    """No source could supply a single question for the request (the topic, the providers and the bank)."""


class UnknownMessage(QuizbotError):
    """An actor received a message type it does not handle."""


class ShuttingDown(QuizbotError):
    """The bot is shutting down and takes no new quizzes."""


class SupervisorFailure(QuizbotError):
    """The supervisor hit an unexpected error handling a request; it logged it and carries on."""


class DataRejected(QuizbotError):
    """PostgreSQL refused a write for what it holds (bad text, a broken constraint), not for an outage."""


class NotYetSaved(QuizbotError):
    """It was done, but the database cannot take it now: held in memory and written once it can.

    `result` is what the caller would have got had it been saved (an answer's outcome, say).
    """

    def __init__(self, result: object = None) -> None:
        self.result = result
        super().__init__("done, but not saved yet: the database cannot be reached")


class SessionMoved(QuizbotError):
    """Another process has taken this session over; this one can no longer record its changes."""


class SeasonRunning(QuizbotError):
    """The guild already has a running season; end it before starting another."""


class SeasonNameTaken(QuizbotError):
    """The guild already has a season of this name (names are unique per guild, in any case)."""


class NoSeasonRunning(QuizbotError):
    """The guild has no running season to end."""
