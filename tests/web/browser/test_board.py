"""A public server board in a real Chromium: read on a phone and a projector, filtered and paged
by keyboard and without JavaScript, a hidden player unnamed."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page

from quizbot.storage.answers import record_answers
from quizbot.storage.pool import Database
from quizbot.storage.web import set_profile_hidden, set_public_board
from tests.storage.factories import NOON, answer, batch
from tests.web.browser.checks import (
    PHONE,
    PROJECTOR,
    broken_across_lines,
    findings,
    font_size,
    outside_viewport,
    tab_order,
)
from tests.web.browser.conftest import Pages
from tests.web.conftest import Client, MakeClient

pytestmark = pytest.mark.slow

GUILD = 1
NAMES = {  # user id -> stored name: a long one-word name, accents, Cyrillic, a would-be tag
    2: "Maximilianaquizmeisterinnenmannschaftskapitän",
    3: "Zoë Ørsted",
    4: "Анастасия",
    5: "<b>bold</b>",
}
HIDDEN = 6


@pytest.fixture
async def board(db: Database, make_client: MakeClient) -> Client:
    """A public board of 25 players (two pages) in science and history, player 6 hidden."""
    await set_public_board(db, GUILD, True, "Year 9 Chemistry")
    players = [
        answer(user, points=1000 - user * 10, username=NAMES.get(user, f"player{user}"))
        for user in range(2, 27)
    ]
    await record_answers(db, batch(*players, guild_id=GUILD, category="science"))
    await record_answers(
        db, batch(answer(2, points=50, username=NAMES[2]), guild_id=GUILD, category="history")
    )
    await set_profile_hidden(db, HIDDEN, True)
    return await make_client(now=lambda: NOON)


async def rows(page: Page) -> list[str]:
    """The players' cells of the table, as read."""
    return [" ".join(text.split()) for text in await page.locator("tbody td:nth-child(2)").all_inner_texts()]


@pytest.mark.parametrize(
    ("viewport", "scheme", "least_text"),
    [(PHONE, "light", 16.0), (PHONE, "dark", 16.0), (PROJECTOR, "light", 26.0)],
    ids=["phone", "phone-dark", "projector"],
)
async def test_the_board_reads_well_on_a_phone_and_a_projector(
    board: Client, pages: Pages, tmp_path: Path, viewport: dict[str, int], scheme: str, least_text: float
) -> None:
    """Twenty rows, names as stored (escaped, wrapped), the hidden player unnamed; nothing spills
    sideways, no number or heading broken over two lines, AA contrast, no serious axe finding,
    the table's text above the floor."""
    page = await pages.open(str(board.make_url(f"/board/{GUILD}")), viewport, color_scheme=scheme)
    names = await rows(page)
    assert len(names) == 20
    assert names[:5] == [
        "M " + NAMES[2],
        "Z " + NAMES[3],
        NAMES[4][0] + " " + NAMES[4],
        "< " + NAMES[5],
        "? A player who keeps their profile private",
    ]
    assert await findings(page, str(tmp_path / f"board-{scheme}.png")) == {}
    assert await font_size(page, "tbody td") >= least_text
    assert await broken_across_lines(page, "th, td.number") == []
    assert await outside_viewport(page, "h1", "form.filters") == []
    assert await page.locator("tbody a.player").count() == 19  # every row but the hidden one links


async def test_the_filters_and_pages_work_by_keyboard(board: Client, pages: Pages) -> None:
    """Tab reaches the two filters, the button and the next page with a visible focus; choosing
    history with the keyboard and pressing Enter shows history's board."""
    page = await pages.open(str(board.make_url(f"/board/{GUILD}")), PHONE)
    stops = await tab_order(page, limit=30)
    reached = [(s.tag, s.href) for s in stops]
    assert ("select", None) in reached and ("button", None) in reached
    assert reached[-1] == ("a", "?category=&timeframe=all&page=2")
    assert all(s.visible and s.focus_visible for s in stops), [s for s in stops if not s.visible]
    await page.locator("#category").focus()
    await page.keyboard.type("hist")  # a select's type-ahead, as a person picks with the keyboard
    assert await page.locator("#category").input_value() == "history"
    await page.locator("button[type=submit]").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url("**category=history**")
    assert await rows(page) == ["M " + NAMES[2]]


async def test_the_board_pages_without_javascript(board: Client, pages: Pages) -> None:
    """JavaScript off: the next page link and the filter form (a plain GET) still work."""
    page = await pages.open(str(board.make_url(f"/board/{GUILD}")), PROJECTOR, javascript=False)
    await page.get_by_role("link", name="Next").click()
    await page.wait_for_url("**page=2")
    assert len(await rows(page)) == 5
    await page.locator("#category").select_option("history")
    await page.get_by_role("button").click()
    await page.wait_for_url("**category=history**")
    assert await rows(page) == ["M " + NAMES[2]]
