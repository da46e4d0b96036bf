"""Fixtures for the LLM tests: the fake provider API, a fake clock, and a source factory."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Callable, Iterator

import anthropic  # noqa: F401  # imported at collection, so no test pays for the first import
import google.genai  # noqa: F401
import openai  # noqa: F401
import pytest

from quizbot.questions.llm import LLMSource
from quizbot.questions.sources import BankSource
from quizbot.storage.guilds import PostgresAskedQuestions
from quizbot.storage.pool import Database
from tests.questions.llm.support import NO_DATABASE, FakeAPI, FakeClock, rng, settings_for, small_bank

MakeSource = Callable[..., LLMSource]


@pytest.fixture(autouse=True)
def no_ca_bundle_loading(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Skip loading CA certificates into new SSL contexts: the fake API is plain HTTP on localhost.

    Each SDK client builds an SSL context up front; loading the CA bundle takes about 0.2s a client.
    """
    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", lambda *args, **kwargs: None)
    monkeypatch.setattr(ssl.SSLContext, "load_default_certs", lambda *args, **kwargs: None)
    yield


@pytest.fixture
async def api() -> AsyncIterator[FakeAPI]:
    """The fake provider API, on a local port for this test."""
    fake = FakeAPI()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def clock() -> FakeClock:
    """A clock whose sleeps take no real time."""
    return FakeClock()


@pytest.fixture
async def make_source(api: FakeAPI, clock: FakeClock) -> AsyncIterator[MakeSource]:
    """Build LLMSources with keys for the named providers; closes them afterwards."""
    made: list[LLMSource] = []

    def make(*providers: str, db: Database | None = None, **variables: str) -> LLMSource:
        bank = BankSource(
            small_bank(), PostgresAskedQuestions(db) if db is not None else NO_DATABASE, rng=rng()
        )
        source = LLMSource.from_settings(
            settings_for(api, *providers, **variables), bank, clock=clock, rng=rng()
        )
        made.append(source)
        return source

    yield make
    for source in made:
        await source.aclose()
