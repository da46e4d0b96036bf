"""Live-page viewers for the web benchmark, in a process of their own: N Server-Sent Events
streams on one URL, as N classroom screens would hold them.

    python -m bench._web_viewers URL N

Prints `connected N` once every stream has its response headers (or `failed ...` and exits 1),
then reads events until its standard input closes, and prints `events E bytes B` (what all the
streams received) before it exits. A process of its own, so the server's memory and CPU figures
hold only the server's side of each viewer.
"""

from __future__ import annotations

import asyncio
import sys

import aiohttp

CONNECT_SECONDS = 60.0


class Tally:
    """What the streams have read so far."""

    def __init__(self) -> None:
        self.events = 0
        self.bytes = 0


async def watch(session: aiohttp.ClientSession, url: str, tally: Tally, ready: asyncio.Queue[str]) -> None:
    """One viewer: open the stream, say so, then count its events (a blank line ends each)."""
    try:
        response = await session.get(url, headers={"Accept": "text/event-stream"})
    except aiohttp.ClientError as error:
        await ready.put(f"failed {type(error).__name__}: {error}")
        return
    async with response:
        if response.status != 200 or not response.content_type.startswith("text/event-stream"):
            await ready.put(f"failed {response.status} {response.content_type}")
            return
        await ready.put("ok")
        async for line in response.content:
            tally.bytes += len(line)
            if line in (b"\n", b"\r\n"):
                tally.events += 1


async def stdin_closed() -> None:
    """Returns once the parent closes this process's standard input."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    await reader.read()


async def main(url: str, count: int) -> int:
    """Hold `count` streams on `url` until stdin closes; see the module docstring."""
    tally, ready = Tally(), asyncio.Queue[str]()
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=CONNECT_SECONDS)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        viewers = [asyncio.create_task(watch(session, url, tally, ready)) for _ in range(count)]
        for _ in range(count):
            said = await asyncio.wait_for(ready.get(), CONNECT_SECONDS)
            if said != "ok":
                print(said, flush=True)
                return 1
        print(f"connected {count}", flush=True)
        await stdin_closed()
        for viewer in viewers:
            viewer.cancel()
        await asyncio.gather(*viewers, return_exceptions=True)
    print(f"events {tally.events} bytes {tally.bytes}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]))))
