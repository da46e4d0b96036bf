"""One ChannelPort that tells several: the Discord channel, and the web's live screens beside it.

A session shows its events through one port; when the web view runs, that port is a `FanOut` of the
Discord edge's channel and the live screens, so the web hears exactly what the channel hears, in the
same order, with the same `after` (the change behind each event), and never reads the session.
"""

from __future__ import annotations

import asyncio
from typing import Any

from loguru import logger

from quizbot.actors.messages import SessionKey
from quizbot.actors.ports import ChannelEvent, ChannelPort


class FanOut:
    """Tells every port in turn; one failing is logged and never keeps the others from hearing."""

    def __init__(self, *ports: ChannelPort) -> None:
        self.ports = ports

    async def show(
        self, key: SessionKey, event: ChannelEvent, *, after: asyncio.Future[Any] | None = None
    ) -> None:
        """Show `event` on every port (each only queues it: none waits for the others' sending)."""
        for port in self.ports:
            try:
                await port.show(key, event, after=after)
            except Exception as error:
                logger.bind(guild=key[0], channel=key[1], port=type(port).__name__).opt(
                    exception=error
                ).warning("{} not shown", type(event).__name__)
