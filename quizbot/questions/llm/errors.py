"""What can go wrong asking an LLM provider for questions, and whether trying again may help."""

from __future__ import annotations

from quizbot.errors import QuizbotError


class ProviderError(QuizbotError):
    """A provider call failed; `retryable` says whether the same request may succeed later."""

    def __init__(
        self,
        provider: str,
        problem: str,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        self.provider = provider
        self.problem = problem
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status
        super().__init__(f"{provider}: {problem}")


class ProviderNotInstalled(ProviderError):
    """The provider has a key but its SDK (the pip extra) is not installed."""

    def __init__(self, provider: str, package: str, extra: str) -> None:
        super().__init__(
            provider,
            f"the {package} package is not installed; install it with pip install 'quizbot[{extra}]'",
        )
        self.package = package
        self.extra = extra


class ProviderSkipped(ProviderError):
    """The provider's circuit breaker is open, so it was not asked at all."""

    def __init__(self, provider: str, retry_in: float) -> None:
        super().__init__(provider, f"skipped after repeated failures; trying again in {retry_in:.0f}s")
        self.retry_in = retry_in
