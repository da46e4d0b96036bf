"""Live screens: the web as one more port the sessions tell, and the tokens that open a screen.

`/trivia start screen:true` asks `LiveScreens.open` for a screen of the new game: a random token
(a selector, then a secret of SCREEN_SECRET_BYTES random bytes), durable before the host hears of
it, of which only the secret's SHA-256 is kept. The screen is attached to its game's channel; from
then on every event the session shows there comes here too (through `actors.fanout.FanOut`), in the
order shown and each once the change behind it is saved, and its `LiveGame` keeps the latest. A
game's end lets go of the channel. After a restart `restore` reads the screens not yet expired,
and a respawned game's recovery prompt, which names its run, attaches its screen again.

A page opens a screen by its token: `find` looks the selector up and compares the secret's digest
in constant time. Nothing here reads a session or calls Discord.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from loguru import logger

from quizbot.actors.messages import SessionKey
from quizbot.actors.ports import ChannelEvent, Notice, RecoveryPrompt
from quizbot.clock import Clock
from quizbot.config import WebSettings
from quizbot.errors import StorageError
from quizbot.game.effects import AnnounceEnd, AnnounceExpiry
from quizbot.storage.pool import Database
from quizbot.storage.screens import StoredScreen, live_screens, save_screen
from quizbot.web.audience import Audience
from quizbot.web.live_game import TALLY_EVERY, LiveGame

SCREEN_HOURS = 12.0  # a screen's link works this long after the game starts (a school day)
SELECTOR_BYTES, SCREEN_SECRET_BYTES = 12, 24  # 16 and 32 URL-safe characters: 96 and 192 random bits
TOKEN = re.compile(r"([A-Za-z0-9_-]{16})([A-Za-z0-9_-]{32})")
ENDS = (AnnounceEnd, AnnounceExpiry, Notice)  # the last event a game shows (a Notice: it was stopped)


def digest_of(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("ascii")).digest()


@dataclass(slots=True)
class Screen:
    """One screen: the game it shows (`key`, `run_id`), until when, and events waiting to be saved."""

    selector: str
    digest: bytes
    key: SessionKey
    run_id: UUID
    expires_at: float  # epoch seconds, on the games' clock
    game: LiveGame
    audience: Audience
    waiting: deque[tuple[ChannelEvent, asyncio.Future[Any] | None]] = field(default_factory=deque)
    blocked_on: asyncio.Future[Any] | None = None  # the change the head of `waiting` waits for


class LiveScreens:
    """Every live screen of this process, by selector, run and channel; a ChannelPort."""

    def __init__(
        self,
        clock: Clock,
        *,
        base_url: str = "",
        hours: float = SCREEN_HOURS,
        tally_every: float = TALLY_EVERY,
    ) -> None:
        self.clock = clock  # the games' clock: questions' deadlines and screens' expiry are on it
        self.base_url = base_url  # where viewers reach the web view (set once it listens)
        self.hours = hours
        self.lifetime = hours * 3600
        self.tally_every = tally_every
        self._screens: dict[str, Screen] = {}  # by selector
        self._runs: dict[UUID, Screen] = {}
        self._channels: dict[SessionKey, Screen] = {}  # the screen each channel's game shows on
        self.closing = False  # the web view is stopping: open streams end

    def __len__(self) -> int:
        return len(self._screens)

    # --- opening and finding screens -----------------------------------------------------------

    async def open(self, db: Database, key: SessionKey, run_id: UUID, host_id: int) -> str:
        """A new screen for the game `run_id` about to start at `key`, stored; its token (only the
        host is told it). It shows the game once `attach`ed, when the game has started."""
        for expired in [s for s in self._screens.values() if s.expires_at <= self.clock.time()]:
            self._forget(expired)
        selector, secret = secrets.token_urlsafe(SELECTOR_BYTES), secrets.token_urlsafe(SCREEN_SECRET_BYTES)
        expires = self.clock.time() + self.lifetime
        stored = StoredScreen(
            selector, digest_of(secret), key[0], key[1], run_id, host_id, datetime.fromtimestamp(expires, UTC)
        )
        await save_screen(db, stored)
        self._keep(stored)
        logger.bind(guild=key[0], channel=key[1], run=str(run_id)).info("live screen opened")
        return selector + secret

    def attach(self, run_id: UUID) -> None:
        """The game `run_id` has started (and not yet begun): its screen hears its channel from now."""
        screen = self._runs.get(run_id)
        if screen is not None:
            self._attach(screen)

    async def restore(self, db: Database) -> int:
        """After a start: the screens not yet expired, each waiting for its game's recovery prompt."""
        stored = await live_screens(db, datetime.fromtimestamp(self.clock.time(), UTC))
        for screen in stored:
            if screen.selector not in self._screens:
                self._keep(screen, restored=True)
        return len(stored)

    def link(self, token: str) -> str:
        """The address of the screen `token` opens."""
        return f"{self.base_url}/live/{token}"

    def find(self, token: str) -> Screen | None:
        """The screen `token` opens, if it is well formed, known, its secret right, and not expired."""
        matched = TOKEN.fullmatch(token)
        if matched is None:
            return None
        selector, secret = matched.groups()
        screen = self._screens.get(selector)
        if screen is None or not hmac.compare_digest(digest_of(secret), screen.digest):
            return None
        if screen.expires_at <= self.clock.time():
            self._forget(screen)
            return None
        return screen

    def close(self) -> None:
        """The web view stops: every open stream is woken to end (its viewer reconnects elsewhere)."""
        self.closing = True
        for screen in self._screens.values():
            screen.game.wake()

    def release(self, key: SessionKey) -> None:
        """A new game starts at `key`: whatever screen showed the channel's last game lets go of it."""
        self._channels.pop(key, None)

    def _keep(self, stored: StoredScreen, *, restored: bool = False) -> Screen:
        expires_at = stored.expires_at.timestamp()
        game = LiveGame(self.clock, tally_every=self.tally_every, restored=restored)
        audience = Audience(game, still_open=lambda: expires_at > self.clock.time() and not self.closing)
        key = (stored.guild_id, stored.channel_id)
        screen = Screen(stored.selector, stored.digest, key, stored.run_id, expires_at, game, audience)
        self._screens[screen.selector] = self._runs[screen.run_id] = screen
        return screen

    def _attach(self, screen: Screen) -> None:
        self._channels[screen.key] = screen

    def _forget(self, screen: Screen) -> None:
        self._screens.pop(screen.selector, None)
        self._runs.pop(screen.run_id, None)
        if self._channels.get(screen.key) is screen:
            del self._channels[screen.key]

    # --- the port ------------------------------------------------------------------------------

    async def show(
        self, key: SessionKey, event: ChannelEvent, *, after: asyncio.Future[Any] | None = None
    ) -> None:
        """Keep `event` for the screen showing `key` (nothing when none does), once `after` is done."""
        screen = self._channels.get(key) or self._recovered(key, event)
        if screen is None:
            return
        if screen.expires_at <= self.clock.time():
            self._forget(screen)
            return
        screen.waiting.append((event, after))
        self._drain(screen)

    def _recovered(self, key: SessionKey, event: ChannelEvent) -> Screen | None:
        """A game brought back after a restart: its recovery prompt names its run, and the run's
        screen (read back by `restore`) follows the channel again."""
        if not isinstance(event, RecoveryPrompt) or event.run_id is None:
            return None
        screen = self._runs.get(event.run_id)
        if screen is None or screen.key != key:
            return None
        self._attach(screen)
        return screen

    def _drain(self, screen: Screen) -> None:
        """Tell the screen's game its waiting events, in order, each once the change behind it is done."""
        while screen.waiting:
            event, after = screen.waiting[0]
            if after is not None and not after.done():
                if screen.blocked_on is not after:
                    screen.blocked_on = after
                    after.add_done_callback(lambda _: self._drain(screen))
                return
            screen.waiting.popleft()
            screen.blocked_on = None
            screen.game.tell(event)
            if isinstance(event, ENDS) and self._channels.get(screen.key) is screen:
                del self._channels[
                    screen.key
                ]  # the game is over: the channel's next game is not this screen's


async def screens_for(settings: WebSettings, db: Database, clock: Clock) -> LiveScreens | None:
    """The live screens when the web view runs (None otherwise), with the screens not yet expired
    read back; a failed read is logged and costs only the screens of games from before the start."""
    if not settings.enabled:
        return None
    screens = LiveScreens(clock, base_url=settings.base_url)
    try:
        restored = await screens.restore(db)
    except StorageError as error:
        logger.error("live screens not read back: {}", error)
    else:
        logger.bind(screens=restored).info("live screens read back")
    return screens
