"""A process that serves three quizzes until signalled: `python -m tests.actors.signal_worker URL SCHEMA`."""

from __future__ import annotations

import asyncio
import sys

from quizbot.actors.messages import SubmitAnswer
from quizbot.actors.policy import SupervisorSettings
from quizbot.service import QuizService
from quizbot.storage.pool import Database
from quizbot.testing.actors import InMemoryChannel
from tests.actors.support import start_request


async def main(url: str, schema: str) -> None:
    db = await Database.connect(url, server_settings={"search_path": schema}, min_size=1, max_size=4)
    # Snapshots only at shutdown: the long interval keeps the ticker from saving them first.
    service = QuizService(
        db, InMemoryChannel(), SupervisorSettings(snapshot_interval=3600), owner="signalled"
    )
    supervisor = await service.start()
    for guild in (1, 2, 3):
        session = await supervisor.ask(start_request(guild << 22, 7, question_timeout=120.0), timeout=10)
        await session.ask(SubmitAnswer(42, "ann", 0, 1), timeout=10)
    print("ready", flush=True)
    await service.run_until_signalled()
    await db.close()
    print("stopped", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
