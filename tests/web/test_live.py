"""The live game page and its event stream, fed as the sessions feed them, under aiohttp's test client."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import pytest

from quizbot.actors.ports import RecoveryPrompt
from quizbot.clock import ManualClock
from quizbot.game.effects import (
    AnnounceEnd,
    AnswersIn,
    PostQuestion,
    Result,
    Reveal,
    ShowScores,
    Standing,
)
from quizbot.storage.pool import Database
from quizbot.web.guard import SECURITY_HEADERS
from quizbot.web.screens import SCREEN_HOURS, LiveScreens
from tests.game.factories import mc_question
from tests.web.conftest import Client, MakeClient
from tests.web.live_support import EventStream

KEY = (111 << 22, 900)
HOST = 7
QUESTION = mc_question("q1")
STANDINGS = (Standing(21, "Ada", 900, 1, 0), Standing(22, "Bo", 0, 0, 1))


@dataclass
class Live:
    """A screen opened for a game at KEY, and a client of the web app that serves it."""

    screens: LiveScreens
    client: Client
    token: str
    run_id: UUID
    clock: ManualClock

    async def tell(self, *events: Any) -> None:
        for event in events:
            await self.screens.show(KEY, event)

    async def stream(self, **headers: str) -> EventStream:
        response = await self.client.get(f"/live/{self.token}/events", headers=headers)
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/event-stream; charset=utf-8"
        return EventStream(response)

    async def page(self, **query: str) -> str:
        response = await self.client.get(f"/live/{self.token}", params=query)
        assert response.status == 200
        return await response.text()


@pytest.fixture
async def live(db: Database, make_client: MakeClient, clock: ManualClock) -> Live:
    screens = LiveScreens(clock, base_url="https://quiz.example")
    run_id = uuid4()
    token = await screens.open(db, KEY, run_id, HOST)
    screens.attach(run_id)
    return Live(screens, await make_client(screens=screens), token, run_id, clock)


def posted(index: int = 0, question: Any = QUESTION, *, clock: ManualClock) -> PostQuestion:
    return PostQuestion(index, 3, question, clock.time() + 30)


def revealed(index: int = 0) -> Reveal:
    results = (Result(21, "Ada", True, 900, 9, 0.0), Result(22, "Bo", False, 0, 0, 0.0))
    return Reveal(index, QUESTION, results)


async def test_the_stream_follows_question_tally_reveal_and_podium(live: Live) -> None:
    """A viewer sees the question with its seconds left, each answer tallied, the answer with its
    explanation and the scores, then the podium."""
    stream = await live.stream()
    first = await stream.next()
    assert (first.kind, stream.retry) == ("waiting", 2000)
    assert "about to begin" in first.html
    await live.tell(posted(clock=live.clock))
    question = await stream.next()
    assert (question.kind, question.data["remaining"], question.data["answers"]) == ("question", 30000, 0)
    assert "Which planet is known as the red planet?" in question.html and "<li>Jupiter</li>" in question.html
    live.clock.advance(4)
    await live.tell(AnswersIn(0, 1))
    one = await stream.next()
    assert (one.kind, one.data["answers"], one.data["remaining"]) == ("question", 1, 26000)
    assert re.search(r'id="answers-in">1<', one.html)
    await live.tell(AnswersIn(0, 2), revealed(), ShowScores(STANDINGS))
    reveal = await stream.until(lambda e: e.kind == "reveal" and "Ada" in e.html)
    assert reveal.data["remaining"] is None
    assert "Mars" in reveal.html and "Iron oxide on its surface makes Mars look red." in reveal.html
    assert "1 of 2 answered right." in reveal.html
    await live.tell(AnnounceEnd("finished", STANDINGS))
    podium = await stream.next()
    assert podium.kind == "over"
    assert "The quiz is over!" in podium.html and "900 points" in podium.html and "Bo" in podium.html
    stream.close()


async def test_the_tally_reaches_viewers_at_most_twice_a_second(live: Live) -> None:
    """Answers one after another update the count at once, but wake the stream once per half second;
    the latest count is the one sent."""
    await live.tell(posted(clock=live.clock), AnswersIn(0, 1))
    game = live.screens.find(live.token).game  # type: ignore[union-attr]
    stream = await live.stream()
    assert (await stream.next()).data["answers"] == 1
    version = game.version
    await live.tell(AnswersIn(0, 2), AnswersIn(0, 3), AnswersIn(0, 4))
    assert (game.answers, game.version) == (4, version)  # counted, not yet sent
    assert 'id="answers-in">4<' in await live.page()  # a page loaded now shows the latest count
    live.clock.advance(0.5)
    later = await stream.next()
    assert later.data["answers"] == 4 and game.version == version + 1
    stream.close()


async def test_a_late_viewer_sees_where_the_game_is(live: Live) -> None:
    """Someone opening the page after the reveal sees the answer and scores, on the page and as the
    stream's first event."""
    await live.tell(posted(clock=live.clock), AnswersIn(0, 2), revealed(), ShowScores(STANDINGS))
    page = await live.page()
    assert "Iron oxide" in page and "Ada" in page and "Which planet" in page
    stream = await live.stream()
    event = await stream.next()
    assert event.kind == "reveal" and "Ada" in event.html
    stream.close()


