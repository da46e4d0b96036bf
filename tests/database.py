"""The tests' PostgreSQL: the embedded server of a test run, started while the first tests run."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg

from quizbot.storage.embedded import EmbeddedPostgres
from quizbot.storage.pool import Backoff, Database


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
    """The embedded PostgreSQL of one test run, started on a thread so the first tests need not wait.

    pgserver starts the server for the first xdist worker (under a file lock) and lets the others
    join it; it stops the server when the last one leaves, and that one removes the folder.
    """

    def __init__(self) -> None:
        self.data_dir = embedded_data_dir()
        self.embedded = EmbeddedPostgres(self.data_dir)
        starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedded-postgres")
        self._started = starter.submit(asyncio.run, self._start())
        starter.shutdown(wait=False)

    async def _start(self) -> str:
        url = await self.embedded.start()
        await throwaway_server_settings(url)
        return url

    async def url(self) -> str:
        """The server's URL, once it is up (or why it could not start)."""
        return await asyncio.wrap_future(self._started)

    def stop(self) -> None:
        """Leave the server, once it has finished starting; call with no event loop running."""
        with contextlib.suppress(Exception):
            self._started.result()
        asyncio.run(self.embedded.stop())
        if not (self.data_dir / "postmaster.pid").exists():
            shutil.rmtree(self.data_dir, ignore_errors=True)


async def connect_to_schema(server_url: str, schema: str, **options: Any) -> Database:
    """A Database whose connections use `schema` (tests make several to stand in for processes)."""
    options.setdefault("backoff", Backoff(attempts=3, base=0.01, cap=0.05))
    return await Database.connect(server_url, server_settings={"search_path": schema}, **options)
