"""PostgreSQL connections handed on from one test to the next, instead of opened and closed each time.

A new connection costs PostgreSQL a backend to start and asyncpg a round of type introspection
(three statements, the largest a recursive query over pg_type) before its first query with arrays:
about a third of the server's CPU over the suite, measured. So the pools tests make close their
connections into a worker-wide `Idle` list rather than closing them, and the next test's pool takes
them back, set to its own schema. Only connections to the run's own server are handed on (never one
through a proxy a test may cut), and only one that answers a statement at once, in no transaction.
What a test left on one (settings, advisory locks, LISTENs, temporary tables) is cleared when it is
taken. Its prepared statements stay: PostgreSQL parses a statement again when the search_path it
was prepared under has changed.

This leans on three asyncpg internals, named where they are used; a change there fails loudly.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

IDLE_LIMIT = 12  # connections kept for the next tests; the rest close as before
TAKE_UP_SECONDS = 5.0  # a connection that does not answer in this long is closed instead
CLEAR = "RESET ALL; SELECT pg_advisory_unlock_all(); UNLISTEN *; DISCARD TEMP"


class Idle:
    """One worker's connections waiting for the next test's pool, by server address."""

    def __init__(self, limit: int = IDLE_LIMIT) -> None:
        self.limit = limit
        self.waiting: dict[str, list[Handed]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None  # the worker's loop: connections are bound to it
        self.servers: set[str] = set()  # the run's own servers (not a proxy a test may cut)

    async def connect(
        self, dsn: str, *, server_settings: dict[str, str], **options: Any
    ) -> asyncpg.Connection:
        """asyncpg's connect, for a pool: a waiting connection set to this pool's schema, else a new one
        (a plain one on any loop but the worker's own)."""
        loop = asyncio.get_running_loop()
        self.loop = self.loop or loop
        if loop is not self.loop or dsn not in self.servers:
            return await asyncpg.connect(dsn, server_settings=server_settings, **options)
        waiting = self.waiting.get(dsn, [])
        while waiting:
            connection = waiting.pop()
            if await connection.take_up(server_settings):
                return connection
        options["connection_class"] = Handed
        connection = await asyncpg.connect(dsn, server_settings=server_settings, **options)
        assert isinstance(connection, Handed)
        connection.idle, connection.dsn = self, dsn
        return connection

    def keep(self, connection: Handed) -> bool:
        """Keep `connection` for a later test, if it is reusable and there is room."""
        waiting = self.waiting.setdefault(connection.dsn, [])
        if connection in waiting:
            return True  # closed twice: kept once
        if connection.is_closed() or len(waiting) >= self.limit:
            return False
        waiting.append(connection)
        return True

    def forget(self, connection: Handed) -> None:
        """`connection` is gone (terminated): never hand it on."""
        waiting = self.waiting.get(connection.dsn, [])
        if connection in waiting:
            waiting.remove(connection)

    async def close(self) -> None:
        """Close every waiting connection (the worker is done)."""
        for waiting in self.waiting.values():
            for connection in waiting:
                await asyncpg.Connection.close(connection)
        self.waiting.clear()


class Handed(asyncpg.Connection):  # type: ignore[misc]
    """A connection that its pool's close hands to `Idle` rather than closing."""

    idle: Idle
    dsn: str

    async def close(self, *, timeout: float | None = None) -> None:  # noqa: ASYNC109 - asyncpg's signature
        """Detach from the pool as asyncpg does when a connection closes, and wait for the next test."""
        if not await self.answers() or not self.idle.keep(self):
            await super().close(timeout=timeout)
            return
        # asyncpg internals: a closing connection tells its pool's holder (Connection._cleanup).
        holder = self._pool_holder() if self._pool_holder is not None else None
        self._pool_holder = None
        if holder is not None and holder._con is self:
            holder._release_on_close()

    async def answers(self) -> bool:
        """Whether the server is waiting for this connection's next statement and nothing else.

        A query cancelled in the middle of being prepared can leave its backend in a transaction,
        waiting for a message the client will never send and holding locks on the test's schema;
        closed, that backend goes (as it always did), and only a connection that answers is kept."""
        if self.is_closed() or self._cancellations:  # asyncpg internal: a query being cancelled
            return False
        try:
            await self.execute("SELECT 1", timeout=TAKE_UP_SECONDS)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
            return False
        return not self.is_in_transaction()

    def terminate(self) -> None:
        self.idle.forget(self)
        super().terminate()

    async def take_up(self, server_settings: dict[str, str]) -> bool:
        """Clear what the last test left and take on `server_settings`; False (closed) if it cannot."""
        try:
            await self.execute(CLEAR, timeout=TAKE_UP_SECONDS)
            for name, value in server_settings.items():
                await self.execute("SELECT set_config($1, $2, false)", name, value, timeout=TAKE_UP_SECONDS)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
            self.terminate()
            return False
        return True


IDLE = Idle()  # this worker's
