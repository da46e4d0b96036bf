"""The tests' PostgreSQL: the embedded server of a test run, and a schema of its own for each test.

Each test's schema is made ahead and emptied or dropped behind on a thread of its own, off the
test's path.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from quizbot.storage.embedded import EmbeddedPostgres
from quizbot.storage.pool import Backoff, Database
from quizbot.storage.schema import apply_schema
from tests.connections import IDLE

T = TypeVar("T")

AHEAD = 2  # schemas with schema.sql applied, kept ready for the next tests that use `db`
LOCK_WAIT = "50ms"  # how long emptying a schema waits for a lock before dropping the schema instead

# The shape of a schema: its relations, columns with defaults, constraints, indexes, triggers and
# functions, with the schema's own name written as "S" so two schemas of one shape compare equal.
SHAPE = """
    SELECT md5(string_agg(replace(item, $2, 'S'), E'\n' ORDER BY item)) FROM (
        SELECT 'c ' || c.relname || ' ' || c.relkind::text FROM pg_class c WHERE c.relnamespace = $1
        UNION ALL
        SELECT 'a ' || c.relname || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
               || ' ' || a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = $1 AND a.attnum > 0 AND NOT a.attisdropped
        UNION ALL
        SELECT 'k ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = $1
        UNION ALL
        SELECT 'i ' || pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = $1
        UNION ALL
        SELECT 't ' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = $1 AND NOT t.tgisinternal
        UNION ALL
        SELECT 'f ' || p.proname || ' ' || md5(p.prosrc) FROM pg_proc p WHERE p.pronamespace = $1
    ) items(item)
"""
# Locks another connection holds on the schema's relations: a test's connection still closing, or
# one left in a transaction. Emptying would wait for it, or miss rows it has yet to commit.
HELD_ELSEWHERE = """
    SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
    WHERE c.relnamespace = $1 AND l.pid <> pg_backend_pid()
"""
RESTART_SEQUENCES = """
    SELECT count(setval(c.oid, s.seqstart, false))
    FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid WHERE c.relnamespace = $1
"""


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


async def connect_to_schema(server_url: str, schema: str, *, reuse: bool = True, **options: Any) -> Database:
    """A Database whose connections use `schema` (tests make several to stand in for processes).

    It opens one connection to begin with, not the service's two: a new connection costs
    PostgreSQL a few milliseconds of CPU, and most tests use one at a time (more open as needed)."""
    options.setdefault("backoff", Backoff(attempts=3, base=0.01, cap=0.05))
    options.setdefault("min_size", 1)
    if reuse:  # connections handed on from the last test's pools (see tests/connections.py)
        options.setdefault("connect", IDLE.connect)
    return await Database.connect(server_url, server_settings={"search_path": schema}, **options)


class SchemaFactory:
    """Gives each test a schema of its own and empties or drops it afterwards, off the test's path.

    Applying schema.sql to a new schema and dropping it again costs PostgreSQL about 110 ms of CPU a
    test, on the cores the tests run on. So a schema with schema.sql applied is handed on to a later
    test once it is as new again: no other connection holds a lock in it, its shape (tables, columns,
    constraints, indexes, triggers, functions) is exactly that of a fresh one, the rows schema.sql
    put there are unchanged, every other table is emptied and every sequence restarted, all in one
    transaction. A test that changed the shape, or left a connection behind, has its schema dropped
    instead. All of this runs on a thread with an event loop of its own; the tests' loop runs none.
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
        self._emptied: deque[str] = deque()  # handed back as new, ready for the next test
        self._emptying: set[asyncio.Task[None]] = set()
        self._drops: list[Future[None]] = []
        self._fresh: Fresh | None = None  # what a schema just made by apply_schema looks like
        self.reused = 0

    async def take(self, *, applied: bool) -> str:
        """The name of a new schema: empty, or with schema.sql applied."""
        name = await self._on_factory(self._take(applied))
        if applied:
            self.applied.add(name)
        return name

    def drop(self, name: str) -> None:
        """Hand back a schema its test is done with: emptied for reuse, or dropped, in the background."""
        work = self._reuse(name) if name in self.applied else self._drop(name)
        self.applied.discard(name)
        self._drops.append(asyncio.run_coroutine_threadsafe(work, self._loop))

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
        while not self._emptied and self._emptying:  # a few ms, far less than making one
            await asyncio.wait(self._emptying, return_when=asyncio.FIRST_COMPLETED)
        if self._emptied:
            return self._emptied.popleft()
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
        database = await connect_to_schema(self.url, name, reuse=False, min_size=1, max_size=1)
        try:
            await apply_schema(database)
        finally:
            await database.close()
        if self._fresh is None:
            async with (await self._pool()).acquire() as admin:
                self._fresh = await Fresh.read(admin, name)
        return name

    async def _reuse(self, name: str) -> None:
        """Empty a used schema and keep it for the next test, or drop it if it is not as new."""
        emptying = asyncio.current_task()
        assert emptying is not None
        self._emptying.add(emptying)  # takes wait for this rather than make a schema
        try:
            async with (await self._pool()).acquire() as admin:
                emptied = self._fresh is not None and await self._fresh.empty(admin, name)
        finally:
            self._emptying.discard(emptying)
        if emptied:
            self.reused += 1
            self._emptied.append(name)
        else:
            await self._drop(name)

    async def _drop(self, name: str) -> None:
        await (await self._pool()).execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')

    async def _close(self) -> None:
        made = await asyncio.gather(*self._ready, return_exceptions=True)
        self._ready.clear()
        made.extend(self._emptied)
        self._emptied.clear()
        await asyncio.gather(*(self._drop(name) for name in made if isinstance(name, str)))
        if self._admin is not None:
            await self._admin.close()


