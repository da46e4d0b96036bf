"""The one asyncpg pool: orjson jsonb codecs, health figures, and retries for transient failures only."""

from __future__ import annotations

import asyncio
import bisect
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import TypeVar

import asyncpg
import orjson
from loguru import logger

from quizbot.actors.ports import PoolHealth
from quizbot.backoff import full_jitter
from quizbot.config import redact_url
from quizbot.errors import DatabaseUnavailable, DataRejected, StorageError

T = TypeVar("T")
Operation = Callable[[asyncpg.Connection], Awaitable[T]]

# Failures where the same statement may well succeed on a fresh connection a moment later.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,  # class 08: connection lost or refused
    asyncpg.CannotConnectNowError,  # 57P03: server starting up or shutting down
    asyncpg.AdminShutdownError,  # 57P01: terminated by the administrator or a restart
    asyncpg.TooManyConnectionsError,  # 53300
    asyncpg.SerializationError,  # 40001
    asyncpg.DeadlockDetectedError,  # 40P01
    ConnectionError,
    OSError,
    asyncio.TimeoutError,
)


# Refusals of what a statement holds (text PostgreSQL cannot store, a broken constraint, a value too
# large): sending the same again can never succeed, unlike an outage.
CONTENT_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.DataError,  # class 22, and asyncpg's own refusal of an argument
    asyncpg.IntegrityConstraintViolationError,  # class 23
    asyncpg.ProgramLimitExceededError,  # class 54
    UnicodeError,  # a lone surrogate cannot be encoded for the server
)


@contextmanager
def content_refused(what: str) -> Iterator[None]:
    """Raise DataRejected, naming `what`, where PostgreSQL refuses a write for its content."""
    try:
        yield
    except CONTENT_ERRORS as error:
        raise DataRejected(f"the database refused {what}: {type(error).__name__}: {error}") from error


def is_transient(error: BaseException) -> bool:
    """True for failures worth retrying; our SQL mistakes and constraint violations are not."""
    if isinstance(error, asyncpg.InterfaceError):  # the client saw the connection close under it
        return "closed" in str(error)
    return isinstance(error, TRANSIENT_ERRORS)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with full jitter: attempt n sleeps uniform(0, min(cap, base * 2**n))."""

    attempts: int = 3
    base: float = 0.05
    cap: float = 2.0

    def delay(self, attempt: int) -> float:
        return full_jitter(attempt, self.base, self.cap)


class _AcquireStats:
    """Keeps the last few acquire waits and counts the times no connection was free.

    The waits are also kept in order, so the p95 that every status report shows is read at one
    index instead of sorting the whole window each time (tests ask for the status constantly).
    """

    def __init__(self, window: int = 1024) -> None:
        self.waits: deque[float] = deque(maxlen=window)  # oldest first
        self._ordered: list[float] = []  # the same waits, smallest first
        self.ran_dry = 0
        self.retries = 0

    def add(self, wait: float) -> None:
        """Keep one acquire's wait, forgetting the oldest once the window is full."""
        if len(self.waits) == self.waits.maxlen:
            del self._ordered[bisect.bisect_left(self._ordered, self.waits[0])]
        self.waits.append(wait)
        bisect.insort(self._ordered, wait)

    def p95_ms(self) -> float:
        ordered = self._ordered
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)] * 1000


