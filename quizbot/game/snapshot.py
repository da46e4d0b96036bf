"""A whole session as JSON-ready data and back, questions included, for snapshots."""

from __future__ import annotations

from dataclasses import asdict, astuple, fields
from typing import Any
from uuid import UUID

from quizbot.errors import InvalidValue
from quizbot.game.questions import Matcher, Question, exact_matcher
from quizbot.game.session import Phase, Player, QuizSession, SessionConfig

SNAPSHOT_FORMAT = 1


def session_to_dict(session: QuizSession) -> dict[str, Any]:
    """Everything needed to resume the session exactly where it is."""
    return {
        "format": SNAPSHOT_FORMAT,
        "guild_id": session.guild_id,
        "channel_id": session.channel_id,
        "run_id": str(session.run_id),
        "host_id": session.host_id,
        "config": {k: (v.value if hasattr(v, "value") else v) for k, v in asdict(session.config).items()},
        "questions": [q.to_dict() for q in session.questions],
        "created_at": session.created_at,
        "phase": session.phase.value,
        "index": session.index,
        "opened_at": session.opened_at,
        "deadline": session.deadline,
        # JSON object keys are strings, so answers and players travel as lists.
        "answers": [[uid, *answer] for uid, answer in session.answers.items()],
        "players": [[uid, *astuple(p)] for uid, p in session.players.items()],
        "last_activity": session.last_activity,
        "hints_shown": session.hints_shown,
        "paused": session.paused,
    }


PLAYER_FIELDS = len(fields(Player))


def _player(row: Any) -> tuple[int, Player]:
    """One [user_id, *Player fields] row, checked whole."""
    if not isinstance(row, list) or len(row) != PLAYER_FIELDS + 1 or not isinstance(row[0], int):
        raise InvalidValue(f"a player row has a user id and {PLAYER_FIELDS} fields, got {row!r}")
    return row[0], Player(*row[1:])


def session_from_dict(data: dict[str, Any], matcher: Matcher = exact_matcher) -> QuizSession:
    """Rebuild a session from `session_to_dict` output; a malformed snapshot raises InvalidValue."""
    if data.get("format") != SNAPSHOT_FORMAT:
        raise InvalidValue(f"unknown snapshot format {data.get('format')!r}")
    try:
        return QuizSession(
            guild_id=data["guild_id"],
            channel_id=data["channel_id"],
            run_id=UUID(data["run_id"]),
            host_id=data["host_id"],
            config=SessionConfig(**data["config"]),
            questions=tuple(Question.from_dict(q) for q in data["questions"]),
            created_at=data["created_at"],
            phase=Phase(data["phase"]),
            index=data["index"],
            opened_at=data["opened_at"],
            deadline=data["deadline"],
            answers={uid: (response, at, elapsed) for uid, response, at, elapsed in data["answers"]},
            players=dict(_player(row) for row in data["players"]),
            last_activity=data["last_activity"],
            hints_shown=data["hints_shown"],
            paused=data["paused"],
            matcher=matcher,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidValue(f"malformed snapshot: {error}") from error
