"""Live-page viewers for the web benchmark, in a process of their own: N Server-Sent Events
streams on one URL, as N classroom screens would hold them.

    python -m bench._web_viewers URL N

Prints `connected N` once every stream has its response headers (or `failed ...` and exits 1),
then reads events until its standard input closes, and prints `events E bytes B` (what all the
streams received) before it exits. A process of its own, so the server's memory and CPU figures
hold only the server's side of each viewer. Each stream is a bare asyncio protocol that counts
bytes and blank lines rather than an HTTP client parsing lines: on a two-core machine the viewers
share the server's CPU, and real viewers are browsers on other machines, so they should cost little.
"""

from __future__ import annotations

import asyncio
import sys
from urllib.parse import urlsplit

CONNECT_SECONDS = 60.0
EVENT_END = b"\n\n"  # a blank line ends each event (the chunked framing's \r\n falls between)


class Tally:
    """What the streams have read so far."""

    def __init__(self) -> None:
        self.events = 0
        self.bytes = 0


class Stream(asyncio.Protocol):
    """One viewer's connection: sends the GET, checks the status line, then counts events."""

    def __init__(self, request: bytes, tally: Tally, ready: asyncio.Queue[str]) -> None:
        self.request = request
        self.tally = tally
        self.ready = ready
        self.head: bytes | None = b""  # the response's head, until its blank line (then None)
        self.tail = b""  # the last byte read, so an event end split across reads still counts

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        if self.head is not None:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            head, data = self.head[:end], self.head[end + 4 :]
            self.head = None
            status = head.split(b"\r\n", 1)[0]
            wanted = b" 200 " in status and b"text/event-stream" in head.lower()
            self.ready.put_nowait("ok" if wanted else f"failed {status.decode(errors='replace')}")
        self.tally.bytes += len(data)
        self.tally.events += (self.tail + data).count(EVENT_END)
        self.tail = data[-1:]

    def connection_lost(self, exc: Exception | None) -> None:
        if self.head is not None:
            self.ready.put_nowait(f"failed: closed before its headers ({exc})")


async def stdin_closed() -> None:
    """Returns once the parent closes this process's standard input."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    await reader.read()


async def main(url: str, count: int) -> int:
    """Hold `count` streams on `url` until stdin closes; see the module docstring."""
    loop, tally, ready = asyncio.get_running_loop(), Tally(), asyncio.Queue[str]()
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    request = (f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept: text/event-stream\r\n\r\n").encode()
    transports = []
    for _ in range(count):
        transport, _protocol = await asyncio.wait_for(
            loop.create_connection(lambda: Stream(request, tally, ready), parts.hostname, parts.port),
            CONNECT_SECONDS,
        )
        transports.append(transport)
    for _ in range(count):
        said = await asyncio.wait_for(ready.get(), CONNECT_SECONDS)
        if said != "ok":
            print(said, flush=True)
            return 1
    print(f"connected {count}", flush=True)
    await stdin_closed()
    for transport in transports:
        transport.close()
    print(f"events {tally.events} bytes {tally.bytes}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]))))
