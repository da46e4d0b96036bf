"""Progression rules shared by the game core, storage and the edge: difficulties, levels, play days."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo


class Difficulty(StrEnum):
    """How hard a question is; scales the points it is worth."""

    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


MAX_LEVEL = 100


def xp_for_level(level: int) -> int:
    """Total XP needed to reach `level` (level 1 needs none): 50 * (level - 1) * level."""
    if not 1 <= level <= MAX_LEVEL:
        raise ValueError(f"level must be from 1 to {MAX_LEVEL}, got {level}")
    return 50 * (level - 1) * level


@cache
def level_thresholds() -> tuple[int, ...]:
    """XP at which each level starts; a member's level is how many thresholds their XP has reached."""
    return tuple(xp_for_level(level) for level in range(1, MAX_LEVEL + 1))


def level_for_xp(xp: int) -> int:
    """The level a member with `xp` total XP has reached."""
    if xp < 0:
        raise ValueError(f"xp cannot be negative, got {xp}")
    return sum(1 for threshold in level_thresholds() if threshold <= xp)


# A daily streak multiplies XP: day 1 x1.0, then +10% a day, up to x1.5 from day 6. Storage applies
# them in the answer write, where the streak itself is counted (quizbot/storage/answers.py).
STREAK_MULTIPLIERS = (1.0, 1.1, 1.2, 1.3, 1.4, 1.5)


def play_day(moment: datetime, time_zone: str) -> date:
    """The calendar day `moment` falls on in a guild's time zone: the day a daily streak counts.

    Answer writes and /stats' "today" both ask this, so a streak and its display agree.
    """
    if moment.tzinfo is None:
        raise ValueError("play_day needs a timezone-aware datetime")
    return moment.astimezone(ZoneInfo(time_zone)).date()
