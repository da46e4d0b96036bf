"""An embedded PostgreSQL (pgserver) in a data folder, so a new user needs no database set-up."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path
from typing import Any

from loguru import logger

from quizbot.errors import DatabaseUnavailable


class EmbeddedPostgres:
    """Owns one pgserver instance; `url` is ready once `start()` returns."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._server: Any = None

    @property
    def url(self) -> str:
        """The server's connection URL (a unix socket in the data folder)."""
        if self._server is None:
            raise RuntimeError("cannot give a URL; the embedded PostgreSQL is not started")
        return str(self._server.get_uri())

    async def start(self) -> str:
        """Initialise the data folder if new, start the server (or join a running one), return its URL."""
        if self._server is None:
            self._server = await asyncio.to_thread(self._start_blocking)
        return self.url

    def _start_blocking(self) -> Any:
        from pgserver.postgres_server import get_server  # noqa: PLC0415 - only the embedded path needs it

        self.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            with warnings.catch_warnings():  # pgserver asks platformdirs for a runtime dir it never needs
                warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
                server = get_server(self.data_dir, cleanup_mode="stop")
        except Exception as error:  # pgserver raises plain exceptions with initdb/pg_ctl output
            raise DatabaseUnavailable(
                f"could not start the embedded PostgreSQL in {self.data_dir}: {error}"
            ) from error
        logger.bind(data_dir=str(self.data_dir)).info("embedded PostgreSQL ready")
        return server

    async def stop(self) -> None:
        """Release this process's handle; the server stops when its last user is gone."""
        if self._server is not None:
            server, self._server = self._server, None
            await asyncio.to_thread(server.cleanup)
