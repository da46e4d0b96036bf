"""The home page in a real Chromium: on a phone and a projector, light and dark, by keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizbot.storage.pool import Database
from quizbot.storage.web import set_public_board
from tests.web.browser.checks import PHONE, PROJECTOR, findings, font_size, outside_viewport, tab_order
from tests.web.browser.conftest import Pages
from tests.web.conftest import MakeClient

pytestmark = pytest.mark.slow

LONG_NAME = "Donaudampfschifffahrtsgesellschaftskapitänsquizclub"  # one word, wider than a phone
SIZES = [(PHONE, 18.0), (PROJECTOR, 30.0)]  # viewport, least font size of the body text in px


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("viewport", "least_text"), SIZES, ids=["phone", "projector"])
async def test_the_home_page_reads_well_on_a_phone_and_a_projector(
    db: Database,
    make_client: MakeClient,
    pages: Pages,
    tmp_path: Path,
    viewport: dict[str, int],
    least_text: float,
    scheme: str,
) -> None:
    """Public boards listed (a long one-word name too) with nothing spilling sideways, AA contrast,
    no serious axe finding, text above the floor and the heading on the first screen."""
    await set_public_board(db, 1001, True, "Year 9 Chemistry")
    await set_public_board(db, 1002, True, LONG_NAME)
    client = await make_client()
    page = await pages.open(str(client.make_url("/")), viewport, color_scheme=scheme)
    assert await page.locator("ul.servers li").all_inner_texts() == [LONG_NAME, "Year 9 Chemistry"]
    assert await findings(page, str(tmp_path / f"home-{scheme}.png")) == {}
    assert await font_size(page, "p.lead") >= least_text
    assert await font_size(page, "h1") >= least_text * 1.4
    assert await outside_viewport(page, "h1", "p.lead") == []


async def test_the_keyboard_reaches_every_link_with_its_focus_shown(
    db: Database, make_client: MakeClient, pages: Pages
) -> None:
    """Tab goes to the skip link first, then the site's name and each board, each with a visible
    focus ring; the skip link moves the focus to the page's content."""
    await set_public_board(db, 1001, True, "Year 9 Chemistry")
    client = await make_client()
    page = await pages.open(str(client.make_url("/")), PHONE)
    stops = await tab_order(page)
    hrefs = [stop.href for stop in stops]
    assert hrefs == ["#content", "/", "/board/1001", "/board/global"]
    assert all(stop.visible and stop.focus_visible for stop in stops), stops
    await page.keyboard.press("Tab")  # round again to the skip link
    await page.locator("a.skip").focus()
    assert await outside_viewport(page, "a.skip") == []  # shown once focused
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "content"


async def test_the_home_page_works_without_javascript(
    db: Database, make_client: MakeClient, pages: Pages
) -> None:
    """JavaScript off: the same page, its links there to follow."""
    await set_public_board(db, 1001, True, "Year 9 Chemistry")
    client = await make_client()
    page = await pages.open(str(client.make_url("/")), PHONE, javascript=False)
    await page.get_by_role("link", name="Year 9 Chemistry").click()
    await page.wait_for_url("**/board/1001")
