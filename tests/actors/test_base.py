"""The actor runtime: ordered one-at-a-time handling, tell/ask, errors, stop, backpressure and restarts."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from loguru import logger

from quizbot.actors.base import Actor, ActorRef, Envelope, spawn, wait_all_stopped
from quizbot.errors import ActorDead, AskTimeout, InvalidValue, MailboxFull, QuizbotError, UnknownMessage

if TYPE_CHECKING:
    from loguru import Message

TIMEOUT = 2.0


@dataclass(frozen=True, slots=True)
class Add:
    """Add `amount` to the total with a read, an await, then a write (a race if ever interleaved)."""

    amount: int = 1


@dataclass(frozen=True, slots=True)
class Get:
    """Read the total."""


@dataclass(frozen=True, slots=True)
class Echo:
    """Reply with `value`."""

    value: object


@dataclass(frozen=True, slots=True)
class Refuse:
    """Raise a domain error (InvalidValue) with `reason`."""

    reason: str


@dataclass(frozen=True, slots=True)
class Explode:
    """Crash with RuntimeError while the actor is fragile; reply "survived" otherwise."""


@dataclass(frozen=True, slots=True)
class Wait:
    """Block until the actor's gate opens, then reply "released"."""


class Recorder(Actor):
    """A test actor with a running total that records what reached receive, on_start and on_stop."""

    def __init__(self, *, fragile: bool = True) -> None:
        self.fragile = fragile
        self.total = 0
        self.received: list[object] = []
        self.starts = 0
        self.stops = 0
        self.gate = asyncio.Event()
        self.entered = asyncio.Event()

    async def on_start(self) -> None:
        self.starts += 1

    async def on_stop(self) -> None:
        self.stops += 1

    async def receive(self, message: object) -> object:
        self.received.append(message)
        match message:
            case Add(amount):
                current = self.total
                await asyncio.sleep(0)
                self.total = current + amount
                return self.total
            case Get():
                return self.total
            case Echo(value):
                return value
            case Refuse(reason):
                raise InvalidValue(reason)
            case Explode():
                if self.fragile:
                    raise RuntimeError("boom")
                return "survived"
            case Wait():
                self.entered.set()
                await self.gate.wait()
                return "released"
        raise UnknownMessage(type(message).__name__)


@dataclass
class CrashLog:
    """A crash handler that only records what it was given; tests restart the actor themselves."""

    crashes: list[tuple[ActorRef[Any], Envelope, BaseException]] = field(default_factory=list)
    crashed: asyncio.Event = field(default_factory=asyncio.Event)

    def __call__(self, ref: ActorRef[Any], envelope: Envelope, error: BaseException) -> None:
        self.crashes.append((ref, envelope, error))
        self.crashed.set()

    async def next_crash(self) -> tuple[ActorRef[Any], Envelope, BaseException]:
        """Wait for a crash not yet taken and return what the handler received."""
        await asyncio.wait_for(self.crashed.wait(), TIMEOUT)
        self.crashed.clear()
        return self.crashes[-1]


@pytest.fixture(autouse=True)
async def cancel_leftover_actors() -> AsyncIterator[None]:
    """Cancel any actor loop a test left running, so none leaks into later tests on the shared loop."""
    before = asyncio.all_tasks()
    yield
    leftovers = [
        task
        for task in asyncio.all_tasks() - before
        if task.get_name().startswith("actor:") and not task.done()
    ]
    for task in leftovers:
        task.cancel()
    if leftovers:
        await asyncio.wait(leftovers)


@pytest.fixture
def logs() -> Iterator[list[Message]]:
    """Every loguru message at INFO or above logged during the test."""
    messages: list[Message] = []
    handler_id = logger.add(messages.append, level="INFO", format="{message}")
    yield messages
    logger.remove(handler_id)


def loop_task(ref: ActorRef[Any]) -> asyncio.Task[Any]:
    """The asyncio task running `ref`'s loop, found by the name `start` gives it."""
    tasks = [t for t in asyncio.all_tasks() if t.get_name() == f"actor:{ref.name}" and not t.done()]
    assert len(tasks) == 1, tasks
    return tasks[0]


