"""Builders for storage records, so each test states only what it is about."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from quizbot.game.progression import Difficulty
from quizbot.storage.records import AnswerBatch, AnswerRow, FinishedRun

NOON = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday


def answer(user_id: int, *, correct: bool = True, points: int | None = None, **fields: Any) -> AnswerRow:
    """One answer; correct answers score 100 points and 10 XP unless told otherwise."""
    scored = (100 if correct else 0) if points is None else points
    values: dict[str, Any] = {
        "username": f"user{user_id}",
        "xp": scored // 10,
        "answered_at": NOON,
    }
    values.update(fields)
    return AnswerRow(user_id=user_id, correct=correct, points=scored, **values)


def batch(
    *answers: AnswerRow,
    run_id: uuid.UUID | None = None,
    guild_id: int = 1,
    channel_id: int = 10,
    question_index: int = 0,
    category: str = "science",
) -> AnswerBatch:
    """A closed question's answers in guild 1, channel 10, science, medium."""
    return AnswerBatch(
        run_id=run_id or uuid.uuid4(),
        guild_id=guild_id,
        channel_id=channel_id,
        question_index=question_index,
        category=category,
        difficulty=Difficulty.MEDIUM,
        answers=tuple(answers),
    )


def finished_run(run_id: uuid.UUID, participants: tuple[int, ...], **fields: Any) -> FinishedRun:
    """A finished 5-question science run in guild 1 hosted by user 1."""
    values: dict[str, Any] = {
        "guild_id": 1,
        "channel_id": 10,
        "host_id": 1,
        "topic": "science",
        "category": "science",
        "difficulty": Difficulty.MEDIUM,
        "question_count": 5,
        "outcome": "finished",
        "started_at": NOON,
        "finished_at": NOON,
    }
    values.update(fields)
    return FinishedRun(run_id=run_id, participants=participants, **values)
