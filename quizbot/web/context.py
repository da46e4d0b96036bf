"""What the web pages read from: the database, the bank's categories and the bot's reports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from aiohttp import web

from quizbot.clock import Clock, LoopClock
from quizbot.config import Secret
from quizbot.picture_files import PictureSource
from quizbot.storage.pool import Database
from quizbot.web.screens import LiveScreens

if TYPE_CHECKING:
    from quizbot.bot.status import StatusReport

StatusSource = Callable[[], Awaitable["StatusReport"]]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class WebContext:
    """Everything a page may read. The web side holds no session state and never calls Discord.

    `status` asks the running bot for what /supervisor status shows its owner (None: no bot, so
    the admin page says it is not reported); `clock` paces the rate limit; `now` is the wall time
    boards and study figures are read at."""

    db: Database
    categories: frozenset[str]
    admin_token: Secret = field(default_factory=lambda: Secret(""))
    status: StatusSource | None = None
    clock: Clock = field(default_factory=LoopClock)
    now: Callable[[], datetime] = _utc_now
    requests_per_minute: int = 120
    status_interval: float = 2.0  # seconds between the admin page's live refreshes
    screens: LiveScreens | None = None  # the live games' screens (None: no bot runs games here)
    pictures: PictureSource | None = None  # the files of questions' attachment pictures


CONTEXT = web.AppKey("context", WebContext)


def context_of(request: web.Request) -> WebContext:
    """The WebContext of the application serving `request`."""
    return request.app[CONTEXT]
