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


class InvalidValue(QuizbotError, ValueError):
    """A value is out of range or of the wrong kind; raised before any SQL runs."""


class StorageError(QuizbotError):
    """The database could not be reached or kept failing after retries."""


class DatabaseUnavailable(StorageError):
    """The database refused connections for longer than the start-up retries allow."""


class StaleEpoch(StorageError):
    """A snapshot write or claim came from an owner whose epoch is no longer current."""
