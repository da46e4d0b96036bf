"""The live game page for a classroom screen, and its event stream.

GET /live/{token} is the page: where the game is now (the question large, the seconds left, the
answers in so far; then the answer, its explanation and the scores; the podium), server-rendered so
it works without JavaScript (it then reloads itself every few seconds). live.js follows
GET /live/{token}/events, a Server-Sent Events stream: each event is the game's state as the page
shows it (an HTML fragment, autoescaped like the page, rendered once per version and locale however
many watch) with the seconds left; its id lets a reconnecting EventSource (Last-Event-ID) hear only
what changed since. A wrong or expired token is a 404 page, saying so.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from quizbot.actors.ports import Notice
from quizbot.game.effects import AnnounceEnd, AnnounceExpiry
from quizbot.game.images import attachment_name
from quizbot.game.questions import Question, QuestionKind
from quizbot.i18n import LocaleLike, text
from quizbot.questions.images import ImageRefused, check_image
from quizbot.web.audience import Viewer
from quizbot.web.context import CONTEXT, context_of
from quizbot.web.live_game import LiveGame, Stage
from quizbot.web.pages import NO_SCRIPT_REFRESH, Refusal, html, locale_of, render
from quizbot.web.screens import Screen

SHOWN_PLAYERS = 10  # rows of scores on screen
RETRY_MS = 2000  # how soon a dropped stream's EventSource tries again
MAX_EVENT_ID = 64


def _screen(request: web.Request) -> Screen:
    """The screen the path's token opens, or the 404 page saying the link is wrong or expired."""
    screens = context_of(request).screens
    token = request.match_info["token"]
    screen = screens.find(token) if screens is not None else None
    if screen is None:
        raise Refusal(404, "web.why.live_unknown")
    return screen


async def live_page(request: web.Request) -> web.Response:
    """GET /live/{token}: the game as it is now, and what live.js needs to follow it."""
    screen = _screen(request)
    game = screen.game
    locale = locale_of(request)
    return render(
        request,
        "live.html",
        state=state_view(game, locale, pictures=_pictures_path(request)),
        remaining=_remaining(game),
        events=f"{request.path}/events",
        since=game.event_id,
        refresh=NO_SCRIPT_REFRESH,
    )


async def live_events(request: web.Request) -> web.StreamResponse:
    """GET /live/{token}/events: the game's state each time it changes, until the viewer leaves."""
    screen = _screen(request)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # a proxy in front must not hold events back
        }
    )
    await response.prepare(request)
    if request.method == "HEAD":
        return response
    viewer = Viewer(
        response,
        request.transport,
        lambda: _event(request, screen.game),
        locale_of(request),
        _last_seen(request),
    )
    try:
        await response.write(f"retry: {RETRY_MS}\n\n".encode())
    except ConnectionResetError:  # gone already
        return response
    await screen.audience.follow(viewer)
    return response


def _last_seen(request: web.Request) -> str | None:
    """The id of the last state this viewer has: a reconnect's Last-Event-ID, else the page's ?since."""
    seen = request.headers.get("Last-Event-ID") or request.query.get("since")
    return seen if seen and len(seen) <= MAX_EVENT_ID else None


def _remaining(game: LiveGame) -> int | None:
    """Milliseconds until the open question closes, on the games' clock (None when none is open)."""
    if game.stage is not Stage.QUESTION or game.question is None:
        return None
    return max(0, round((game.question.deadline - game.clock.time()) * 1000))


def _event(request: web.Request, game: LiveGame) -> bytes:
    """One event: the state's stage as its type, its version as its id, the fragment and seconds left."""
    locale = locale_of(request)

    def fragment() -> bytes:
        state = state_view(game, locale, pictures=_pictures_path(request))
        body = {"stage": state["stage"], "answers": state["answers"], "index": state["index"]}
        body["html"] = html(request, "_live_state.html", state=state, remaining=None)
        return orjson.dumps(body)

    data = game.cached(locale, fragment)
    remaining = orjson.dumps(_remaining(game)).decode()
    head = f'event: {game.stage.value}\nid: {game.event_id}\ndata: {{"remaining":{remaining},'
    return head.encode() + data[1:] + b"\n\n"


