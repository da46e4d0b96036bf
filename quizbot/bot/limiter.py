"""Discord's global request budget: one limiter for every channel post and edit, and a count of refusals.

Discord allows a bot about 50 requests a second in all (interaction replies are exempt) and bans an
IP for a while after 10,000 invalid requests (401, 403, 429) in 10 minutes. `Limiter` grants at most
`rate` requests per `per` seconds to the channels' senders: waiters of the urgent level (new posts,
such as questions) before the cosmetic one (edits), and within a level one channel at a time, round
robin, so a busy guild cannot starve the others. `Refusals` counts every 401, 403 and 429 Discord
answers the bot's HTTP session, for `/supervisor status`.

Time and waits come from an injected clock (quizbot.clock), so tests never wait.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict, deque
from collections.abc import Hashable
from enum import IntEnum
from types import SimpleNamespace
from typing import Any

import aiohttp

from quizbot.clock import Clock, LoopClock, sleep

RATE, PER = 45, 1.0  # below Discord's 50 a second, leaving room for the bot's other requests
REFUSED = frozenset({401, 403, 429})
REFUSAL_WINDOW = 600.0  # Discord's invalid-request window: 10,000 in 10 minutes
REFUSAL_LIMIT = 10_000


class Priority(IntEnum):
    """Who goes first when the budget is short: a lower value."""

    URGENT = 0  # posts that let play go on: questions, hints, prompts, the end of a game
    COSMETIC = 1  # edits: a closed question's answer and scores
    BACKGROUND = 2  # study reminders' DMs: only when nothing in play waits


class Limiter:
    """At most `rate` grants in any `per` seconds; urgent before cosmetic, channels in turn."""

    def __init__(
        self,
        rate: int = RATE,
        per: float = PER,
        *,
        clock: Clock | None = None,
    ) -> None:
        self.rate, self.per = rate, per
        self.clock = clock or LoopClock()
        self._granted: deque[float] = deque()  # when the last `rate` grants were made
        self._waiting: tuple[OrderedDict[Hashable, deque[asyncio.Future[None]]], ...] = tuple(
            OrderedDict() for _ in Priority
        )
        self._dispatcher: asyncio.Task[None] | None = None
        self.granted = 0

    @property
    def queued(self) -> int:
        """Requests waiting for the budget."""
        return sum(len(line) for level in self._waiting for line in level.values())

    async def acquire(self, channel: Hashable, priority: Priority = Priority.URGENT) -> None:
        """Wait for this channel's turn within the global budget; one request may then be made."""
        if not self.queued and self._wait() <= 0:
            self._grant()
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[priority].setdefault(channel, deque()).append(waiter)
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.create_task(self._dispatch(), name="discord-limiter")
        try:
            await waiter
        except asyncio.CancelledError:
            self._forget(channel, priority, waiter)
            raise

    def _wait(self) -> float:
        """Seconds until one more request fits in the budget (0 or less: now)."""
        now = self.clock.time()
        while self._granted and now - self._granted[0] >= self.per:
            self._granted.popleft()
        if len(self._granted) < self.rate:
            return 0.0
        return self._granted[0] + self.per - now

    def _grant(self) -> None:
        self._granted.append(self.clock.time())
        self.granted += 1

    def _next(self) -> asyncio.Future[None] | None:
        """The next waiter: the most urgent level first, then the channel whose turn it is."""
        for level in self._waiting:
            while level:
                channel, line = next(iter(level.items()))
                waiter = line.popleft()
                if line:
                    level.move_to_end(channel)  # its next request waits for the others' turns
                else:
                    del level[channel]
                if not waiter.done():
                    return waiter
        return None

    async def _dispatch(self) -> None:
        while self.queued:
            wait = self._wait()
            if wait > 0:
                await sleep(self.clock, wait)
                continue
            waiter = self._next()
            if waiter is not None:
                self._grant()
                waiter.set_result(None)

    def _forget(self, channel: Hashable, priority: Priority, waiter: asyncio.Future[None]) -> None:
        line = self._waiting[priority].get(channel)
        if line is not None and waiter in line:
            line.remove(waiter)
            if not line:
                del self._waiting[priority][channel]

    async def close(self) -> None:
        """Stop the dispatcher (waiters still queued are cancelled)."""
        for level in self._waiting:
            for line in level.values():
                for waiter in line:
                    waiter.cancel()
            level.clear()
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispatcher


class Refusals:
    """Every 401, 403 and 429 Discord answered, kept for Discord's 10-minute invalid-request window."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or LoopClock()
        self._times: deque[float] = deque()
        self.total = 0
        self._config = aiohttp.TraceConfig()
        self._config.on_request_end.append(self._ended)
        self._config.freeze()

    def count(self, status: int, scope: str | None = None) -> None:
        """Note one answer; only refusals count, and not a 429 of a shared bucket (Discord exempts them)."""
        if status in REFUSED and not (status == 429 and scope == "shared"):
            self._times.append(self.clock.time())
            self.total += 1

    def recent(self) -> int:
        """Refusals in the last ten minutes: what Discord's invalid-request limit counts."""
        now = self.clock.time()
        while self._times and now - self._times[0] >= REFUSAL_WINDOW:
            self._times.popleft()
        return len(self._times)

    def watch(self, http: object) -> None:
        """Count the answers to every request of a disnake HTTP client's current session.

        disnake makes its aiohttp session at login (and again after it is closed) and takes no trace
        configs, so ours is added to the session itself; a 429 disnake waits out is counted too."""
        session = getattr(http, "_HTTPClient__session", None)
        configs = getattr(session, "_trace_configs", None)
        watching = isinstance(configs, list) and self._config in configs
        if isinstance(session, aiohttp.ClientSession) and isinstance(configs, list) and not watching:
            configs.append(self._config)

    async def _ended(self, session: object, context: SimpleNamespace, params: Any) -> None:
        response = params.response
        self.count(response.status, response.headers.get("X-RateLimit-Scope"))
