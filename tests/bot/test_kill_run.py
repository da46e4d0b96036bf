"""SIGKILL a real `quizbot run` at random moments of live games: no acknowledged answer is ever lost."""

from __future__ import annotations

import os

import pytest

from bench._kills import run_kills
from quizbot.storage.pool import Database
from quizbot.testing import DiscordDouble

KILLS = int(os.environ.get("QUIZBOT_KILLS", "3"))  # one of each kind; bench/kills.py runs a hundred


@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_kills_at_random_moments_lose_no_acknowledged_answer(
    server_url: str, schema_name: str, db: Database
) -> None:
    """Kills after acknowledgements, around closes and at random: every acknowledged answer and every
    shown score is in PostgreSQL, no question is revealed twice, nothing is counted twice."""
    async with DiscordDouble() as double:
        report = await run_kills(
            double,
            db,
            server_url,
            schema_name,
            kills=KILLS,
            seed=int(os.environ.get("QUIZBOT_KILL_SEED", "9")),
            questions=2,
        )
    assert report.kills == KILLS
    assert report.acknowledged > 0 and report.checked > 0  # it saw answers and scores to check
    assert report.lost == []
    assert report.wrong == []
