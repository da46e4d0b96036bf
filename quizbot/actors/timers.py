"""Question timers, owned by the supervisor: one per session, replaced on reschedule, cancelled on end."""

from __future__ import annotations

from functools import partial
from typing import Any

from loguru import logger

from quizbot.actors.base import ActorRef
from quizbot.actors.messages import SessionKey
from quizbot.clock import Clock, TimerHandle
from quizbot.errors import QuizbotError


class Timers:
    """At most one pending timer per session; firing tells the session's actor a message."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._handles: dict[SessionKey, TimerHandle] = {}

    def __len__(self) -> int:
        return len(self._handles)

    def __contains__(self, key: object) -> bool:
        return key in self._handles

    def schedule(self, key: SessionKey, at: float, ref: ActorRef[Any], message: object) -> None:
        """Tell `ref` `message` at `at` (epoch seconds), replacing the session's previous timer."""
        self.cancel(key)
        self._handles[key] = self.clock.call_at(at, partial(self._fire, key, ref, message))

    def _fire(self, key: SessionKey, ref: ActorRef[Any], message: object) -> None:
        self._handles.pop(key, None)
        try:
            ref.tell(message)
        except QuizbotError as error:  # the session stopped or is swamped; its timer is moot
            logger.bind(guild=key[0], channel=key[1]).warning("timer not delivered: {}", error)

    def cancel(self, key: SessionKey) -> None:
        """Forget the session's pending timer, if any."""
        handle = self._handles.pop(key, None)
        if handle is not None:
            handle.cancel()

    def cancel_all(self) -> None:
        for key in list(self._handles):
            self.cancel(key)
