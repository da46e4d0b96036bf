"""LLMSource: the chosen provider, then the others with keys, then the offline bank; with a cache."""

from __future__ import annotations

import asyncio
import random
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from loguru import logger

from quizbot.clock import Clock, LoopClock
from quizbot.config import LLM_PROVIDERS, LLMSettings
from quizbot.errors import InvalidValue
from quizbot.game.languages import DEFAULT_LANGUAGE
from quizbot.game.progression import Difficulty
from quizbot.game.questions import Question
from quizbot.questions.llm.errors import ProviderError
from quizbot.questions.llm.limits import CircuitBreaker, Guard, RetryPolicy, TokenBucket
from quizbot.questions.llm.parse import parse_questions
from quizbot.questions.llm.prompt import build_prompt, clean_topic
from quizbot.questions.llm.providers import PROVIDER_TYPES, Provider, build_provider
from quizbot.questions.sources import (
    BankSource,
    Fallback,
    PreparedQuestions,
    QuestionRequest,
    SourceLabel,
)

FALLBACK_CATEGORY = "general"  # the category of generated questions no bank category is close to
ALIASES = {"chatgpt": "openai", "gpt": "openai", "claude": "anthropic", "gemini": "google"}

CacheKey = tuple[str, str, Difficulty, int, str]


class Outcome(StrEnum):
    """What one provider did for one request."""

    SERVED = "served"  # every question asked of it
    PARTIAL = "partial"  # some usable questions, fewer than asked
    EMPTY = "empty"  # answered, but nothing usable (refusal, bad JSON, bad items)
    UNAVAILABLE = "unavailable"  # errors, timeouts, or its circuit is open
    NOT_SET_UP = "not_set_up"  # asked for by name but has no key


@dataclass(frozen=True, slots=True)
class Attempt:
    """One provider's part in preparing a set."""

    label: str
    outcome: Outcome
    asked: int
    got: int


@dataclass(slots=True)
class Slot:
    """A provider with its own rate limit, retries and circuit breaker."""

    provider: Provider
    guard: Guard


