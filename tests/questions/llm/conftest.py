"""Fixtures for the LLM tests: the fake provider API, a fake clock, and a source factory."""

from __future__ import annotations

import importlib
import ssl
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from quizbot.questions.llm import LLMSource
from quizbot.questions.sources import BankSource
from quizbot.storage.guilds import PostgresAskedQuestions
from quizbot.storage.pool import Database
from tests.questions.llm.support import NO_DATABASE, FakeAPI, FakeClock, rng, settings_for, small_bank

MakeSource = Callable[..., LLMSource]
HERE = Path(__file__).parent
SDKS = ("anthropic", "google.genai", "openai")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the LLM tests on one xdist worker (setup.cfg's --dist loadgroup): only that worker then
    imports the three provider SDKs, about 5 s of CPU that every worker paid at collection."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.xdist_group("llm-sdks"))


@pytest.fixture(scope="session", autouse=True)
def provider_sdks() -> None:
    """The provider SDKs, imported before the first LLM test runs, so no test's timeouts (the
    providers' own, of a second) ever include a first import."""
    for name in SDKS:
        importlib.import_module(name)


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
