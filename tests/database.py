"""The tests' PostgreSQL: the embedded server of a test run, and a fresh schema for each test.

Each test's schema is made ahead and dropped behind on a thread of its own, off the test's path.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import threading
import uuid
from collections import deque
from collections.abc import Coroutine
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from quizbot.storage.embedded import EmbeddedPostgres
from quizbot.storage.pool import Backoff, Database
from quizbot.storage.schema import apply_schema

T = TypeVar("T")

AHEAD = 2  # schemas with schema.sql applied, kept ready for the next tests that use `db`


def embedded_data_dir() -> Path:
    """The embedded PostgreSQL's data folder: one per run, shared by that run's xdist workers.

    Outside pytest's own temp folder: that one is private to root, and as root pgserver runs
    PostgreSQL as a user of its own, which must be able to reach the data folder.
    """
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")  # set in each worker, the same for one run
    if run is None:
        return Path(tempfile.mkdtemp(prefix="quizbot-test-pg-"))
    return Path(tempfile.gettempdir()) / f"quizbot-test-pg-{run}"


async def throwaway_server_settings(url: str) -> None:
    """No waiting on the disk: the tests' embedded server holds nothing worth a crash's recovery.

    This saves about a third of each schema's set-up. Only PostgreSQL crashing could tell the
    difference, and no test crashes it; a server given in QUIZBOT_TEST_DATABASE_URL is left as it is.
    """
    admin = await asyncpg.connect(url)
    try:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            await admin.execute(f"ALTER SYSTEM SET {setting} = off")
        await admin.execute("SELECT pg_reload_conf()")
    finally:
        await admin.close()


class RunServer:
    """The embedded PostgreSQL of one test run, shared by its xdist workers.

    pgserver starts the server for the first worker (under a file lock) and lets the others join
    it; it stops the server when the last one leaves, and that one removes the folder.
    """

    def __init__(self) -> None:
        self.data_dir = embedded_data_dir()
        self.embedded = EmbeddedPostgres(self.data_dir)

    async def start(self) -> str:
        """Start the server, or join the one another worker started; its URL."""
        url = await self.embedded.start()
        await throwaway_server_settings(url)
        return url

    async def stop(self) -> None:
        """Leave the server (the last worker to leave stops it and removes the folder)."""
        await self.embedded.stop()
        if not (self.data_dir / "postmaster.pid").exists():
            shutil.rmtree(self.data_dir, ignore_errors=True)


async def connect_to_schema(server_url: str, schema: str, **options: Any) -> Database:
    """A Database whose connections use `schema` (tests make several to stand in for processes)."""
    options.setdefault("backoff", Backoff(attempts=3, base=0.01, cap=0.05))
    return await Database.connect(server_url, server_settings={"search_path": schema}, **options)


class SchemaFactory:
    """Gives each test a new schema and drops it afterwards, without the test waiting for either.

    Applying schema.sql to a new schema and dropping it again costs PostgreSQL about 40 ms a test.
    Here both happen on a thread with an event loop of its own, a few schemas ahead of the tests
    that take them, so the work fills the time tests spend waiting rather than adding to it. Each
    schema is still new, made by apply_schema, used by one test and dropped; the tests' event loop
    runs none of this work.
    """

    def __init__(self, url: str, ahead: int = AHEAD) -> None:
        self.url = url
        self.ahead = ahead
        self.applied: set[str] = set()  # handed out with schema.sql applied, not yet dropped
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="schema-factory", daemon=True)
        self._thread.start()
        self._admin: asyncpg.Pool | None = None  # on the factory's loop, like everything below
        self._ready: deque[asyncio.Task[str]] = deque()
        self._drops: list[Future[None]] = []

    async def take(self, *, applied: bool) -> str:
        """The name of a new schema: empty, or with schema.sql applied."""
        name = await self._on_factory(self._take(applied))
        if applied:
            self.applied.add(name)
        return name

    def drop(self, name: str) -> None:
        """Drop a schema its test is done with, in the background."""
        self.applied.discard(name)
        self._drops.append(asyncio.run_coroutine_threadsafe(self._drop(name), self._loop))

    async def close(self) -> None:
        """Wait for every drop, drop the schemas made ahead, and stop the thread."""
        try:
            for dropping in self._drops:
                await asyncio.wrap_future(dropping)
            await self._on_factory(self._close())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            await asyncio.to_thread(self._thread.join)
            self._loop.close()

    def _on_factory(self, work: Coroutine[Any, Any, T]) -> asyncio.Future[T]:
        return asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self._loop))

    async def _take(self, applied: bool) -> str:
        if not applied:
            return await self._create()
        while len(self._ready) <= self.ahead:
            self._ready.append(asyncio.create_task(self._prepare()))
        return await self._ready.popleft()

    async def _pool(self) -> asyncpg.Pool:
        if self._admin is None:
            self._admin = await asyncpg.create_pool(self.url, min_size=1, max_size=self.ahead + 2)
        return self._admin

    async def _create(self) -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        await (await self._pool()).execute(f'CREATE SCHEMA "{name}"')
        return name

    async def _prepare(self) -> str:
        name = await self._create()
        database = await connect_to_schema(self.url, name, min_size=1, max_size=1)
        try:
            await apply_schema(database)
        finally:
            await database.close()
        return name

    async def _drop(self, name: str) -> None:
        await (await self._pool()).execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')

    async def _close(self) -> None:
        made = await asyncio.gather(*self._ready, return_exceptions=True)
        self._ready.clear()
        await asyncio.gather(*(self._drop(name) for name in made if isinstance(name, str)))
        if self._admin is not None:
            await self._admin.close()
