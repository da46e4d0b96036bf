"""Points for a correct answer: difficulty times speed, so fast and hard pays most."""

from __future__ import annotations

from quizbot.game.progression import Difficulty

BASE_POINTS = {Difficulty.EASY: 100, Difficulty.MEDIUM: 200, Difficulty.HARD: 300}
SLOWEST_SHARE = 0.5  # an answer in the last instant still earns half
XP_PER_POINT = 0.1


def points_for(difficulty: Difficulty, elapsed: float, timeout: float) -> int:
    """Points for a correct answer `elapsed` seconds into a question open for `timeout` seconds."""
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout}")
    late = min(max(elapsed / timeout, 0.0), 1.0)
    return round(BASE_POINTS[difficulty] * (1.0 - (1.0 - SLOWEST_SHARE) * late))


def xp_for(points: int) -> int:
    """XP earned for the points of one answer (issue-free default; streak multipliers come later)."""
    return int(points * XP_PER_POINT)