async def blocked(ref: ActorRef[Recorder], actor: Recorder) -> asyncio.Task[Any]:
    """Start an ask of Wait and return once the actor is inside it, so the mailbox is otherwise idle."""
    waiting = asyncio.create_task(ref.ask(Wait(), timeout=TIMEOUT))
    await asyncio.wait_for(actor.entered.wait(), TIMEOUT)
    return waiting


async def stopped(ref: ActorRef[Any]) -> None:
    """Stop `ref` after its queued messages and wait for its loop to end."""
    ref.stop()
    await asyncio.wait_for(ref.wait_stopped(), TIMEOUT)


async def restart(
    ref: ActorRef[Recorder], envelope: Envelope, *, fragile: bool = False, total: int = 0
) -> Recorder:
    """What a supervisor does: wait for the crashed loop to end, then start a fresh actor on the same
    ref, with the state its owner kept (`total`; for sessions, the checkpointer rebuilds it)."""
    await asyncio.wait_for(ref.wait_stopped(), TIMEOUT)
    fresh = Recorder(fragile=fragile)
    fresh.total = total
    ref.start(fresh, redeliver=envelope)
    return fresh


async def test_tells_are_handled_in_the_order_sent() -> None:
    """Messages told one after another reach receive in exactly that order."""
    actor = Recorder()
    ref = spawn(actor, name="ordered")
    for value in range(20):
        ref.tell(Echo(value))
    await ref.ask(Get(), timeout=TIMEOUT)
    assert actor.received == [*(Echo(value) for value in range(20)), Get()]
    await stopped(ref)


async def test_counter_races_when_receive_is_called_concurrently() -> None:
    """Control for the next test: the counter's read/await/write really loses updates if interleaved."""
    actor = Recorder()
    await asyncio.gather(*(actor.receive(Add(1)) for _ in range(10)))
    assert actor.total == 1


async def test_a_handler_that_awaits_never_interleaves_with_the_next_message() -> None:
    """A hundred racy increments told at once all count, because each finishes before the next starts."""
    actor = Recorder()
    ref = spawn(actor, name="counter")
    for _ in range(100):
        ref.tell(Add(1))
    assert await ref.ask(Get(), timeout=TIMEOUT) == 100
    await stopped(ref)


async def test_ask_returns_the_reply() -> None:
    """ask resolves to whatever receive returned."""
    ref = spawn(Recorder(), name="asker")
    assert await ref.ask(Echo("hello"), timeout=TIMEOUT) == "hello"
    await stopped(ref)


async def test_on_start_runs_once_before_the_first_message() -> None:
    """on_start has run exactly once by the time the first reply arrives."""
    actor = Recorder()
    ref = spawn(actor, name="starter")
    await ref.ask(Echo(1), timeout=TIMEOUT)
    await ref.ask(Echo(2), timeout=TIMEOUT)
    assert actor.starts == 1
    await stopped(ref)


async def test_ask_that_times_out_raises_ask_timeout() -> None:
    """An ask not answered within its timeout raises AskTimeout, which is also a TimeoutError."""
    actor = Recorder()
    ref = spawn(actor, name="slow")
    waiting = await blocked(ref, actor)
    with pytest.raises(AskTimeout, match="slow did not answer Echo") as raised:
        await ref.ask(Echo(1), timeout=0.05)
    assert isinstance(raised.value, TimeoutError)
    assert isinstance(raised.value, QuizbotError)
    actor.gate.set()
    assert await waiting == "released"
    await stopped(ref)


async def test_a_late_reply_to_a_timed_out_ask_is_dropped_quietly() -> None:
    """After an ask times out, the actor still handles it later without error and keeps serving."""
    actor = Recorder()
    ref = spawn(actor, name="late")
    waiting = await blocked(ref, actor)
    with pytest.raises(AskTimeout):
        await ref.ask(Echo("late"), timeout=0.01)
    actor.gate.set()
    await waiting
    assert await ref.ask(Echo("next"), timeout=TIMEOUT) == "next"
    assert Echo("late") in actor.received
    assert ref.running
    await stopped(ref)


