"""A team game's lobby buttons: ids round-trip within Discord's limit; forged ones parse to None."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizbot.bot.custom_ids import MAX_LENGTH, TEAM_CHOICES, ButtonKind, is_study_button, parse, team_id

SNOWFLAKE = st.integers(min_value=0, max_value=2**63 - 1)


@given(guild=SNOWFLAKE, channel=SNOWFLAKE, epoch=SNOWFLAKE, choice=st.sampled_from(TEAM_CHOICES))
def test_team_ids_round_trip_within_discords_limit(guild: int, channel: int, epoch: int, choice: str) -> None:
    """Any session key and epoch, each team and Balance and Start, fits and parses back."""
    text = team_id((guild, channel), epoch, choice)
    assert len(text) <= MAX_LENGTH and not is_study_button(text)
    button = parse(text)
    assert button is not None and button.kind is ButtonKind.TEAM
    assert (button.key, button.epoch, button.index, button.value) == ((guild, channel), epoch, 0, choice)


@pytest.mark.parametrize(
    "forged",
    [
        "qb:t:1:2:3:0:0",  # there is no team 0
        "qb:t:1:2:3:0:5",  # nor a team 5
        "qb:t:1:2:3:0:balanced",
        "qb:t:1:2:3:1:start",  # a lobby button is never for a question
        "qb:t:1:2:3:0:Start",
        "qb:t:1:2:3:0:start:",
        "qb:t:1:2:9223372036854775808:0:1",  # an epoch past a snowflake
        "qb:t:1:2:3:0",
    ],
)
def test_forged_team_ids_are_refused(forged: str) -> None:
    """Ids that are not exactly a lobby button parse to None."""
    assert parse(forged) is None
