"""OpenAI, Anthropic and Google Gemini through their official SDKs, imported only when first used."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from loguru import logger

from quizbot.config import ProviderSettings
from quizbot.questions.llm.errors import ProviderError, ProviderNotInstalled
from quizbot.questions.llm.prompt import SCHEMA_NAME, Prompt

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic
    from google.genai.client import AsyncClient as GeminiClient
    from openai import AsyncOpenAI

RETRYABLE_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})
TOOL_NAME = "record_questions"
_TRANSPORT_MODULES = ("aiohttp", "httpx", "httpcore", "anyio", "ssl")


class Provider(Protocol):
    """An LLM that turns a prompt into a reply: JSON text or an already-decoded JSON object."""

    @property
    def name(self) -> str:
        """The provider's key: "openai", as in the settings and cache keys."""
        ...

    @property
    def label(self) -> str:
        """The provider's name as players read it: "OpenAI"."""
        ...

    async def complete(self, prompt: Prompt) -> object: ...

    async def aclose(self) -> None: ...


class SDKProvider:
    """Shared parts: settings, a lazily built SDK client with its retries off, error translation."""

    name: ClassVar[str]
    label: ClassVar[str]
    package: ClassVar[str]  # the module to import
    extra: ClassVar[str]  # the pip extra that installs it

    def __init__(self, settings: ProviderSettings, *, timeout: float, max_tokens: int = 4096) -> None:
        self.settings = settings
        self.timeout = timeout
        self.max_tokens = max_tokens

    @classmethod
    def installed(cls) -> bool:
        """Whether the SDK can be imported (without importing it)."""
        try:
            return importlib.util.find_spec(cls.package) is not None
        except ImportError:  # a missing parent package ("google")
            return False

    async def complete(self, prompt: Prompt) -> object:
        """The model's reply to `prompt`; a ProviderError for anything that went wrong."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Close the SDK client's connections."""
        raise NotImplementedError

    def _not_installed(self) -> ProviderNotInstalled:
        return ProviderNotInstalled(self.name, self.package, self.extra)

    def _translate(self, error: Exception) -> ProviderError:
        """A ProviderError for anything the SDK raised, saying whether a retry may help."""
        if isinstance(error, ProviderError):
            return error
        status = getattr(error, "status_code", None)
        if not isinstance(status, int):
            status = getattr(error, "code", None)  # google-genai's APIError
        if isinstance(status, int) and 400 <= status <= 599:
            response = getattr(error, "response", None)
            headers = getattr(response, "headers", None)
            retry_after = retry_after_seconds(headers if isinstance(headers, Mapping) else {})
            if retry_after is None:
                retry_after = _google_retry_delay(getattr(error, "details", None))
            kind = "rate limited" if status == 429 else "server error" if status >= 500 else "refused"
            return ProviderError(
                self.name,
                f"{kind} (HTTP {status})",
                retryable=status in RETRYABLE_STATUSES,
                retry_after=retry_after if status in RETRYABLE_STATUSES else None,
                status=status,
            )
        name = type(error).__name__
        if isinstance(error, TimeoutError) or "Timeout" in name:
            return ProviderError(self.name, "timed out", retryable=True)
        module = type(error).__module__.split(".")[0]
        if isinstance(error, OSError) or "Connection" in name or module in _TRANSPORT_MODULES:
            return ProviderError(self.name, f"could not connect ({name})", retryable=True)
        logger.bind(provider=self.name).opt(exception=error).error("unexpected error from the SDK")
        return ProviderError(self.name, f"unexpected error ({name})")


class OpenAIProvider(SDKProvider):
    """OpenAI Chat Completions with a strict JSON schema as the response format."""

    name, label, package, extra = "openai", "OpenAI", "openai", "openai"

    def __init__(self, settings: ProviderSettings, *, timeout: float, max_tokens: int = 4096) -> None:
        super().__init__(settings, timeout=timeout, max_tokens=max_tokens)
        self._client: AsyncOpenAI | None = None

    def client(self) -> AsyncOpenAI:
        """The SDK client, built on first use with max_retries=0 (quizbot retries by itself)."""
        if self._client is None:
            try:
                import openai  # noqa: PLC0415  # lazily: the extra may not be installed
            except ImportError:
                raise self._not_installed() from None
            self._client = openai.AsyncOpenAI(
                api_key=self.settings.api_key.value,
                base_url=self.settings.base_url,
                timeout=self.timeout,
                max_retries=0,
            )
        return self._client

    async def complete(self, prompt: Prompt) -> object:
        """The JSON text of the reply ({"questions": []} when the model refuses)."""
        client = self.client()
        try:
            response = await client.chat.completions.create(
                model=self.settings.model,
                messages=[
                    {"role": "system", "content": prompt.system},
                    {"role": "user", "content": prompt.user},
                ],
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": SCHEMA_NAME, "schema": prompt.schema, "strict": True},
                },
            )
        except Exception as error:
            raise self._translate(error) from error
        if not response.choices:
            return ""
        message = response.choices[0].message
        if message.refusal:
            logger.bind(provider=self.name).info("the model refused the topic")
            return {"questions": []}
        return message.content or ""

    async def aclose(self) -> None:
        """Close the HTTP connections, if a client was ever built."""
        if self._client is not None:
            await self._client.close()
            self._client = None


