"""The supervisor actor: spawns sessions, times them out, snapshots them, restarts them, respawns them.

It is the only writer of the registry and the timers. Sessions tell it about changes, ends and
crashes; it never touches a session's state, only asks for snapshots at message boundaries.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from loguru import logger

from quizbot.actors.base import Actor, ActorRef, Envelope, spawn, wait_all_stopped
from quizbot.actors.collector import collector_paused
from quizbot.actors.journal import SessionJournal
from quizbot.actors.messages import (
    AbandonQuiz,
    ChannelLost,
    ExpireQuiz,
    FlushSnapshots,
    GetStatus,
    PauseQuiz,
    PromptRecovery,
    RespawnSessions,
    SessionChanged,
    SessionCrashed,
    SessionKey,
    SessionOver,
    Shutdown,
    StartQuiz,
    StartSession,
    SweepIdle,
    TakeSnapshot,
)
from quizbot.actors.persistence import SNAPSHOT_ASK_TIMEOUT, Persistence
from quizbot.actors.policy import Action, ExitKind, SupervisorSettings, default_owner
from quizbot.actors.ports import (
    ChannelPort,
    JournalStore,
    Notice,
    PoolHealth,
    SessionStore,
    Snapshot,
    SnapshotStore,
)
from quizbot.actors.registry import Registry, SessionEntry
from quizbot.actors.respawn import Respawn
from quizbot.actors.session import SessionActor
from quizbot.actors.state import Restored, restore
from quizbot.actors.status import SupervisorStatus, build_status
from quizbot.actors.timers import Timers
from quizbot.clock import Clock, sleep
from quizbot.errors import (
    PoisonMessage,
    QuizbotError,
    SessionExists,
    ShuttingDown,
    StorageError,
    SupervisorFailure,
    UnknownMessage,
)
from quizbot.game.questions import Matcher
from quizbot.game.session import AnswerMode, QuizSession
from quizbot.questions.matching import fuzzy_matcher

RELEASE_GRACE = 5.0  # how long a finished session may take to record its last answers


@dataclass(frozen=True, slots=True)
class _SaveUrgent:
    """The supervisor's note to itself: save the urgent snapshots reported so far, in one statement."""


