"""Exponential backoff with full jitter: the one retry schedule quizbot uses everywhere."""

from __future__ import annotations

import random


def full_jitter(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds to wait after failed attempt `attempt` (0-based): uniform(0, min(cap, base * 2**n)).

    The random spread keeps many clients that failed together from retrying together.
    """
    return (rng or random).uniform(0.0, min(cap, base * 2**attempt))
