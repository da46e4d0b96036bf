"""The admin status page: off without a token, a sign-in in constant time, the status pushed live."""

from __future__ import annotations

import asyncio

import pytest

from quizbot.actors.ports import PoolHealth
from quizbot.actors.status import SessionStatus, SupervisorStatus
from quizbot.bot.reminders import ReminderFigures
from quizbot.bot.status import StatusReport
from quizbot.clock import ManualClock
from quizbot.config import Secret
from quizbot.errors import ActorDead
from quizbot.web.admin import COOKIE, session_value
from tests.web.conftest import Client, MakeClient
from tests.web.test_server import assert_secure

TOKEN = "a-long-random-admin-token-0123456789"
SESSIONS = (
    SessionStatus((11, 111), "question_open", 3, 1, 0.5, 12.0),
    SessionStatus((22, 222), "revealed", 0, 0, None, 340.0),
)
POOL = PoolHealth(size=4, idle=3, in_use=1, max_size=10, acquire_wait_p95_ms=1.25, ran_dry=0, retries=0)


def report(sessions: tuple[SessionStatus, ...] = SESSIONS) -> StatusReport:
    status = SupervisorStatus("bot-1", True, (), None, sessions, 5, POOL, quarantined=2, journal_queued=7)
    return StatusReport(
        status, invalid_requests=4, reminders=ReminderFigures(9, 1), role_failures=(3, []), flagged=6
    )


@pytest.fixture
async def reports() -> list[StatusReport]:
    """What the fake bot answers, last first; a test appends to change it."""
    return [report()]


@pytest.fixture
async def client(make_client: MakeClient, reports: list[StatusReport]) -> Client:
    async def status() -> StatusReport:
        return reports[-1]

    return await make_client(admin_token=Secret(TOKEN), status=status, status_interval=5.0)


