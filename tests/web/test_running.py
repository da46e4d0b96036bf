"""`running_bot` serves the web view when a port is set, and stops it with the bot."""

from __future__ import annotations

import aiohttp

from quizbot.config import Secret, Settings, WebSettings
from quizbot.storage.pool import Database
from tests.bot.conftest import world_with


async def test_the_bot_serves_the_web_view_on_its_port_and_stops_it(db: Database) -> None:
    settings = Settings(web=WebSettings(port=0))  # 0: any free port on the loopback address
    async with world_with(db, settings) as world:
        web = world.running.web
        assert web is not None
        url = f"http://127.0.0.1:{web.port}/"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            assert response.status == 200
            assert "Boards and profiles" in await response.text()
    async with aiohttp.ClientSession() as session:
        try:
            await session.get(url)
        except aiohttp.ClientConnectionError:
            pass
        else:
            raise AssertionError("the web view still answers after the bot stopped")


async def test_no_port_no_web_view(db: Database) -> None:
    async with world_with(db, Settings()) as world:
        assert world.running.web is None


async def test_the_admin_page_shows_the_running_bots_own_status(db: Database) -> None:
    """Through running_bot, /admin reads the supervisor's status as /supervisor status does."""
    token = "an-admin-token-long-enough-0123"
    settings = Settings(web=WebSettings(port=0, admin_token=Secret(token)))
    async with world_with(db, settings) as world:
        web = world.running.web
        assert web is not None
        url = f"http://127.0.0.1:{web.port}/admin"
        headers = {"Authorization": f"Bearer {token}"}
        async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
            assert response.status == 200
            body = await response.text()
    assert "Process bot-1" in body and "No live sessions." in body
    assert "<dt>Accepting quizzes</dt><dd>yes</dd>" in body
