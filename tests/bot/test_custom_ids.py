"""Button custom_ids: round-trip within 100 characters; forged and malformed ones parse to None."""

from __future__ import annotations

from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizbot.bot.custom_ids import (
    MAX_LENGTH,
    ButtonKind,
    ResetButton,
    answer_id,
    is_study_button,
    parse,
    parse_reset,
    parse_review,
    recovery_id,
    review_id,
)

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


@given(run=st.uuids())
def test_review_ids_carry_the_run_within_discords_limit(run: UUID) -> None:
    """Any run id fits in a "Review what I missed" id and parses back; answer parsing ignores it."""
    text = review_id(run)
    assert len(text) <= MAX_LENGTH and parse_review(text) == run
    assert parse(text) is None and is_study_button(text)


@given(user=st.integers(min_value=1, max_value=2**63 - 1), confirm=st.booleans())
def test_reset_ids_round_trip(user: int, confirm: bool) -> None:
    """A /study reset button names its user and its choice, and parses back to both."""
    text = ResetButton(user, confirm).encode()
    assert len(text) <= MAX_LENGTH and parse_reset(text) == ResetButton(user, confirm)
    assert parse(text) is None and is_study_button(text)


@pytest.mark.parametrize(
    "forged",
    [
        "qb:m:",
        "qb:m:" + "0" * 31,
        "qb:m:" + "0" * 33,
        "qb:m:" + "G" * 32,
        "qb:m:" + "A" * 32,  # upper case: not how ids are written
        "qb:m:12345678-1234-1234-1234-123456789012",
        "qb:m:" + "0" * 32 + ":x",
        "qb:m:" + "0" * 32 + "\n",
        "qb:m:" + "٠" * 32,  # noqa: RUF001 - non-ASCII digits, on purpose
    ],
)
def test_forged_review_ids_parse_to_none(forged: str) -> None:
    """Only exactly qb:m: and 32 lower-case hex digits is a review button."""
    assert parse_review(forged) is None


@pytest.mark.parametrize(
    "forged",
    [
        "qb:z:1:maybe",
        "qb:z:0:yes",
        "qb:z:-1:yes",
        f"qb:z:{2**63}:yes",
        "qb:z::yes",
        "qb:z:1:yes:1",
        "qb:z:1:YES",
        "qb:z:١:yes",  # noqa: RUF001 - a non-ASCII digit, on purpose
        "qb:z:1:yes" + " " * 100,
    ],
)
def test_forged_reset_ids_parse_to_none(forged: str) -> None:
    """A reset id names a user id in range and yes or no, nothing else."""
    assert parse_reset(forged) is None
