"""A local HTTP server standing in for the OpenAI, Anthropic and Gemini APIs, a clock driver, payloads."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from aiohttp import web

from quizbot.bot.catalogue import fallback_notice
from quizbot.clock import ManualClock
from quizbot.config import LLMSettings
from quizbot.game.progression import Difficulty
from quizbot.game.questions import Question, QuestionKind
from quizbot.questions.bank import QuestionBank
from quizbot.questions.packs import Pack
from quizbot.questions.ports import AskedQuestions
from quizbot.questions.sources import PreparedQuestions

PROVIDERS = ("openai", "anthropic", "google")
KEY_VARIABLES = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "google": "GEMINI_API_KEY"}
LABELS = {"openai": "OpenAI", "anthropic": "Anthropic", "google": "Google Gemini"}


FakeClock = ManualClock  # the name conftest.py still imports for its `clock` fixture


@asynccontextmanager
async def advancing(clock: ManualClock) -> AsyncIterator[list[float]]:
    """While the block runs, move `clock` on to each timer as soon as it is set, so waits take no real time.

    Yields the seconds of each such wait, in order (the list fills as the block runs).
    """
    waits: list[float] = []

    async def drive() -> None:
        while True:
            due = clock.next_due
            if due is not None:
                waits.append(due - clock.time())
                clock.advance(due - clock.time())
            await asyncio.sleep(0)  # let the block run (and any real I/O it awaits), then look again

    driver = asyncio.create_task(drive())
    try:
        yield waits
    finally:
        driver.cancel()
        await asyncio.gather(driver, return_exceptions=True)


@dataclass(frozen=True)
class Reply:
    """One scripted HTTP reply; `hang` never answers, so the client times out."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False


HANG = Reply(hang=True)


@dataclass(frozen=True)
class Seen:
    """One request the fake API received."""

    provider: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeAPI:
    """Answers each provider's requests from a script; the last reply repeats once the script runs out."""

    def __init__(self) -> None:
        self.scripts: dict[str, list[Reply]] = {}
        self.seen: list[Seen] = []
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    def script(self, provider: str, *replies: Reply) -> None:
        self.scripts[provider] = list(replies)

    def requests(self, provider: str) -> list[Seen]:
        return [s for s in self.seen if s.provider == provider]

    def base_url(self, provider: str) -> str:
        return f"{self.url}/{provider}/v1" if provider == "openai" else f"{self.url}/{provider}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = cast(Any, site._server).sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        provider = request.path.strip("/").split("/")[0]
        raw = await request.read()
        self.seen.append(Seen(provider, request.path, dict(request.headers), json.loads(raw or b"{}")))
        script = self.scripts.get(provider) or [Reply(404, {"error": "no script"})]
        reply = script.pop(0) if len(script) > 1 else script[0]
        if reply.hang:
            await self._release.wait()
            return web.Response(status=504)
        return web.json_response(reply.body, status=reply.status, headers=reply.headers)


def item(
    text: str = "Which gas do plants take in for photosynthesis?",
    options: tuple[tuple[str, bool], ...] = (("Carbon dioxide", True), ("Oxygen", False), ("Helium", False)),
    *,
    kind: str = "multiple_choice",
    difficulty: str = "easy",
    explanation: str = "Plants use carbon dioxide and light to make sugar.",
) -> dict[str, Any]:
    """One question as a model would write it."""
    return {
        "question": text,
        "kind": kind,
        "options": [{"text": label, "correct": correct} for label, correct in options],
        "difficulty": difficulty,
        "explanation": explanation,
    }


def payload(count: int, start: int = 0) -> dict[str, Any]:
    """{"questions": [...]} with `count` distinct valid questions."""
    return {"questions": [item(f"Science question number {i}?") for i in range(start, start + count)]}


def success(provider: str, data: Any) -> Reply:
    """The provider's success envelope around `data` (the model's structured output)."""
    if provider == "anthropic":
        block = {"type": "tool_use", "id": "toolu_1", "name": "record_questions", "input": data}
        return Reply(body=_anthropic([block]))
    return text_reply(provider, json.dumps(data))


def text_reply(provider: str, text: str) -> Reply:
    """The provider's success envelope around plain text from the model."""
    if provider == "openai":
        message = {"role": "assistant", "content": text, "refusal": None}
        choice = {"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}
        usage = {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}
        body = {"id": "c1", "object": "chat.completion", "created": 1, "model": "m", "choices": [choice]}
        return Reply(body={**body, "usage": usage})
    if provider == "anthropic":
        return Reply(body=_anthropic([{"type": "text", "text": text}]))
    candidate = {"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": "STOP", "index": 0}
    return Reply(body={"candidates": [candidate]})


def _anthropic(content: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": content,
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 10},
    }


def failure(provider: str, status: int, headers: dict[str, str] | None = None) -> Reply:
    """The provider's error body for `status`."""
    if provider == "google":
        body: dict[str, Any] = {"error": {"code": status, "message": "busy", "status": "UNAVAILABLE"}}
    elif provider == "anthropic":
        body = {"type": "error", "error": {"type": "api_error", "message": "busy"}}
    else:
        body = {"error": {"message": "busy", "type": "server_error", "code": None}}
    return Reply(status=status, body=body, headers=headers or {})


def settings_for(api: FakeAPI, *providers: str, **variables: str) -> LLMSettings:
    """Settings with keys for `providers`, all pointed at the fake API, and fast limits."""
    env = {"QUIZBOT_LLM_REQUEST_TIMEOUT": "2", "QUIZBOT_LLM_TIMEOUT": "10"}
    for name in providers:
        env[KEY_VARIABLES[name]] = f"test-key-{name}"
        env[f"QUIZBOT_{name.upper()}_BASE_URL"] = api.base_url(name)
        env[f"QUIZBOT_{name.upper()}_RPM"] = "10000"
    env.update(variables)
    return LLMSettings.from_env(env)


def bank_question(qid: str, category: str, text: str) -> Question:
    return Question(
        question_id=qid,
        text=text,
        kind=QuestionKind.TRUE_FALSE,
        category=category,
        difficulty=Difficulty.EASY,
        explanation="Because.",
        options=("True", "False"),
        answer_index=0,
    )


def small_bank() -> QuestionBank:
    """Two categories, enough questions for any test's count."""
    bank = QuestionBank()
    science = tuple(bank_question(f"s{i}", "science", f"Offline science fact {i}?") for i in range(8))
    sport = tuple(bank_question(f"p{i}", "sport", f"Offline sport fact {i}?") for i in range(8))
    bank.add(Pack("science", "Science", "", science, "science.yaml"))
    bank.add(Pack("sport", "Sport", "", sport, "sport.yaml"))
    return bank


class _NoDatabase:
    """Stands in for the asked-questions store where a test must not reach the bank at all."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"this test should not use the database (.{name})")


NO_DATABASE = cast(AskedQuestions, _NoDatabase())
RNG_SEED = 7


def rng() -> random.Random:
    return random.Random(RNG_SEED)


def notice(prepared: PreparedQuestions) -> str | None:
    """What the quiz's announcement tells players about its fallback, as the catalogue words it."""
    return None if prepared.fallback is None else fallback_notice(prepared.fallback).text
