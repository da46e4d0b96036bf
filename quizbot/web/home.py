"""The front page: what the web view shows, and the servers whose boards are public."""

from __future__ import annotations

from aiohttp import web

from quizbot.storage.web import public_boards
from quizbot.web.context import context_of
from quizbot.web.pages import render


async def home(request: web.Request) -> web.Response:
    """Every public board, by name, and the global one."""
    servers = await public_boards(context_of(request).db)
    return render(request, "home.html", servers=servers)


def add_routes(app: web.Application) -> None:
    """GET / (and HEAD)."""
    app.router.add_get("/", home)
