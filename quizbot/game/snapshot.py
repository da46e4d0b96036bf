"""A whole session as JSON-ready data and back, questions included, for snapshots.

A session's questions and config never change, and most sessions draw them from one bank, so
their JSON form is built once and shared by every snapshot that holds them, read-only: a
FrozenDict or FrozenList reads and serialises as a dict or list but refuses every change (copy it
to change it). Everything else in a snapshot is fresh data of its own.
"""

from __future__ import annotations

from dataclasses import fields
from enum import Enum
from functools import lru_cache
from operator import attrgetter
from typing import Any, NoReturn
from uuid import UUID

from quizbot.errors import InvalidValue
from quizbot.game.questions import Matcher, Question, exact_matcher
from quizbot.game.session import Phase, Player, QuizSession, SessionConfig

SNAPSHOT_FORMAT = 1
SHARED_QUESTIONS = 4096  # distinct questions whose JSON form is kept for sharing
SHARED_CONFIGS = 256
CONFIG_FIELDS = tuple(f.name for f in fields(SessionConfig))
PLAYER_FIELDS = len(fields(Player))
_config_values = attrgetter(*CONFIG_FIELDS)
_player_values = attrgetter(*(f.name for f in fields(Player)))  # flat values: no copies to make


def _refuse(*_: object, **__: object) -> NoReturn:
    raise TypeError("shared snapshot data is read-only; copy it to change it")


class FrozenDict(dict[str, Any]):
    """A dict that refuses changes, so one can be shared by many snapshots."""

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[type[FrozenDict], tuple[dict[str, Any]]]:
        return (type(self), (dict(self),))  # copy and pickle without calling the refused methods


class FrozenList(list[Any]):
    """A list that refuses changes, so one can be shared by many snapshots."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse

    def __reduce__(self) -> tuple[type[FrozenList], tuple[list[Any]]]:
        return (type(self), (list(self),))


def session_to_dict(session: QuizSession) -> dict[str, Any]:
    """Everything needed to resume the session exactly where it is."""
    return {
        "format": SNAPSHOT_FORMAT,
        "guild_id": session.guild_id,
        "channel_id": session.channel_id,
        "run_id": str(session.run_id),
        "host_id": session.host_id,
        "config": _shared_config(session.config, tuple(map(type, _config_values(session.config)))),
        "questions": [_shared_question(q, type(q.answer_index).__name__) for q in session.questions],
        "created_at": session.created_at,
        "phase": session.phase.value,
        "index": session.index,
        "opened_at": session.opened_at,
        "deadline": session.deadline,
        # JSON object keys are strings, so answers and players travel as lists.
        "answers": [[uid, *answer] for uid, answer in session.answers.items()],
        "players": [[uid, *_player_values(p)] for uid, p in session.players.items()],
        "last_activity": session.last_activity,
        "hints_shown": session.hints_shown,
        "paused": session.paused,
    }


# Cached by value, with the types equality overlooks (30 == 30.0, 1 == True) in the key, so the
# shared form is exactly what a fresh one would be.


@lru_cache(maxsize=SHARED_CONFIGS)
def _shared_config(config: SessionConfig, _types: tuple[type, ...]) -> FrozenDict:
    values = _config_values(config)
    return FrozenDict(
        (name, value.value if isinstance(value, Enum) else value)
        for name, value in zip(CONFIG_FIELDS, values, strict=True)
    )


@lru_cache(maxsize=SHARED_QUESTIONS)
def _shared_question(question: Question, _answer_type: str) -> FrozenDict:
    data = question.to_dict()
    return FrozenDict((k, FrozenList(v) if isinstance(v, list) else v) for k, v in data.items())


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
