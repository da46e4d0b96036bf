"""LLM question providers (OpenAI, Anthropic, Google Gemini) with a fallback to the offline bank.

Build one source at start-up and await its `prepare` before a session starts:

    source = LLMSource.from_settings(settings.llm, BankSource(bank, PostgresAskedQuestions(db)))
    prepared = await source.prepare(QuestionRequest(guild_id, difficulty, count, topic="volcanoes"))
    ...
    await source.aclose()  # at shutdown

The SDKs are imported only when a provider is first asked, so quizbot imports without them.
"""

from __future__ import annotations

from quizbot.questions.llm.chain import GenerationCache, LLMSource, Outcome, Slot
from quizbot.questions.llm.errors import ProviderError, ProviderNotInstalled, ProviderSkipped
from quizbot.questions.llm.limits import (
    BreakerState,
    CircuitBreaker,
    Guard,
    RetryPolicy,
    TokenBucket,
)
from quizbot.questions.llm.parse import ParseResult, parse_questions
from quizbot.questions.llm.prompt import SYSTEM_PROMPT, Prompt, build_prompt, clean_topic
from quizbot.questions.llm.providers import (
    AnthropicProvider,
    GeminiProvider,
    OpenAIProvider,
    Provider,
    build_provider,
)

__all__ = [
    "SYSTEM_PROMPT",
    "AnthropicProvider",
    "BreakerState",
    "CircuitBreaker",
    "GeminiProvider",
    "GenerationCache",
    "Guard",
    "LLMSource",
    "OpenAIProvider",
    "Outcome",
    "ParseResult",
    "Prompt",
    "Provider",
    "ProviderError",
    "ProviderNotInstalled",
    "ProviderSkipped",
    "RetryPolicy",
    "Slot",
    "TokenBucket",
    "build_prompt",
    "build_provider",
    "clean_topic",
    "parse_questions",
]