async def test_domain_error_fails_only_that_ask() -> None:
    """A QuizbotError raised in receive reaches the asker, and the actor keeps serving without a crash."""
    ref = spawn(Recorder(), name="refuser")
    with pytest.raises(InvalidValue, match="no such answer"):
        await ref.ask(Refuse("no such answer"), timeout=TIMEOUT)
    assert await ref.ask(Echo("still here"), timeout=TIMEOUT) == "still here"
    assert ref.crashes == 0
    assert ref.running
    await stopped(ref)


async def test_domain_error_from_a_tell_is_logged_not_fatal(logs: list[Message]) -> None:
    """A QuizbotError from a told message is logged at INFO with the actor's name, and the actor lives on."""
    ref = spawn(Recorder(), name="told-refuser")
    ref.tell(Refuse("not your turn"))
    assert await ref.ask(Echo("ok"), timeout=TIMEOUT) == "ok"
    refused = [m.record for m in logs if "refused" in m.record["message"]]
    assert len(refused) == 1
    assert refused[0]["level"].name == "INFO"
    assert refused[0]["message"] == "Refuse refused: not your turn"
    assert refused[0]["extra"]["actor"] == "told-refuser"
    assert ref.crashes == 0
    await stopped(ref)


async def test_crash_without_handler_fails_that_ask_with_the_exception(logs: list[Message]) -> None:
    """With no crash handler, an unexpected exception fails the ask with that exception and is logged."""
    ref = spawn(Recorder(), name="fragile")
    with pytest.raises(RuntimeError, match="boom"):
        await ref.ask(Explode(), timeout=TIMEOUT)
    crashed = [m.record for m in logs if m.record["message"].startswith("actor crashed")]
    assert len(crashed) == 1
    assert crashed[0]["level"].name == "ERROR"
    assert crashed[0]["extra"] == {"actor": "fragile", "message": "Explode"}
    assert crashed[0]["exception"] is not None
    assert ref.crashes == 1


async def test_crash_without_handler_stops_the_actor() -> None:
    """After an unhandled crash the loop ends and later tells and asks raise ActorDead."""
    ref = spawn(Recorder(), name="dead")
    with pytest.raises(RuntimeError):
        await ref.ask(Explode(), timeout=TIMEOUT)
    await asyncio.wait_for(ref.wait_stopped(), TIMEOUT)
    assert ref.stopped
    assert not ref.running
    with pytest.raises(ActorDead, match="dead has stopped"):
        ref.tell(Echo(1))
    with pytest.raises(ActorDead):
        await ref.ask(Echo(1), timeout=TIMEOUT)


async def test_crash_without_handler_fails_asks_queued_behind_it() -> None:
    """Asks already queued behind the crashing message fail with ActorDead instead of hanging."""
    actor = Recorder()
    ref = spawn(actor, name="queue-behind-crash")
    waiting = await blocked(ref, actor)
    crashing = asyncio.create_task(ref.ask(Explode(), timeout=TIMEOUT))
    behind = asyncio.create_task(ref.ask(Echo("behind"), timeout=TIMEOUT))
    await asyncio.sleep(0)
    actor.gate.set()
    assert await waiting == "released"
    with pytest.raises(RuntimeError):
        await crashing
    with pytest.raises(ActorDead, match="before handling Echo"):
        await behind
    assert Echo("behind") not in actor.received


async def test_stop_lets_queued_messages_finish_first() -> None:
    """Asks queued before stop() are still handled and answered."""
    actor = Recorder()
    ref = spawn(actor, name="draining")
    waiting = await blocked(ref, actor)
    first = asyncio.create_task(ref.ask(Echo(1), timeout=TIMEOUT))
    second = asyncio.create_task(ref.ask(Echo(2), timeout=TIMEOUT))
    await asyncio.sleep(0)
    ref.stop()
    actor.gate.set()
    assert await asyncio.gather(waiting, first, second) == ["released", 1, 2]
    await asyncio.wait_for(ref.wait_stopped(), TIMEOUT)
    assert not ref.running


