"""The admin status page in a real Chromium: the sign-in form by keyboard (a wrong token refused
plainly), the figures of a running status source refreshed live without a reload, read on a phone
and a projector, without JavaScript, and signed out again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, expect

from quizbot.actors.status import SessionStatus
from quizbot.bot.status import StatusReport
from quizbot.clock import ManualClock
from quizbot.config import Secret
from tests.web.browser.checks import (
    PHONE,
    PROJECTOR,
    broken_across_lines,
    findings,
    outside_viewport,
    tab_order,
)
from tests.web.browser.conftest import Pages
from tests.web.conftest import Client, MakeClient
from tests.web.test_admin import SESSIONS, TOKEN, report

pytestmark = pytest.mark.slow

INTERVAL = 5.0  # seconds (on the test's clock) between the page's live refreshes
SHOWN = 15_000  # ms a browser may take to show what the server has sent (a loaded CI machine)
WRONG = "That is not the admin token."
# A third session, restarted twice, keyed by ids as long as Discord's.
ANOTHER = SessionStatus((123_456_789_012_345_678, 987_654_321_098_765_432), "question_open", 0, 2, None, 1.0)


# Counts the times the live refresh rewrites the status (each event is a task of its own, so one
# rewrite is one call of the observer).
SWAPS_JS = """() => {
    window.swaps = 0;
    new MutationObserver(() => { window.swaps += 1; })
        .observe(document.getElementById('status'), {childList: true});
}"""


class StatusFeed:
    """The running bot's status source as the web asks it: the last report given, and how often it
    was asked (the page once as served, its event stream once on connecting and once a refresh)."""

    def __init__(self) -> None:
        self.reports = [report()]
        self.asked = 0
        self._changed = asyncio.Condition()

    async def __call__(self) -> StatusReport:
        async with self._changed:
            self.asked += 1
            self._changed.notify_all()
        return self.reports[-1]

    async def asked_at_least(self, times: int) -> None:
        async with asyncio.timeout(SHOWN / 1000), self._changed:
            await self._changed.wait_for(lambda: self.asked >= times)


@pytest.fixture
def feed() -> StatusFeed:
    return StatusFeed()


@pytest.fixture
async def client(make_client: MakeClient, feed: StatusFeed) -> Client:
    return await make_client(admin_token=Secret(TOKEN), status=feed, status_interval=INTERVAL)


def figure(page: Page, name: str) -> Locator:
    """The value of the figure called `name` in the status's list of figures."""
    return page.locator("dl.figures div").filter(has=page.locator("dt", has_text=name)).locator("dd")


async def served_status(page: Page) -> int:
    """The HTTP status the page as shown was served with."""
    status: int = await page.evaluate("performance.getEntriesByType('navigation')[0].responseStatus")
    return status


async def tab_to(page: Page, selector: str, limit: int = 10) -> None:
    """Presses Tab from the top of the page until the focus is on `selector`, as a person would."""
    await page.locator("body").focus()
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.locator(selector).evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector}")


async def sign_in_by_keyboard(page: Page, token: str) -> None:
    await tab_to(page, "#token")
    await page.keyboard.type(token)
    await page.keyboard.press("Enter")


def assert_only_refusals_logged(pages: Pages) -> None:
    """Chromium logs each page it is served as a 403 (the form is one); nothing else was logged."""
    errors = pages.take_errors()
    assert errors and all("status of 403 (Forbidden)" in error for error in errors), errors


async def assert_the_sign_in_form(page: Page) -> None:
    """The form a stranger gets, as a 403, with its field labelled and no figure of the bot."""
    assert await served_status(page) == 403
    await expect(page.get_by_label("Admin token")).to_have_attribute("type", "password")
    assert await page.locator("#status").count() == 0
    assert "bot-1" not in await page.locator("main").inner_text()


async def assert_the_figures(page: Page, *, third: bool = False, within: float = 5_000) -> None:
    """What `report()` says, as the page shows it (`third`: with ANOTHER as well), the first
    figure within `within` ms."""
    await expect(page.locator("#engine-title")).to_have_text("Process bot-1")
    await expect(figure(page, "Live sessions")).to_have_text("3" if third else "2", timeout=within)
    await expect(figure(page, "Restarts")).to_have_text("3" if third else "1")
    await expect(figure(page, "Deepest mailbox")).to_have_text("3")
    await expect(figure(page, "Snapshots set aside")).to_have_text("2")
    phases = "question_open: 2 · revealed: 1" if third else "question_open: 1 · revealed: 1"
    await expect(page.locator("#sessions-title + p")).to_have_text(phases)
    await expect(page.locator("#status tbody tr")).to_have_count(3 if third else 2)


