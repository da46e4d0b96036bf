"""The supervisor: starts, restarts and stops session actors under its policy, as an OTP supervisor does.

It is the only writer of the directory. Sessions tell it about changes, ends and crashes. What a
session is made of comes from an injected factory; snapshots, the journal, replay and recording
ended games belong to the composed checkpointer. It never touches a session's state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from types import MappingProxyType
from typing import Any

from loguru import logger

from quizbot.actors.base import Actor, ActorRef, Envelope, spawn, wait_all_stopped
from quizbot.actors.checkpointer import Checkpointer
from quizbot.actors.collector import collector_paused
from quizbot.actors.directory import Directory, Listing
from quizbot.actors.factory import SessionFactory
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
)
from quizbot.actors.policy import Action, ExitKind, RestartHistory, SupervisorSettings
from quizbot.actors.ports import Notice, PoolHealth
from quizbot.actors.replay import Restored, fresh
from quizbot.actors.status import SupervisorStatus, build_status
from quizbot.actors.ticker import Ticker
from quizbot.errors import (
    PoisonMessage,
    QuizbotError,
    SessionExists,
    ShuttingDown,
    StorageError,
    SupervisorFailure,
    UnknownMessage,
)
from quizbot.game.config import DAILY_WINDOWS
from quizbot.game.session import AnswerMode


@dataclass(slots=True)
class Child:
    """What the supervisor keeps about one running session: its actor, epoch, idleness and restarts."""

    ref: ActorRef[Any]
    epoch: int
    idle_timeout: float
    last_activity: float
    phase: str = "created"
    history: RestartHistory | None = None  # made at the first crash: most sessions never have one
    restarts: int = 0


@dataclass(frozen=True, slots=True)
class _SaveUrgent:
    """The supervisor's note to itself: save the urgent snapshots reported so far, in one statement."""


