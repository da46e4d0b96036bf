"""The game's achievements in words: each one's name and description in any shipped language."""

from __future__ import annotations

from quizbot.game.achievements import ALL_CATEGORIES, SPEED_SECONDS, Achievement
from quizbot.i18n import DEFAULT, LocaleLike, active

# The numbers some achievements' descriptions count (their messages are plural).
_COUNTS: dict[str, int | float] = {"speed_demon": SPEED_SECONDS, "all_rounder": ALL_CATEGORIES}


def achievement_words(achievement: Achievement, language: LocaleLike = DEFAULT) -> tuple[str, str]:
    """An achievement's name and description in `language` (the game's English where none is kept)."""
    words = active()
    stem = f"channel.achievement.{achievement.achievement_id}"
    if f"{stem}.name" not in words or f"{stem}.description" not in words:
        return achievement.name, achievement.description
    name = words.text(language, f"{stem}.name")
    counts = _COUNTS.get(achievement.achievement_id)
    about = words.text(language, f"{stem}.description", **({"count": counts} if counts is not None else {}))
    return name, about