class Supervisor(Persistence, Actor):
    """Owns every session actor's life: start, snapshots, expiry, restart, respawn, shutdown."""

    def __init__(
        self,
        *,
        port: ChannelPort,
        store: SessionStore,
        snapshots: SnapshotStore,
        clock: Clock,
        settings: SupervisorSettings | None = None,
        owner: str | None = None,
        pool_health: Callable[[], PoolHealth] | None = None,
        matcher: Matcher = fuzzy_matcher,
        tick: bool = True,
        registry: Registry | None = None,
        journal: JournalStore | None = None,
    ) -> None:
        self.port, self.store, self.snapshots, self.clock = port, store, snapshots, clock
        self.journal_store = journal
        self.journal = SessionJournal(journal, clock)
        self.settings = settings or SupervisorSettings()
        self.owner = owner or default_owner()
        self.pool_health = pool_health
        self.matcher = matcher
        self.registry = registry if registry is not None else Registry()
        self.timers = Timers(clock)
        self.accepting = True
        self._tick = tick
        self._ticker: asyncio.Task[None] | None = None
        self._unrecorded: dict[tuple[SessionKey, int], dict[str, Any]] = {}  # ended; database was down
        self._urgent: dict[SessionKey, None] = {}  # reported urgent, not saved yet (in report order)
        self._urgent_noted = False  # a _SaveUrgent waits in the mailbox
        self.quarantined = 0  # snapshots this process set aside
        self._log = logger.bind(owner=self.owner)

    # --- life ----------------------------------------------------------------------------------

    async def on_start(self) -> None:
        if self._tick:
            self._ticker = asyncio.create_task(self._run_ticker(), name="supervisor:ticker")
            self._ticker.add_done_callback(self._ticker_done)

    async def on_stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            await asyncio.gather(self._ticker, return_exceptions=True)
        await self.journal.aclose()

    async def _run_ticker(self) -> None:
        """Tell this supervisor to flush snapshots every interval and to sweep idle sessions."""
        ticks = 0
        while True:
            await sleep(self.clock, self.settings.snapshot_interval)
            ticks += 1
            try:
                self.ref.tell(FlushSnapshots())
                if ticks % self.settings.sweep_every == 0:
                    self.ref.tell(SweepIdle())
            except QuizbotError as error:  # stopped or swamped: the next tick tries again
                self._log.warning("tick skipped: {}", error)

    def _ticker_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self._log.opt(exception=task.exception()).critical("the snapshot ticker died; snapshots stop")

    def journaled(self, message: object) -> bool:
        return False  # the supervisor is rebuilt from snapshots, never from a journal

    async def receive(self, message: object) -> object:
        """Handle one message; a failure of ours is logged and refused, never fatal to the supervisor."""
        try:
            return await self._dispatch(message)
        except QuizbotError:
            raise
        except Exception as error:
            self._log.opt(exception=error).error("supervisor failed on {}", type(message).__name__)
            raise SupervisorFailure(f"the supervisor could not handle {type(message).__name__}") from error

    async def _dispatch(self, message: object) -> object:  # noqa: PLR0911 - one dispatch
        match message:
            case SessionChanged(key, phase, urgent):
                await self._changed(key, phase, urgent)
            case StartSession():
                return await self._start(message)
            case FlushSnapshots(everything):
                await self._record_ended()
                return await self._flush(everything=everything)
            case _SaveUrgent():
                self._urgent_noted = False
                await self._save_urgent()
            case SessionOver(key):
                await self._release(key)
            case SessionCrashed(key, envelope, error):
                await self._crashed(key, envelope, error)
            case ChannelLost(key):
                self._channel_lost(key)
            case SweepIdle():
                return await self._sweep()
            case GetStatus():
                return self.status()
            case RespawnSessions():
                return await self._respawn()
            case Shutdown():
                return await self._shutdown()
            case _:
                raise UnknownMessage(f"the supervisor does not handle {type(message).__name__}")
        return None

    # --- sessions ------------------------------------------------------------------------------

    async def _start(self, request: StartSession) -> ActorRef[Any]:
        """Make the session, save its first snapshot (so its journal has a base), then start it."""
        key = (request.guild_id, request.channel_id)
        if not self.accepting:
            raise ShuttingDown("quizbot is restarting; try again in a moment")
        if key in self.registry:
            raise SessionExists("a quiz is already running in this channel")
        now = self.clock.time()
        session = QuizSession(
            guild_id=request.guild_id,
            channel_id=request.channel_id,
            run_id=uuid.uuid4(),
            host_id=request.host_id,
            config=request.config,
            questions=tuple(request.questions),
            created_at=now,
            matcher=self.matcher,
        )
        epoch = await self.snapshots.new_epoch()
        first = Restored(session, [], frozenset(), None, 0, 0)
        saved = await self.snapshots.save([self._snapshot_row(key, epoch, first.state())])
        if key not in saved.saved:  # another process holds the channel with a newer epoch
            raise SessionExists("a quiz is already running in this channel")
        idle = request.idle_timeout or self.settings.idle_timeout
        entry = self._spawn(first, epoch, idle)
        entry.dirty, entry.saved_at = False, self.clock.time()
        if request.begin:
            entry.ref.tell(StartQuiz())
        return entry.ref

    def _spawn(self, restored: Restored, epoch: int, idle_timeout: float) -> SessionEntry:
        """Run a session in an actor of its own, open its journal and register it."""
        session = restored.session
        key = session.key
        ref = spawn(
            self._actor_for(restored),
            name=f"session:{key[0]}:{key[1]}",
            capacity=self.settings.mailbox_capacity,
            on_crash=partial(self._on_crash, key),
        )
        self.journal.open(key, session.run_id, epoch, restored.seq)
        entry = SessionEntry(
            ref,
            epoch,
            restored.state(),
            idle_timeout,
            last_activity=self.clock.time(),
            phase=session.phase,
            typed=session.config.mode is AnswerMode.TYPED,
        )
        self.registry.add(key, entry)
        return entry

    def _actor_for(self, restored: Restored) -> SessionActor:
        return SessionActor(
            restored.session,
            port=self.port,
            store=self.store,
            timers=self.timers,
            clock=self.clock,
            notify=self._notify,
            journal=self.journal,
            pending=restored.pending,
            durable=restored.durable,
            seq=restored.seq,
            finished_run=restored.run,
        )

    def _notify(self, message: object) -> None:
        try:
            self.ref.tell(message)
        except QuizbotError as error:
            self._log.error("a session's report was lost: {} ({})", type(message).__name__, error)

    def _on_crash(
        self, key: SessionKey, _ref: ActorRef[Any], envelope: Envelope, error: BaseException
    ) -> None:
        self.ref.mailbox.put(Envelope(SessionCrashed(key, envelope, error)), force=True)

    async def _changed(self, key: SessionKey, phase: str, urgent: bool) -> None:
        entry = self.registry.get(key)
        if entry is None:
            return
        entry.dirty, entry.phase, entry.last_activity = True, phase, self.clock.time()
        if not urgent:
            return
        self._urgent[key] = None
        if len(self.ref.mailbox) == 0:  # nothing else waits: save it now
            await self._save_urgent()
        elif not self._urgent_noted:  # save after what is queued (often more such reports), all at once
            self._urgent_noted = True
            self.ref.mailbox.put(Envelope(_SaveUrgent()), force=True)

    async def _save_urgent(self) -> None:
        keys, self._urgent = list(self._urgent), {}
        if keys:
            await self._flush(only=keys)

    async def _release(self, key: SessionKey, *, notice: str | None = None) -> None:
        """Stop a session and free everything it holds: timer, registry entry, actor, snapshot."""
        entry = self.registry.remove(key)
        if entry is None:
            return
        self.timers.cancel(key)
        final = entry.last_state
        if entry.ref.running:
            try:
                final = await entry.ref.ask(
                    TakeSnapshot(final=True, grace=RELEASE_GRACE),
                    timeout=RELEASE_GRACE + SNAPSHOT_ASK_TIMEOUT,
                )
            except QuizbotError as error:
                self._log.bind(guild=key[0], channel=key[1]).warning("no final snapshot: {}", error)
        entry.ref.stop()
        await entry.ref.wait_stopped()
        if notice is not None:
            await self._show(key, Notice(notice))
        await self._finish_recording(key, entry.epoch, final)
        self.journal.close(key)

    async def _crashed(self, key: SessionKey, envelope: Envelope, error: BaseException) -> None:
        entry = self.registry.get(key)
        if entry is None:
            envelope.fail(error)
            return
        log = self._log.bind(guild=key[0], channel=key[1])
        action = entry.history.decide(self.settings.policy, ExitKind.CRASH, self.clock.time())
        if action is not Action.RESTART:
            envelope.fail(error)
            log.error("session crashed too often; stopping it")
            await self._release(key, notice="session_crashed")
            return
        poisoned = envelope.attempts >= self.settings.policy.poison_after
        await entry.ref.wait_stopped()
        entry.restarts += 1
        # From the last snapshot taken and what the journal holds since: its answers wait for a
        # saved snapshot before they are written, as after any restart.
        restored = restore(entry.last_state, self.journal.recent(key), self.matcher, saved=False)
        entry.ref.start(self._actor_for(restored), redeliver=None if poisoned else envelope)
        entry.dirty = True
        if poisoned:  # told only once the session runs again, so the caller finds it alive
            log.error("dropped {} after it crashed the session twice", type(envelope.message).__name__)
            envelope.fail(PoisonMessage("that action failed twice and was dropped"))
        log.warning("session restarted from its last snapshot (restart {})", entry.restarts)

    def _channel_lost(self, key: SessionKey) -> None:
        """Discord refuses the channel for good: end its quiz (recorded as it stands)."""
        entry = self.registry.get(key)
        if entry is None:
            return
        self._log.bind(guild=key[0], channel=key[1]).warning("the bot can no longer post here; quiz ended")
        try:
            entry.ref.tell(AbandonQuiz())
        except QuizbotError as error:  # stopping or swamped: its end is on its way already
            self._log.bind(guild=key[0], channel=key[1]).info("channel lost, quiz not told: {}", error)

    async def _sweep(self) -> int:
        """Expire sessions idle past their timeout, and snapshots past their expiry."""
        now = self.clock.time()
        expired = 0
        for key, entry in self.registry.entries():
            if now - entry.last_activity >= entry.idle_timeout and entry.ref.running:
                try:
                    entry.ref.tell(ExpireQuiz())
                    expired += 1
                except QuizbotError:
                    await self._release(key)
        try:
            await self.snapshots.expire(datetime.fromtimestamp(now, UTC))
        except StorageError as error:
            self._log.warning("expired snapshots not removed yet: {}", error)
        return expired

    # --- respawn, status, shutdown -------------------------------------------------------------

    async def _respawn(self) -> int:
        """Bring this process's live sessions back, paused, each claimed with a newer epoch."""
        with collector_paused(collect_after=True):  # the sessions stay: pay the collector's due once
            return await self._respawn_paused()

    async def _respawn_paused(self) -> int:
        now = datetime.fromtimestamp(self.clock.time(), UTC)
        settings = self.settings
        respawn = Respawn(self.snapshots, self.journal_store, self.matcher)
        recovered, aside = await respawn.recover(
            self.owner, now, settings.shard_ids, settings.shard_count, skip=self.registry
        )
        for set_aside in aside:
            self.quarantined += 1
            await self._show(set_aside.key, Notice("session_set_aside"))
        count = 0
        for found in recovered:
            snapshot, restored = found.snapshot, found.restored
            if restored.session.phase.over:  # the game ended; only its recording was left
                await self._finish_recording(snapshot.key, snapshot.epoch, restored.state())
                continue
            entry = self._spawn(restored, snapshot.epoch, settings.idle_timeout)
            if not restored.replayed and self._outlives_idle(snapshot):  # else the flush saves it
                entry.dirty, entry.saved_at = False, self.clock.time()
            entry.ref.tell(PauseQuiz())  # journaled, so a later replay pauses it here too
            entry.ref.tell(PromptRecovery())
            count += 1
        await self._flush()
        self._log.info("respawned {} sessions, set {} aside", count, len(aside))
        return count

    def _outlives_idle(self, snapshot: Snapshot) -> bool:
        """Whether a respawned session's claimed row may stand as its snapshot until the session changes.

        It differs from the live session only in `paused`, which every respawn sets again. A session
        that does not change is expired by the idle sweep, so the row need not be saved again if it
        expires after that; otherwise it is saved, as every respawned row once was.
        """
        settings = self.settings
        sweep = settings.snapshot_interval * settings.sweep_every
        idle_end = self.clock.time() + settings.idle_timeout + 2 * sweep
        return snapshot.expires_at.timestamp() > idle_end

    def status(self) -> SupervisorStatus:
        """Live sessions by state, mailbox depths, restarts, snapshot ages, pool health, shards."""
        return build_status(
            owner=self.owner,
            accepting=self.accepting,
            shard_ids=self.settings.shard_ids,
            shard_count=self.settings.shard_count,
            entries=self.registry.entries(),
            timers=len(self.timers),
            pool=self.pool_health() if self.pool_health is not None else None,
            now=self.clock.time(),
            quarantined=self.quarantined,
            journal_queued=len(self.journal),
        )

    async def _shutdown(self) -> int:
        """Stop taking quizzes, snapshot every session, stop them all; return how many were saved."""
        self.accepting = False
        with collector_paused(collect_after=False):  # what is left is garbage, freed whenever it runs
            saved = await self._flush(everything=True)
            stopping = self.registry.entries()
            for key, entry in stopping:
                self.registry.remove(key)  # the entries are gone before any actor stops
                entry.ref.stop()
            self.timers.cancel_all()
            await wait_all_stopped(entry.ref for _, entry in stopping)
        return saved