async def test_ask_after_stop_raises_actor_dead() -> None:
    """Once stop() is called, new tells and asks are refused with ActorDead even before the loop ends."""
    actor = Recorder()
    ref = spawn(actor, name="stopping")
    waiting = await blocked(ref, actor)
    ref.stop()
    with pytest.raises(ActorDead):
        await ref.ask(Echo(1), timeout=TIMEOUT)
    with pytest.raises(ActorDead):
        ref.tell(Echo(2))
    actor.gate.set()
    await waiting
    await asyncio.wait_for(ref.wait_stopped(), TIMEOUT)
    assert Echo(1) not in actor.received


async def test_asks_queued_behind_the_stop_fail_with_actor_dead() -> None:
    """An ask envelope that landed in the mailbox after stop() is failed with ActorDead, not left hanging."""
    actor = Recorder()
    ref = spawn(actor, name="behind-stop")
    waiting = await blocked(ref, actor)
    ref.stop()
    reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    ref.mailbox.put(Envelope(Echo("too late"), reply))
    actor.gate.set()
    await waiting
    with pytest.raises(ActorDead, match="stopped before handling Echo"):
        await asyncio.wait_for(reply, TIMEOUT)
    assert Echo("too late") not in actor.received


async def test_on_stop_runs_once() -> None:
    """on_stop runs exactly once, however many times stop() is called."""
    actor = Recorder()
    ref = spawn(actor, name="stop-twice")
    await ref.ask(Echo(1), timeout=TIMEOUT)
    ref.stop()
    ref.stop()
    await asyncio.wait_for(ref.wait_stopped(), TIMEOUT)
    assert actor.stops == 1
    assert ref.stopped


async def test_full_mailbox_refuses_with_mailbox_full() -> None:
    """With capacity 3 and the actor blocked, the fourth message is refused and the mailbox does not grow."""
    actor = Recorder()
    ref = spawn(actor, name="full", capacity=3)
    waiting = await blocked(ref, actor)
    for value in range(3):
        ref.tell(Echo(value))
    assert len(ref.mailbox) == 3
    with pytest.raises(MailboxFull, match="3 messages waiting"):
        ref.tell(Echo("one too many"))
    with pytest.raises(MailboxFull):
        await ref.ask(Echo("ask too many"), timeout=TIMEOUT)
    assert len(ref.mailbox) == 3
    actor.gate.set()
    await waiting
    await stopped(ref)
    assert actor.received == [Wait(), Echo(0), Echo(1), Echo(2)]


async def test_crash_handler_receives_ref_envelope_and_error() -> None:
    """The crash handler gets the ref, the crashing envelope (attempts == 1) and the exception."""
    crash_log = CrashLog()
    ref = spawn(Recorder(), name="supervised", on_crash=crash_log)
    ref.tell(Explode())
    crashed_ref, envelope, error = await crash_log.next_crash()
    assert crashed_ref is ref
    assert envelope.message == Explode()
    assert envelope.attempts == 1
    assert envelope.reply is None
    assert isinstance(error, RuntimeError)
    assert str(error) == "boom"
    assert ref.crashes == 1


async def test_crash_with_handler_leaves_the_ref_open_for_a_restart() -> None:
    """After a handled crash the loop ends but the ref is not stopped, so tells still queue."""
    crash_log = CrashLog()
    ref = spawn(Recorder(), name="awaiting-restart", on_crash=crash_log)
    ref.tell(Explode())
    await crash_log.next_crash()
    await asyncio.wait_for(ref.wait_stopped(), TIMEOUT)
    assert not ref.running
    assert not ref.stopped
    ref.tell(Echo("queued"))
    assert len(ref.mailbox) == 1


