"""Small validators shared by the game core and storage, so bad values fail before they spread."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from quizbot.errors import InvalidValue

E = TypeVar("E", bound=StrEnum)
SNOWFLAKE_MAX = 2**63 - 1


def parse_enum(kind: type[E], value: object, what: str) -> E:
    """`value` as a member of `kind`, or InvalidValue listing the choices."""
    try:
        return kind(value)  # type: ignore[arg-type]  # any other type fails below, as it should
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise InvalidValue(f"unknown {what} {value!r}; choose one of {choices}") from None


def check_id(value: object, what: str) -> int:
    """A Discord snowflake (or 0 where allowed): a non-negative 64-bit integer, not a bool."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SNOWFLAKE_MAX:
        raise InvalidValue(f"{what} must be a Discord id (0 to 2**63-1), got {value!r}")
    return value
