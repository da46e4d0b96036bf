"""Reading environment variables as typed values: a reader that names the variable in any error,
and one parser per kind of value, so the settings classes declare only what they read and accept."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import TypeVar
from urllib.parse import urlsplit

from quizbot.errors import ConfigError

T = TypeVar("T")

LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL")
DATABASE_SCHEMES = ("postgres", "postgresql")
_MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}")
# A StatefulSet pod's name is "<statefulset>-<ordinal>" (a DNS label); the ordinal is its replica index.
_POD_NAME = re.compile(r"[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?-([0-9]+)")
_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.:-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\]")


class EnvReader:
    """Parses one variable at a time and turns any parse failure into a ConfigError naming it."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def get(
        self,
        name: str,
        parse: Callable[[str], T],
        expected: str,
        default: T,
        shown: Callable[[str], str] = str,
    ) -> T:
        """Variable `name` parsed, or `default` when unset or blank; `shown` hides secrets in the error."""
        raw = self._env.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            return parse(raw.strip())
        except (ValueError, TypeError):
            raise ConfigError(name, expected, shown(raw)) from None


def int_in(low: int, high: int) -> Callable[[str], int]:
    """A parser of whole numbers from `low` to `high`."""

    def parse(raw: str) -> int:
        value = int(raw)
        if not low <= value <= high:
            raise ValueError(raw)
        return value

    return parse


def seconds(raw: str) -> float:
    """A finite number of seconds above 0."""
    value = float(raw)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(raw)
    return value


def int_list(raw: str) -> tuple[int, ...]:
    """A comma-separated list of distinct whole numbers from 0, at least one."""
    values = tuple(int(part) for part in raw.split(",") if part.strip())
    if not values or any(v < 0 for v in values) or len(set(values)) != len(values):
        raise ValueError(raw)
    return values


def replica_index(raw: str) -> int:
    """A whole number from 0, or the ordinal ending a StatefulSet pod's name (quizbot-3 is 3)."""
    if re.fullmatch(r"[0-9]+", raw):
        return int(raw)
    ordinal = _POD_NAME.fullmatch(raw)
    if ordinal is None:
        raise ValueError(raw)
    return int(ordinal.group(1))


def boolean(raw: str) -> bool:
    """True for 1, true, yes or on; False for 0, false, no or off, in any case."""
    value = raw.lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


def host(raw: str) -> str:
    """A host name or IP address to listen on, an IPv6 address without its brackets."""
    if not _HOST.fullmatch(raw):
        raise ValueError(raw)
    return raw.strip("[]")


def log_level(raw: str) -> str:
    """One of LOG_LEVELS in any case, upper-cased."""
    level = raw.upper()
    if level not in LOG_LEVELS:
        raise ValueError(raw)
    return level


def database_url(raw: str) -> str:
    """A postgres(ql):// URL naming a database or host, with a valid port if any; kept as given."""
    parts = urlsplit(raw)
    if parts.scheme not in DATABASE_SCHEMES:
        raise ValueError(raw)
    if not parts.path.strip("/") and "host=" not in parts.query and not parts.hostname:
        raise ValueError(raw)
    try:
        _ = parts.port  # raises ValueError on a non-numeric or out-of-range port
    except ValueError:
        raise ValueError(raw) from None
    return raw


def choice(choices: tuple[str, ...]) -> Callable[[str], str]:
    """A parser of one of `choices` (lower-case) in any case, lower-cased."""

    def parse(raw: str) -> str:
        value = raw.lower()
        if value not in choices:
            raise ValueError(raw)
        return value

    return parse


def model_name(raw: str) -> str:
    """An LLM model name: letters, digits and . _ : / @ -, up to 128 characters."""
    if not _MODEL_NAME.fullmatch(raw):
        raise ValueError(raw)
    return raw


def http_url(raw: str) -> str:
    """An http:// or https:// URL with a host and a valid port if any, without a trailing slash."""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(raw)
    try:
        _ = parts.port  # raises ValueError on a non-numeric or out-of-range port
    except ValueError:
        raise ValueError(raw) from None
    return raw.rstrip("/")