class AnthropicProvider(SDKProvider):
    """Anthropic Messages, with the questions returned as the input of a forced tool call."""

    name, label, package, extra = "anthropic", "Anthropic", "anthropic", "anthropic"

    def __init__(self, settings: ProviderSettings, *, timeout: float, max_tokens: int = 4096) -> None:
        super().__init__(settings, timeout=timeout, max_tokens=max_tokens)
        self._client: AsyncAnthropic | None = None

    def client(self) -> AsyncAnthropic:
        """The SDK client, built on first use with max_retries=0 (quizbot retries by itself)."""
        if self._client is None:
            try:
                import anthropic  # noqa: PLC0415  # lazily: the extra may not be installed
            except ImportError:
                raise self._not_installed() from None
            self._client = anthropic.AsyncAnthropic(
                api_key=self.settings.api_key.value,
                base_url=self.settings.base_url,
                timeout=self.timeout,
                max_retries=0,
            )
        return self._client

    async def complete(self, prompt: Prompt) -> object:
        """The tool call's input (a decoded object), or the text if the model answered in words."""
        client = self.client()
        from anthropic.types import TextBlock, ToolUseBlock  # noqa: PLC0415  # installed: client() worked

        try:
            response = await client.messages.create(
                model=self.settings.model,
                max_tokens=self.max_tokens,
                system=prompt.system,
                messages=[{"role": "user", "content": prompt.user}],
                tools=[
                    {
                        "name": TOOL_NAME,
                        "description": "Record the quiz questions, in the given JSON shape.",
                        "input_schema": prompt.schema,
                    }
                ],
                tool_choice={"type": "tool", "name": TOOL_NAME},
            )
        except Exception as error:
            raise self._translate(error) from error
        for block in response.content:
            if isinstance(block, ToolUseBlock) and block.name == TOOL_NAME:
                return block.input
        return "".join(block.text for block in response.content if isinstance(block, TextBlock))

    async def aclose(self) -> None:
        """Close the HTTP connections, if a client was ever built."""
        if self._client is not None:
            await self._client.close()
            self._client = None


class GeminiProvider(SDKProvider):
    """Google Gemini through google-genai, with a JSON response schema."""

    name, label, package, extra = "google", "Google Gemini", "google.genai", "google"

    def __init__(self, settings: ProviderSettings, *, timeout: float, max_tokens: int = 4096) -> None:
        super().__init__(settings, timeout=timeout, max_tokens=max_tokens)
        self._client: GeminiClient | None = None

    def client(self) -> GeminiClient:
        """The async SDK client, built on first use with a single attempt (quizbot retries by itself)."""
        if self._client is None:
            try:
                from google import genai  # noqa: PLC0415  # lazily: the extra may not be installed
                from google.genai import types  # noqa: PLC0415
            except ImportError:
                raise self._not_installed() from None
            options = types.HttpOptions(
                timeout=max(1, round(self.timeout * 1000)),  # milliseconds
                retry_options=types.HttpRetryOptions(attempts=1),
            )
            if self.settings.base_url is not None:
                options.base_url = self.settings.base_url
            self._client = genai.Client(
                api_key=self.settings.api_key.value, vertexai=False, http_options=options
            ).aio
        return self._client

    async def complete(self, prompt: Prompt) -> object:
        """The JSON text of the reply."""
        client = self.client()
        from google.genai import types  # noqa: PLC0415  # installed: client() worked

        config = types.GenerateContentConfig(
            system_instruction=prompt.system,
            response_mime_type="application/json",
            response_json_schema=prompt.schema,
        )
        try:
            response = await client.models.generate_content(
                model=self.settings.model, contents=prompt.user, config=config
            )
        except Exception as error:
            raise self._translate(error) from error
        return response.text or ""

    async def aclose(self) -> None:
        """Close the HTTP connections, if a client was ever built."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None


PROVIDER_TYPES: dict[str, type[SDKProvider]] = {
    "openai": OpenAIProvider,
    "anthropic": AnthropicProvider,
    "google": GeminiProvider,
}


def build_provider(settings: ProviderSettings, *, timeout: float) -> SDKProvider:
    """The provider for `settings` (its SDK is imported only when it is first asked)."""
    kind = PROVIDER_TYPES[settings.name]
    if not kind.installed():
        logger.bind(provider=settings.name).warning(
            "an API key is set but the {} package is not installed; pip install 'quizbot[{}]'",
            kind.package,
            kind.extra,
        )
    return kind(settings, timeout=timeout)


def retry_after_seconds(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait from retry-after-ms or retry-after (seconds or an HTTP date), if present."""
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return max(0.0, float(lowered["retry-after-ms"]) / 1000.0)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _google_retry_delay(details: Any) -> float | None:
    """The retryDelay ("7s") Gemini puts in a 429's error details, if any."""
    error = details.get("error") if isinstance(details, Mapping) else None
    entries = error.get("details") if isinstance(error, Mapping) else None
    for entry in entries if isinstance(entries, list) else []:
        delay = entry.get("retryDelay") if isinstance(entry, Mapping) else None
        if isinstance(delay, str) and delay.endswith("s"):
            try:
                return max(0.0, float(delay[:-1]))
            except ValueError:
                return None
    return None
