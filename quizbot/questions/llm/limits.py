"""Staying polite to a provider: a token bucket, retries with backoff, and a circuit breaker.

All three keep time on a quizbot.clock Clock (epoch seconds) and use only differences of its times.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from loguru import logger

from quizbot.backoff import full_jitter
from quizbot.clock import Clock, sleep
from quizbot.questions.llm.errors import ProviderError, ProviderSkipped

T = TypeVar("T")


class TokenBucket:
    """At most `per_minute` requests a minute on average, with short bursts up to `capacity`."""

    def __init__(self, per_minute: float, *, clock: Clock, capacity: float | None = None) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be above 0")
        self.rate = per_minute / 60.0
        self.capacity = capacity if capacity is not None else max(1.0, per_minute / 10.0)
        self.clock = clock
        self.tokens = self.capacity
        self.updated = clock.time()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self.clock.time()
        elapsed = max(0.0, now - self.updated)  # wall time may step back: that earns no tokens
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now

    def wait_time(self) -> float:
        """Seconds until a token is free (0 when one is free now)."""
        self._refill()
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate

    async def acquire(self, max_wait: float = float("inf")) -> None:
        """Take a token, waiting for one if needed; TimeoutError if that would take over `max_wait`."""
        async with self._lock:  # first come, first served
            wait = self.wait_time()
            if wait > max_wait:
                raise TimeoutError(f"no request allowed for {wait:.1f}s")
            if wait > 0:
                await sleep(self.clock, wait)
                self._refill()
            self.tokens = max(0.0, self.tokens - 1.0)


class BreakerState(StrEnum):
    """Closed: calls go through. Open: calls are refused. Half-open: one trial call is let through."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after `threshold` failures in a row; after `cooldown` lets one trial through."""

    def __init__(self, threshold: int = 3, cooldown: float = 60.0, *, clock: Clock) -> None:
        if threshold < 1 or cooldown <= 0:
            raise ValueError("threshold must be at least 1 and cooldown above 0")
        self.threshold = threshold
        self.cooldown = cooldown
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        """The state now (an open breaker turns half-open once its cool-down is over)."""
        if self.opened_at is None:
            return BreakerState.CLOSED
        if self.clock.time() - self.opened_at >= self.cooldown:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def retry_in(self) -> float:
        """Seconds until an open breaker lets a trial call through."""
        if self.opened_at is None:
            return 0.0
        return max(0.0, self.opened_at + self.cooldown - self.clock.time())

    def allow(self) -> bool:
        """Whether a call may go ahead now; in half-open only one trial at a time."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.OPEN or self._trial_running:
            return False
        self._trial_running = True
        return True

    def record_success(self) -> None:
        """A call worked: close the breaker."""
        self.failures, self.opened_at, self._trial_running = 0, None, False

    def record_failure(self) -> None:
        """A call failed: count it, and open (or re-open after a failed trial) at the threshold."""
        self._trial_running = False
        self.failures += 1
        if self.opened_at is not None or self.failures >= self.threshold:
            self.opened_at = self.clock.time()

    def release(self) -> None:
        """A call ended without a verdict (cancelled): free the trial slot, count nothing."""
        self._trial_running = False


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded attempts with exponential backoff and full jitter, within a total deadline."""

    attempts: int = 3
    base: float = 0.5
    cap: float = 8.0
    deadline: float = 30.0  # seconds for all attempts and waits together
    max_retry_after: float = 30.0  # a longer retry-after gives up instead of waiting

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: uniform(0, min(cap, base * 2**attempt)) for the retry after `attempt` (0-based)."""
        return full_jitter(attempt, self.base, self.cap, rng)

    def delay(self, attempt: int, error: ProviderError, rng: random.Random) -> float | None:
        """How long to wait before retrying after `error`, or None to give up."""
        if not error.retryable or attempt + 1 >= self.attempts:
            return None
        if error.retry_after is not None:
            return error.retry_after if error.retry_after <= self.max_retry_after else None
        return self.backoff(attempt, rng)


class Guard:
    """One provider's limits together: breaker, then for each attempt a token, the call, a backoff."""

    def __init__(
        self,
        provider: str,
        *,
        bucket: TokenBucket,
        breaker: CircuitBreaker,
        policy: RetryPolicy,
        clock: Clock,
        rng: random.Random | None = None,
    ) -> None:
        self.provider = provider
        self.bucket = bucket
        self.breaker = breaker
        self.policy = policy
        self.clock = clock
        self.rng = rng or random.Random()

    async def run(self, call: Callable[[], Awaitable[T]]) -> T:
        """`call()` with retries; ProviderSkipped when the breaker is open, else the last ProviderError."""
        if not self.breaker.allow():
            raise ProviderSkipped(self.provider, self.breaker.retry_in())
        try:
            result = await self._attempts(call)
        except ProviderError:
            self.breaker.record_failure()
            if self.breaker.state is not BreakerState.CLOSED:
                logger.bind(provider=self.provider).warning(
                    "circuit open after {} failures; skipping for {:.0f}s",
                    self.breaker.failures,
                    self.breaker.cooldown,
                )
            raise
        except BaseException:
            self.breaker.release()
            raise
        self.breaker.record_success()
        return result

    async def _attempts(self, call: Callable[[], Awaitable[T]]) -> T:
        log = logger.bind(provider=self.provider)
        deadline = self.clock.time() + self.policy.deadline
        attempt = 0
        while True:
            try:
                await self.bucket.acquire(max_wait=max(0.0, deadline - self.clock.time()))
            except TimeoutError:
                raise ProviderError(
                    self.provider, "rate limit: no request slot before the deadline"
                ) from None
            try:
                return await call()
            except ProviderError as error:
                delay = self.policy.delay(attempt, error, self.rng)
                if delay is None or self.clock.time() + delay > deadline:
                    log.warning("giving up after {} attempt(s): {}", attempt + 1, error.problem)
                    raise
                log.info("attempt {} failed ({}); retrying in {:.2f}s", attempt + 1, error.problem, delay)
                await sleep(self.clock, delay)
                attempt += 1