def state_view(game: LiveGame, locale: LocaleLike, *, pictures: str = "") -> dict[str, Any]:
    """What the page shows of `game`, as plain values for the template (worded in `locale`); a
    question's attachment picture is served under `pictures` (this screen's path for them)."""
    posted = game.question
    question = posted.question if posted is not None else None
    state: dict[str, Any] = {
        "picture": _picture_url(question, posted.index, pictures) if posted is not None else None,
        "stage": game.stage.value,
        "lobby": game.lobby,
        "restored": game.restored and game.version == 0,  # read back after a restart, told nothing yet
        "index": posted.index if posted is not None else None,
        "number": posted.index + 1 if posted is not None else None,
        "total": posted.total if posted is not None else None,
        "text": question.text if question is not None else "",
        "category": question.category if question is not None else "",
        "options": _options(question.kind, question.options, locale) if question is not None else (),
        "answers": game.answers,
        "standings": game.standings[:SHOWN_PLAYERS],
        "more": max(0, len(game.standings) - SHOWN_PLAYERS),
        "teams": [(text(locale, f"channel.team.name.{t.team + 1}"), t.points) for t in game.teams],
    }
    if game.reveal is not None:
        revealed = game.reveal.question
        state |= {
            "answer": _correct(
                revealed.kind, revealed.options, revealed.answer_index, revealed.correct_text, locale
            ),
            "explanation": revealed.explanation,
            "right": sum(1 for result in game.reveal.results if result.correct),
            "answered": len(game.reveal.results),
        }
    if game.paused is not None:
        state |= {"paused_number": game.paused.index + 1, "paused_total": game.paused.total}
    state["ending"] = _ending(game)
    state["podium"] = game.standings[:3] if isinstance(game.end, AnnounceEnd) else ()
    return state


def _pictures_path(request: web.Request) -> str:
    return f"/live/{request.match_info['token']}/picture"


def _picture_url(question: Question | None, index: int, pictures: str) -> str | None:
    """Where a viewer's browser gets the question's picture: an https URL as it is, or this screen's
    own path for an attachment picture (the question's number in it, so each question's is its own)."""
    if question is None or question.image is None:
        return None
    return f"{pictures}/{index}" if attachment_name(question.image) is not None else question.image


async def live_picture(request: web.Request) -> web.Response:
    """GET /live/{token}/picture/{index}: the attachment picture of the question on screen."""
    screen = _screen(request)
    posted = screen.game.question
    source = context_of(request).pictures
    if posted is None or request.match_info["index"] != str(posted.index) or source is None:
        raise Refusal(404, "web.why.live_picture")
    picture = await source(posted.question)
    if picture is None:
        raise Refusal(404, "web.why.live_picture")
    try:
        checked = check_image(picture.name, picture.data)
    except ImageRefused:  # stored pictures were checked on upload; a changed file is not shown
        raise Refusal(404, "web.why.live_picture") from None
    return web.Response(
        body=picture.data,
        content_type=checked.content_type,
        headers={"Cache-Control": "private, max-age=3600"},  # a question's number names one picture
    )


def _ending(game: LiveGame) -> str | None:
    """How the game ended, as the catalogue words it under web.live.end_*."""
    match game.end:
        case AnnounceEnd(outcome=outcome):
            return "stopped" if outcome == "stopped" else "finished"
        case AnnounceExpiry():
            return "expired"
        case Notice():
            return "ended"
    return None


def _options(kind: QuestionKind, options: tuple[str, ...], locale: LocaleLike) -> tuple[str, ...]:
    """A question's options as players see them (a true/false question's in the page's language)."""
    if kind is QuestionKind.TRUE_FALSE:
        return (text(locale, "channel.option.true"), text(locale, "channel.option.false"))
    return options


def _correct(
    kind: QuestionKind, options: tuple[str, ...], index: int | None, written: str, locale: LocaleLike
) -> str:
    """The right answer as shown (a true/false question's in the page's language)."""
    return (
        _options(kind, options, locale)[index]
        if kind is QuestionKind.TRUE_FALSE and index is not None
        else written
    )


async def _end_streams(app: web.Application) -> None:
    """The server stops: open streams end now rather than hold the stop up (EventSource reconnects)."""
    screens = app[CONTEXT].screens
    if screens is not None:
        screens.close()


def add_routes(app: web.Application) -> None:
    """GET /live/{token} and its event stream (and HEAD); streams end when the server stops."""
    app.router.add_get("/live/{token}", live_page)
    app.router.add_get("/live/{token}/events", live_events)
    app.router.add_get("/live/{token}/picture/{index}", live_picture)
    app.on_shutdown.append(_end_streams)
