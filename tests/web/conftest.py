"""The web view under aiohttp's test client, on a real schema and a hand-moved clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import pytest
from aiohttp.test_utils import TestClient, TestServer

from quizbot import i18n
from quizbot.clock import ManualClock
from quizbot.questions.bank import QuestionBank
from quizbot.storage.pool import Database
from quizbot.web.context import WebContext
from quizbot.web.server import PAGES, PageModule, build_app

Client = TestClient  # type: ignore[type-arg]
MakeClient = Callable[..., Awaitable[Client]]


@pytest.fixture(scope="session")
def categories() -> frozenset[str]:
    """The shipped bank's categories, as the running bot gives them to the web."""
    i18n.load()
    bank, _ = QuestionBank.load()
    return frozenset(bank.categories)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def make_client(
    db: Database, categories: frozenset[str], clock: ManualClock
) -> AsyncIterator[MakeClient]:
    """Starts a test client of the web app; `pages` and WebContext fields may be overridden."""
    clients: list[Client] = []

    async def make(pages: Sequence[PageModule] = PAGES, **fields: object) -> Client:
        context = WebContext(db=db, categories=categories, clock=clock, **fields)  # type: ignore[arg-type]
        client = TestClient(TestServer(build_app(context, pages)))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def client(make_client: MakeClient) -> Client:
    """The web app as `quizbot run` serves it."""
    return await make_client()
