"""Shared fixtures: a PostgreSQL server per test session, a fresh schema per test, loop hygiene."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from quizbot.storage.embedded import EmbeddedPostgres
from quizbot.storage.pool import Backoff, Database
from quizbot.storage.schema import apply_schema


@pytest.fixture(scope="session")
async def server_url() -> AsyncIterator[str]:
    """QUIZBOT_TEST_DATABASE_URL when set, else an embedded PostgreSQL for this test session."""
    configured = os.environ.get("QUIZBOT_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    # Outside pytest's own temp folder: that one is private to root, and as root pgserver runs
    # PostgreSQL as a user of its own, which must be able to reach the data folder.
    data_dir = Path(tempfile.mkdtemp(prefix="quizbot-test-pg-"))
    embedded = EmbeddedPostgres(data_dir)
    yield await embedded.start()
    await embedded.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
async def schema_name(server_url: str) -> AsyncIterator[str]:
    """A schema of its own for one test, dropped afterwards, so tests never see each other's rows."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE SCHEMA "{name}"')
        yield name
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        await admin.close()


async def connect_to_schema(server_url: str, schema: str, **options: Any) -> Database:
    """A Database whose connections use `schema` (tests make several to stand in for processes)."""
    options.setdefault("backoff", Backoff(attempts=3, base=0.01, cap=0.05))
    return await Database.connect(server_url, server_settings={"search_path": schema}, **options)


@pytest.fixture
async def db(server_url: str, schema_name: str) -> AsyncIterator[Database]:
    """A connected Database with the schema applied in this test's own schema."""
    database = await connect_to_schema(server_url, schema_name)
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
