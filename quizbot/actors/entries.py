"""What a session journals: each message that changed it, with its time and place in order.

`apply_message` is the one place a message becomes a session transition, used alike by the live
actor and by replay, so a game rebuilt from its snapshot and journal is the game that was played.
Entries travel as compact orjson arrays, `[at, kind, fields...]`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, get_args

import orjson

from quizbot.actors.messages import (
    AbandonQuiz,
    BalanceTeams,
    ExpireQuiz,
    JoinTeam,
    PauseQuiz,
    RequestHint,
    ResumeQuiz,
    SkipQuestion,
    StartNow,
    StartQuiz,
    StopQuiz,
    SubmitAnswer,
    TimerFired,
)
from quizbot.errors import InvalidValue, UnknownMessage
from quizbot.game.effects import Effect
from quizbot.game.session import QuizSession
from quizbot.game.teams import levels_of

SessionMessage = (
    StartQuiz
    | SubmitAnswer
    | TimerFired
    | RequestHint
    | SkipQuestion
    | StopQuiz
    | ResumeQuiz
    | ExpireQuiz
    | AbandonQuiz
    | PauseQuiz
    | JoinTeam
    | BalanceTeams
    | StartNow
)
CHANGES_SESSION: tuple[type[Any], ...] = get_args(SessionMessage)  # the same classes, for isinstance
_KINDS: dict[str, type[Any]] = {cls.__name__: cls for cls in CHANGES_SESSION}


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """Message number `seq` of a session's run, handled at `at` (epoch seconds)."""

    seq: int
    at: float
    message: SessionMessage


def apply_message(session: QuizSession, message: object, now: float) -> tuple[object, list[Effect]]:
    """Apply one session-changing message at `now`; the reply for its asker, and the effects."""
    reply: object = None
    match message:
        case SubmitAnswer(user_id, name, index, response):
            index = session.index if index is None else index
            reply, effects = session.answer(user_id, name, index, response, now)
        case TimerFired(kind, index):
            effects = _timer_fired(session, kind, index, now)
        case StartQuiz():
            effects = session.start(now)
        case RequestHint():
            effects = session.hint(now)
        case SkipQuestion(user_id, is_moderator):
            effects = session.skip(user_id, is_moderator, now)
        case StopQuiz(user_id, is_moderator):
            effects = session.stop(user_id, is_moderator, now)
        case ResumeQuiz(user_id, is_moderator):
            effects = session.resume(user_id, is_moderator, now)
        case ExpireQuiz():
            effects = session.expire(now)
        case AbandonQuiz():
            effects = session.abandon(now)
        case PauseQuiz():
            effects = session.pause()
        case JoinTeam() | BalanceTeams() | StartNow():
            return _team_change(session, message, now)
        case _:
            raise UnknownMessage(f"a quiz session does not handle {type(message).__name__}")
    return reply, effects


def _timer_fired(session: QuizSession, kind: str, index: int, now: float) -> list[Effect]:
    """A question's close or advance, or a team game's lobby closing; no other kind exists."""
    match kind:
        case "close":
            return session.close(index, now)
        case "advance":
            return session.advance(index, now)
        case "lobby":
            return session.close_lobby(now)
    raise UnknownMessage(f"a quiz session has no {kind!r} timer")


def _team_change(
    session: QuizSession, message: JoinTeam | BalanceTeams | StartNow, now: float
) -> tuple[object, list[Effect]]:
    """A team game's lobby and teams: a join (its outcome is the reply), Balance, or Start."""
    match message:
        case JoinTeam(user_id, name, team):
            return session.join_team(user_id, name, team, now), []
        case BalanceTeams(_, levels):
            return None, session.balance(levels_of(levels), now)
        case StartNow(user_id, is_moderator):
            return None, session.start_now(user_id, is_moderator, now)


def encode_entry(entry: JournalEntry) -> bytes:
    """The entry as stored: `[at, kind, fields...]`."""
    message = entry.message
    values = [getattr(message, field.name) for field in fields(message)]
    return orjson.dumps([entry.at, type(message).__name__, *values])


def decode_entry(seq: int, data: bytes) -> JournalEntry:
    """An entry from its stored form; InvalidValue names what is wrong with a malformed one."""
    try:
        at, kind, *values = orjson.loads(data)
        message = _KINDS[kind](*values)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise InvalidValue(f"journal entry {seq} is malformed: {error!r}") from error
    if isinstance(at, bool) or not isinstance(at, int | float):
        raise InvalidValue(f"journal entry {seq} has no time")
    return JournalEntry(seq, float(at), message)
