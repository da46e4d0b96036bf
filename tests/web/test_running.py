"""`running_bot` serves the web view when a port is set, and stops it with the bot."""

from __future__ import annotations

import aiohttp

from quizbot.config import Settings, WebSettings
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
