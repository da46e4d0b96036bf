"""A question's picture on the live game page: a URL shown as it is, an attachment served by the page."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

from quizbot.clock import ManualClock
from quizbot.game.effects import PostQuestion
from quizbot.game.questions import Question
from quizbot.picture_files import QuestionPictures
from quizbot.questions.bank import QuestionBank
from quizbot.storage.pool import Database
from quizbot.web.screens import LiveScreens
from tests.game.factories import mc_question
from tests.web.conftest import Client, MakeClient

KEY = (111 << 22, 901)
PNG = b"\x89PNG\r\n\x1a\n"


def pictured_bank_question() -> Question:
    bank, _ = QuestionBank.load()
    return next(q for q in bank.by_category["geography"] if q.image and q.image.startswith("attachment://"))


async def screen(
    db: Database, make_client: MakeClient, clock: ManualClock
) -> tuple[LiveScreens, Client, str]:
    screens = LiveScreens(clock, base_url="https://quiz.example")
    run_id = uuid4()
    token = await screens.open(db, KEY, run_id, 7)
    screens.attach(run_id)
    return screens, await make_client(screens=screens, pictures=QuestionPictures(db)), token


async def test_an_attachment_picture_is_served_by_the_screen_for_its_question(
    db: Database, make_client: MakeClient, clock: ManualClock
) -> None:
    """The bank's flag is on the page, served under the screen's path for that question only."""
    screens, client, token = await screen(db, make_client, clock)
    await screens.show(KEY, PostQuestion(2, 5, pictured_bank_question(), clock.time() + 30))
    page = await (await client.get(f"/live/{token}")).text()
    assert f'src="/live/{token}/picture/2"' in page and 'class="question-picture"' in page
    picture = await client.get(f"/live/{token}/picture/2")
    assert picture.status == 200 and picture.headers["Content-Type"] == "image/png"
    assert (await picture.read()).startswith(PNG)
    assert (await client.get(f"/live/{token}/picture/1")).status == 404  # not the question on screen
    assert (await client.get(f"/live/{'x' * 43}/picture/2")).status == 404  # no such screen


async def test_a_url_picture_is_shown_as_it_is_and_the_policy_lets_it_load(
    db: Database, make_client: MakeClient, clock: ManualClock
) -> None:
    """An https picture is the image's own address (the viewer's browser fetches it, quizbot never does)."""
    screens, client, token = await screen(db, make_client, clock)
    question = replace(mc_question("q-url"), image="https://pictures.example/owl.png")
    await screens.show(KEY, PostQuestion(0, 1, question, clock.time() + 30))
    response = await client.get(f"/live/{token}")
    assert 'src="https://pictures.example/owl.png"' in await response.text()
    assert "img-src 'self' data: https:;" in response.headers["Content-Security-Policy"]
    assert (await client.get(f"/live/{token}/picture/0")).status == 404  # nothing of quizbot's to serve


async def test_a_question_without_a_picture_shows_none(
    db: Database, make_client: MakeClient, clock: ManualClock
) -> None:
    """No picture, no image element (and no broken one)."""
    screens, client, token = await screen(db, make_client, clock)
    await screens.show(KEY, PostQuestion(0, 1, mc_question("q-none"), clock.time() + 30))
    assert "question-picture" not in await (await client.get(f"/live/{token}")).text()