async def test_restart_redelivers_the_crashing_message_first_and_keeps_the_rest() -> None:
    """The crashing message is handled before messages that arrived meanwhile, and none of those is lost."""
    crash_log = CrashLog()
    ref = spawn(Recorder(), name="redelivering", on_crash=crash_log)
    ref.tell(Add(1))
    ref.tell(Explode())
    _, envelope, _ = await crash_log.next_crash()
    ref.tell(Add(10))
    ref.tell(Add(100))
    fresh = await restart(ref, envelope, total=1)
    assert await ref.ask(Get(), timeout=TIMEOUT) == 111
    assert fresh.received == [Explode(), Add(10), Add(100), Get()]
    assert fresh.starts == 1
    await stopped(ref)


async def test_ask_survives_a_crash_and_restart() -> None:
    """An ask whose message crashed the actor gets its reply from the restarted actor."""
    crash_log = CrashLog()
    ref = spawn(Recorder(), name="survivor", on_crash=crash_log)
    pending = asyncio.create_task(ref.ask(Explode(), timeout=TIMEOUT))
    _, envelope, _ = await crash_log.next_crash()
    assert not pending.done()
    await restart(ref, envelope)
    assert await pending == "survived"
    await stopped(ref)


async def test_a_message_that_crashes_again_counts_its_attempts() -> None:
    """Re-delivering a message that crashes again hands the same envelope back with attempts == 2."""
    crash_log = CrashLog()
    ref = spawn(Recorder(), name="poisoned", on_crash=crash_log)
    ref.tell(Explode())
    _, first, _ = await crash_log.next_crash()
    await restart(ref, first, fragile=True)
    _, second, _ = await crash_log.next_crash()
    assert second is first
    assert second.attempts == 2
    assert ref.crashes == 2


async def test_cancelling_the_loop_fails_pending_asks_with_actor_dead() -> None:
    """Cancelling the loop task fails the ask in flight and the queued ones with ActorDead; the ref stops."""
    actor = Recorder()
    ref = spawn(actor, name="cancelled")
    in_flight = await blocked(ref, actor)
    queued = asyncio.create_task(ref.ask(Echo("queued"), timeout=TIMEOUT))
    await asyncio.sleep(0)
    loop_task(ref).cancel()
    with pytest.raises(ActorDead):
        await in_flight
    with pytest.raises(ActorDead):
        await queued
    assert ref.stopped
    with pytest.raises(ActorDead):
        ref.tell(Echo("after"))


async def test_cancelling_the_loop_reraises_cancellation() -> None:
    """The loop task ends cancelled (the CancelledError is re-raised, not swallowed)."""
    ref = spawn(Recorder(), name="cancel-propagates")
    await ref.ask(Echo(1), timeout=TIMEOUT)
    task = loop_task(ref)
    task.cancel()
    await asyncio.wait({task}, timeout=TIMEOUT)
    assert task.cancelled()
    assert not ref.running


async def test_wait_stopped_returns_after_the_loop_is_cancelled() -> None:
    """wait_stopped returns normally once a cancelled loop has ended, rather than raising CancelledError."""
    ref = spawn(Recorder(), name="cancel-then-wait")
    await ref.ask(Echo(1), timeout=TIMEOUT)
    loop_task(ref).cancel()
    await asyncio.wait_for(ref.wait_stopped(), TIMEOUT)
    assert not ref.running


async def test_start_refuses_while_the_loop_is_running() -> None:
    """Starting a second actor on a ref whose loop is still running raises RuntimeError."""
    ref = spawn(Recorder(), name="running-twice")
    with pytest.raises(RuntimeError, match="already running"):
        ref.start(Recorder())
    await stopped(ref)


async def test_two_actors_do_not_share_mailboxes() -> None:
    """A blocked actor's backlog stays in its own mailbox while another actor keeps answering."""
    slow_actor = Recorder()
    slow = spawn(slow_actor, name="slow-one")
    quick = spawn(Recorder(), name="quick-one")
    waiting = await blocked(slow, slow_actor)
    slow.tell(Echo("for slow"))
    assert slow.mailbox is not quick.mailbox
    assert await quick.ask(Echo("for quick"), timeout=TIMEOUT) == "for quick"
    assert len(slow.mailbox) == 1
    assert len(quick.mailbox) == 0
    slow_actor.gate.set()
    await waiting
    await stopped(slow)
    await stopped(quick)


