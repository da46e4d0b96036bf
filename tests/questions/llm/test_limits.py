"""Token bucket, circuit breaker, retry policy and the guard that combines them, on a manual clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from quizbot.clock import ManualClock
from quizbot.questions.llm import (
    BreakerState,
    CircuitBreaker,
    Guard,
    ProviderError,
    ProviderSkipped,
    RetryPolicy,
    TokenBucket,
)
from quizbot.questions.llm.providers import retry_after_seconds
from tests.questions.llm.support import advancing

BUSY = ProviderError("openai", "server error (HTTP 500)", retryable=True, status=500)


def guard(clock: ManualClock, policy: RetryPolicy | None = None, threshold: int = 3) -> Guard:
    return Guard(
        "openai",
        bucket=TokenBucket(6000, clock=clock),
        breaker=CircuitBreaker(threshold, 60.0, clock=clock),
        policy=policy or RetryPolicy(),
        clock=clock,
        rng=random.Random(1),
    )


class Script:
    """An operation that raises the scripted errors in turn, then returns "ok"."""

    def __init__(self, *errors: ProviderError) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


async def test_the_bucket_allows_a_burst_then_paces() -> None:
    """60 a minute with a burst of 2: two at once, then one a second."""
    clock = ManualClock()
    bucket = TokenBucket(60, clock=clock, capacity=2)

    async with advancing(clock) as waits:
        for _ in range(4):
            await bucket.acquire()
    assert waits == [pytest.approx(1.0), pytest.approx(1.0)]


async def test_the_bucket_refuses_a_wait_past_the_limit() -> None:
    """A token further away than max_wait raises TimeoutError without sleeping."""
    clock = ManualClock()
    bucket = TokenBucket(1, clock=clock, capacity=1)
    await bucket.acquire()
    async with advancing(clock) as waits:
        with pytest.raises(TimeoutError):
            await bucket.acquire(max_wait=10)
    assert waits == []


def test_the_breaker_opens_after_the_threshold() -> None:
    """Three failures in a row open the breaker; an open breaker refuses calls."""
    breaker = CircuitBreaker(3, 60, clock=ManualClock())
    for _ in range(2):
        breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN and not breaker.allow()


def test_a_success_resets_the_failure_count() -> None:
    """Failures must be consecutive to open the breaker."""
    breaker = CircuitBreaker(2, 60, clock=ManualClock())
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED


def test_half_open_lets_one_trial_through() -> None:
    """After the cool-down exactly one call may go ahead until it reports."""
    clock = ManualClock()
    breaker = CircuitBreaker(1, 60, clock=clock)
    breaker.record_failure()
    clock.advance(60)
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow() and not breaker.allow()


def test_a_good_trial_closes_the_breaker() -> None:
    """A successful trial call closes the breaker."""
    clock = ManualClock()
    breaker = CircuitBreaker(1, 60, clock=clock)
    breaker.record_failure()
    clock.advance(60)
    breaker.allow()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()


def test_a_failed_trial_opens_the_breaker_again() -> None:
    """A failed trial call re-opens the breaker for a full cool-down."""
    clock = ManualClock()
    breaker = CircuitBreaker(3, 60, clock=clock)
    for _ in range(3):
        breaker.record_failure()
    clock.advance(60)
    breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN and breaker.retry_in() == 60


def test_backoff_is_full_jitter_under_an_exponential_cap() -> None:
    """Retry n waits uniform(0, min(cap, base * 2**n))."""
    policy, rng = RetryPolicy(base=0.5, cap=3.0), random.Random(5)
    for attempt, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (5, 3.0)]:
        delays = [policy.backoff(attempt, rng) for _ in range(200)]
        assert min(delays) >= 0 and max(delays) <= ceiling and max(delays) > ceiling / 2


def test_a_retry_after_beyond_the_maximum_gives_up() -> None:
    """A provider asking for a longer wait than max_retry_after is not waited for."""
    error = ProviderError("openai", "rate limited", retryable=True, retry_after=120)
    assert RetryPolicy(max_retry_after=30).delay(0, error, random.Random()) is None


async def test_attempts_are_bounded() -> None:
    """A provider failing with 500 every time is called `attempts` times, then the error is raised."""
    clock = ManualClock()
    operation = Script(BUSY, BUSY, BUSY, BUSY)
    async with advancing(clock) as waits:
        with pytest.raises(ProviderError, match="500"):
            await guard(clock, RetryPolicy(attempts=3)).run(operation)
    assert operation.calls == 3 and len(waits) == 2


async def test_the_deadline_stops_retries() -> None:
    """A retry that would end past the total deadline is not made."""
    clock = ManualClock()
    rate_limited = ProviderError("openai", "rate limited", retryable=True, retry_after=8)
    operation = Script(rate_limited, rate_limited, rate_limited)
    async with advancing(clock) as waits:
        with pytest.raises(ProviderError):
            await guard(clock, RetryPolicy(attempts=5, deadline=20)).run(operation)
    assert operation.calls == 3 and waits == [8, 8]  # a third wait would end at 24s


async def test_a_non_retryable_error_is_raised_at_once() -> None:
    """A 400-type error is not retried."""
    operation = Script(ProviderError("openai", "refused (HTTP 400)", status=400))
    with pytest.raises(ProviderError):
        await guard(ManualClock()).run(operation)
    assert operation.calls == 1


async def test_an_open_guard_skips_without_calling() -> None:
    """Once the breaker is open the guard raises ProviderSkipped and the operation is not called."""
    clock = ManualClock()
    protected = guard(clock, RetryPolicy(attempts=1), threshold=1)
    with pytest.raises(ProviderError):
        await protected.run(Script(BUSY))
    operation = Script()
    with pytest.raises(ProviderSkipped):
        await protected.run(operation)
    assert operation.calls == 0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_headers_are_read(headers: dict[str, str], expected: float | None) -> None:
    """retry-after-ms wins over retry-after; seconds may be fractional; nonsense is ignored."""
    assert retry_after_seconds(headers) == expected


def test_retry_after_may_be_an_http_date() -> None:
    """An HTTP date in retry-after means the seconds until then."""
    now = datetime(2030, 1, 1, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert retry_after_seconds({"retry-after": header}, now=now.timestamp()) == 30.0