@dataclass(frozen=True, slots=True)
class Fresh:
    """What a schema just made by apply_schema looks like: its shape, and the rows schema.sql put in."""

    shape: str
    seeded: dict[str, str | None]  # table -> digest of its rows, for the tables schema.sql fills
    emptied: tuple[str, ...]  # every other table

    @classmethod
    async def read(cls, admin: asyncpg.Connection, name: str) -> Fresh:
        """The look of schema `name`, just made by apply_schema."""
        namespace = await admin.fetchval("SELECT $1::regnamespace::oid", name)
        tables = await _tables(admin, namespace)
        digests = {table: await _digest(admin, name, table) for table in tables}
        seeded = {table: digest for table, digest in digests.items() if digest is not None}
        shape: str = await admin.fetchval(SHAPE, namespace, name)
        return cls(shape, seeded, tuple(t for t in tables if t not in seeded))

    async def empty(self, admin: asyncpg.Connection, name: str) -> bool:
        """Empty schema `name` if it is shaped as a fresh one; False (and nothing changed) if not."""
        try:
            async with admin.transaction():
                await admin.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
                await admin.execute("SET LOCAL session_replication_role = replica")  # no FK order to keep
                namespace = await admin.fetchval("SELECT $1::regnamespace::oid", name)
                if await admin.fetchval(HELD_ELSEWHERE, namespace):
                    return False
                if await admin.fetchval(SHAPE, namespace, name) != self.shape:
                    return False
                if sorted(await _tables(admin, namespace)) != sorted([*self.seeded, *self.emptied]):
                    return False
                for table, digest in self.seeded.items():
                    if await _digest(admin, name, table) != digest:
                        return False
                await admin.execute("".join(f'DELETE FROM "{name}"."{table}";' for table in self.emptied))
                await admin.fetchval(RESTART_SEQUENCES, namespace)
                return True
        except asyncpg.PostgresError:  # a lock not had in time, or a server that refuses the role
            return False


async def _tables(admin: asyncpg.Connection, namespace: int) -> list[str]:
    query = "SELECT relname FROM pg_class WHERE relnamespace = $1 AND relkind IN ('r', 'p') ORDER BY relname"
    return [table for (table,) in await admin.fetch(query, namespace)]


async def _digest(admin: asyncpg.Connection, name: str, table: str) -> str | None:
    """A digest of a table's rows but for when they were written (`*_at`); None when it has none."""
    query = f"""
        SELECT md5(string_agg(kept::text, ',' ORDER BY kept::text))
        FROM "{name}"."{table}" t, LATERAL (
            SELECT jsonb_object_agg(key, value) FILTER (WHERE key NOT LIKE '%\\_at') AS kept
            FROM jsonb_each(to_jsonb(t))
        ) columns
    """
    digest: str | None = await admin.fetchval(query)
    return digest