async def test_a_reconnect_hears_only_what_changed(live: Live) -> None:
    """An EventSource reconnecting with Last-Event-ID gets nothing it has; then the next change.
    An id from before a restart (another process's) gets the state at once."""
    await live.tell(posted(clock=live.clock))
    first = await live.stream()
    seen = await first.next()
    first.close()
    again = await live.stream(**{"Last-Event-ID": seen.id})
    await live.tell(AnswersIn(0, 1))
    assert (await again.next()).data["answers"] == 1  # not the question it had already
    again.close()
    stale = await live.stream(**{"Last-Event-ID": "0badc0de." + seen.id.split(".")[1]})
    assert (await stale.next()).data["answers"] == 1
    stale.close()


async def test_the_page_links_the_stream_from_where_it_shows(live: Live) -> None:
    """The page names its stream and the state it shows (?since), so live.js hears only what is new;
    a stream opened so starts with the next change."""
    await live.tell(posted(clock=live.clock))
    page = await live.page()
    since = re.search(r'data-since="([^"]+)"', page)
    assert since is not None and f'data-events="/live/{live.token}/events"' in page
    response = await live.client.get(f"/live/{live.token}/events", params={"since": since.group(1)})
    stream = EventStream(response)
    await live.tell(revealed())
    assert (await stream.next()).kind == "reveal"
    stream.close()


async def test_the_page_works_without_javascript(live: Live) -> None:
    """The page holds the whole state, reloads itself without JavaScript, ships its script as a
    file, and carries the security headers; the stream carries them too."""
    await live.tell(posted(clock=live.clock))
    response = await live.client.get(f"/live/{live.token}")
    body = await response.text()
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in body
    assert re.search(r'<script src="/static/live\.js\?v=[^"]+" defer></script>', body)
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", body))
    assert 'data-remaining="30000"' in body and ">30<" in body
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    stream = await live.client.get(f"/live/{live.token}/events")
    assert stream.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    stream.close()
    script = await live.client.get("/static/live.js")
    assert script.status == 200 and "EventSource" in await script.text()


async def test_the_page_speaks_the_readers_language(live: Live) -> None:
    """?lang=de words the page in German; the question stays as written."""
    await live.tell(posted(clock=live.clock))
    page = await live.page(lang="de")
    assert "Sekunden übrig" in page and "Antworten eingegangen" in page and "Which planet" in page


async def test_names_and_questions_are_escaped(live: Live) -> None:
    """A player's name and a question's text are shown as text, never as markup, page and stream."""
    sly = mc_question("q2", text="<script>alert(1)</script>?")
    await live.tell(
        posted(question=sly, clock=live.clock), revealed(), ShowScores((Standing(5, "<b>Eve</b>", 1, 1, 0),))
    )
    page = await live.page()
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;?" in page
    assert "<b>Eve</b>" not in page and "&lt;b&gt;Eve&lt;/b&gt;" in page
    stream = await live.stream()
    assert "&lt;b&gt;Eve&lt;/b&gt;" in (await stream.next()).html
    stream.close()


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "A" * 48,  # well formed, no such screen
        "a" * 200,
        "%3Cscript%3E" + "a" * 40,
    ],
)
async def test_a_bad_token_is_a_clear_404(live: Live, token: str) -> None:
    """A malformed or unknown token is the 404 page saying the link is wrong or expired, for the page
    and the stream alike."""
    for path in (f"/live/{token}", f"/live/{token}/events"):
        response = await live.client.get(path)
        assert response.status == 404 and response.content_type == "text/html"
        assert "This live quiz link is wrong, or its screen has expired." in await response.text()


