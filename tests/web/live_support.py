"""Reading a live game's event stream as a browser's EventSource does, for the web and bot tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import ClientResponse

READ_TIMEOUT = 10.0  # a bound on real I/O: the server's write, not a wait for the game


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One Server-Sent Event: its type, id and decoded JSON data."""

    kind: str
    id: str
    data: dict[str, Any]

    @property
    def html(self) -> str:
        return str(self.data["html"])


class EventStream:
    """An open event stream: `next()` is its next event (comments and `retry:` are skipped)."""

    def __init__(self, response: ClientResponse) -> None:
        self.response = response
        self.retry: int | None = None

    async def next(self) -> StreamEvent:
        fields: dict[str, str] = {}
        while True:
            raw = await asyncio.wait_for(self.response.content.readline(), READ_TIMEOUT)
            if raw == b"":
                raise EOFError("the stream ended")
            line = raw.decode().rstrip("\n")
            if line == "":
                if "data" in fields:
                    return StreamEvent(
                        fields.get("event", "message"), fields.get("id", ""), orjson.loads(fields["data"])
                    )
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(": ")
            if name == "retry":
                self.retry = int(value)
                continue
            fields[name] = value

    async def until(self, wanted: Callable[[StreamEvent], bool]) -> StreamEvent:
        """The first event from now on that `wanted` accepts (the stream may coalesce changes)."""
        while not wanted(event := await self.next()):
            pass
        return event

    def close(self) -> None:
        self.response.close()
