"""The live page's layout with the bank's longest questions: everything a question stage shows fits
a projector's first screen, and the question with its countdown a phone's; reveal and podium with a
full scores table read well too. The page is fed as a session feeds it (LiveScreens.show)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from uuid import uuid4

import pytest
from playwright.async_api import expect

from quizbot.clock import ManualClock
from quizbot.game.effects import AnnounceEnd, PostQuestion, Result, Reveal, ShowScores, Standing
from quizbot.game.questions import Question
from quizbot.questions.bank import QuestionBank
from quizbot.storage.pool import Database
from quizbot.web.screens import LiveScreens
from tests.web.browser.checks import (
    PHONE,
    PROJECTOR,
    broken_across_lines,
    findings,
    font_size,
    outside_viewport,
)
from tests.web.browser.conftest import Pages
from tests.web.browser.test_live import ON_PHONE, ON_PROJECTOR, SHOWN
from tests.web.conftest import MakeClient

pytestmark = pytest.mark.slow

KEY = (111 << 22, 900)
NAMES = ("Maximilianaquizmeisterin", "Zoë Ørsted", "Анастасия Петрова", "Bo", "Ada Lovelace")


WHICH = ("longest-text", "longest-options")


@cache
def longest(which: str) -> Question:
    """The bank's question with the longest text, or the one with the longest options."""
    bank, _ = QuestionBank.load()
    questions = [q for found in bank.by_category.values() for q in found]
    if which == "longest-text":
        return max(questions, key=lambda q: len(q.text))
    return max(questions, key=lambda q: sum(len(option) for option in q.options))


@pytest.fixture
async def screen(db: Database, make_client: MakeClient, clock: ManualClock) -> tuple[LiveScreens, str]:
    """A live screen's game at KEY, served; its screens and the page's URL."""
    screens = LiveScreens(clock)
    run_id = uuid4()
    token = await screens.open(db, KEY, run_id, 7)
    screens.attach(run_id)
    client = await make_client(screens=screens)
    return screens, str(client.make_url(f"/live/{token}"))


@pytest.mark.parametrize("which", WHICH)
@pytest.mark.parametrize(
    ("viewport", "on_screen", "least_question"),
    [(PROJECTOR, ON_PROJECTOR, 40.0), (PHONE, ON_PHONE, 24.0)],
    ids=["projector", "phone"],
)
async def test_the_longest_questions_fit_the_first_screen(
    screen: tuple[LiveScreens, str],
    pages: Pages,
    clock: ManualClock,
    tmp_path: Path,
    which: str,
    viewport: dict[str, int],
    on_screen: tuple[str, ...],
    least_question: float,
) -> None:
    """The question, its options, the countdown and the tally on the first screen, with the question
    still large, no option or figure broken mid-word, nothing spilling, contrast and axe passing."""
    screens, url = screen
    question = longest(which)
    await screens.show(KEY, PostQuestion(0, 10, question, clock.time() + 30))
    page = await pages.open(url, viewport)
    await expect(page.locator(".question-text")).to_have_text(question.text, timeout=SHOWN)
    assert await findings(page, str(tmp_path / f"{which}.png")) == {}
    shown = [s for s in on_screen if question.options or s != "ol.options"]  # a typed question has none
    assert await outside_viewport(page, *shown) == []
    assert await font_size(page, ".question-text") >= least_question
    assert await broken_across_lines(page, "#countdown, #answers-in") == []


@pytest.mark.parametrize("viewport", [PROJECTOR, PHONE], ids=["projector", "phone"])
async def test_the_reveal_and_the_podium_read_well(
    screen: tuple[LiveScreens, str],
    pages: Pages,
    clock: ManualClock,
    tmp_path: Path,
    viewport: dict[str, int],
) -> None:
    """The answer with its explanation and twelve players' scores, then the podium: nothing spilling,
    no figure broken mid-word, contrast and axe passing."""
    screens, url = screen
    question = longest("longest-options")
    standings = tuple(
        Standing(100 + n, NAMES[n % len(NAMES)] + f" {n}", 1000 - n * 70, 3, 1) for n in range(12)
    )
    results = tuple(Result(s.user_id, s.name, n % 2 == 0, 100, 10, 0.0) for n, s in enumerate(standings))
    await screens.show(KEY, PostQuestion(0, 10, question, clock.time() + 30))
    await screens.show(KEY, Reveal(0, question, results))
    await screens.show(KEY, ShowScores(standings))
    page = await pages.open(url, viewport)
    await page.locator('#live [data-stage="reveal"]').wait_for(timeout=SHOWN)
    assert await findings(page, str(tmp_path / "reveal.png")) == {}
    assert await broken_across_lines(page, "td.number, th, .answer .label") == []
    await screens.show(KEY, AnnounceEnd("finished", standings))
    await page.locator('#live [data-stage="over"]').wait_for(timeout=SHOWN)
    assert await findings(page, str(tmp_path / "podium.png")) == {}
    assert await outside_viewport(page, "ol.podium") == []
    assert await font_size(page, "ol.podium li.place-1") >= (40 if viewport is PROJECTOR else 24)