class Supervisor(Actor):
    """Owns every session actor's life: start, restart, stop, expiry, respawn, shutdown."""

    def __init__(
        self,
        *,
        factory: SessionFactory,
        checkpointer: Checkpointer,
        settings: SupervisorSettings,
        pool_health: Callable[[], PoolHealth] | None = None,
        tick: bool = True,
    ) -> None:
        self.factory, self.checkpointer, self.settings = factory, checkpointer, settings
        self.clock, self.owner, self.pool_health = factory.clock, checkpointer.owner, pool_health
        self._children: dict[SessionKey, Child] = {}
        self._listings: dict[SessionKey, Listing] = {}
        self.directory = checkpointer.directory = Directory(MappingProxyType(self._listings))
        self.ticker = Ticker(self.clock, settings.snapshot_interval, settings.sweep_every) if tick else None
        self.accepting = True
        self._urgent_noted = False  # a _SaveUrgent waits in the mailbox
        self._log = logger.bind(owner=self.owner)

    async def on_start(self) -> None:
        if self.ticker is not None:
            self.ticker.start(self.ref)

    async def on_stop(self) -> None:
        if self.ticker is not None:
            await self.ticker.stop()
        await self.checkpointer.aclose()

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
                await self.checkpointer.record_ended()
                return await self._flush(everything=everything)
            case _SaveUrgent():
                self._urgent_noted = False
                await self._let_go(await self.checkpointer.save_urgent())
            case SessionOver(key):
                await self._release(key)
            case SessionCrashed(key, envelope, error):
                await self._crashed(key, envelope, error)
            case ChannelLost(key):
                self._tell(key, AbandonQuiz(), "the bot can no longer post here; quiz ended")
            case SweepIdle():
                return await self._sweep()
            case GetStatus():
                return self.status()
            case RespawnSessions():
                with collector_paused(freeze_after=True):  # the sessions stay: out of the collector's sight
                    return await self._respawn()
            case Shutdown():
                return await self._shutdown()
            case _:
                raise UnknownMessage(f"the supervisor does not handle {type(message).__name__}")
        return None

    # --- children ------------------------------------------------------------------------------

    async def _start(self, request: StartSession) -> ActorRef[Any]:
        """Make the session, save its first snapshot (so its journal has a base), then start it."""
        key = (request.guild_id, request.channel_id)
        if not self.accepting:
            raise ShuttingDown("quizbot is restarting; try again in a moment")
        if key in self._children:
            raise SessionExists("a quiz is already running in this channel")
        first = fresh(self.factory.new(request))
        epoch = await self.checkpointer.snapshots.new_epoch()
        state = await self.checkpointer.first(epoch, first)
        if state is None:  # another process holds the channel, with a newer epoch
            raise SessionExists("a quiz is already running in this channel")
        idle = request.idle_timeout or self.settings.idle_timeout
        ref = self._spawn(first, epoch, idle, saved=True, state=state)
        if request.begin:
            ref.tell(StartQuiz())
        return ref

    def _spawn(
        self,
        restored: Restored,
        epoch: int,
        idle_timeout: float,
        *,
        saved: bool,
        state: dict[str, Any] | None = None,
    ) -> ActorRef[Any]:
        """Run a session in an actor of its own, list it, and have the checkpointer follow it."""
        session = restored.session
        key = session.key
        ref = spawn(
            self.factory.actor(restored, journal=self.checkpointer.journal, notify=self._notify, key=key),
            name=f"session:{key[0]}:{key[1]}",
            capacity=self.settings.mailbox_capacity,
            on_crash=partial(self._on_crash, key),
        )
        self.checkpointer.track(key, epoch, restored, saved=saved, state=state)
        now = self.clock.time()
        self._children[key] = Child(ref, epoch, idle_timeout, now, phase=session.phase.value)
        self._listings[key] = Listing(ref, epoch, session.config.mode is AnswerMode.TYPED)
        return ref

    def _drop(self, key: SessionKey) -> Child | None:
        """Unlist a session and forget its child record (its actor is stopped by the caller)."""
        self._listings.pop(key, None)
        self.factory.timers.cancel(key)
        return self._children.pop(key, None)

    def _notify(self, message: object) -> None:
        try:
            self.ref.tell(message)
        except QuizbotError as error:
            self._log.error("a session's report was lost: {} ({})", type(message).__name__, error)

    def _on_crash(
        self, key: SessionKey, _ref: ActorRef[Any], envelope: Envelope, error: BaseException
    ) -> None:
        self.ref.mailbox.put(Envelope(SessionCrashed(key, envelope, error)), force=True)

    def _tell(self, key: SessionKey, message: object, why: str) -> None:
        """Tell a session something on the supervisor's behalf, logging why."""
        if (child := self._children.get(key)) is None:
            return
        log = self._log.bind(guild=key[0], channel=key[1])
        log.warning(why)
        try:
            child.ref.tell(message)
        except QuizbotError as error:  # stopping or swamped: its end is on its way already
            log.info("{} not told: {}", type(message).__name__, error)

    async def _changed(self, key: SessionKey, phase: str, urgent: bool) -> None:
        if (child := self._children.get(key)) is None:
            return
        child.phase, child.last_activity = phase, self.clock.time()
        self.checkpointer.changed(key, urgent=urgent)
        if not urgent:
            return
        if len(self.ref.mailbox) == 0:  # nothing else waits: save it now
            await self._let_go(await self.checkpointer.save_urgent())
        elif not self._urgent_noted:  # save after what is queued (often more such reports), all at once
            self._urgent_noted = True
            self.ref.mailbox.put(Envelope(_SaveUrgent()), force=True)

    async def _flush(self, *, everything: bool = False) -> int:
        saved, claimed = await self.checkpointer.flush(everything=everything)
        await self._let_go(claimed)
        return saved

    async def _let_go(self, claimed: list[SessionKey]) -> None:
        """Another process claimed these sessions with a newer epoch: stop them here, quietly."""
        for key in claimed:
            if (child := self._drop(key)) is None:
                continue
            self._log.bind(guild=key[0], channel=key[1]).warning("session claimed by another process")
            self.checkpointer.forget(key)
            child.ref.stop()
            await child.ref.wait_stopped()

    async def _release(self, key: SessionKey, *, notice: str | None = None) -> None:
        """Stop a session, take its final snapshot, and have its ended game recorded."""
        if (child := self._drop(key)) is None:
            return
        final = await self.checkpointer.final(key, child.ref)
        child.ref.stop()
        await child.ref.wait_stopped()
        if notice is not None:
            await self.checkpointer.show(key, Notice(notice))
        await self.checkpointer.finish(key, child.epoch, final)
        self.checkpointer.forget(key)

    async def _crashed(self, key: SessionKey, envelope: Envelope, error: BaseException) -> None:
        if (child := self._children.get(key)) is None:
            envelope.fail(error)
            return
        log = self._log.bind(guild=key[0], channel=key[1])
        child.history = history = child.history or RestartHistory()
        if history.decide(self.settings.policy, ExitKind.CRASH, self.clock.time()) is not Action.RESTART:
            envelope.fail(error)
            log.error("session crashed too often; stopping it")
            await self._release(key, notice="session_crashed")
            return
        poisoned = envelope.attempts >= self.settings.policy.poison_after
        await child.ref.wait_stopped()
        child.restarts += 1
        restored = self.checkpointer.rebuilt(key)
        actor = self.factory.actor(restored, journal=self.checkpointer.journal, notify=self._notify, key=key)
        child.ref.start(actor, redeliver=None if poisoned else envelope)
        if poisoned:  # told only once the session runs again, so the caller finds it alive
            log.error("dropped {} after it crashed the session twice", type(envelope.message).__name__)
            envelope.fail(PoisonMessage("that action failed twice and was dropped"))
        log.warning("session restarted from its last snapshot (restart {})", child.restarts)

    async def _sweep(self) -> int:
        """Expire sessions idle past their timeout, and snapshots past their expiry."""
        now = self.clock.time()
        expired = 0
        for key, child in list(self._children.items()):
            if now - child.last_activity >= child.idle_timeout and child.ref.running:
                try:
                    child.ref.tell(ExpireQuiz())
                    expired += 1
                except QuizbotError:
                    await self._release(key)
        try:
            await self.checkpointer.snapshots.expire(datetime.fromtimestamp(now, UTC))
        except StorageError as error:
            self._log.warning("expired snapshots not removed yet: {}", error)
        return expired

    # --- respawn, status, shutdown -------------------------------------------------------------

    async def _respawn(self) -> int:
        """Bring this process's live sessions back, paused, each claimed with a newer epoch."""
        recovered, aside = await self.checkpointer.recover(skip=self.directory)
        count = 0
        for found in recovered:
            snapshot, restored = found.snapshot, found.restored
            if restored.session.phase.over:  # the game ended; only its recording was left
                await self.checkpointer.finish(snapshot.key, snapshot.epoch, restored.encoded())
                continue
            daily = restored.session.config.is_daily  # not held: its close is set again, unprompted
            saved = self.checkpointer.stands(snapshot, restored) and not daily
            as_loaded = None if restored.replayed else snapshot.state  # else encoded afresh
            idle = self.settings.idle_timeout + (DAILY_WINDOWS[1] if daily else 0.0)
            ref = self._spawn(restored, snapshot.epoch, idle, saved=saved, state=as_loaded)
            ref.tell(PauseQuiz())  # journaled, so a later replay pauses it here too
            if not daily:
                ref.tell(PromptRecovery())
            count += 1
        await self._flush()
        self._log.info("respawned {} sessions, set {} aside", count, len(aside))
        return count

    def status(self) -> SupervisorStatus:
        """Live sessions by state, mailbox depths, restarts, snapshot ages, pool health, shards."""
        checkpointer = self.checkpointer
        return build_status(
            owner=self.owner,
            accepting=self.accepting,
            settings=self.settings,
            children=list(self._children.items()),
            saved_at=checkpointer.saved_at,
            timers=len(self.factory.timers),
            pool=self.pool_health() if self.pool_health is not None else None,
            now=self.clock.time(),
            quarantined=checkpointer.quarantined,
            journal_queued=len(checkpointer.journal),
        )

    async def _shutdown(self) -> int:
        """Stop taking quizzes, snapshot every session, stop them all; return how many were saved."""
        self.accepting = False
        with collector_paused(freeze_after=False):  # what is left is garbage, freed whenever it runs
            saved = await self._flush(everything=True)
            stopping = [child for key in list(self._children) if (child := self._drop(key)) is not None]
            for child in stopping:  # every listing is gone before any actor stops
                child.ref.stop()
            self.factory.timers.cancel_all()
            await wait_all_stopped(child.ref for child in stopping)
        return saved
