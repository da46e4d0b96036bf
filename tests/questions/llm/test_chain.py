"""LLMSource: the fallback chain, its notices, the breaker skipping a provider, the cache, the bank."""

from __future__ import annotations

import pytest

from quizbot.clock import ManualClock
from quizbot.errors import InvalidValue
from quizbot.game.progression import Difficulty
from quizbot.questions.sources import QuestionRequest
from quizbot.storage.pool import Database
from tests.questions.llm.conftest import MakeSource
from tests.questions.llm.support import (
    HANG,
    FakeAPI,
    advancing,
    item,
    notice,
    payload,
    success,
    text_reply,
)

pytestmark = pytest.mark.filterwarnings("ignore:Inheritance class AiohttpClientSession:DeprecationWarning")

BANK = "the offline bank (science)"
FAST_TIMEOUT = {"QUIZBOT_LLM_REQUEST_TIMEOUT": "0.05", "QUIZBOT_LLM_ATTEMPTS": "2"}


def request(count: int = 3, topic: str | None = "science", provider: str | None = None) -> QuestionRequest:
    return QuestionRequest(
        guild_id=1, difficulty=Difficulty.EASY, count=count, topic=topic, provider=provider
    )


async def test_a_provider_that_always_times_out_falls_back_to_the_bank(
    api: FakeAPI, make_source: MakeSource, clock: ManualClock, db: Database
) -> None:
    """Every attempt timing out ends in bank questions, after the bounded number of attempts."""
    api.script("openai", HANG)
    async with advancing(clock):  # the backoff between the two attempts
        prepared = await make_source("openai", db=db, **FAST_TIMEOUT).prepare(request())
    assert len(api.requests("openai")) == 2
    assert len(prepared.questions) == 3 and all(q.source == "bank" for q in prepared.questions)


async def test_the_bank_fallback_names_itself_and_tells_why(
    api: FakeAPI, make_source: MakeSource, clock: ManualClock, db: Database
) -> None:
    """The source is the bank's nearest category and the notice says the provider was unavailable."""
    api.script("openai", HANG)
    async with advancing(clock):  # the backoff between the two attempts
        prepared = await make_source("openai", db=db, **FAST_TIMEOUT).prepare(request())
    assert prepared.source == BANK
    assert notice(prepared) == f"OpenAI is unavailable right now, so these questions come from {BANK}."


async def test_malformed_json_falls_through_to_the_next_provider(
    api: FakeAPI, make_source: MakeSource
) -> None:
    """A reply that is not JSON gives no questions; the next provider with a key serves the set."""
    api.script("openai", text_reply("openai", '{"questions": [{"question": "Half'))
    api.script("anthropic", success("anthropic", payload(3)))
    prepared = await make_source("openai", "anthropic").prepare(request())
    assert prepared.source == "Anthropic"
    assert notice(prepared) == (
        "OpenAI could not write usable questions about that topic, so these questions come from Anthropic."
    )


async def test_a_reply_of_the_wrong_shape_gives_no_questions(api: FakeAPI, make_source: MakeSource) -> None:
    """JSON without a "questions" list is not used at all."""
    api.script("openai", success("openai", {"items": payload(3)["questions"]}))
    api.script("anthropic", success("anthropic", payload(3)))
    prepared = await make_source("openai", "anthropic").prepare(request())
    assert {q.source for q in prepared.questions} == {"anthropic"}


async def test_items_without_exactly_one_correct_option_are_dropped(
    api: FakeAPI, make_source: MakeSource
) -> None:
    """An item with no correct option and one with two are dropped; the good ones are kept."""
    none_right = item("Which is a noble gas?", (("Neon", False), ("Iron", False)))
    two_right = item("Which is a planet?", (("Mars", True), ("Venus", True), ("Moon", False)))
    good = [item("Which is a mammal?", (("Whale", True), ("Shark", False))), item()]
    api.script("openai", success("openai", {"questions": [good[0], none_right, two_right, good[1]]}))
    prepared = await make_source("openai").prepare(request(2))
    assert [q.text for q in prepared.questions] == [good[0]["question"], good[1]["question"]]
    assert (prepared.source, notice(prepared)) == ("OpenAI", None)


async def test_a_huge_topic_is_refused_before_any_request(api: FakeAPI, make_source: MakeSource) -> None:
    """A 10,000-character topic raises InvalidValue and nothing is sent to any provider."""
    with pytest.raises(InvalidValue, match="at most 100"):
        request(topic="x" * 10_000)
    forced = request()
    object.__setattr__(forced, "topic", "y" * 10_000)  # as if a caller skipped QuestionRequest's check
    with pytest.raises(InvalidValue, match="at most 100"):
        await make_source("openai").prepare(forced)
    assert api.seen == []


async def test_an_open_breaker_skips_the_provider_without_a_request(
    api: FakeAPI, make_source: MakeSource, db: Database
) -> None:
    """After two failed calls the breaker opens, and the next quiz goes to the bank without asking."""
    api.script("openai", HANG)
    source = make_source(
        "openai",
        db=db,
        QUIZBOT_LLM_REQUEST_TIMEOUT="0.05",
        QUIZBOT_LLM_ATTEMPTS="1",
        QUIZBOT_LLM_BREAKER_FAILURES="2",
    )
    for _ in range(2):
        await source.prepare(request(1))
    assert len(api.requests("openai")) == 2
    prepared = await source.prepare(request(1))
    assert len(api.requests("openai")) == 2
    assert prepared.source == BANK


