"""Ask timeouts: one loop timer per slice of time for all the asks in flight, not one per ask."""

from __future__ import annotations

import asyncio
import math
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quizbot.actors.base import ActorRef

ASK_TIMEOUT_SLICE = 0.01  # seconds: how late an ask's timeout may fire


class AskTimeouts:
    """The timeouts of the asks in flight on one event loop, gathered in slices of time.

    One loop timer per ASK_TIMEOUT_SLICE seconds fails every ask of that slice still unanswered.
    A timer per ask (or asyncio.wait_for) costs a heap entry each, ordered by Python-level
    comparisons: a fifth of an ask's time when thousands are in flight, measured.
    """

    __slots__ = ("_loop", "_slices")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._slices: dict[int, dict[asyncio.Future[Any], tuple[ActorRef[Any], object, float]]] = {}

    def watch(
        self, reply: asyncio.Future[Any], ref: ActorRef[Any], message: object, timeout: float
    ) -> dict[asyncio.Future[Any], tuple[ActorRef[Any], object, float]]:
        """Fail `reply` with ref's AskTimeout once `timeout` has passed; returns the slice it is in."""
        if not math.isfinite(timeout):  # never, as a timer at infinity would
            return {}
        slot = math.ceil((self._loop.time() + timeout) / ASK_TIMEOUT_SLICE)
        waiting = self._slices.get(slot)
        if waiting is None:
            waiting = self._slices[slot] = {}
            self._loop.call_at(slot * ASK_TIMEOUT_SLICE, self._expire, slot)
        waiting[reply] = (ref, message, timeout)
        return waiting

    def _expire(self, slot: int) -> None:
        for reply, (ref, message, timeout) in self._slices.pop(slot).items():
            if not reply.done():
                reply.set_exception(ref.timed_out(message, timeout))


def forget(waiting: dict[asyncio.Future[Any], Any], reply: asyncio.Future[Any]) -> None:
    """A done callback: drop an answered reply from its slice (`watch` returned the slice)."""
    waiting.pop(reply, None)


_timeouts_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AskTimeouts] = (
    weakref.WeakKeyDictionary()
)
_last_timeouts: AskTimeouts | None = None  # the last loop's, found without a weak lookup


def ask_timeouts(loop: asyncio.AbstractEventLoop) -> AskTimeouts:
    """The running loop's AskTimeouts, made on first use."""
    global _last_timeouts  # noqa: PLW0603 - a one-entry cache in front of the weak dictionary
    last = _last_timeouts
    if last is not None and last._loop is loop:
        return last
    found = _timeouts_by_loop.get(loop)
    if found is None:
        found = _timeouts_by_loop[loop] = AskTimeouts(loop)
    _last_timeouts = found
    return found
