"""The ChannelPort over Discord: each channel has an outbox, sent in order, paced, and never dropped.

`show` only queues, so a session actor never waits on Discord. One sender task per busy channel
drains its outbox at most five messages per five seconds (Discord's per-channel pace), retries a
failed send with backoff (honouring any 429 disnake did not absorb), and exits when the outbox is
empty, so idle channels hold no task.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

import disnake
from loguru import logger

from quizbot.actors.ports import ChannelEvent, SessionKey
from quizbot.bot.render import Rendered, render

Outgoing = tuple[Rendered, asyncio.Future[Any] | None]  # a message, and what it waits for
PACE_MESSAGES, PACE_SECONDS = 5, 5.0
RETRY_BASE, RETRY_CAP = 0.5, 30.0
MAX_SEND_ATTEMPTS = 8


class DiscordChannel:
    """Renders and sends session events to their Discord channels."""

    def __init__(
        self,
        bot: disnake.Client,
        epoch_of: Callable[[SessionKey], int | None],
        typed_mode: Callable[[SessionKey], bool] = lambda key: False,
    ) -> None:
        self.bot = bot
        self.epoch_of = epoch_of
        self.typed_mode = typed_mode
        self._outboxes: defaultdict[SessionKey, deque[Outgoing]] = defaultdict(deque)
        self._lost: dict[SessionKey, int] = {}  # channels Discord refused, with the epoch that met it
        self.on_lost: Callable[[SessionKey], None] = lambda key: None
        self._senders: dict[SessionKey, asyncio.Task[None]] = {}
        self._sent: defaultdict[SessionKey, deque[float]] = defaultdict(deque)
        self.dropped = 0

    async def show(
        self, key: SessionKey, event: ChannelEvent, *, after: asyncio.Future[Any] | None = None
    ) -> None:
        """Queue an event for its channel, to be sent once `after` is done, and return at once."""
        epoch = self.epoch_of(key)
        if key in self._lost and epoch in (None, self._lost[key]):
            return  # Discord refused this session's channel for good: its quiz is ending or ended
        self._queue(key, render(event, key, epoch or 0, typed=self.typed_mode(key)), after)

    def post(self, key: SessionKey, message: Rendered) -> None:
        """Queue a message already rendered (the edge's own, like a quiz's announcement) and return."""
        self._lost.pop(key, None)  # someone starts afresh there: try the channel again
        self._queue(key, message, None)

    def _queue(self, key: SessionKey, message: Rendered, after: asyncio.Future[Any] | None) -> None:
        self._outboxes[key].append((message, after))
        sender = self._senders.get(key)
        if sender is None or sender.done():
            task = asyncio.create_task(self._drain(key), name=f"outbox:{key[0]}:{key[1]}")
            task.add_done_callback(self._sender_done(key))
            self._senders[key] = task

    @property
    def pending(self) -> int:
        """Messages queued and not yet sent, across every channel."""
        return sum(len(box) for box in self._outboxes.values())

    async def flush(self, within: float) -> bool:
        """Wait up to `within` seconds for every outbox to empty; True if they did."""
        tasks = [t for t in self._senders.values() if not t.done()]
        if tasks:
            await asyncio.wait(tasks, timeout=within)
        return self.pending == 0

    async def close(self) -> int:
        """Stop every sender (they belong to this channel, not to the loop); return messages unsent."""
        senders = list(self._senders.values())
        for sender in senders:
            sender.cancel()
        await asyncio.gather(*senders, return_exceptions=True)
        unsent = self.pending
        if unsent:
            logger.warning("{} Discord messages were still queued at shutdown", unsent)
        self._outboxes.clear()
        return unsent

    async def _drain(self, key: SessionKey) -> None:
        await self.bot.wait_until_ready()  # sessions respawn before the bot has logged in
        outbox = self._outboxes[key]
        while outbox:
            message, after = outbox[0]
            if after is not None and not after.done():
                await asyncio.wait({after})  # shown only once the change behind it is saved (or not)
            await self._pace(key)
            if await self._send(key, message):
                outbox.popleft()
        self._outboxes.pop(key, None)

    async def _pace(self, key: SessionKey) -> None:
        """Wait so this channel never sends more than PACE_MESSAGES in PACE_SECONDS."""
        sent = self._sent[key]
        now = time.monotonic()
        while sent and now - sent[0] >= PACE_SECONDS:
            sent.popleft()
        if len(sent) >= PACE_MESSAGES:
            await asyncio.sleep(PACE_SECONDS - (now - sent[0]))
            sent.popleft()
        sent.append(time.monotonic())

    async def _send(self, key: SessionKey, message: Rendered) -> bool:
        """Send one message, retrying with backoff; False only to retry, after logging why."""
        log = logger.bind(guild=key[0], channel=key[1])
        for attempt in range(MAX_SEND_ATTEMPTS):
            try:
                channel = await self._channel(key)
                await channel.send(**_arguments(message))
                return True
            except (disnake.Forbidden, disnake.NotFound) as error:  # no access or gone: retrying cannot help
                log.error("cannot send to the channel ({}); its quiz ends", error.text)
                self._channel_lost(key)
                return True
            except (TimeoutError, disnake.HTTPException, OSError) as error:
                delay = _retry_after(error) or random.uniform(0, min(RETRY_CAP, RETRY_BASE * 2**attempt))
                log.warning("send failed ({}); retrying in {:.2f}s", error, delay)
                await asyncio.sleep(delay)
        return False

    def _channel_lost(self, key: SessionKey) -> None:
        """Drop what is queued for a channel Discord refuses, and say so once: more requests would
        only spend the bot's invalid-request budget."""
        outbox = self._outboxes.get(key)
        self.dropped += len(outbox) if outbox else 1
        while outbox is not None and len(outbox) > 1:  # the sender pops the one it was sending
            outbox.pop()
        epoch = self.epoch_of(key)
        if epoch is not None and self._lost.get(key) != epoch:
            self._lost[key] = epoch
            self.on_lost(key)

    async def _channel(self, key: SessionKey) -> Any:
        """The channel through its guild: channel ids alone are not how sessions are keyed."""
        guild = self.bot.get_guild(key[0]) if key[0] else None
        channel = guild.get_channel(key[1]) if guild is not None else self.bot.get_channel(key[1])
        return channel if channel is not None else await self.bot.fetch_channel(key[1])

    def _sender_done(self, key: SessionKey) -> Callable[[asyncio.Task[None]], None]:
        def done(task: asyncio.Task[None]) -> None:
            if self._senders.get(key) is task:
                del self._senders[key]
            if not task.cancelled() and task.exception() is not None:
                logger.bind(guild=key[0], channel=key[1]).opt(exception=task.exception()).error(
                    "the channel's sender failed"
                )

        return done


def _arguments(message: Rendered) -> dict[str, Any]:
    arguments: dict[str, Any] = {"allowed_mentions": message.allowed_mentions}  # only its own pings
    if message.content is not None:
        arguments["content"] = message.content
    if message.embed is not None:
        arguments["embed"] = message.embed
    if message.buttons:
        arguments["components"] = message.buttons
    return arguments


def _retry_after(error: BaseException) -> float | None:
    response = getattr(error, "response", None)
    if getattr(error, "status", None) != 429 or response is None:
        return None
    try:
        return float(response.headers.get("Retry-After", "")) or None
    except ValueError:
        return None
