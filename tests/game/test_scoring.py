"""Points by difficulty and speed, and the XP they earn."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizbot.game.progression import Difficulty
from quizbot.game.scoring import BASE_POINTS, points_for, xp_for

EASY, MEDIUM, HARD = Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD


@pytest.mark.parametrize(
    ("difficulty", "elapsed", "timeout", "expected"),
    [
        (EASY, 0.0, 30.0, 100),
        (MEDIUM, 0.0, 30.0, 200),
        (HARD, 0.0, 30.0, 300),
        (EASY, 30.0, 30.0, 50),
        (MEDIUM, 30.0, 30.0, 100),
        (HARD, 30.0, 30.0, 150),
        (MEDIUM, 15.0, 30.0, 150),
        (HARD, 5.0, 10.0, 225),
        (EASY, 45.0, 30.0, 50),
        (HARD, 1e9, 30.0, 150),
        (MEDIUM, -3.0, 30.0, 200),
        (HARD, -1e9, 5.0, 300),
    ],
)
def test_points_for(difficulty: Difficulty, elapsed: float, timeout: float, expected: int) -> None:
    """Full base when instant, half at the deadline, clamped beyond both ends."""
    assert points_for(difficulty, elapsed, timeout) == expected


def test_base_points_per_difficulty() -> None:
    """Easy, medium and hard are worth 100, 200 and 300."""
    assert BASE_POINTS == {EASY: 100, MEDIUM: 200, HARD: 300}


@pytest.mark.parametrize("timeout", [0.0, -1.0, -30.0])
def test_non_positive_timeout_raises(timeout: float) -> None:
    """A timeout of zero or less is refused."""
    with pytest.raises(ValueError, match="timeout must be positive"):
        points_for(MEDIUM, 1.0, timeout)


@given(
    difficulty=st.sampled_from(list(Difficulty)),
    first=st.floats(-100, 200, allow_nan=False),
    second=st.floats(-100, 200, allow_nan=False),
    timeout=st.floats(5, 120),
)
def test_points_never_grow_with_time(
    difficulty: Difficulty, first: float, second: float, timeout: float
) -> None:
    """A later answer never earns more, and every answer earns between half and all of the base."""
    sooner, later = sorted((first, second))
    base = BASE_POINTS[difficulty]
    assert (
        base // 2 <= points_for(difficulty, later, timeout) <= points_for(difficulty, sooner, timeout) <= base
    )


@pytest.mark.parametrize(
    ("points", "xp"), [(0, 0), (9, 0), (50, 5), (100, 10), (105, 10), (150, 15), (199, 19), (300, 30)]
)
def test_xp_for(points: int, xp: int) -> None:
    """XP is a tenth of the points, rounded down."""
    assert xp_for(points) == xp


@given(st.integers(0, 10_000))
def test_xp_is_points_floor_divided_by_ten(points: int) -> None:
    """No floating-point drift: xp_for(p) equals p // 10 for every plausible score."""
    assert xp_for(points) == points // 10