async def test_after_the_cool_down_a_trial_request_closes_the_breaker(
    api: FakeAPI, make_source: MakeSource, clock: ManualClock, db: Database
) -> None:
    """Once the cool-down is over one trial call goes out; when it works the provider serves again."""
    api.script("openai", HANG)
    source = make_source(
        "openai",
        db=db,
        QUIZBOT_LLM_REQUEST_TIMEOUT="0.05",
        QUIZBOT_LLM_ATTEMPTS="1",
        QUIZBOT_LLM_BREAKER_FAILURES="1",
    )
    await source.prepare(request(1))
    api.script("openai", success("openai", payload(1)))
    clock.advance(61)
    prepared = await source.prepare(request(1))
    assert len(api.requests("openai")) == 2
    assert prepared.source == "OpenAI"


async def test_no_api_keys_serves_from_the_bank(api: FakeAPI, make_source: MakeSource, db: Database) -> None:
    """With no key at all the bank serves without an error, and says no generator is set up."""
    prepared = await make_source(db=db).prepare(request())
    assert api.seen == []
    assert len(prepared.questions) == 3
    assert prepared.source == BANK
    assert (
        notice(prepared)
        == f"No AI question generator is set up on this bot, so these questions come from {BANK}."
    )


async def test_a_category_request_goes_straight_to_the_bank(
    api: FakeAPI, make_source: MakeSource, db: Database
) -> None:
    """A request for a bank category (no topic) never asks a provider."""
    prepared = await make_source("openai", db=db).prepare(
        QuestionRequest(guild_id=1, difficulty=Difficulty.EASY, count=2, category="sport")
    )
    assert api.seen == []
    assert (prepared.source, notice(prepared)) == ("the offline bank (sport)", None)


async def test_a_partial_set_is_topped_up_from_the_next_provider(
    api: FakeAPI, make_source: MakeSource
) -> None:
    """One usable question of three from OpenAI: Anthropic is asked for the other two."""
    api.script("openai", success("openai", payload(1)))
    api.script("anthropic", success("anthropic", payload(2, start=10)))
    prepared = await make_source("openai", "anthropic").prepare(request(3))
    assert [q.source for q in prepared.questions] == ["openai", "anthropic", "anthropic"]
    assert "Write 2 easy quiz questions" in api.requests("anthropic")[0].body["messages"][0]["content"]
    assert prepared.source == "OpenAI and Anthropic"
    assert notice(prepared) == "OpenAI wrote only 1 usable question, so the rest come from Anthropic."


async def test_a_partial_set_is_topped_up_from_the_bank(
    api: FakeAPI, make_source: MakeSource, db: Database
) -> None:
    """With no other provider the bank's nearest category fills the rest."""
    api.script("openai", success("openai", payload(1)))
    prepared = await make_source("openai", db=db).prepare(request(3))
    assert [q.source for q in prepared.questions] == ["openai", "bank", "bank"]
    assert prepared.source == f"OpenAI and {BANK}"
    assert notice(prepared) == f"OpenAI wrote only 1 usable question, so the rest come from {BANK}."


async def test_a_cache_hit_makes_no_second_request(api: FakeAPI, make_source: MakeSource) -> None:
    """The same provider, topic, difficulty and count within the TTL is served from the cache."""
    api.script("openai", success("openai", payload(3)))
    source = make_source("openai")
    first = await source.prepare(request())
    second = await source.prepare(request(topic="SCIENCE"))
    assert len(api.requests("openai")) == 1
    assert second.questions == first.questions


async def test_the_cache_forgets_a_set_after_its_ttl(
    api: FakeAPI, make_source: MakeSource, clock: ManualClock
) -> None:
    """Past the TTL the provider is asked again."""
    api.script("openai", success("openai", payload(3)))
    source = make_source("openai", QUIZBOT_LLM_CACHE_TTL="60")
    await source.prepare(request())
    clock.advance(61)
    await source.prepare(request())
    assert len(api.requests("openai")) == 2


async def test_a_requested_provider_without_a_key_is_explained(api: FakeAPI, make_source: MakeSource) -> None:
    """Asking for OpenAI when only Anthropic has a key: Anthropic serves, and the notice says why."""
    api.script("anthropic", success("anthropic", payload(3)))
    prepared = await make_source("anthropic").prepare(request(provider="OpenAI"))
    assert prepared.source == "Anthropic"
    assert notice(prepared) == "OpenAI is not set up on this bot, so these questions come from Anthropic."


async def test_the_requested_provider_is_asked_first(api: FakeAPI, make_source: MakeSource) -> None:
    """A request naming a provider (or its alias) goes to it before the others."""
    api.script("google", success("google", payload(3)))
    prepared = await make_source("openai", "google").prepare(request(provider="gemini"))
    assert prepared.source == "Google Gemini"
    assert api.requests("openai") == []


async def test_the_preferred_provider_is_asked_first(api: FakeAPI, make_source: MakeSource) -> None:
    """QUIZBOT_LLM_PROVIDER puts a provider first when the request names none."""
    api.script("anthropic", success("anthropic", payload(3)))
    prepared = await make_source("openai", "anthropic", QUIZBOT_LLM_PROVIDER="anthropic").prepare(request())
    assert prepared.source == "Anthropic"
    assert api.requests("openai") == []


async def test_an_unknown_provider_name_is_refused(make_source: MakeSource) -> None:
    """A provider name quizbot does not know raises InvalidValue listing the choices."""
    with pytest.raises(InvalidValue, match="openai, anthropic, google"):
        await make_source("openai").prepare(request(provider="skynet"))


async def test_the_overall_timeout_falls_back_to_the_bank(
    api: FakeAPI, make_source: MakeSource, db: Database
) -> None:
    """When generation takes longer than the overall timeout, the bank serves instead."""
    api.script("openai", HANG)
    source = make_source("openai", db=db)
    source.total_timeout = 0.05
    prepared = await source.prepare(request())
    assert prepared.source == BANK
    assert notice(prepared) == f"OpenAI is unavailable right now, so these questions come from {BANK}."
