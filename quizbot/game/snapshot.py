"""The snapshot codec: a session and what it owes the database as JSON-ready data, and back.

One module owns the format. A snapshot is `{"session", "pending", "run", "seq"}`: the session
(its `format` names the version), the answer batches and finished run not yet recorded, and the
last journal entry it covers. Format 2 names the session's questions by identity (the questions
themselves are stored once, elsewhere); format 1 carried them inline and still restores.

A session's config never changes and most sessions share one, so its JSON form is built once and
shared by every snapshot that holds it, read-only: a FrozenDict reads and serialises as a dict
but refuses every change. Everything else in a snapshot is fresh data of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from enum import Enum
from functools import lru_cache
from operator import attrgetter
from typing import Any, NoReturn
from uuid import UUID

from quizbot.errors import InvalidValue
from quizbot.game.achievements import PlayerFacts
from quizbot.game.effects import RecordAnswers, RecordRun, Result
from quizbot.game.progression import Difficulty
from quizbot.game.questions import Matcher, Question, exact_matcher
from quizbot.game.reviews import Recall
from quizbot.game.session import Phase, Player, QuizSession, SessionConfig, SessionKind
from quizbot.game.teams import Teams

SNAPSHOT_FORMAT = 2  # 1: questions inline; 2: questions named by identity
INLINE_QUESTIONS = 1
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


def session_to_dict(session: QuizSession) -> dict[str, Any]:
    """Everything needed to resume the session exactly where it is."""
    return {
        "format": SNAPSHOT_FORMAT,
        "guild_id": session.guild_id,
        "channel_id": session.channel_id,
        "run_id": str(session.run_id),
        "host_id": session.host_id,
        "config": _shared_config(session.config, tuple(map(type, _config_values(session.config)))),
        "questions": [q.identity for q in session.questions],
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
        "hinted_at": session.hinted_at,
        "paused": session.paused,
        "teams": None if session.teams is None else _teams_to_dict(session.teams),
    }


def _teams_to_dict(teams: Teams) -> dict[str, Any]:
    """A team game's teams: members as [user, team, name] rows (JSON object keys are strings)."""
    return {
        "count": teams.count,
        "members": [[user, team, teams.names.get(user, "")] for user, team in teams.members.items()],
        "lobby_until": teams.lobby_until,
        "fixed": teams.fixed,
    }


def _teams_from_dict(data: Any) -> Teams | None:
    """The teams `_teams_to_dict` wrote; None for a game without them (or a snapshot from before)."""
    if data is None:
        return None
    rows = data["members"]
    if not all(isinstance(row, list) and len(row) == 3 and isinstance(row[2], str) for row in rows):
        raise InvalidValue(f"a team member row is [user, team, name], got {rows!r}")
    return Teams(
        count=data["count"],
        members={user: team for user, team, _ in rows},
        names={user: name for user, _, name in rows},
        lobby_until=data["lobby_until"],
        fixed=data["fixed"],
    )


# Cached by value, with the types equality overlooks (30 == 30.0, 1 == True) in the key, so the
# shared form is exactly what a fresh one would be.


@lru_cache(maxsize=SHARED_CONFIGS)
def _shared_config(config: SessionConfig, _types: tuple[type, ...]) -> FrozenDict:
    values = _config_values(config)
    return FrozenDict(
        (name, value.value if isinstance(value, Enum) else value)
        for name, value in zip(CONFIG_FIELDS, values, strict=True)
    )


def _hinted_at(data: dict[str, Any]) -> float | None:
    """When the open question's first hint was shown; a snapshot from before this was kept and
    showing hints counts every answer as helped, from the question's opening."""
    if "hinted_at" in data:
        value = data["hinted_at"]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InvalidValue(f"hinted_at must be a time, got {value!r}")
        return value
    return data["opened_at"] if data["hints_shown"] else None


def _player(row: Any) -> tuple[int, Player]:
    """One [user_id, *Player fields] row, checked whole."""
    if not isinstance(row, list) or len(row) != PLAYER_FIELDS + 1 or not isinstance(row[0], int):
        raise InvalidValue(f"a player row has a user id and {PLAYER_FIELDS} fields, got {row!r}")
    return row[0], Player(*row[1:])