async def test_fifty_concurrent_asks_each_get_their_own_reply() -> None:
    """Fifty asks in flight at once are each answered with the reply to their own message."""
    ref = spawn(Recorder(), name="busy")
    replies = await asyncio.gather(*(ref.ask(Echo(i), timeout=TIMEOUT) for i in range(50)))
    assert replies == list(range(50))
    await stopped(ref)


async def test_request_is_an_ask_as_a_plain_future() -> None:
    """request() puts the message like ask and its future holds the reply, the error or the timeout."""
    actor = Recorder()
    ref = spawn(actor, name="requested")
    replies = await asyncio.gather(*(ref.request(Echo(i), timeout=TIMEOUT) for i in range(5)))
    assert replies == list(range(5))
    with pytest.raises(InvalidValue, match="nope"):
        await ref.request(Refuse("nope"), timeout=TIMEOUT)
    waiting = await blocked(ref, actor)
    late = ref.request(Echo("late"), timeout=0.01)
    with pytest.raises(AskTimeout, match="requested did not answer Echo"):
        await late
    actor.gate.set()
    await waiting
    assert await ref.ask(Echo("next"), timeout=TIMEOUT) == "next"
    await stopped(ref)
    with pytest.raises(ActorDead):
        await ref.request(Echo("after"), timeout=TIMEOUT)


async def test_request_to_a_full_mailbox_fails_its_future() -> None:
    """MailboxFull, which ask raises, is what a request's future holds; nothing is queued."""
    actor = Recorder()
    ref = spawn(actor, name="full-request", capacity=1)
    waiting = await blocked(ref, actor)
    ref.tell(Echo(0))
    with pytest.raises(MailboxFull):
        await ref.request(Echo(1), timeout=TIMEOUT)
    assert len(ref.mailbox) == 1
    actor.gate.set()
    await waiting
    await stopped(ref)


async def test_wait_all_stopped_returns_once_every_loop_has_ended() -> None:
    """wait_all_stopped waits for all the refs' loops, however each ended, and never raises."""
    refs = [spawn(Recorder(), name=f"many-{n}") for n in range(5)]
    for ref in refs:
        await ref.ask(Echo(1), timeout=TIMEOUT)
    loop_task(refs[0]).cancel()
    for ref in refs[1:]:
        ref.stop()
    await asyncio.wait_for(wait_all_stopped(refs), TIMEOUT)
    assert not any(ref.running for ref in refs)
    await wait_all_stopped([])


async def test_an_idle_mailbox_holds_no_queue() -> None:
    """The mailbox's queue exists only while something waits in it (an idle actor holds next to nothing)."""
    ref = spawn(Recorder(), name="idle")
    assert await ref.ask(Echo(1), timeout=TIMEOUT) == 1
    assert len(ref.mailbox) == 0 and ref.mailbox.take() is None
    assert ref.mailbox.drain() == []
    await stopped(ref)


async def test_an_ask_without_a_finite_timeout_waits_for_its_reply() -> None:
    """An infinite timeout never times out (as a timer at infinity would not)."""
    ref = spawn(Recorder(), name="patient")
    assert await ref.ask(Echo("done"), timeout=float("inf")) == "done"
    await stopped(ref)


class _Payload:
    """A reply that can be watched with a weak reference."""


class _Maker(Actor):
    """Replies with a fresh _Payload and keeps nothing (no journal either)."""

    async def receive(self, message: object) -> object:
        return _Payload()

    def journaled(self, message: object) -> bool:
        return False


async def test_answered_asks_and_requests_leave_nothing_behind_until_their_timeout() -> None:
    """Once answered, neither an ask nor a request is held by its pending timeout (a long one here)."""
    ref = spawn(_Maker(), name="forgetful")
    watched = [
        weakref.ref(await ref.ask(Get(), timeout=3600)),
        weakref.ref(await ref.request(Get(), timeout=3600)),
    ]
    await asyncio.sleep(0)  # the request's done callback runs on the next loop pass
    gc.collect()
    assert [w() for w in watched] == [None, None]
    await stopped(ref)
