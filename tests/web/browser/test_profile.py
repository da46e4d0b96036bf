"""A player's profile in a real Chromium: reached from the board, read on a phone and a projector
(in German too, whose words are long), and left again by keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizbot.game.achievements import ACHIEVEMENTS
from quizbot.storage.achievements import AchievementDefinition, grant_achievements, sync_achievements
from quizbot.storage.pool import Database
from quizbot.storage.web import set_public_board
from tests.storage.factories import NOON
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
from tests.web.test_profiles import GUILD, PLAYER, PROFILE, played

pytestmark = pytest.mark.slow


@pytest.fixture
async def site(db: Database, make_client: MakeClient) -> Client:
    """PLAYER's four answers and one achievement on a public board."""
    await set_public_board(db, GUILD, True, "Year 9 Chemistry")
    await played(db)
    await sync_achievements(
        db, [AchievementDefinition(a.achievement_id, a.name, a.description) for a in ACHIEVEMENTS]
    )
    await grant_achievements(db, GUILD, PLAYER, ["first_quiz"])
    return await make_client(now=lambda: NOON)  # read on the day the answers were given


@pytest.mark.parametrize(
    ("viewport", "scheme", "lang", "least_figure"),
    [
        (PHONE, "light", "en-US", 20.0),
        (PHONE, "dark", "de", 20.0),
        (PROJECTOR, "light", "en-US", 36.0),
    ],
    ids=["phone", "phone-dark-german", "projector"],
)
async def test_the_profile_reads_well_on_a_phone_and_a_projector(
    site: Client,
    pages: Pages,
    tmp_path: Path,
    viewport: dict[str, int],
    scheme: str,
    lang: str,
    least_figure: float,
) -> None:
    """Figures large, nothing spilling sideways, no word or figure broken over two lines, AA contrast,
    no serious axe finding; the heading with the player's name on the first screen."""
    url = str(site.make_url(f"{PROFILE}?lang={lang}"))
    page = await pages.open(url, viewport, color_scheme=scheme)
    assert await page.locator("html").get_attribute("lang") == lang
    assert "user2" in await page.locator("h1").inner_text()
    assert await findings(page, str(tmp_path / f"profile-{lang}-{scheme}.png")) == {}
    assert await broken_across_lines(page, "dl.figures dd, th, td.number") == []
    assert await font_size(page, "dl.figures dd") >= least_figure
    assert await outside_viewport(page, "h1") == []


async def test_from_the_board_to_a_profile_and_back_by_keyboard(site: Client, pages: Pages) -> None:
    """Tab to the player on the board, Enter opens the profile; Tab reaches the board link there
    with a visible focus, and Enter goes back to the board."""
    page = await pages.open(str(site.make_url(f"/board/{GUILD}")), PHONE)
    stops = await tab_order(page, limit=30)
    assert PROFILE in [stop.href for stop in stops]
    await page.locator(f'a[href="{PROFILE}"]').focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**{PROFILE}")
    stops = await tab_order(page)
    assert [stop.href for stop in stops] == ["#content", "/", f"/board/{GUILD}"]
    assert all(stop.visible and stop.focus_visible for stop in stops), stops
    await page.locator(f'main a[href="/board/{GUILD}"]').focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**/board/{GUILD}")
