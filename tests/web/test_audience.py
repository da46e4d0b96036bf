"""One writer per live screen: every viewer hears each state once, made once per locale; a viewer
that falls behind or goes is let go without holding the others up; quiet streams get a comment."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, cast

import pytest
from aiohttp import web

from quizbot.clock import ManualClock
from quizbot.game.effects import AnswersIn, PostQuestion
from quizbot.web.audience import HEARTBEAT, HEARTBEAT_EVENT, MAX_UNSENT, Audience, Viewer
from quizbot.web.live_game import LiveGame
from tests.game.factories import mc_question


class Connection(asyncio.WriteTransport):
    """A viewer's connection as the writer sees it: open or closing, and its unsent bytes."""

    def __init__(self) -> None:
        super().__init__()
        self.unsent = 0
        self.closing = False

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return self.unsent


class Stream:
    """A viewer's response: what was written to it (or the error its writes raise)."""

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.fails: Exception | None = None

    async def write(self, data: bytes) -> None:
        if self.fails is not None:
            raise self.fails
        self.written.append(data)


class Rig:
    """An audience of one game on a hand-driven clock, and its viewers."""

    def __init__(self) -> None:
        self.clock = ManualClock()
        self.game = LiveGame(self.clock, tally_every=0.0)
        self.open = True
        self.audience = Audience(self.game, still_open=lambda: self.open)
        self.renders: list[str] = []
        self.following: list[asyncio.Task[None]] = []

    def event(self, locale: str) -> Callable[[], bytes]:
        def make() -> bytes:
            self.renders.append(locale)
            return f"{locale}:{self.game.event_id}\n\n".encode()

        return make

    async def join(self, locale: str = "en-US", seen: str | None = None) -> tuple[Viewer, Stream, Connection]:
        stream, connection = Stream(), Connection()
        viewer = Viewer(cast(web.StreamResponse, stream), connection, self.event(locale), locale, seen)
        self.following.append(asyncio.create_task(self.audience.follow(viewer)))
        await settled()
        return viewer, stream, connection

    def post(self, index: int = 0) -> None:
        self.game.tell(PostQuestion(index, 3, mc_question(f"q{index}"), self.clock.time() + 30))


async def settled() -> None:
    """Let the writer and the viewers' handlers run what is ready (a few loop turns, no time)."""
    for _ in range(5):
        await asyncio.sleep(0)


@pytest.fixture
async def rig() -> Any:
    made = Rig()
    yield made
    made.open = False
    made.game.wake()
    await asyncio.gather(*made.following)


async def test_each_viewer_hears_each_state_once_made_once_per_locale(rig: Rig) -> None:
    viewers = [await rig.join(locale) for locale in ("en-US", "en-US", "de", "en-US", "de")]
    rig.renders.clear()
    rig.post()
    await settled()
    for _, stream, _ in viewers:
        assert stream.written[-1].endswith(f":{rig.game.event_id}\n\n".encode())
        assert len([w for w in stream.written if w.endswith(f"{rig.game.event_id}\n\n".encode())]) == 1
    assert sorted(rig.renders) == ["de", "en-US"]


async def test_a_newcomer_is_caught_up_and_the_others_hear_nothing_twice(rig: Rig) -> None:
    rig.post()
    _, first, _ = await rig.join(seen=rig.game.event_id)  # a reconnect that has the state already
    assert first.written == []
    _, second, _ = await rig.join(seen="an older state")
    assert second.written == [f"en-US:{rig.game.event_id}\n\n".encode()]
    assert first.written == []


async def test_a_viewer_that_stops_reading_is_let_go_and_the_rest_still_hear(rig: Rig) -> None:
    slow, slow_stream, slow_connection = await rig.join()
    _, fast_stream, _ = await rig.join()
    slow_connection.unsent = MAX_UNSENT + 1
    rig.post()
    await settled()
    assert slow.ended.done() and slow not in rig.audience.viewers
    assert fast_stream.written[-1] == f"en-US:{rig.game.event_id}\n\n".encode()
    assert not any(w.endswith(f"{rig.game.event_id}\n\n".encode()) for w in slow_stream.written)


@pytest.mark.parametrize("gone", ["closing", "reset"])
async def test_a_viewer_whose_connection_went_is_let_go(rig: Rig, gone: str) -> None:
    viewer, stream, connection = await rig.join()
    _, other, _ = await rig.join()
    if gone == "closing":
        connection.closing = True
    else:
        stream.fails = ConnectionResetError("gone")
    rig.post()
    await settled()
    assert viewer.ended.done() and len(rig.audience) == 1
    assert other.written[-1] == f"en-US:{rig.game.event_id}\n\n".encode()


async def test_a_quiet_stream_gets_a_comment_every_heartbeat_on_the_clock(rig: Rig) -> None:
    _, stream, _ = await rig.join(seen=rig.game.event_id)
    rig.clock.advance(HEARTBEAT - 1)
    await settled()
    assert stream.written == []
    rig.clock.advance(1)
    await settled()
    assert stream.written == [HEARTBEAT_EVENT]
    rig.game.tell(AnswersIn(0, 1))  # no question open: nothing new to show, and no second comment yet
    rig.clock.advance(HEARTBEAT - 1)
    await settled()
    assert stream.written == [HEARTBEAT_EVENT]


async def test_the_screen_closing_ends_every_stream_and_the_writer(rig: Rig) -> None:
    viewers = [await rig.join() for _ in range(3)]
    rig.open = False
    rig.game.wake()
    await settled()
    assert all(viewer.ended.done() for viewer, _, _ in viewers)
    assert len(rig.audience) == 0


async def test_a_writer_that_fails_is_logged_and_its_viewers_reconnect(rig: Rig, warnings: list[str]) -> None:
    viewer, _, _ = await rig.join(seen=rig.game.event_id)

    def broken() -> bytes:
        raise ValueError("a template broke")

    viewer.event = broken
    rig.post()
    await settled()
    assert viewer.ended.done()
    assert any("live stream writer failed" in message for message in warnings)
    # the next viewer starts a writer of its own
    _, stream, _ = await rig.join()
    assert stream.written == [f"en-US:{rig.game.event_id}\n\n".encode()]
