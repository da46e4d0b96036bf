"""The level curve (thresholds and levels agree, level 1 to the cap) and the day a streak counts."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizbot.game.progression import MAX_LEVEL, level_for_xp, level_thresholds, play_day, xp_for_level


def test_level_one_at_zero_xp() -> None:
    """A new member with no XP is level 1."""
    assert level_for_xp(0) == 1


@pytest.mark.parametrize(("level", "xp"), [(1, 0), (2, 100), (3, 300), (10, 4500), (MAX_LEVEL, 495_000)])
def test_xp_for_level(level: int, xp: int) -> None:
    """Level L needs 50 * (L - 1) * L total XP."""
    assert xp_for_level(level) == xp


@given(st.integers(1, MAX_LEVEL))
def test_reaching_a_threshold_reaches_its_level(level: int) -> None:
    """Exactly the threshold XP of a level gives that level."""
    assert level_for_xp(xp_for_level(level)) == level


@given(st.integers(2, MAX_LEVEL))
def test_one_xp_short_stays_a_level_below(level: int) -> None:
    """One XP below a threshold is still the level before it."""
    assert level_for_xp(xp_for_level(level) - 1) == level - 1


@given(st.integers(0, 10 * xp_for_level(MAX_LEVEL)))
def test_level_for_xp_lies_between_its_thresholds(xp: int) -> None:
    """The level reached is the highest whose threshold the XP has met."""
    level = level_for_xp(xp)
    assert xp_for_level(level) <= xp
    assert level == MAX_LEVEL or xp < xp_for_level(level + 1)


def test_level_is_capped() -> None:
    """Any amount of XP beyond the last threshold stays at MAX_LEVEL."""
    assert level_for_xp(10**12) == MAX_LEVEL


@pytest.mark.parametrize("xp", [-1, -500])
def test_negative_xp_raises(xp: int) -> None:
    """Negative XP is refused."""
    with pytest.raises(ValueError, match="xp cannot be negative"):
        level_for_xp(xp)


@pytest.mark.parametrize("level", [0, -1, MAX_LEVEL + 1])
def test_xp_for_level_out_of_range_raises(level: int) -> None:
    """Levels outside 1..MAX_LEVEL are refused."""
    with pytest.raises(ValueError, match="level must be from 1"):
        xp_for_level(level)


def test_thresholds_are_strictly_increasing() -> None:
    """One threshold per level, each above the last."""
    thresholds = level_thresholds()
    assert len(thresholds) == MAX_LEVEL
    assert all(a < b for a, b in itertools.pairwise(thresholds))


@pytest.mark.parametrize(
    ("moment", "zone", "day"),
    [
        (datetime(2026, 11, 18, 10, 59, tzinfo=UTC), "Pacific/Auckland", date(2026, 11, 18)),  # 23:59 NZDT
        (datetime(2026, 11, 18, 11, 1, tzinfo=UTC), "Pacific/Auckland", date(2026, 11, 19)),  # 00:01 NZDT
        (datetime(2026, 11, 19, 7, 59, tzinfo=UTC), "America/Los_Angeles", date(2026, 11, 18)),  # 23:59 PST
        (datetime(2026, 11, 19, 8, 1, tzinfo=UTC), "America/Los_Angeles", date(2026, 11, 19)),  # 00:01 PST
        (datetime(2026, 11, 18, 23, 59, tzinfo=UTC), "UTC", date(2026, 11, 18)),
        (datetime(2026, 11, 19, 0, 1, tzinfo=UTC), "UTC", date(2026, 11, 19)),
    ],
)
def test_play_day_turns_at_local_midnight(moment: datetime, zone: str, day: date) -> None:
    """A moment's play day is its calendar date in the guild's zone, changing at local midnight."""
    assert play_day(moment, zone) == day


def test_play_day_refuses_a_naive_datetime() -> None:
    """A moment with no time zone has no play day."""
    with pytest.raises(ValueError, match="timezone-aware"):
        play_day(datetime(2026, 11, 18, 12), "UTC")
