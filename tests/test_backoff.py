"""The one backoff schedule: exponential, capped, fully jittered."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from quizbot.backoff import full_jitter


@given(
    attempt=st.integers(0, 60),
    base=st.floats(0.001, 10.0),
    cap=st.floats(0.001, 100.0),
    seed=st.integers(0, 2**32),
)
def test_a_wait_is_never_negative_nor_past_the_cap_or_the_exponential(
    attempt: int, base: float, cap: float, seed: int
) -> None:
    """Each wait lies in [0, min(cap, base * 2**attempt)]."""
    wait = full_jitter(attempt, base, cap, random.Random(seed))
    assert 0.0 <= wait <= min(cap, base * 2**attempt)


def test_waits_spread_over_the_whole_range() -> None:
    """Full jitter: clients that failed together do not retry together (not a fixed fraction)."""
    rng = random.Random(4)
    waits = [full_jitter(3, 0.5, 30.0, rng) for _ in range(2_000)]
    assert min(waits) < 0.4 and max(waits) > 3.6  # the range is [0, 4)
    assert len({round(w, 3) for w in waits}) > 1_000
