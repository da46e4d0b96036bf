"""A real Chromium for the browser tests: one per test process, a fresh context per page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.web.browser.checks import PROJECTOR, PageErrors
from tests.web.browser.chromium import launch


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless; a test using it fails (never skips) when it is not installed."""
    async with async_playwright() as playwright:
        launched = await launch(playwright)
        yield launched
        await launched.close()


class Pages:
    """Opens pages, each in a context of its own (no shared cookies or cache), and keeps what
    they logged as errors."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.contexts: list[BrowserContext] = []
        self.errors = PageErrors()

    async def open(
        self,
        url: str,
        viewport: dict[str, int] = PROJECTOR,
        *,
        javascript: bool = True,
        **context_options: Any,
    ) -> Page:
        """`url` loaded in a new context of this viewport size; its console errors are kept."""
        context = await self.browser.new_context(
            viewport=viewport, java_script_enabled=javascript, **context_options
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = await context.new_page()
        self.errors.watch(page)
        response = await page.goto(url)
        assert response is not None, f"no response for {url}"
        return page

    def take_errors(self) -> list[str]:
        """The errors logged so far, forgotten once taken (for a test that expects some)."""
        taken, self.errors.seen = self.errors.seen, []
        return taken

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()


@pytest.fixture
async def pages(browser: Browser) -> AsyncIterator[Pages]:
    """Pages for one test; the test fails if any of them logged an error it did not take."""
    opened = Pages(browser)
    yield opened
    await opened.close()
    assert opened.take_errors() == [], "the pages logged errors"
