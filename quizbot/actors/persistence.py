"""The supervisor's persistence duties: snapshots saved in one statement, fencing, ended games recorded.

A mixin of Supervisor, split out to keep each module readable; it runs only inside the supervisor
actor, one message at a time, like the rest of it.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from quizbot.actors.journal import SessionJournal
from quizbot.actors.messages import SessionKey, SnapshotSaved, TakeSnapshot
from quizbot.actors.pending import answers_from_dict, run_from_dict
from quizbot.actors.policy import SupervisorSettings
from quizbot.actors.ports import (
    AchievementSummary,
    ChannelEvent,
    ChannelPort,
    Notice,
    SessionStore,
    Snapshot,
    SnapshotStore,
)
from quizbot.actors.registry import Registry
from quizbot.actors.state import state_position
from quizbot.actors.timers import Timers
from quizbot.clock import Clock
from quizbot.errors import DataRejected, QuizbotError, StorageError

if TYPE_CHECKING:
    from loguru import Logger

SNAPSHOT_ASK_TIMEOUT = 2.0


class Persistence:
    """Saving sessions' snapshots and recording ended games, for the Supervisor."""

    registry: Registry
    snapshots: SnapshotStore
    store: SessionStore
    port: ChannelPort
    clock: Clock
    settings: SupervisorSettings
    timers: Timers
    journal: SessionJournal
    owner: str
    quarantined: int
    _log: Logger
    _unrecorded: dict[tuple[SessionKey, int], dict[str, Any]]  # ended while the database was away

    def _snapshot_row(self, key: SessionKey, epoch: int, state: dict[str, Any]) -> Snapshot:
        expires = datetime.fromtimestamp(self.clock.time() + self.settings.snapshot_ttl, UTC)
        run_id, seq = state_position(state)
        return Snapshot(key[0], key[1], self.owner, epoch, state, expires_at=expires, run_id=run_id, seq=seq)

    async def _flush(self, *, everything: bool = False, only: list[SessionKey] | None = None) -> int:
        """Take snapshots of dirty sessions at their message boundaries and save them in one statement."""
        keys = only if only is not None else list(self.registry)
        chosen = [
            (key, entry)
            for key in keys
            if (entry := self.registry.get(key)) is not None
            and entry.ref.running
            and (everything or entry.dirty)
        ]
        if not chosen:
            return 0
        for _, entry in chosen:
            entry.dirty = False
        taken = await asyncio.gather(
            *(entry.ref.request(TakeSnapshot(), timeout=SNAPSHOT_ASK_TIMEOUT) for _, entry in chosen),
            return_exceptions=True,
        )
        rows = []
        for (key, entry), state in zip(chosen, taken, strict=True):
            if isinstance(state, BaseException):
                entry.dirty = True
                continue
            entry.last_state = state
            row = self._snapshot_row(key, entry.epoch, state)
            self.journal.taken(key, row.seq)
            rows.append(row)
        try:
            result = await self.snapshots.save(rows)
        except StorageError as error:
            self._log.error("snapshots not saved ({} sessions): {}", len(rows), error)
            for _, entry in chosen:
                entry.dirty = True
            return 0
        now = self.clock.time()
        for row in rows:
            if row.key in result.saved:
                self.journal.saved(row.key, row.seq)
        for key in result.saved:
            if (entry := self.registry.get(key)) is not None:
                entry.saved_at = now
                with contextlib.suppress(QuizbotError):  # stopping: its release records what is left
                    entry.ref.tell(SnapshotSaved())
        for key in result.refused:
            await self._fenced_out(key)
        return len(result.saved)

    async def _fenced_out(self, key: SessionKey) -> None:
        """Another process claimed this session with a newer epoch: let it go here, quietly."""
        entry = self.registry.remove(key)
        if entry is None:
            return
        self._log.bind(guild=key[0], channel=key[1]).warning("session claimed by another process")
        self.timers.cancel(key)
        self.journal.close(key)
        entry.ref.stop()
        await entry.ref.wait_stopped()

    async def _finish_recording(self, key: SessionKey, epoch: int, state: dict[str, Any]) -> None:
        """Record an ended game's last answers and its run, announce achievements, drop the snapshot.

        The snapshot is saved first when anything is left, so it is durable before it is written
        (every write is idempotent, so doing it again after a crash is harmless). On a database
        outage the snapshot stays, and the next flush or start finishes the job; a record the
        database refuses for what it holds is set aside in quarantine, never retried forever.
        """
        log = self._log.bind(guild=key[0], channel=key[1])
        try:
            pending = [answers_from_dict(p) for p in state.get("pending", [])]
            run = run_from_dict(state["run"]) if state.get("run") else None
            row = self._snapshot_row(key, epoch, state)
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
            self._unrecorded.pop((key, epoch), None)
            await self._set_aside(key, epoch, f"the ended game cannot be recorded: {error}")
            return
        except StorageError as error:
            log.error("ended game not recorded yet (tried again on every flush): {}", error)
            self._unrecorded[(key, epoch)] = state
            return
        self._unrecorded.pop((key, epoch), None)
        if run is not None:  # one message for everyone's achievements (none: the end is complete)
            await self._show(key, AchievementSummary(tuple(unlocked)))

    async def _set_aside(self, key: SessionKey, epoch: int, reason: str) -> None:
        """Move a session's snapshot to quarantine, count it, and tell its channel if it can be reached."""
        log = self._log.bind(guild=key[0], channel=key[1])
        try:
            moved = await self.snapshots.quarantine(key, epoch, reason)
        except StorageError as error:  # an outage: the row stays, and the next start tries again
            log.error("snapshot not set aside yet ({}): {}", error, reason)
            return
        log.error("snapshot set aside in quarantine: {}", reason)
        if moved:
            self.quarantined += 1
            await self._show(key, Notice("session_set_aside"))

    async def _record_ended(self) -> None:
        """Try again to record the games that ended while the database was away."""
        for (key, epoch), state in list(self._unrecorded.items()):
            await self._finish_recording(key, epoch, state)

    async def _show(self, key: SessionKey, event: ChannelEvent) -> None:
        try:
            await self.port.show(key, event)
        except Exception as error:  # the channel failing never stops the supervisor
            self._log.bind(guild=key[0], channel=key[1]).opt(exception=error).warning(
                "{} not shown", type(event).__name__
            )
