"""Progression rules shared by the game core and storage: difficulties and the level curve."""

from __future__ import annotations

from enum import StrEnum
from functools import cache


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
