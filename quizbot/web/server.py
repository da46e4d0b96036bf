"""The web server: an aiohttp application of page modules behind guard.py's middlewares.

A page module has `add_routes(app: web.Application) -> None`, adding its GET routes (and, for a
form, its path to `app[WRITABLE]`); PAGES lists them. `start_web` serves the app on a host and port
from `running_bot` (`quizbot run` and `quizbot demo`) when QUIZBOT_WEB_PORT is set.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from aiohttp import web
from loguru import logger

from quizbot.config import WebSettings
from quizbot.web import admin, boards, home, live, profiles
from quizbot.web.context import CONTEXT, WebContext
from quizbot.web.guard import LIMITER, MIDDLEWARES, WRITABLE, add_security_headers
from quizbot.web.limits import RateLimiter

STATIC = Path(__file__).parent / "static"
MAX_BODY = 4096  # bytes of request body: the admin login's form is the only one
SHUTDOWN_SECONDS = 3.0


class PageModule(Protocol):
    """A module of pages: it adds its routes to the app (and any form's path to app[WRITABLE])."""

    def add_routes(self, app: web.Application) -> None: ...


PAGES: tuple[PageModule, ...] = (home, boards, profiles, admin, live)


def build_app(context: WebContext, pages: Sequence[PageModule] = PAGES) -> web.Application:
    """The web application: `pages`' routes, the shipped static files, the guard's middlewares."""
    app = web.Application(middlewares=MIDDLEWARES, client_max_size=MAX_BODY)
    app[CONTEXT] = context
    app[LIMITER] = RateLimiter(context.clock, per_minute=context.requests_per_minute)
    app[WRITABLE] = set()
    app.on_response_prepare.append(add_security_headers)
    app.router.add_static("/static", STATIC, name="static", append_version=True)
    for page in pages:
        page.add_routes(app)
    return app


class WebServer:
    """The web view listening on a host and port: started by `running_bot`, stopped before the
    sessions are (so no page reads a stopping bot)."""

    def __init__(self, settings: WebSettings, context: WebContext) -> None:
        self.settings = settings
        self.app = build_app(context)
        self.runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)

    async def start(self) -> None:
        """Listen on settings.host:settings.port (port 0: any free port, for tests)."""
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.settings.host, self.settings.port)
        try:
            await site.start()
        except BaseException:
            await self.runner.cleanup()
            raise
        logger.bind(host=self.settings.host, port=self.port).info("web view serving")

    @property
    def port(self) -> int:
        """The port it listens on (the one chosen when settings asked for 0)."""
        for address in self.runner.addresses:
            return int(address[1])
        raise RuntimeError("the web view is not listening")

    async def stop(self) -> None:
        """Stop accepting, close open streams and wait briefly for pages being served."""
        await self.runner.cleanup()


async def start_web(settings: WebSettings, context: WebContext) -> WebServer | None:
    """The web view, started, when settings give it a port; else None."""
    if settings.port is None:
        return None
    server = WebServer(settings, context)
    await server.start()
    return server
