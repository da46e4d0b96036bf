"""Button custom_ids: round-trip within 100 characters; forged and malformed ones parse to None."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizbot.bot.custom_ids import MAX_LENGTH, ButtonKind, answer_id, parse, recovery_id

SNOWFLAKE = st.integers(min_value=0, max_value=2**63 - 1)


@given(
    guild=SNOWFLAKE, channel=SNOWFLAKE, epoch=SNOWFLAKE, index=st.integers(0, 19), option=st.integers(0, 4)
)
def test_answer_ids_round_trip_within_discords_limit(
    guild: int, channel: int, epoch: int, index: int, option: int
) -> None:
    """Any session key, epoch, question and option fits in 100 characters and parses back."""
    text = answer_id((guild, channel), epoch, index, option)
    assert len(text) <= MAX_LENGTH
    button = parse(text)
    assert button is not None and button.kind is ButtonKind.ANSWER
    assert (button.key, button.epoch, button.index, button.value) == (
        (guild, channel),
        epoch,
        index,
        str(option),
    )


@pytest.mark.parametrize("choice", ["continue", "new", "cancel"])
def test_recovery_ids_round_trip(choice: str) -> None:
    """Each recovery choice survives the trip."""
    button = parse(recovery_id((1, 2), 3, 4, choice))
    assert button is not None and (button.kind, button.value) == (ButtonKind.RECOVERY, choice)


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "qb",
        "qb:a:1:2:3:4",
        "qb:a:1:2:3:4:9",  # option 9 does not exist
        "qb:a:1:2:3:20:1",  # question 21
        "qb:r:1:2:3:4:explode",
        "qb:x:1:2:3:4:1",
        "qb:a:-1:2:3:4:1",
        f"qb:a:{2**64}:2:3:4:1",
        "qb:a:1:2:3:4:1:extra",
        "other:a:1:2:3:4:1",
        "qb:a:1:2:3:4:1" + " " * 100,
        "qb:a:١:2:3:4:1",  # noqa: RUF001 - a non-ASCII digit, on purpose
    ],
)
def test_forged_or_malformed_ids_parse_to_none(forged: str) -> None:
    """Anything that is not exactly a quizbot id is refused."""
    assert parse(forged) is None