async def _init_connection(connection: asyncpg.Connection) -> None:
    """Every pooled connection decodes jsonb with orjson, in binary, with no str round trip."""
    await connection.set_type_codec(
        "jsonb",
        schema="pg_catalog",
        encoder=lambda value: b"\x01" + orjson.dumps(value),
        decoder=lambda data: orjson.loads(data[1:]),
        format="binary",
    )


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Hand a released connection back as it is: asyncpg has already rolled back any transaction.

    asyncpg's default reset sends one more statement per release (unlock advisory locks, close
    cursors, UNLISTEN, RESET ALL): a round trip for every operation. quizbot leaves no session
    state on a connection to undo (its locks are transaction-scoped, its settings SET LOCAL or the
    pool's own, and it neither listens nor holds cursors), so that statement would change nothing.
    """


class Database:
    """The application's pool and the only way storage code gets a connection."""

    def __init__(self, pool: asyncpg.Pool, *, backoff: Backoff = Backoff()) -> None:
        self.pool = pool
        self.backoff = backoff
        self._stats = _AcquireStats()

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        min_size: int = 2,
        max_size: int = 10,
        attempts: int = 5,
        backoff: Backoff = Backoff(),
        server_settings: dict[str, str] | None = None,
        command_timeout: float = 30.0,
        connect: Callable[..., Awaitable[asyncpg.Connection]] | None = None,
    ) -> Database:
        """Create the pool, retrying while the server refuses; then DatabaseUnavailable naming it.

        `connect` opens the pool's connections in place of asyncpg's own (the tests hand theirs on
        from one test to the next)."""
        last_error: BaseException | None = None
        for attempt in range(attempts):
            try:
                pool = await asyncpg.create_pool(
                    url,
                    min_size=min_size,
                    max_size=max_size,
                    init=_init_connection,
                    reset=_keep_session,
                    server_settings=server_settings,
                    command_timeout=command_timeout,
                    timeout=10.0,
                    connect=connect,
                )
            except Exception as error:
                if not is_transient(error):
                    raise DatabaseUnavailable(f"cannot connect to {redact_url(url)}: {error}") from error
                last_error = error
                delay = backoff.delay(attempt)
                logger.bind(attempt=attempt + 1, of=attempts).warning(
                    "database not reachable ({}); retrying in {:.2f}s", type(error).__name__, delay
                )
                await asyncio.sleep(delay)
            else:
                return cls(pool, backoff=backoff)
        raise DatabaseUnavailable(
            f"cannot connect to {redact_url(url)} after {attempts} attempts: {last_error}"
        ) from last_error

    async def close(self) -> None:
        """Close every connection, waiting for the ones in use to come back."""
        await self.pool.close()

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection from the pool, with the wait measured for the health figures."""
        if self.pool.get_idle_size() == 0 and self.pool.get_size() >= self.pool.get_max_size():
            self._stats.ran_dry += 1
        started = time.perf_counter()
        async with self.pool.acquire() as connection:
            self._stats.add(time.perf_counter() - started)
            yield connection

    async def run(
        self,
        operation: Operation[T],
        *,
        connection: asyncpg.Connection | None = None,
        transaction: bool = True,
    ) -> T:
        """Run `operation` on the caller's connection as is, or on a pooled one with retries.

        With a pooled connection, each try is its own transaction (when `transaction`), so a
        connection lost mid-way rolls back whole before the next try.
        """
        if connection is not None:
            return await operation(connection)
        attempts = self.backoff.attempts
        for attempt in range(attempts):
            try:
                async with self.acquire() as pooled:
                    if not transaction:
                        return await operation(pooled)
                    async with pooled.transaction():
                        return await operation(pooled)
            except Exception as error:
                if not is_transient(error):
                    raise
                if attempt + 1 == attempts:
                    raise StorageError(f"database kept failing after {attempts} tries: {error}") from error
                self._stats.retries += 1
                delay = self.backoff.delay(attempt)
                logger.bind(attempt=attempt + 1).warning(
                    "transient database failure ({}); retrying in {:.2f}s",
                    type(error).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")

    def health(self) -> PoolHealth:
        """Pool size, idle and busy connections, acquire wait p95, and how often it ran dry."""
        size = self.pool.get_size()
        idle = self.pool.get_idle_size()
        return PoolHealth(
            size=size,
            idle=idle,
            in_use=size - idle,
            max_size=self.pool.get_max_size(),
            acquire_wait_p95_ms=round(self._stats.p95_ms(), 3),
            ran_dry=self._stats.ran_dry,
            retries=self._stats.retries,
        )
