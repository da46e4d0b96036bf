"""The real bot as a process of its own, for the SIGKILL test: `python -m tests.bot.bot_worker`.

Arguments: the double's API base, its token, the database URL, the schema and an owner name.
Prints "ready" once logged in with its commands synced, then serves until killed.
"""

from __future__ import annotations

import asyncio
import sys

from quizbot.actors.policy import SupervisorSettings
from quizbot.bot.app import point_at, running_bot
from quizbot.config import Secret, Settings
from quizbot.storage.pool import Database


async def main(api_base: str, token: str, url: str, schema: str, owner: str) -> None:
    point_at(api_base)
    settings = Settings(discord_token=Secret(token), discord_api_base=api_base)
    db = await Database.connect(url, server_settings={"search_path": schema}, min_size=1, max_size=4)
    fast = SupervisorSettings(snapshot_interval=0.2)  # snapshots every 0.2 s, so a kill loses little
    async with running_bot(
        settings, db, owner=owner, supervisor=fast, bot_options={"guild_ready_timeout": 0.05}
    ) as running:
        login = asyncio.create_task(running.bot.start(token))
        await running.bot.wait_until_ready()
        print("ready", flush=True)
        await login


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