async def sign_in(client: Client, token: str = TOKEN) -> None:
    response = await client.post("/admin/login", data={"token": token}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/admin"


async def test_without_a_token_the_page_does_not_exist(make_client: MakeClient) -> None:
    client = await make_client()
    for path in ("/admin", "/admin/events"):
        response = await client.get(path)
        assert response.status == 404
        assert "QUIZBOT_WEB_ADMIN_TOKEN is not set" in await response.text()
    refused = await client.post("/admin/login", data={"token": ""})
    assert refused.status == 404


async def test_a_stranger_gets_the_sign_in_form_and_no_figures(client: Client) -> None:
    response = await client.get("/admin")
    assert response.status == 403
    body = await response.text()
    assert '<label for="token">Admin token</label>' in body and 'type="password"' in body
    assert "bot-1" not in body and "question_open" not in body
    assert_secure(response)
    events = await client.get("/admin/events")
    assert events.status == 403 and events.content_type == "text/html"


@pytest.mark.parametrize("token", ["wrong", TOKEN + "x", TOKEN[:-1], "", " " * 10, "é" * 40])
async def test_a_bad_token_is_refused_with_a_clear_page(
    client: Client, token: str, warnings: list[str]
) -> None:
    response = await client.post("/admin/login", data={"token": token}, allow_redirects=False)
    assert response.status == 403
    assert "That is not the admin token." in await response.text()
    assert COOKIE not in response.cookies
    assert (await client.get("/admin")).status == 403
    assert all(TOKEN not in line for line in warnings)


async def test_a_wrong_cookie_or_bearer_is_not_signed_in(client: Client) -> None:
    forged = await client.get("/admin", headers={"Cookie": f"{COOKIE}={session_value('guess')}"})
    assert forged.status == 403
    wrong_bearer = await client.get("/admin", headers={"Authorization": "Bearer nope"})
    assert wrong_bearer.status == 403
    bearer = await client.get("/admin", headers={"Authorization": f"Bearer {TOKEN}"})
    assert bearer.status == 200


async def test_signed_in_the_page_shows_what_supervisor_status_shows(client: Client) -> None:
    await sign_in(client)
    response = await client.get("/admin")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert_secure(response)
    body = await response.text()
    assert "Process bot-1" in body
    assert "<dt>Live sessions</dt><dd>2</dd>" in body
    assert "<dt>Deepest mailbox</dt><dd>3</dd>" in body
    assert "<dt>Restarts</dt><dd>1</dd>" in body
    assert "newest 0.5 s · oldest 0.5 s" in body and "1 not saved yet" in body
    assert "<dt>Snapshots set aside</dt><dd>2</dd>" in body
    assert "<dt>Journal entries waiting</dt><dd>7</dd>" in body
    assert "size 4/10 · idle 3 · in use 1 · acquire p95 1.2 ms · ran dry 0" in body
    assert "4 of Discord&#39;s" in body or "4 of Discord's" in body
    assert "9 sent · 1 turned off" in body
    assert "question_open: 1 · revealed: 1" in body
    assert '<td>22</td><td>222</td><td class="phase">revealed</td>' in body  # the longest idle first
    assert '<script src="/static/admin.js?v=' in body


async def test_the_status_is_pushed_again_every_interval(
    client: Client, clock: ManualClock, reports: list[StatusReport]
) -> None:
    """The first event comes at once; the next after the interval, with what the bot says then."""
    await sign_in(client)
    async with client.get("/admin/events") as stream:
        assert stream.status == 200
        assert stream.headers["Content-Type"] == "text/event-stream"
        assert_secure(stream)
        first = await read_event(stream)
        assert first.startswith("event: status\n") and "Process bot-1" in first and "question_open" in first
        reports.append(report(sessions=()))
        clock.advance(5.0)
        second = await read_event(stream)
        assert "No live sessions." in second and "question_open" not in second


async def read_event(stream: object) -> str:
    """One SSE event (up to its blank line)."""
    lines: list[str] = []
    while True:
        line = (await asyncio.wait_for(stream.content.readline(), timeout=5)).decode()  # type: ignore[attr-defined]
        if line == "\n":
            return "".join(lines)
        lines.append(line)


async def test_a_bot_that_cannot_answer_is_shown_as_not_reporting(make_client: MakeClient) -> None:
    async def status() -> StatusReport:
        raise ActorDead("supervisor")

    client = await make_client(admin_token=Secret(TOKEN), status=status)
    await sign_in(client)
    response = await client.get("/admin")
    assert response.status == 200
    assert "not reporting its status right now" in await response.text()


async def test_sign_out_forgets_the_session(client: Client) -> None:
    await sign_in(client)
    assert (await client.get("/admin")).status == 200
    out = await client.post("/admin/logout", allow_redirects=False)
    assert out.status == 303
    assert (await client.get("/admin")).status == 403


async def test_a_form_from_another_site_is_refused(client: Client) -> None:
    response = await client.post(
        "/admin/login", data={"token": TOKEN}, headers={"Origin": "https://evil.example"}
    )
    assert response.status == 403
    assert "another site" in await response.text()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Origin": "null", "Sec-Fetch-Site": "same-origin"}, 303),  # the site's own, as Chromium sends it
        ({"Origin": "null"}, 403),
        ({"Origin": "null", "Sec-Fetch-Site": "cross-site"}, 403),
        ({"Sec-Fetch-Site": "same-site"}, 403),
    ],
    ids=["own-form", "null-alone", "null-cross-site", "same-site"],
)
async def test_a_null_origin_is_ours_only_when_the_browser_says_same_origin(
    client: Client, headers: dict[str, str], status: int
) -> None:
    """The site's no-referrer policy makes a browser send `Origin: null` with the site's own forms."""
    response = await client.post(
        "/admin/login", data={"token": TOKEN}, headers=headers, allow_redirects=False
    )
    assert response.status == status


async def test_the_session_cookie_is_http_only_strict_and_not_the_token(client: Client) -> None:
    response = await client.post("/admin/login", data={"token": TOKEN}, allow_redirects=False)
    cookie = response.cookies[COOKIE]
    assert cookie.value == session_value(TOKEN) and TOKEN not in cookie.value
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/admin"


async def test_only_the_sign_in_forms_take_a_post(client: Client) -> None:
    refused = await client.post("/admin", data={"token": TOKEN})
    assert refused.status == 405
    assert (await client.put("/admin/login", data={"token": TOKEN})).status == 405
