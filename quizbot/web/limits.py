"""A token bucket per client address, on an injected clock: the web's rate limit."""

from __future__ import annotations

from dataclasses import dataclass

from quizbot.clock import Clock

MAX_ADDRESSES = 10_000  # buckets kept; past this the full (idle) ones are forgotten


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """Allows `per_minute` requests a minute per address, with bursts up to `burst`."""

    def __init__(self, clock: Clock, *, per_minute: int, burst: int | None = None) -> None:
        self.clock = clock
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, per_minute // 2))
        self._buckets: dict[str, _Bucket] = {}

    def take(self, address: str) -> float:
        """Spend one request of `address`: 0.0 when allowed, else the seconds until it would be."""
        now = self.clock.time()
        bucket = self._buckets.get(address)
        if bucket is None:
            if len(self._buckets) >= MAX_ADDRESSES:
                self._forget_idle(now)
            bucket = self._buckets[address] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        """Drop the buckets that have filled up again (their addresses lose nothing by it)."""
        full = [a for a, b in self._buckets.items() if b.tokens + (now - b.at) * self.rate >= self.burst]
        for address in full:
            del self._buckets[address]
        if len(self._buckets) >= MAX_ADDRESSES:  # all busy: forget the oldest rather than grow
            del self._buckets[min(self._buckets, key=lambda a: self._buckets[a].at)]