class GenerationCache:
    """Recent generated sets by (provider, topic, difficulty, count, language): bounded in age and number."""

    def __init__(self, ttl: float, size: int, *, clock: Clock) -> None:
        self.ttl, self.size, self.clock = ttl, size, clock
        self._entries: OrderedDict[CacheKey, tuple[float, tuple[Question, ...]]] = OrderedDict()

    @staticmethod
    def key(
        provider: str, topic: str, difficulty: Difficulty, count: int, language: str = DEFAULT_LANGUAGE
    ) -> CacheKey:
        """The key for a set; topics differing only in case share one, languages never do."""
        return (provider, topic.casefold(), difficulty, count, language)

    def get(self, key: CacheKey) -> tuple[Question, ...] | None:
        """The cached set if it is younger than the TTL."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self.clock.time() - entry[0] >= self.ttl:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: CacheKey, questions: tuple[Question, ...]) -> None:
        """Keep a set, forgetting the least recently used one beyond the size bound."""
        if self.size <= 0:
            return
        self._entries[key] = (self.clock.time(), questions)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class LLMSource:
    """A QuestionSource for free-text topics: LLM providers in turn, topped up from the bank.

    `prepare` is an ordinary coroutine with an overall timeout; the edge awaits it before a
    session starts, never inside a session actor.
    """

    def __init__(
        self,
        bank: BankSource,
        slots: Sequence[Slot],
        *,
        preferred: str | None = None,
        total_timeout: float = 45.0,
        cache: GenerationCache | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.bank = bank
        self.slots = {slot.provider.name: slot for slot in slots}
        self.preferred = preferred
        self.total_timeout = total_timeout
        self.clock = clock if clock is not None else LoopClock()
        self.cache = cache if cache is not None else GenerationCache(1800.0, 128, clock=self.clock)

    @classmethod
    def from_settings(
        cls,
        settings: LLMSettings,
        bank: BankSource,
        *,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> LLMSource:
        """A source using every provider that has a key (none at all: the bank alone)."""
        clock = clock if clock is not None else LoopClock()
        policy = RetryPolicy(attempts=settings.attempts, deadline=settings.total_timeout)
        slots = [
            Slot(
                build_provider(provider, timeout=settings.request_timeout),
                Guard(
                    provider.name,
                    bucket=TokenBucket(provider.requests_per_minute, clock=clock),
                    breaker=CircuitBreaker(settings.breaker_failures, settings.breaker_cooldown, clock=clock),
                    policy=policy,
                    clock=clock,
                    rng=rng,
                ),
            )
            for provider in settings.configured
        ]
        cache = GenerationCache(settings.cache_ttl, settings.cache_size, clock=clock)
        return cls(
            bank,
            slots,
            preferred=settings.preferred,
            total_timeout=settings.total_timeout,
            cache=cache,
            clock=clock,
        )

    async def aclose(self) -> None:
        """Close every provider's HTTP connections."""
        for slot in self.slots.values():
            await slot.provider.aclose()

    async def prepare(self, request: QuestionRequest) -> PreparedQuestions:
        """Questions for the request; PreparedQuestions.labels and .fallback say who served them."""
        if request.topic is None:
            return await self.bank.prepare(request)
        topic = clean_topic(request.topic)  # InvalidValue before anything is sent
        hidden = await self.bank.hidden_for(request.guild_id)  # once: generated and bank questions alike
        order = self._order(request.provider)
        log = logger.bind(topic_length=len(topic), guild=request.guild_id, language=request.language)
        collected: list[Question] = []
        attempts: list[Attempt] = []
        current: str | None = None
        try:
            async with asyncio.timeout(self.total_timeout):
                for name in order:
                    need = request.count - len(collected)
                    if need <= 0:
                        break
                    current = name
                    attempt, questions = await self._ask(name, topic, request, need)
                    current = None
                    attempts.append(attempt)
                    _extend(collected, [q for q in questions if q.identity not in hidden])
        except TimeoutError:
            log.bind(provider=current).warning("question generation took over {}s", self.total_timeout)
            if current is not None:
                attempts.append(Attempt(self._label(current), Outcome.UNAVAILABLE, 0, 0))
        contributors = [SourceLabel.provider(a.label) for a in attempts if a.got > 0]
        if len(collected) < request.count:
            contributors += await self._top_up(request, topic, collected, hidden, has_some=bool(collected))
        fallback = _fallback(attempts, contributors, bool(self.slots), len(collected))
        prepared = PreparedQuestions(tuple(collected), tuple(contributors), fallback)
        log.bind(sources=prepared.source, fallback=fallback and fallback.key).info(
            "prepared {} question(s)", len(collected)
        )
        return prepared

    def _order(self, requested: str | None) -> list[str]:
        """Provider names to try: the requested one, the preferred one, then the rest with keys."""
        names: list[str] = []
        if requested is not None:
            wanted = requested.strip().lower()
            wanted = ALIASES.get(wanted, wanted)
            if wanted not in LLM_PROVIDERS:
                raise InvalidValue(
                    f"unknown provider {requested!r}; choose one of {', '.join(LLM_PROVIDERS)}"
                )
            names.append(wanted)
        if self.preferred is not None:
            names.append(self.preferred)
        names.extend(self.slots)
        return list(dict.fromkeys(names))

    def _label(self, name: str) -> str:
        return PROVIDER_TYPES[name].label

    async def _ask(
        self, name: str, topic: str, request: QuestionRequest, need: int
    ) -> tuple[Attempt, tuple[Question, ...]]:
        """Up to `need` questions from one provider, in the request's language (from the cache when it
        has them)."""
        difficulty, language = request.difficulty, request.language
        label = self._label(name)
        slot = self.slots.get(name)
        if slot is None:
            return Attempt(label, Outcome.NOT_SET_UP, need, 0), ()
        log = logger.bind(provider=name, topic_length=len(topic))
        key = GenerationCache.key(name, topic, difficulty, need, language)
        questions = self.cache.get(key)
        if questions is not None:
            log.debug("served {} question(s) from the cache", len(questions))
        else:
            prompt = build_prompt(topic, difficulty, need, language)
            try:
                raw = await slot.guard.run(lambda: slot.provider.complete(prompt))
            except ProviderError as error:
                log.warning("provider failed: {}", error.problem)
                return Attempt(label, Outcome.UNAVAILABLE, need, 0), ()
            except Exception:  # a bug here must not cost the quiz: fall back, loudly
                log.exception("unexpected failure asking the provider")
                return Attempt(label, Outcome.UNAVAILABLE, need, 0), ()
            category = self.bank.bank.nearest_category(topic) or FALLBACK_CATEGORY
            result = parse_questions(raw, provider=name, category=category, count=need, language=language)
            if result.dropped:
                log.warning("dropped {} unusable item(s): {}", len(result.dropped), "; ".join(result.dropped))
            questions = result.questions
            if questions:
                self.cache.put(key, questions)
        outcome = (
            Outcome.SERVED if len(questions) >= need else Outcome.PARTIAL if questions else Outcome.EMPTY
        )
        return Attempt(label, outcome, need, len(questions)), questions

    async def _top_up(
        self,
        request: QuestionRequest,
        topic: str,
        collected: list[Question],
        hidden: frozenset[str],
        *,
        has_some: bool,
    ) -> tuple[SourceLabel, ...]:
        """Fill `collected` up from the bank's nearest category (none of the `hidden` questions); the
        bank's label if it helped."""
        missing = request.count - len(collected)
        try:
            prepared = await self.bank.prepare(
                QuestionRequest(
                    guild_id=request.guild_id,
                    difficulty=request.difficulty,
                    count=missing,
                    topic=topic,
                    buttons=request.buttons,
                    language=request.language,
                ),
                hidden=hidden,
            )
        except InvalidValue:
            if not has_some:
                raise
            logger.bind(topic_length=len(topic)).warning("the bank could not top up; serving fewer questions")
            return ()
        _extend(collected, prepared.questions)
        return prepared.labels


def _extend(collected: list[Question], questions: Sequence[Question]) -> None:
    """Add questions whose id and text are not there yet."""
    ids = {q.question_id for q in collected}
    texts = {q.text.casefold() for q in collected}
    for question in questions:
        if question.question_id not in ids and question.text.casefold() not in texts:
            collected.append(question)
            ids.add(question.question_id)
            texts.add(question.text.casefold())


def _fallback(
    attempts: Sequence[Attempt], contributors: Sequence[SourceLabel], any_keys: bool, total: int
) -> Fallback | None:
    """Why the set did not come wholly from the first choice; None if it did."""
    if not attempts:
        return None if any_keys else Fallback("no_generator", others=tuple(contributors), total=total)
    first = attempts[0]
    if first.outcome is Outcome.SERVED:
        return None
    key = {
        Outcome.PARTIAL: "generation_partial",
        Outcome.EMPTY: "generation_empty",
        Outcome.UNAVAILABLE: "provider_unavailable",
        Outcome.NOT_SET_UP: "provider_not_set_up",
    }[first.outcome]
    others = tuple(label for label in contributors if label != SourceLabel.provider(first.label))
    return Fallback(key, first.label, first.got, others, total)
