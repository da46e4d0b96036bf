"""A session's snapshot state: how it is laid out, and how a session is rebuilt from it and its journal.

The state is `{"session", "pending", "run", "seq"}`: the whole session, the answer batches and the
finished run not yet recorded, and the last journal entry it covers. Rebuilding applies the
journal entries past `seq`, in order and each once, through the same transitions the live actor
uses, so the game that comes back holds every change that was made durable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from loguru import logger

from quizbot.actors.entries import JournalEntry, apply_message
from quizbot.actors.pending import answers_from_dict, answers_to_dict, run_from_dict, run_to_dict
from quizbot.errors import InvalidValue, QuizbotError
from quizbot.game.effects import RecordAnswers, RecordRun
from quizbot.game.questions import Matcher
from quizbot.game.session import QuizSession
from quizbot.game.snapshot import session_from_dict, session_to_dict


def snapshot_state(
    session: QuizSession, pending: Sequence[RecordAnswers], run: RecordRun | None, seq: int
) -> dict[str, Any]:
    """The JSON-ready state of a session, what it still owes the database, and its journal position."""
    return {
        "session": session_to_dict(session),
        "pending": [answers_to_dict(p) for p in pending],
        "run": run_to_dict(run) if run is not None else None,
        "seq": seq,
    }


def state_position(state: dict[str, Any]) -> tuple[UUID, int]:
    """The run a state belongs to and the last journal entry it covers (0 for states made before
    the journal); InvalidValue if the state does not say."""
    try:
        run_id, seq = UUID(state["session"]["run_id"]), state.get("seq", 0)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InvalidValue(f"the snapshot names no run: {error!r}") from error
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise InvalidValue(f"the snapshot's journal position is {seq!r}")
    return run_id, seq


@dataclass(slots=True)
class Restored:
    """A session rebuilt from a snapshot and its journal, with what it still owes the database."""

    session: QuizSession
    pending: list[RecordAnswers]
    durable: frozenset[int]  # questions whose pending answers a saved snapshot holds
    run: RecordRun | None
    seq: int
    replayed: int  # journal entries applied past the snapshot

    def state(self) -> dict[str, Any]:
        return snapshot_state(self.session, self.pending, self.run, self.seq)


def restore(
    state: dict[str, Any], entries: Sequence[JournalEntry], matcher: Matcher, *, saved: bool
) -> Restored:
    """The session in `state` with `entries` past it applied; `saved`: the state is in the store.

    Raises InvalidValue (or the error of a malformed field) when the state cannot be rebuilt.
    An entry a transition refuses is skipped; replay stops at a gap in the entries' order.
    """
    session = session_from_dict(state["session"], matcher)
    pending = [answers_from_dict(p) for p in state["pending"]]
    run = run_from_dict(state["run"]) if state.get("run") else None
    _, seq = state_position(state)
    durable = frozenset(p.index for p in pending) if saved else frozenset()
    replayed = 0
    for entry in entries:
        if entry.seq <= seq:
            continue
        if entry.seq != seq + 1:
            _log(session).error("journal gap after entry {}; replay stops there", seq)
            break
        seq = entry.seq
        replayed += 1
        try:
            _, effects = apply_message(session, entry.message, entry.at)
        except QuizbotError as error:
            _log(session).warning("journal entry {} refused on replay: {}", entry.seq, error)
            continue
        for effect in effects:
            if isinstance(effect, RecordAnswers) and effect.results:
                pending.append(effect)
            elif isinstance(effect, RecordRun):
                run = effect
    return Restored(session, pending, durable, run, seq, replayed)


def _log(session: QuizSession) -> Any:
    return logger.bind(guild=session.guild_id, channel=session.channel_id, session=str(session.run_id))
