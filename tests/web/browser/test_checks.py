"""The browser checks themselves, against two pages served here: one that passes every check and
one that fails each, so a check that could not fail would show."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import expect

from tests.web.browser.checks import (
    PHONE,
    PROJECTOR,
    axe_violations,
    broken_across_lines,
    font_size,
    horizontal_overflow,
    low_contrast,
    outside_viewport,
    screenshot,
    tab_order,
)
from tests.web.browser.conftest import Pages

pytestmark = pytest.mark.slow

CSP = "default-src 'none'; script-src 'self'; style-src 'self'; frame-ancestors 'none'"
LAX_STYLES = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'"  # scripts still refused
GOOD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>A good page</title><link rel="stylesheet" href="/site.css"><script src="/site.js" defer></script>
</head><body><header><h1>Question 1 of 5</h1></header>
<main><p id="question">Which planet is closest to the Sun?</p><p id="status">Waiting</p>
<nav aria-label="Pages"><a href="/good?page=2">Next page</a> <button type="button">Refresh</button></nav>
</main></body></html>"""
GOOD_CSS = """body { margin: 0 auto; max-width: 60rem; padding: 1rem; background: #fff; color: #111;
  font: 1.25rem/1.4 sans-serif; }
#question { font-size: clamp(2rem, 5vw, 4rem); overflow-wrap: anywhere; }
a, button { font-size: 1.25rem; color: #003a8c; }"""
GOOD_JS = "document.getElementById('status').textContent = 'Live';"
BAD = """<!doctype html>
<html><head><title>A bad page</title><style>.faint { color: #bbb; } button:focus { outline: none; }</style>
</head><body><p class="faint" style="font-size: 10px">Faint small text</p>
<div style="width: 2400px">Too wide</div>
<table style="width: 3em"><tr><td style="overflow-wrap: anywhere">1,234,567 ok</td></tr></table>
<img src="/nothing.png">
<button style="outline: none">Go</button><script>document.title = 'ran';</script>
<p id="below" style="margin-top: 3000px">Far below</p></body></html>"""


def serve(body: str, content_type: str = "text/html", csp: str = CSP) -> web.Handler:
    """A handler answering `body` under the Content-Security-Policy `csp`."""

    async def handle(_: web.Request) -> web.Response:
        response = web.Response(text=body, content_type=content_type)
        response.headers["Content-Security-Policy"] = csp
        return response

    return handle


@pytest.fixture
async def site() -> AsyncIterator[TestServer]:
    """The good page under a strict Content-Security-Policy, the bad one allowed inline styles
    (so they show) but not inline scripts."""
    app = web.Application()
    app.router.add_get("/good", serve(GOOD))
    app.router.add_get("/site.css", serve(GOOD_CSS, "text/css"))
    app.router.add_get("/site.js", serve(GOOD_JS, "application/javascript"))
    app.router.add_get("/bad", serve(BAD, csp=LAX_STYLES))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


@pytest.mark.parametrize("viewport", [PHONE, PROJECTOR], ids=["phone", "projector"])
async def test_a_good_page_passes_every_check(
    site: TestServer, pages: Pages, viewport: dict[str, int], tmp_path: Path
) -> None:
    """Nothing spills, the question is large and on screen, contrast and axe pass, Tab reaches the
    link and the button with a visible focus, the screenshot has content, and the script ran."""
    page = await pages.open(str(site.make_url("/good")), viewport)
    await expect(page.locator("#status")).to_have_text("Live")  # (wait_for_function evals: CSP refuses it)
    assert await horizontal_overflow(page) == []
    assert await font_size(page, "#question") >= 32
    assert await outside_viewport(page, "h1", "#question", "nav") == []
    assert await low_contrast(page, minimum=7) == []
    assert await axe_violations(page, impacts=("minor", "moderate", "serious", "critical")) == []
    stops = await tab_order(page)
    assert [(s.tag, s.name) for s in stops] == [("a", "Next page"), ("button", "Refresh")]
    assert all(s.visible and s.focus_visible for s in stops)
    shot = await screenshot(page, str(tmp_path / "good.png"))
    assert (shot.width, shot.height) == (viewport["width"], viewport["height"])
    assert not shot.blank


async def test_a_bad_page_fails_each_check(site: TestServer, pages: Pages) -> None:
    """Overflow, small faint text, a number broken over two lines, a missing alt, a hidden focus,
    content below the first screen and an inline script refused by the CSP are each reported."""
    page = await pages.open(str(site.make_url("/bad")), PHONE)
    overflow = await horizontal_overflow(page)
    assert overflow == ["page 2408 px wide in a 390 px viewport", "div. [8, 2408]"]  # body margin 8 px
    assert await font_size(page, ".faint") == 10
    outside = await outside_viewport(page, ".faint", "#below", ".missing")
    assert [o.split(":")[0] for o in outside] == ["#below", ".missing"]
    assert await broken_across_lines(page, "td") == ["1,234,567"]
    faint = await low_contrast(page)
    assert [f["text"] for f in faint] == ["Faint small text"]
    assert faint[0]["ratio"] < 2
    violations = "\n".join(await axe_violations(page))
    assert "image-alt (critical)" in violations
    assert "color-contrast (serious)" in violations
    [stop] = await tab_order(page)
    assert stop.tag == "button" and not stop.visible
    assert await page.title() == "A bad page"  # the inline script did not run
    refused = pages.take_errors()
    assert any("inline script" in e and "Content Security Policy" in e for e in refused), refused


async def test_a_page_without_javascript_still_renders(site: TestServer, pages: Pages) -> None:
    """A context with JavaScript off loads the page as is (the live-update script does not run)."""
    page = await pages.open(str(site.make_url("/good")), PHONE, javascript=False)
    assert await page.locator("#status").inner_text() == "Waiting"
    assert await page.locator("#question").is_visible()
