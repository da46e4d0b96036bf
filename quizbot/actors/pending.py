"""What a session still owes the database (answer batches, the finished run) as snapshot data."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from quizbot.game.achievements import PlayerFacts
from quizbot.game.effects import RecordAnswers, RecordRun, Result
from quizbot.game.progression import Difficulty


def answers_to_dict(batch: RecordAnswers) -> dict[str, Any]:
    """An unrecorded answer batch as JSON-ready data."""
    return {
        "run_id": str(batch.run_id),
        "index": batch.index,
        "category": batch.category,
        "difficulty": batch.difficulty.value,
        "results": [[r.user_id, r.name, r.correct, r.points, r.xp, r.answered_at] for r in batch.results],
    }


def answers_from_dict(data: dict[str, Any]) -> RecordAnswers:
    """Rebuild an unrecorded answer batch from a snapshot."""
    return RecordAnswers(
        run_id=UUID(data["run_id"]),
        index=data["index"],
        category=data["category"],
        difficulty=Difficulty(data["difficulty"]),
        results=tuple(Result(*row) for row in data["results"]),
    )


def run_to_dict(run: RecordRun) -> dict[str, Any]:
    """An unrecorded finished run as JSON-ready data."""
    data = asdict(run)
    data["run_id"] = str(run.run_id)
    data["difficulty"] = run.difficulty.value
    data["participants"] = list(run.participants)
    data["facts"] = [{**asdict(f), "difficulty": f.difficulty.value} for f in run.facts]
    return data


def run_from_dict(data: dict[str, Any]) -> RecordRun:
    """Rebuild an unrecorded finished run from a snapshot."""
    values = dict(data)
    values["run_id"] = UUID(data["run_id"])
    values["difficulty"] = Difficulty(data["difficulty"])
    values["participants"] = tuple(data["participants"])
    values["facts"] = tuple(
        PlayerFacts(**{**f, "difficulty": Difficulty(f["difficulty"])}) for f in data["facts"]
    )
    return RecordRun(**values)