def session_from_dict(
    data: dict[str, Any],
    matcher: Matcher = exact_matcher,
    questions: Mapping[str, Question] | None = None,
) -> QuizSession:
    """Rebuild a session from `session_to_dict` output, its questions found by identity in `questions`.

    A format-1 session carries its questions inline. A malformed snapshot, or one naming a
    question `questions` lacks, raises InvalidValue.
    """
    version = data.get("format")
    if version not in (SNAPSHOT_FORMAT, INLINE_QUESTIONS) or type(version) is not int:
        raise InvalidValue(f"unknown snapshot format {version!r}")
    try:
        return QuizSession(
            guild_id=data["guild_id"],
            channel_id=data["channel_id"],
            run_id=UUID(data["run_id"]),
            host_id=data["host_id"],
            config=SessionConfig(**data["config"]),
            questions=_questions(data["questions"], version, questions or {}),
            created_at=data["created_at"],
            phase=Phase(data["phase"]),
            index=data["index"],
            opened_at=data["opened_at"],
            deadline=data["deadline"],
            answers={uid: (response, at, elapsed) for uid, response, at, elapsed in data["answers"]},
            players=dict(_player(row) for row in data["players"]),
            last_activity=data["last_activity"],
            hints_shown=data["hints_shown"],
            hinted_at=_hinted_at(data),
            paused=data["paused"],
            matcher=matcher,
            teams=_teams_from_dict(data.get("teams")),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidValue(f"malformed snapshot: {error}") from error


def _questions(named: list[Any], version: int, known: Mapping[str, Question]) -> tuple[Question, ...]:
    if version == INLINE_QUESTIONS:
        return tuple(Question.from_dict(q) for q in named)
    missing = next((q for q in named if not isinstance(q, str) or q not in known), None)
    if missing is not None:
        raise InvalidValue(f"the snapshot names a question that is not stored: {missing!r}")
    return tuple(known[q] for q in named)


def question_identities(state: dict[str, Any]) -> list[str]:
    """The identities of the questions a snapshot names (none for one that carries them inline)."""
    try:
        session = state["session"]
        if session.get("format") != SNAPSHOT_FORMAT:
            return []
        return [q for q in session["questions"] if isinstance(q, str)]
    except (KeyError, TypeError, AttributeError):
        return []


# --- the whole snapshot --------------------------------------------------------------------------


@dataclass(slots=True)
class SessionState:
    """What a snapshot holds: the session, what it still owes the database, and its journal position."""

    session: QuizSession
    pending: list[RecordAnswers]
    run: RecordRun | None
    seq: int  # the last journal entry applied


def encode(state: SessionState) -> dict[str, Any]:
    """A session's snapshot as JSON-ready data."""
    return {
        "session": session_to_dict(state.session),
        "pending": [answers_to_dict(p) for p in state.pending],
        "run": run_to_dict(state.run) if state.run is not None else None,
        "seq": state.seq,
    }


def decode(data: dict[str, Any], questions: Mapping[str, Question], matcher: Matcher) -> SessionState:
    """Rebuild what `encode` made (or the format before it); InvalidValue when it cannot be."""
    try:
        session = session_from_dict(data["session"], matcher, questions)
        pending = [answers_from_dict(p) for p in data["pending"]]
        run = run_from_dict(data["run"]) if data.get("run") else None
    except InvalidValue:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InvalidValue(f"malformed snapshot: {error!r}") from error
    return SessionState(session, pending, run, position(data)[1])


def position(data: dict[str, Any]) -> tuple[UUID, int]:
    """The run a snapshot belongs to and the last journal entry it covers (0 for snapshots made
    before the journal); InvalidValue if it does not say."""
    try:
        run_id, seq = UUID(data["session"]["run_id"]), data.get("seq", 0)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InvalidValue(f"the snapshot names no run: {error!r}") from error
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise InvalidValue(f"the snapshot's journal position is {seq!r}")
    return run_id, seq


def open_until(data: dict[str, Any]) -> float:
    """Until when a snapshot's session waits on its own: a question of the day's deadline (its row
    must outlive the 24 hours without a change); 0 for a game, which changes every few seconds."""
    session = data.get("session")
    if not isinstance(session, dict) or session.get("config", {}).get("kind") != SessionKind.DAILY:
        return 0.0
    deadline = session.get("deadline")
    return float(deadline) if isinstance(deadline, int | float) else 0.0


def answers_to_dict(batch: RecordAnswers) -> dict[str, Any]:
    """An unrecorded answer batch as JSON-ready data."""
    return {
        "run_id": str(batch.run_id),
        "index": batch.index,
        "category": batch.category,
        "difficulty": batch.difficulty.value,
        "results": [
            [r.user_id, r.name, r.correct, r.points, r.xp, r.answered_at, int(r.recall)]
            for r in batch.results
        ],
        "question_id": batch.question_id,
    }


def answers_from_dict(data: dict[str, Any]) -> RecordAnswers:
    """Rebuild an unrecorded answer batch."""
    return RecordAnswers(
        run_id=UUID(data["run_id"]),
        index=data["index"],
        category=data["category"],
        difficulty=Difficulty(data["difficulty"]),
        results=tuple(_result(row) for row in data["results"]),
        question_id=data.get("question_id"),  # absent: a batch saved before study cards
    )


def _result(row: list[Any]) -> Result:
    """One result of a saved batch (saved before study cards, it has no recall: Good, or Again if wrong)."""
    user_id, name, correct, points, xp, at, *rest = row
    recall = Recall(rest[0]) if rest else Recall.GOOD if correct else Recall.AGAIN
    return Result(user_id, name, correct, points, xp, at, recall)


def run_to_dict(run: RecordRun) -> dict[str, Any]:
    """An unrecorded finished run as JSON-ready data."""
    data = asdict(run)
    data["run_id"] = str(run.run_id)
    data["difficulty"] = run.difficulty.value
    data["participants"] = list(run.participants)
    data["facts"] = [{**asdict(f), "difficulty": f.difficulty.value} for f in run.facts]
    return data


def run_from_dict(data: dict[str, Any]) -> RecordRun:
    """Rebuild an unrecorded finished run."""
    values = dict(data)
    values["run_id"] = UUID(data["run_id"])
    values["difficulty"] = Difficulty(data["difficulty"])
    values["participants"] = tuple(data["participants"])
    values["facts"] = tuple(
        PlayerFacts(**{**f, "difficulty": Difficulty(f["difficulty"])}) for f in data["facts"]
    )
    return RecordRun(**values)


def by_identity(questions: Sequence[Question]) -> dict[str, Question]:
    """Questions keyed by identity, as `decode` finds them."""
    return {q.identity: q for q in questions}
