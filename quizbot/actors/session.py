"""The session actor: the only owner of one channel's session state; turns its effects into port calls.

Its state (`SessionState`: the game, what it owes the database, its journal position) has this one
home while it runs; the checkpointer keeps the last snapshot taken of it, for restarts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from loguru import logger

from quizbot.actors.base import Actor, Later
from quizbot.actors.entries import CHANGES_SESSION, JournalEntry, apply_message
from quizbot.actors.journal import SessionJournal
from quizbot.actors.messages import (
    Describe,
    PauseQuiz,
    PromptRecovery,
    SessionChanged,
    SessionInfo,
    SessionKey,
    SessionOver,
    SnapshotSaved,
    TakeSnapshot,
    TimerFired,
)
from quizbot.actors.ports import ChannelPort, RecoveryPrompt, SessionStore
from quizbot.actors.timers import Timers
from quizbot.backoff import full_jitter
from quizbot.clock import Clock, sleep
from quizbot.errors import DataRejected, UnknownMessage
from quizbot.game.effects import (
    Effect,
    RecordAnswers,
    RecordRun,
    ScheduleTimer,
)
from quizbot.game.snapshot import SessionState, encode

if TYPE_CHECKING:
    from loguru import Logger

RETRY_BASE, RETRY_CAP = 0.5, 30.0
# Question indices are kept in frozen sets, replaced rather than changed, so every actor with none
# shares this empty one instead of holding a set of its own.
NONE: frozenset[int] = frozenset()


def _indices(batches: Sequence[RecordAnswers]) -> frozenset[int]:
    return frozenset(p.index for p in batches) if batches else NONE


class SessionActor(Actor):
    """Runs one QuizSession: applies messages, shows effects, records results, reports changes."""

    def __init__(
        self,
        state: SessionState,
        *,
        port: ChannelPort,
        store: SessionStore,
        timers: Timers,
        clock: Clock,
        notify: Callable[[object], None],
        journal: SessionJournal,
        durable: frozenset[int] = NONE,
        key: SessionKey | None = None,
    ) -> None:
        self.state = state
        self.session = session = state.session  # the game itself: state.session, named for short
        self.pending = state.pending  # answer batches owed to the database, oldest first
        self.port = port
        self.store = store
        self.timers = timers
        self.clock = clock
        self.notify = notify  # tells the supervisor; never asks, so the two can never deadlock
        self.journal = journal
        # Answers are written only once a saved snapshot holds them: a crash before that redoes the
        # close from the snapshot, a crash after it rewrites the same rows, so the database and the
        # session's scores never disagree.
        self.durable = durable
        self._in_snapshot = NONE
        self.dirty = False
        self.over = session.phase.over
        self.key = key or session.key
        self._writer: asyncio.Task[None] | None = None

    @property
    def _log(self) -> Logger:
        """The session's logger, bound when something is logged (rarely), not held by every actor."""
        session = self.session
        return logger.bind(guild=session.guild_id, channel=session.channel_id, session=str(session.run_id))

    # --- the actor protocol ------------------------------------------------------------------

    async def on_start(self) -> None:
        if self.durable:
            self._start_writer()

    async def on_stop(self) -> None:
        self.timers.cancel(self.key)
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()  # what it had not written stays pending in the snapshot
            await asyncio.gather(self._writer, return_exceptions=True)

    async def receive(self, message: object) -> object:
        if isinstance(message, CHANGES_SESSION):
            return await self._change(message)
        match message:
            case TakeSnapshot(final=False):
                return self.snapshot()
            case TakeSnapshot(final=True, grace=grace):
                return await self.drain(grace)
            case SnapshotSaved():
                self.durable |= self._in_snapshot
                self._start_writer()
            case Describe():
                return self.describe()
            case PromptRecovery():
                await self.prompt_recovery()
            case _:
                raise UnknownMessage(f"a quiz session does not handle {type(message).__name__}")
        return None

    async def _change(self, message: object) -> Later:
        """Apply a message, journal it, show its effects; the asker hears back once the journal has it.

        A refused message (a QuizbotError) changes nothing and is not journaled.
        """
        now = self.clock.time()
        reply, effects = apply_message(self.session, message, now)
        self.state.seq += 1
        entry = JournalEntry(self.state.seq, now, message)  # type: ignore[arg-type]
        saved = self.journal.append(self.key, entry, reply)
        await self._apply(effects, saved)
        if not isinstance(message, PauseQuiz):  # a respawn's pause: its journal entry is enough
            self._changed(urgent=any(isinstance(e, RecordAnswers | RecordRun) for e in effects))
        return Later(saved)

    def snapshot(self) -> dict[str, Any]:
        """The whole session, unrecorded answers, and the last journal entry it covers."""
        self.dirty = False
        self._in_snapshot = _indices(self.pending)
        return encode(self.state)

    def describe(self) -> SessionInfo:
        session = self.session
        return SessionInfo(
            key=session.key,
            phase=session.phase.value,
            index=session.index,
            total=len(session.questions),
            players=len(session.players),
            paused=session.paused,
            host_id=session.host_id,
            pending_writes=len(self.pending),
            mode=session.config.mode.value,
            standings=session.standings(),
            teams=session.team_standings(),
            team_members=() if session.teams is None else tuple(sorted(session.teams.members)),
        )

    async def prompt_recovery(self) -> None:
        """Show the Continue / New / Cancel prompt of a session brought back after a restart."""
        session = self.session
        prompt = RecoveryPrompt(
            session.index,
            len(session.questions),
            session.host_id,
            session.standings(),
            session.team_standings(),
            session.run_id,
        )
        await self._show(prompt)

    # --- effects -----------------------------------------------------------------------------

    async def _apply(self, effects: list[Effect], saved: asyncio.Future[Any]) -> None:
        """Keep what the database is owed; show the rest once the change is saved (nothing shown
        is ever undone by a restart)."""
        for effect in effects:
            match effect:
                case ScheduleTimer(kind, index, at):
                    self.timers.schedule(self.key, at, self.ref, TimerFired(kind, index))
                case RecordAnswers():
                    if effect.results:
                        self.pending.append(effect)
                case RecordRun():  # recorded by the supervisor once the last answers are in
                    self.state.run = effect
                case _:
                    await self._show(effect, saved)
        if not self.over and self.session.phase.over:
            self.over = True
            self.timers.cancel(self.key)
            self.notify(SessionOver(self.key))

    async def _show(self, event: Any, after: asyncio.Future[Any] | None = None) -> None:
        try:
            await self.port.show(self.key, event, after=after)
        except Exception as error:  # the channel failing must never take the game down
            self._log.opt(exception=error).warning("could not show {}", type(event).__name__)

    def _changed(self, *, urgent: bool) -> None:
        if urgent or not self.dirty:
            self.dirty = True
            self.notify(SessionChanged(self.key, self.session.phase.value, urgent))

    def _start_writer(self) -> None:
        """Write the pending batches a saved snapshot holds, unless a writer runs or there are none."""
        if not any(p.index in self.durable for p in self.pending):
            return
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_pending(), name=f"answers:{self.ref.name}")
            self._writer.add_done_callback(self._writer_done)

    async def _write_pending(self) -> None:
        """Write pending answer batches in order; while the database is away, keep them and retry.

        The writer belongs to this actor: it drops a batch from `pending` once the store has it,
        with no await in between, so the message handler never sees a half-made change.
        """
        failures = 0
        while True:
            batch = next((p for p in self.pending if p.index in self.durable), None)
            if batch is None:
                return
            try:
                await self.store.record_answers(self.key, batch)
            except DataRejected as error:  # it can never be stored: retrying would only repeat this
                self._log.bind(question=batch.index).error("answers dropped: {}", error)
                self.pending.remove(batch)
                continue
            except Exception as error:
                self._log.bind(question=batch.index).warning("answers not recorded yet ({}); retrying", error)
                await sleep(self.clock, full_jitter(failures, RETRY_BASE, RETRY_CAP))
                failures += 1
                continue
            failures = 0
            self.pending.remove(batch)

    async def drain(self, grace: float) -> dict[str, Any]:
        """Give the writer up to `grace` seconds to record what is pending; then the final snapshot."""
        if self._writer is not None and not self._writer.done():
            await asyncio.wait({self._writer}, timeout=grace)
        return self.snapshot()

    def _writer_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self._log.opt(exception=task.exception()).error("the answer writer failed")
