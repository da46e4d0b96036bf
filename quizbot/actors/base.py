"""The actor runtime: a bounded mailbox processed one message at a time, and refs to tell and ask.

Callers hold an ActorRef, never the actor. `tell` is fire-and-forget; `ask` returns the reply and
always takes a timeout. A domain error (QuizbotError) fails only the caller's future; any other
exception is a crash, handed to the crash handler (the supervisor), which may restart the actor on
the same ref and mailbox with state rebuilt by whoever owns it (for sessions: the checkpointer).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from loguru import logger

from quizbot.actors.timeouts import ask_timeouts, forget
from quizbot.errors import ActorDead, AskTimeout, MailboxFull, QuizbotError

DEFAULT_MAILBOX_CAPACITY = 1000


@dataclass(slots=True)
class Envelope:
    """A message on its way to an actor, with the caller's reply future when it was an ask."""

    message: object
    reply: asyncio.Future[Any] | None = None
    attempts: int = 0

    def resolve(self, result: object) -> None:
        if self.reply is not None and not self.reply.done():
            self.reply.set_result(result)

    def fail(self, error: BaseException) -> None:
        if self.reply is not None and not self.reply.done():
            self.reply.set_exception(error)


@dataclass(frozen=True, slots=True)
class Later:
    """A reply that is not ready yet: the asker gets `future`'s result (or its error) once it is done.

    Returned by `receive` when the answer depends on work the actor does not wait for (a session's
    journal write), so the actor moves on to its next message at once.
    """

    future: asyncio.Future[Any]

    def settle(self, envelope: Envelope) -> None:
        """Answer `envelope` when the future is done; its error is taken even if nobody asked."""
        self.future.add_done_callback(partial(_forward, envelope))


def _forward(envelope: Envelope, future: asyncio.Future[Any]) -> None:
    if future.cancelled():
        envelope.fail(ActorDead("the reply was cancelled"))
    elif (error := future.exception()) is not None:
        envelope.fail(error)
    else:
        envelope.resolve(future.result())


class _Stop:
    """The sentinel `stop()` queues behind every earlier message."""


_STOP = Envelope(_Stop())


class Mailbox:
    """A bounded FIFO of envelopes; refuses past capacity instead of growing without bound.

    Its deque exists only while something is queued, so an idle actor's mailbox holds next to nothing.
    """

    __slots__ = ("_items", "_waiter", "capacity")

    def __init__(self, capacity: int = DEFAULT_MAILBOX_CAPACITY) -> None:
        self.capacity = capacity
        self._items: deque[Envelope] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def __len__(self) -> int:
        return len(self._items) if self._items is not None else 0

    def put(self, envelope: Envelope, *, front: bool = False, force: bool = False) -> None:
        """Queue an envelope; `front` re-delivers one first; `force` ignores capacity (stop, retries)."""
        items = self._items
        if not force and (len(items) if items is not None else 0) >= self.capacity:
            raise MailboxFull(f"mailbox full ({self.capacity} messages waiting); try again shortly")
        if items is None:
            items = self._items = deque()
        if front:
            items.appendleft(envelope)
        else:
            items.append(envelope)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def arrival(self) -> asyncio.Future[None]:
        """A future done once something is put (a plain future: waiting on it costs no coroutine)."""
        waiter = self._waiter
        if waiter is None or waiter.done():  # done: cancelled with the loop that waited on it
            waiter = self._waiter = asyncio.get_running_loop().create_future()
        return waiter

    def take(self) -> Envelope | None:
        """The next envelope, or None if the mailbox is empty."""
        items = self._items
        if not items:
            return None
        envelope = items.popleft()
        if not items:
            self._items = None
        return envelope

    async def get(self) -> Envelope:
        """The next envelope, waiting for one if the mailbox is empty."""
        while (envelope := self.take()) is None:
            await self.arrival()
        return envelope

    def queued(self) -> tuple[object, ...]:
        """The messages queued, in order, left where they are (for tests and diagnostics)."""
        return tuple(envelope.message for envelope in self._items or ())

    def drain(self) -> list[Envelope]:
        """Remove and return everything queued."""
        items = list(self._items or ())
        self._items = None
        return items


