"""Everyone following one live screen's event stream, sent each new state by one writer.

A viewer's handler joins its screen's `Audience` and waits until its stream ends. One task per
audience waits for the game to change and writes the new state to every viewer in turn: the event is
made once per locale, and a viewer costs one write rather than a task of its own waking, so 500
classroom screens on one game leave its answers almost as fast as none. A viewer that stops reading
(its unsent bytes pile up past MAX_UNSENT) is let go rather than let it hold the others up: its
EventSource reconnects and hears the latest state, which is all a screen needs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web
from loguru import logger

from quizbot.web.live_game import LiveGame

HEARTBEAT = 15.0  # seconds between comments on a quiet stream (proxies keep it; gone viewers show)
HEARTBEAT_EVENT = b": still here\n\n"
MAX_UNSENT = 32 * 1024  # bytes a viewer may leave unread before it is let go (below the pause mark)


@dataclass(eq=False, slots=True)
class Viewer:
    """One open stream: where it is written, the locale its events speak, what it last got."""

    response: web.StreamResponse
    transport: asyncio.BaseTransport | None
    event: Callable[[], bytes]  # the game's state now, as this viewer's event
    locale: str
    seen: str | None
    ended: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())

    def end(self) -> None:
        if not self.ended.done():
            self.ended.set_result(None)

    @property
    def behind(self) -> bool:
        """Its connection is closing, or it has stopped reading what it is sent."""
        transport = self.transport
        if not isinstance(transport, asyncio.WriteTransport) or transport.is_closing():
            return True
        return transport.get_write_buffer_size() > MAX_UNSENT


class Audience:
    """The viewers of one game's stream, and the one task that writes to them."""

    def __init__(self, game: LiveGame, *, still_open: Callable[[], bool]) -> None:
        self.game = game
        self.still_open = still_open  # False once the screen expires or the web view stops
        self.viewers: set[Viewer] = set()
        self._writer: asyncio.Task[None] | None = None
        self._beat_due = False  # a quiet stream's comment is due

    def __len__(self) -> int:
        return len(self.viewers)

    async def follow(self, viewer: Viewer) -> None:
        """Keep `viewer` sent every new state until its stream ends (the screen closes, the web view
        stops, it falls behind or its connection goes)."""
        self.viewers.add(viewer)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name=f"live audience {self.game.nonce}")
        elif viewer.seen != self.game.event_id:
            self.game.wake()  # the writer catches the newcomer up
        try:
            await viewer.ended
        finally:
            self.viewers.discard(viewer)

    async def _write(self) -> None:
        """Until no one watches: each time the game changes (or is woken), send it to everyone who
        has not had it; a comment to all on a stream quiet for HEARTBEAT seconds (on the games' clock)."""
        clock = self.game.clock
        try:
            while self.viewers:
                if not self.still_open():
                    self._end_all()
                    return
                if self._beat_due:
                    self._beat_due = False
                    for viewer in list(self.viewers):
                        await self._send(viewer, HEARTBEAT_EVENT)
                await self._send_latest()
                beat = clock.call_at(clock.time() + HEARTBEAT, self._beat)
                try:
                    await self.game.changed_since(self.game.event_id)
                finally:
                    beat.cancel()
        except asyncio.CancelledError:
            self._end_all()
            raise
        except Exception:
            logger.bind(game=self.game.nonce).exception("live stream writer failed; its viewers reconnect")
            self._end_all()

    def _beat(self) -> None:
        self._beat_due = True
        self.game.wake()

    async def _send_latest(self) -> None:
        """The game's state now, to every viewer who has not had it (made once per locale)."""
        current, made = self.game.event_id, dict[str, bytes]()
        for viewer in list(self.viewers):
            if viewer.seen == current:
                continue
            data = made.get(viewer.locale)
            if data is None:
                data = made[viewer.locale] = viewer.event()
            viewer.seen = current
            await self._send(viewer, data)

    async def _send(self, viewer: Viewer, data: bytes) -> None:
        """Write `data` to the viewer's stream, or let it go if it is behind. A viewer not behind
        has room below its connection's pause mark, so the write never waits and holds no one up."""
        if viewer.behind:
            viewer.end()
            return
        try:
            await viewer.response.write(data)
        except ConnectionResetError:
            viewer.end()

    def _end_all(self) -> None:
        for viewer in list(self.viewers):
            viewer.end()
