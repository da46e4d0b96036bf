"""The checkpointer: snapshots taken at message boundaries and saved in one statement, the journal
and replay, and the recording of ended games. Composed into the supervisor, run inside its actor.

It owns the dirty, urgent and unrecorded sets, each session's checkpoint (the last snapshot taken:
a crash restarts from it plus the journal), and the session journal. It reads refs and epochs
from the directory and never starts or stops an actor: it reports the sessions another process
has claimed, and the supervisor lets them go.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from loguru import logger

from quizbot.actors.base import ActorRef
from quizbot.actors.directory import Directory
from quizbot.actors.journal import SessionJournal
from quizbot.actors.messages import SessionKey, SnapshotSaved, TakeSnapshot
from quizbot.actors.policy import SupervisorSettings
from quizbot.actors.ports import (
    AchievementSummary,
    ChannelEvent,
    ChannelPort,
    JournalStore,
    Notice,
    QuestionStore,
    SessionStore,
    Snapshot,
    SnapshotStore,
)
from quizbot.actors.replay import Restored, restore
from quizbot.actors.respawn import Recovered, Respawn, SetAside
from quizbot.clock import Clock
from quizbot.errors import DataRejected, QuizbotError, StorageError
from quizbot.game.questions import Matcher, Question
from quizbot.game.snapshot import answers_from_dict, by_identity, open_until, position, run_from_dict

SNAPSHOT_ASK_TIMEOUT = 2.0
RELEASE_GRACE = 5.0  # how long a finished session may take to record its last answers
KEPT_QUESTIONS = 65_536  # identities known stored, so a bank's questions are written once a process


@dataclass(slots=True)
class Checkpoint:
    """The last snapshot taken of a session, with its questions, to restart it without the store."""

    state: dict[str, Any]
    questions: tuple[Question, ...]


class Checkpointer:
    """Saves sessions' snapshots, keeps their journal, rebuilds them, records the games that end."""

    def __init__(
        self,
        *,
        snapshots: SnapshotStore,
        store: SessionStore,
        questions: QuestionStore,
        journal: JournalStore | None,
        port: ChannelPort,
        clock: Clock,
        settings: SupervisorSettings,
        owner: str,
        matcher: Matcher,
    ) -> None:
        self.snapshots, self.store, self.questions, self.port = snapshots, store, questions, port
        self.clock, self.settings, self.owner, self.matcher = clock, settings, owner, matcher
        self.journal_store = journal
        self.journal = SessionJournal(journal, clock)
        self.directory = Directory({})  # replaced by the supervisor's own on composition
        self.checkpoints: dict[SessionKey, Checkpoint] = {}
        self.dirty: set[SessionKey] = set()
        self.urgent: dict[SessionKey, None] = {}  # reported urgent, not saved yet (in report order)
        self.unrecorded: dict[tuple[SessionKey, int], dict[str, Any]] = {}  # ended; database was away
        self.saved_at: dict[SessionKey, float] = {}
        self.quarantined = 0  # snapshots this process set aside
        self._kept: dict[str, None] = {}

    # --- a session's life ----------------------------------------------------------------------

    async def first(self, epoch: int, restored: Restored) -> dict[str, Any] | None:
        """Save a new session's first snapshot (its journal's base) and return it; None if another
        epoch holds the channel."""
        session = restored.session
        await self._keep(session.questions)
        state = restored.encoded()
        saved = await self.snapshots.save([self._row(session.key, epoch, state)])
        return state if session.key in saved.saved else None

    def track(
        self,
        key: SessionKey,
        epoch: int,
        restored: Restored,
        *,
        saved: bool,
        state: dict[str, Any] | None = None,
    ) -> None:
        """Follow a session now running: open its journal, keep its checkpoint (`state`, if already
        encoded); `saved`: the store already holds this state."""
        session = restored.session
        self.journal.open(key, session.run_id, epoch, restored.state.seq)
        self.checkpoints[key] = Checkpoint(state or restored.encoded(), session.questions)
        if saved:
            self.dirty.discard(key)
            self.saved_at[key] = self.clock.time()
        else:
            self.dirty.add(key)

    def stands(self, snapshot: Snapshot, restored: Restored) -> bool:
        """Whether a respawned session's claimed row may stand as its snapshot until the session changes.

        It differs from the live session only in `paused`, which every respawn sets again. A session
        that does not change is expired by the idle sweep, so the row need not be saved again if it
        expires after that; otherwise (or when the journal added to it) the next flush saves it.
        """
        settings = self.settings
        sweep = settings.snapshot_interval * settings.sweep_every
        idle_end = self.clock.time() + settings.idle_timeout + 2 * sweep
        return not restored.replayed and snapshot.expires_at.timestamp() > idle_end

    async def final(self, key: SessionKey, ref: ActorRef[Any]) -> dict[str, Any]:
        """An ending session's last snapshot, once its answer writer has had its grace; the
        checkpoint if it cannot answer."""
        if ref.running:
            try:
                state: dict[str, Any] = await ref.ask(
                    TakeSnapshot(final=True, grace=RELEASE_GRACE),
                    timeout=RELEASE_GRACE + SNAPSHOT_ASK_TIMEOUT,
                )
                return state
            except QuizbotError as error:
                logger.bind(guild=key[0], channel=key[1]).warning("no final snapshot: {}", error)
        return self.checkpoints[key].state

    def changed(self, key: SessionKey, *, urgent: bool) -> None:
        """A session changed: save it on the next flush, or with the urgent ones."""
        self.dirty.add(key)
        if urgent:
            self.urgent[key] = None

    def rebuilt(self, key: SessionKey) -> Restored:
        """A crashed session from its checkpoint and the journal's recent entries (answers it owes
        wait for a saved snapshot before they are written, as after any restart)."""
        checkpoint = self.checkpoints[key]
        recent = self.journal.recent(key)
        found = restore(
            checkpoint.state, recent, by_identity(checkpoint.questions), self.matcher, saved=False
        )
        self.dirty.add(key)
        return found

    def forget(self, key: SessionKey) -> None:
        """A session is gone from this process: close its journal and drop what is kept of it."""
        self.journal.close(key)
        self.checkpoints.pop(key, None)
        self.dirty.discard(key)
        self.urgent.pop(key, None)
        self.saved_at.pop(key, None)

    # --- saving --------------------------------------------------------------------------------

    async def save_urgent(self) -> list[SessionKey]:
        """Save the sessions reported urgent, in one statement; returns those claimed elsewhere."""
        keys, self.urgent = list(self.urgent), {}
        return (await self.flush(only=keys))[1] if keys else []

    async def flush(
        self, *, everything: bool = False, only: list[SessionKey] | None = None
    ) -> tuple[int, list[SessionKey]]:
        """Take snapshots of dirty sessions at their message boundaries and save them in one statement.

        Returns how many were saved, and the sessions another process claimed meanwhile.
        """
        directory = self.directory
        keys = only if only is not None else list(directory)
        chosen = [
            (key, listing)
            for key in keys
            if (listing := directory.get(key)) is not None
            and listing.ref.running
            and (everything or key in self.dirty)
        ]
        if not chosen:
            return 0, []
        self.dirty.difference_update(key for key, _ in chosen)
        taken = await asyncio.gather(
            *(listing.ref.request(TakeSnapshot(), timeout=SNAPSHOT_ASK_TIMEOUT) for _, listing in chosen),
            return_exceptions=True,
        )
        rows = []
        for (key, listing), state in zip(chosen, taken, strict=True):
            if isinstance(state, BaseException):
                self.dirty.add(key)
                continue
            if (checkpoint := self.checkpoints.get(key)) is not None:
                checkpoint.state = state
            row = self._row(key, listing.epoch, state)
            self.journal.taken(key, row.seq)
            rows.append(row)
        try:
            result = await self.snapshots.save(rows)
        except StorageError as error:
            logger.bind(owner=self.owner).error("snapshots not saved ({} sessions): {}", len(rows), error)
            self.dirty.update(key for key, _ in chosen)
            return 0, []
        now = self.clock.time()
        for row in rows:
            if row.key in result.saved:
                self.journal.saved(row.key, row.seq)
        for key in result.saved:
            if (listing := directory.get(key)) is not None:
                self.saved_at[key] = now
                with contextlib.suppress(QuizbotError):  # stopping: its release records what is left
                    listing.ref.tell(SnapshotSaved())
        return len(result.saved), list(result.refused)

    def _row(self, key: SessionKey, epoch: int, state: dict[str, Any]) -> Snapshot:
        kept_from = max(self.clock.time(), open_until(state))  # a question of the day: its 24 hours
        expires = datetime.fromtimestamp(kept_from + self.settings.snapshot_ttl, UTC)
        run_id, seq = position(state)
        return Snapshot(key[0], key[1], self.owner, epoch, state, expires_at=expires, run_id=run_id, seq=seq)

    async def _keep(self, questions: tuple[Question, ...]) -> None:
        """Store the questions a snapshot names, once each per process."""
        new = [q for q in questions if q.identity not in self._kept]
        if not new:
            return
        await self.questions.keep(new)
        if len(self._kept) > KEPT_QUESTIONS:
            self._kept.clear()
        self._kept.update(dict.fromkeys(q.identity for q in new))

    # --- restarts ------------------------------------------------------------------------------

    async def recover(self, skip: Directory) -> tuple[list[Recovered], list[SetAside]]:
        """Claim this process's live snapshots (not those running here) and rebuild each one."""
        now = datetime.fromtimestamp(self.clock.time(), UTC)
        respawn = Respawn(self.snapshots, self.journal_store, self.questions, self.matcher)
        settings = self.settings
        recovered, aside = await respawn.recover(
            self.owner, now, settings.shard_ids, settings.shard_count, skip=skip
        )
        self.quarantined += len(aside)
        for set_aside in aside:
            await self.show(set_aside.key, Notice("session_set_aside"))
        self._kept.update(
            dict.fromkeys(q.identity for found in recovered for q in found.restored.session.questions)
        )
        return recovered, aside

    # --- ended games ---------------------------------------------------------------------------

    async def finish(self, key: SessionKey, epoch: int, state: dict[str, Any]) -> None:
        """Record an ended game's last answers and its run, announce achievements, drop the snapshot.

        The snapshot is saved first when anything is left, so it is durable before it is written
        (every write is idempotent, so doing it again after a crash is harmless). On a database
        outage the snapshot stays, and the next flush or start finishes the job; a record the
        database refuses for what it holds is set aside in quarantine, never retried forever.
        """
        log = logger.bind(guild=key[0], channel=key[1])
        try:
            pending = [answers_from_dict(p) for p in state.get("pending", [])]
            run = run_from_dict(state["run"]) if state.get("run") else None
            row = self._row(key, epoch, state)
        except (KeyError, TypeError, ValueError, QuizbotError) as error:
            await self._set_aside(key, epoch, f"the ended game's snapshot is malformed: {error!r}")
            return
        try:
            if pending or run is not None:
                await self.snapshots.save([row])
                self.journal.saved(key, row.seq)
            for batch in pending:
                await self.store.record_answers(key, batch)
            unlocked = await self.store.record_run(key, run) if run is not None else []
            await self.snapshots.delete(key, self.owner, epoch)
        except DataRejected as error:
            self.unrecorded.pop((key, epoch), None)
            await self._set_aside(key, epoch, f"the ended game cannot be recorded: {error}")
            return
        except StorageError as error:
            log.error("ended game not recorded yet (tried again on every flush): {}", error)
            self.unrecorded[(key, epoch)] = state
            return
        self.unrecorded.pop((key, epoch), None)
        if run is not None:  # one message for everyone's achievements (none: the end is complete)
            await self.show(key, AchievementSummary(tuple(unlocked)))

    async def record_ended(self) -> None:
        """Try again to record the games that ended while the database was away."""
        for (key, epoch), state in list(self.unrecorded.items()):
            await self.finish(key, epoch, state)

    async def _set_aside(self, key: SessionKey, epoch: int, reason: str) -> None:
        """Move a session's snapshot to quarantine, count it, and tell its channel if it can be reached."""
        log = logger.bind(guild=key[0], channel=key[1])
        try:
            moved = await self.snapshots.quarantine(key, epoch, reason)
        except StorageError as error:  # an outage: the row stays, and the next start tries again
            log.error("snapshot not set aside yet ({}): {}", error, reason)
            return
        log.error("snapshot set aside in quarantine: {}", reason)
        if moved:
            self.quarantined += 1
            await self.show(key, Notice("session_set_aside"))

    async def show(self, key: SessionKey, event: ChannelEvent) -> None:
        """Show `event` in a session's channel; the channel failing never stops the supervisor."""
        try:
            await self.port.show(key, event)
        except Exception as error:
            logger.bind(guild=key[0], channel=key[1]).opt(exception=error).warning(
                "{} not shown", type(event).__name__
            )

    async def aclose(self) -> None:
        await self.journal.aclose()