class Actor:
    """Base class: override `receive`; `on_start` and `on_stop` bracket its life."""

    ref: ActorRef[Any]

    async def on_start(self) -> None:
        """Runs once before the first message."""

    async def on_stop(self) -> None:
        """Runs once after the last message, before pending asks are failed."""

    async def receive(self, message: object) -> object:
        """Handle one message; the return value is the ask's reply."""
        raise NotImplementedError(f"{type(self).__name__} must handle messages")


A = TypeVar("A", bound=Actor)
CrashHandler = Callable[["ActorRef[Any]", Envelope, BaseException], None]


class ActorRef(Generic[A]):
    """The handle callers hold: tell, ask, stop; the same ref survives restarts of its actor."""

    __slots__ = ("_on_crash", "_task", "crashes", "mailbox", "name", "stopped")

    def __init__(self, name: str, mailbox: Mailbox, on_crash: CrashHandler | None) -> None:
        self.name = name
        self.mailbox = mailbox
        self.crashes = 0
        self.stopped = False
        self._on_crash = on_crash
        self._task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"<ActorRef {self.name} {'stopped' if self.stopped else 'alive'}>"

    @property
    def running(self) -> bool:
        """True while a loop is processing this ref's mailbox."""
        return self._task is not None and not self._task.done()

    def tell(self, message: object) -> None:
        """Queue a message and return at once; raises ActorDead or MailboxFull if it cannot."""
        self._check_alive()
        self.mailbox.put(Envelope(message))

    async def ask(self, message: object, *, timeout: float) -> Any:  # noqa: ASYNC109 - asks always carry one
        """Send a message and wait up to `timeout` seconds for the reply (or the actor's error).

        The timeout fails the reply, up to ASK_TIMEOUT_SLICE seconds late (see actors/timeouts.py); a
        reply that comes later is dropped, as the reply is done.
        """
        self._check_alive()
        loop = asyncio.get_running_loop()
        reply: asyncio.Future[Any] = loop.create_future()
        self.mailbox.put(Envelope(message, reply))
        if timeout <= 0:
            reply.cancel()
            raise self.timed_out(message, timeout)
        waiting = ask_timeouts(loop).watch(reply, self, message, timeout)
        try:
            return await reply
        finally:
            waiting.pop(reply, None)

    def request(self, message: object, *, timeout: float) -> asyncio.Future[Any]:
        """`ask` as a plain future, for asking many actors at once: gathering futures costs no task each.

        The future holds the reply, the actor's error, AskTimeout after `timeout` seconds, or the
        ActorDead or MailboxFull that `ask` would raise.
        """
        loop = asyncio.get_running_loop()
        reply: asyncio.Future[Any] = loop.create_future()
        try:
            self._check_alive()
            self.mailbox.put(Envelope(message, reply))
        except QuizbotError as error:
            reply.set_exception(error)
            return reply
        if timeout <= 0:
            reply.set_exception(self.timed_out(message, timeout))
            return reply
        waiting = ask_timeouts(loop).watch(reply, self, message, timeout)
        reply.add_done_callback(partial(forget, waiting))  # no one awaits it here to do so
        return reply

    def timed_out(self, message: object, timeout: float) -> AskTimeout:
        """The error an ask of `message` fails with once `timeout` has passed unanswered."""
        return AskTimeout(f"{self.name} did not answer {type(message).__name__} in {timeout}s")

    def stop(self) -> None:
        """Stop after the messages already queued; later tells and asks raise ActorDead.

        A ref whose loop is not running (its actor crashed and was not restarted) fails
        everything queued at once instead.
        """
        if self.stopped:
            return
        self.stopped = True
        if self.running:
            self.mailbox.put(_STOP, force=True)
        else:
            self._fail_pending()

    async def wait_stopped(self) -> None:
        """Wait until the actor's loop has ended (after `stop()` or a crash)."""
        if self._task is not None:
            await asyncio.wait({self._task})  # never raises: not the loop's error, nor its cancellation

    def _check_alive(self) -> None:
        if self.stopped:
            raise ActorDead(f"{self.name} has stopped")

    def start(self, actor: A, *, redeliver: Envelope | None = None) -> None:
        """Run `actor` on this ref's mailbox, re-delivering `redeliver` (the message it crashed on) first."""
        if self.running:
            raise RuntimeError(f"cannot start {self.name}; its loop is already running")
        actor.ref = self  # the ref never holds its actor (only the loop does): no cycle to collect
        if redeliver is not None:
            self.mailbox.put(redeliver, front=True, force=True)
        self._task = asyncio.create_task(self._loop(actor), name=f"actor:{self.name}")
        self._task.add_done_callback(self._log_loop_failure)

    async def _loop(self, actor: A) -> None:
        # One frame serves the whole life, and it keeps nothing of a message once handled: an idle
        # actor holds only this frame and the future it waits on.
        mailbox = self.mailbox
        try:
            await actor.on_start()
            while True:
                envelope = mailbox.take()
                if envelope is None:
                    await mailbox.arrival()
                    continue
                if envelope is _STOP:
                    break
                if not await self._deliver(actor, envelope):
                    return
            await self._finish(actor)
        except asyncio.CancelledError:
            self.stopped = True
            self._fail_pending()
            raise

    async def _deliver(self, actor: A, envelope: Envelope) -> bool:
        """Handle one message and settle its ask; False once the actor has crashed on it."""
        try:
            result = await actor.receive(envelope.message)
        except asyncio.CancelledError:  # it has left the mailbox, so `_fail_pending` cannot reach it
            kind = type(envelope.message).__name__
            envelope.fail(ActorDead(f"{self.name} stopped while handling {kind}"))
            raise
        except QuizbotError as error:  # the caller's mistake: fail their ask, keep going
            if envelope.reply is None:
                logger.bind(actor=self.name).info("{} refused: {}", type(envelope.message).__name__, error)
            envelope.fail(error)
            return True
        except Exception as error:
            self._crashed(envelope, error)
            return False
        if isinstance(result, Later):
            result.settle(envelope)
        else:
            envelope.resolve(result)
        return True

    def _crashed(self, envelope: Envelope, error: Exception) -> None:
        self.crashes += 1
        envelope.attempts += 1
        logger.bind(actor=self.name, message=type(envelope.message).__name__).opt(exception=error).error(
            "actor crashed (attempt {} of this message)", envelope.attempts
        )
        if self._on_crash is None:
            envelope.fail(error)
            self.stopped = True
            self._fail_pending()
            return
        self._on_crash(self, envelope, error)

    async def _finish(self, actor: A) -> None:
        try:
            await actor.on_stop()
        finally:
            self._fail_pending()

    def _fail_pending(self) -> None:
        for envelope in self.mailbox.drain():
            envelope.fail(ActorDead(f"{self.name} stopped before handling {type(envelope.message).__name__}"))

    def _log_loop_failure(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            logger.bind(actor=self.name).opt(exception=error).error("actor loop failed outside a message")
            self.stopped = True
            self._fail_pending()


async def wait_all_stopped(refs: Iterable[ActorRef[Any]]) -> None:
    """`wait_stopped` for many refs in one wait (gathering their wait_stopped would make a task each)."""
    loops = {ref._task for ref in refs if ref._task is not None}
    if loops:
        await asyncio.wait(loops)  # never raises, as wait_stopped


def spawn(
    actor: A,
    *,
    name: str,
    capacity: int = DEFAULT_MAILBOX_CAPACITY,
    on_crash: CrashHandler | None = None,
) -> ActorRef[A]:
    """Start `actor` with a mailbox of its own and return the ref to it."""
    ref: ActorRef[A] = ActorRef(name, Mailbox(capacity), on_crash)
    ref.start(actor)
    return ref
