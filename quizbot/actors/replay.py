"""Rebuilding a session from its snapshot and the journal entries past it: what every restart does.

The snapshot is decoded by the one codec (`game/snapshot.py`); the entries past its `seq` are then
applied in order, each once, through the same transitions the live actor uses, so the game that
comes back holds every change that was made durable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from loguru import logger

from quizbot.actors.entries import JournalEntry, apply_message
from quizbot.errors import QuizbotError
from quizbot.game.effects import RecordAnswers, RecordRun
from quizbot.game.questions import Matcher, Question
from quizbot.game.session import QuizSession
from quizbot.game.snapshot import SessionState, decode, encode


@dataclass(slots=True)
class Restored:
    """A session's state rebuilt from a snapshot and its journal, ready to run in an actor."""

    state: SessionState
    durable: frozenset[int]  # questions whose pending answers a saved snapshot holds
    replayed: int  # journal entries applied past the snapshot

    @property
    def session(self) -> QuizSession:
        return self.state.session

    def encoded(self) -> dict[str, Any]:
        return encode(self.state)


def fresh(session: QuizSession) -> Restored:
    """A new session's state: nothing owed, nothing journaled."""
    return Restored(SessionState(session, [], None, 0), frozenset(), 0)


def restore(
    data: dict[str, Any],
    entries: Sequence[JournalEntry],
    questions: Mapping[str, Question],
    matcher: Matcher,
    *,
    saved: bool,
) -> Restored:
    """The session in snapshot `data` with `entries` past it applied; `saved`: `data` is in the store.

    Raises InvalidValue when the snapshot cannot be rebuilt. An entry a transition refuses is
    skipped; replay stops at a gap in the entries' order.
    """
    state = decode(data, questions, matcher)
    session, seq = state.session, state.seq
    durable = frozenset(p.index for p in state.pending) if saved else frozenset()
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
                state.pending.append(effect)
            elif isinstance(effect, RecordRun):
                state.run = effect
    state.seq = seq
    return Restored(state, durable, replayed)


def _log(session: QuizSession) -> Any:
    return logger.bind(guild=session.guild_id, channel=session.channel_id, session=str(session.run_id))