async def test_the_right_selector_with_a_wrong_secret_is_refused(live: Live) -> None:
    """Knowing a screen's selector is not enough: the secret is checked (in constant time)."""
    forged = live.token[:16] + ("B" if live.token[16] != "B" else "C") + live.token[17:]
    response = await live.client.get(f"/live/{forged}")
    assert response.status == 404
    assert live.screens.find(live.token) is not None


async def test_an_expired_screen_is_refused(live: Live) -> None:
    """Once its hours have passed, the link opens nothing, and an open stream ends."""
    stream = await live.stream()
    await stream.next()
    live.clock.advance(SCREEN_HOURS * 3600 + 1)
    await live.tell(posted(clock=live.clock))  # the screen lets go instead of showing it
    response = await live.client.get(f"/live/{live.token}")
    assert response.status == 404
    stream.close()


async def test_the_stream_takes_only_get_and_head(live: Live) -> None:
    """Nothing on a live page changes anything: POST is refused; HEAD has the stream's headers only."""
    posted_to = await live.client.post(f"/live/{live.token}/events")
    assert posted_to.status == 405
    head = await live.client.head(f"/live/{live.token}/events")
    assert head.status == 200 and head.headers["Content-Type"].startswith("text/event-stream")


async def test_events_wait_for_the_change_behind_them_in_order(live: Live) -> None:
    """An event whose change is not saved yet is held, and the events after it with it."""
    await live.tell(posted(clock=live.clock))
    game = live.screens.find(live.token).game  # type: ignore[union-attr]
    saved: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    await live.screens.show(KEY, AnswersIn(0, 1), after=saved)
    await live.screens.show(KEY, revealed())
    assert (game.answers, game.reveal) == (0, None)
    saved.set_result(None)
    await asyncio.sleep(0)  # the future's callbacks run
    assert game.answers == 1 and game.reveal is not None


async def test_a_screen_lets_go_of_the_channel_when_its_game_ends(live: Live) -> None:
    """After the podium, the channel's next game (another run, no screen) is not shown on it."""
    await live.tell(posted(clock=live.clock), AnnounceEnd("finished", STANDINGS))
    await live.tell(PostQuestion(0, 5, mc_question("q9", text="Another game?"), live.clock.time() + 30))
    assert "Another game?" not in await live.page()
    assert "The quiz is over!" in await live.page()


async def test_a_restart_brings_the_screen_back_with_its_game(
    db: Database, make_client: MakeClient, clock: ManualClock, live: Live
) -> None:
    """A new process reads the screen back; the recovered game's prompt (naming its run) attaches it,
    the page shows the game paused with its scores, and Continue's question follows. A prompt for
    another run in the channel does not."""
    await live.tell(posted(clock=clock), revealed(), ShowScores(STANDINGS))
    after = LiveScreens(clock)
    assert await after.restore(db) == 1
    client = await make_client(screens=after)
    response = await client.get(f"/live/{live.token}/events")
    stream = EventStream(response)
    waiting = await stream.next()
    assert waiting.kind == "waiting" and "if this quiz is still running" in waiting.html
    assert "about to begin" not in waiting.html
    await after.show(KEY, RecoveryPrompt(0, 3, HOST, STANDINGS, run_id=uuid4()))  # another game
    await after.show(KEY, RecoveryPrompt(0, 3, HOST, STANDINGS, run_id=live.run_id))
    paused = await stream.next()
    assert paused.kind == "paused" and "It stopped at question 1 of 3" in paused.html and "Ada" in paused.html
    await after.show(KEY, posted(clock=clock))
    assert (await stream.next()).kind == "question"
    stream.close()


async def test_no_screen_is_served_without_a_bot(make_client: MakeClient) -> None:
    """A web view with no live screens (no bot runs games) refuses every link as unknown."""
    client = await make_client()
    response = await client.get("/live/" + "A" * 48)
    assert response.status == 404
