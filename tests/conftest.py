"""Shared fixtures: a PostgreSQL server per test run, a fresh schema per test, loop hygiene."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from loguru import logger

from quizbot.storage.pool import Database
from quizbot.storage.schema import apply_schema
from tests.connections import IDLE
from tests.database import RunServer, SchemaFactory, connect_to_schema

# The suite keeps its compiled modules even where PYTHONDONTWRITEBYTECODE is set: pytest rewrites
# the asserts of some 160 test modules (about 3 s a worker) and Python compiles quizbot's modules
# on every run otherwise. The files go to __pycache__ folders, which git ignores.
sys.dont_write_bytecode = False


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what collection made, so the collector stops re-scanning modules and test items.

    Each bot started in a test ends its respawn with a full collection (quizbot.actors.collector),
    which otherwise walks the whole of pytest's heap, about 70 ms a bot. Objects the tests make are
    collected as before.
    """
    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session")
async def server_url() -> AsyncIterator[str]:
    """QUIZBOT_TEST_DATABASE_URL when set, else the embedded PostgreSQL of this test run."""
    if configured := os.environ.get("QUIZBOT_TEST_DATABASE_URL"):
        IDLE.servers.add(configured)  # tests hand their connections on (tests/connections.py)
        yield configured
        await IDLE.close()
        return
    server = RunServer()
    url = await server.start()
    IDLE.servers.add(url)
    yield url
    await IDLE.close()
    await server.stop()


@pytest.fixture(scope="session")
async def schemas(server_url: str) -> AsyncIterator[SchemaFactory]:
    """Makes and drops the tests' schemas on a thread of its own (see tests/database.py)."""
    factory = SchemaFactory(server_url)
    yield factory
    await factory.close()


@pytest.fixture
async def schema_name(request: pytest.FixtureRequest, schemas: SchemaFactory) -> AsyncIterator[str]:
    """A schema of its own for one test, dropped afterwards, so tests never see each other's rows.

    Empty; or, for a test that also uses `db`, the one `db` connects to, with schema.sql applied.
    """
    name = await schemas.take(applied="db" in request.fixturenames)
    yield name
    schemas.drop(name)


@pytest.fixture
async def db(server_url: str, schema_name: str, schemas: SchemaFactory) -> AsyncIterator[Database]:
    """A connected Database with the schema applied in this test's own schema."""
    database = await connect_to_schema(server_url, schema_name)
    if schema_name not in schemas.applied:  # asked for by name, after schema_name was made
        await apply_schema(database)
    yield database
    await database.close()


@pytest.fixture(autouse=True)
async def fail_on_loop_exceptions() -> AsyncIterator[None]:
    """Fail a test if any exception reached the event loop's handler (a task died unseen)."""
    seen: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: seen.append(context))
    yield
    loop.set_exception_handler(previous)
    assert not seen, f"exceptions reached the event loop: {seen}"


@pytest.fixture
def warnings() -> Iterator[list[str]]:
    """Every loguru message at WARNING or above logged during the test."""
    messages: list[str] = []
    handler_id = logger.add(lambda m: messages.append(str(m)), level="WARNING", format="{message}")
    yield messages
    logger.remove(handler_id)