async def test_signing_in_by_keyboard_then_the_figures_refresh_live(
    client: Client, feed: StatusFeed, clock: ManualClock, pages: Pages, tmp_path: Path
) -> None:
    """The sign-in form (a 403) has a labelled field and button the keyboard reaches with a visible
    focus; a wrong token typed and sent with Enter is refused in plain words, the right one lands on
    the status; when the bot reports a third session the page, never reloaded, shows it, and the
    same figures again leave it alone; axe and the projector's checks pass on both pages; signing
    out brings the form back."""
    page = await pages.open(str(client.make_url("/admin")), PROJECTOR)
    await assert_the_sign_in_form(page)
    stops = await tab_order(page)
    assert [(stop.tag, stop.name) for stop in stops][-2:] == [("input", "token"), ("button", "Sign in")]
    assert all(stop.visible and stop.focus_visible for stop in stops), stops
    assert await findings(page, str(tmp_path / "sign-in.png")) == {}

    await sign_in_by_keyboard(page, "not-the-token")
    await expect(page.get_by_role("alert")).to_have_text(WRONG)
    assert await served_status(page) == 403
    assert "Traceback" not in await page.content()
    await expect(page.get_by_label("Admin token")).to_have_value("")
    assert await findings(page, str(tmp_path / "refused.png")) == {}

    await sign_in_by_keyboard(page, TOKEN)
    await page.wait_for_url(str(client.make_url("/admin")))
    assert await served_status(page) == 200
    await assert_the_figures(page)
    await page.evaluate("window.openedOnce = true")  # gone if the page ever reloads
    await feed.asked_at_least(2)  # the page as served, then its event stream: now waiting a refresh
    feed.reports.append(report((*SESSIONS, ANOTHER)))
    clock.advance(INTERVAL)
    await assert_the_figures(page, third=True, within=SHOWN)
    assert await page.evaluate("window.openedOnce === true")
    assert await findings(page, str(tmp_path / "status.png")) == {}

    await page.evaluate(SWAPS_JS)
    asked = feed.asked
    clock.advance(INTERVAL)  # the same figures again: the page is left alone
    await feed.asked_at_least(asked + 1)
    feed.reports.append(report())
    clock.advance(INTERVAL)  # the bot is back to two sessions: shown, after the unchanged event
    await assert_the_figures(page, within=SHOWN)
    assert await page.evaluate("window.swaps") == 1

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_label("Admin token")).to_be_visible()
    await page.reload()
    await assert_the_sign_in_form(page)
    assert_only_refusals_logged(pages)


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_the_status_reads_well_on_a_phone(
    client: Client, feed: StatusFeed, pages: Pages, tmp_path: Path, scheme: str
) -> None:
    """On a phone, light and dark: the form and the status pass axe, contrast and the screenshot
    check, nothing spills sideways (the sessions' table with Discord-long ids neither), no figure
    or heading broken over two lines."""
    feed.reports.append(report((*SESSIONS, ANOTHER)))
    page = await pages.open(str(client.make_url("/admin")), PHONE, color_scheme=scheme)
    assert await findings(page, str(tmp_path / f"sign-in-{scheme}.png")) == {}
    await page.get_by_label("Admin token").fill(TOKEN)
    await page.get_by_role("button", name="Sign in").click()
    await assert_the_figures(page, third=True)
    assert await findings(page, str(tmp_path / f"status-{scheme}.png")) == {}
    assert await broken_across_lines(page, "dl.figures dd, th, td.number, td.phase") == []
    assert await outside_viewport(page, "h1", "#engine-title") == []
    assert_only_refusals_logged(pages)


async def test_the_status_is_there_without_javascript(client: Client, feed: StatusFeed, pages: Pages) -> None:
    """JavaScript off: signing in with the form shows the figures as served; the page refreshes
    itself (as its note says) to show what the bot reports next; signing out still works."""
    page = await pages.open(str(client.make_url("/admin")), PHONE, javascript=False)
    await page.get_by_label("Admin token").fill(TOKEN)
    await page.get_by_role("button", name="Sign in").click()
    await assert_the_figures(page)
    feed.reports.append(report((*SESSIONS, ANOTHER)))
    await assert_the_figures(page, third=True, within=SHOWN)  # after the page's own reload
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_label("Admin token")).to_be_visible()
    assert_only_refusals_logged(pages)
