"""Part 1 of the web benchmark: board and profile pages over a seeded data set, timed in the server.

The web app is served as `quizbot run` serves it (aiohttp on a loopback port, the guard's
middlewares, templates, the catalogue), with one more middleware, outermost, that times each
request from its arrival to its response being ready: the server time. The client's round trip
is reported beside it.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime

import aiohttp
from aiohttp import web

from bench._measure import Latency, Picker, member_sample, time_rounds
from bench._seed import CATEGORIES, World
from quizbot.storage.pool import Database
from quizbot.storage.records import Timeframe
from quizbot.storage.web import set_public_board
from quizbot.web.boards import LAST_PAGE
from quizbot.web.context import WebContext
from quizbot.web.server import build_app

UNLIMITED = 10**9  # requests a minute: the bench is one client asking as fast as it can


class ServerClock:
    """The outermost middleware: how long each request took inside the server, in order."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        started = time.perf_counter()
        try:
            return await handler(request)
        finally:
            self.seconds.append(time.perf_counter() - started)


@asynccontextmanager
async def served(context: WebContext) -> AsyncIterator[tuple[str, ServerClock]]:
    """The web app on a loopback port, timed by a ServerClock: its base URL and the clock."""
    clock = ServerClock()
    app = build_app(context)
    app.middlewares.insert(0, clock.middleware)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", clock
    finally:
        await runner.cleanup()


async def publish_boards(db: Database, world: World) -> None:
    """Every seeded guild's admins make its board public."""
    for number, guild in enumerate(world.guild_ids):
        await set_public_board(db, guild, True, f"Guild {number}")


def board_paths(picker: Picker, world: World) -> dict[str, Callable[[], str]]:
    """Each kind of board page -> a maker of its path on a random guild (and category): the first
    page of every scope, period and category filter, and the last page (its query reads 100 rows)
    of the all-time boards of the biggest guild and of everyone."""
    kinds: dict[str, Callable[[], str]] = {}
    for scope, timeframe, by_category in itertools.product(
        ("guild", "global"), list(Timeframe), (False, True)
    ):
        if scope == "global" and timeframe is Timeframe.SEASON:
            continue  # seasons are a guild's

        def first_page(scope: str = scope, timeframe: Timeframe = timeframe, by: bool = by_category) -> str:
            where = str(picker.guild()) if scope == "guild" else "global"
            category = picker.category() if by else ""
            return f"/board/{where}?category={category}&timeframe={timeframe.value}"

        kinds[f"{scope}/{timeframe.value}/{'cat' if by_category else '*'}"] = first_page
    biggest = world.guild_ids[0]
    kinds[f"guild/all/*/page {LAST_PAGE}"] = lambda: f"/board/{biggest}?page={LAST_PAGE}"
    kinds[f"global/all/*/page {LAST_PAGE}"] = lambda: f"/board/global?page={LAST_PAGE}"
    return kinds


async def measure_pages(
    db: Database, world: World, picker: Picker, now: datetime, samples: int
) -> tuple[dict[str, Latency], dict[str, Latency]]:
    """Server time and client round trip, p50/p95, of each kind of board page and of profiles,
    `samples` interleaved rounds (every page must answer 200)."""
    context = WebContext(
        db=db, categories=frozenset(CATEGORIES), now=lambda: now, requests_per_minute=UNLIMITED
    )
    members = itertools.cycle(await member_sample(db, samples))
    paths = board_paths(picker, world)
    paths["profile"] = lambda: "/profile/{}/{}".format(*next(members))
    paths["home"] = lambda: "/"
    server: dict[str, list[float]] = {name: [] for name in paths}
    async with served(context) as (base, clock), aiohttp.ClientSession(base) as client:

        def call(name: str, make: Callable[[], str]) -> Callable[[], Awaitable[object]]:
            async def get() -> object:
                async with client.get(make()) as response:
                    body = await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"{response.url} answered {response.status}: {body[:300]!r}")
                server[name].append(clock.seconds.pop())
                return body

            return get

        trips = await time_rounds({name: call(name, make) for name, make in paths.items()}, samples)
    warm = {name: seconds[-len(trips[name].seconds) :] for name, seconds in server.items()}  # no warm-up
    return {name: Latency(tuple(seconds)) for name, seconds in warm.items()}, trips
