"""The admin status page: what /supervisor status shows the bot's owner, refreshed live.

Off (404) without QUIZBOT_WEB_ADMIN_TOKEN. A reader signs in by posting the token (or sends it as
`Authorization: Bearer`); the session cookie holds an HMAC of it, so changing the token signs
everyone out. Tokens are compared in constant time. The figures come from the running bot's
`gather_status` (the cog's own), pushed as Server-Sent Events every few seconds.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING, Any

from aiohttp import web
from loguru import logger

from quizbot.clock import sleep
from quizbot.errors import QuizbotError
from quizbot.web.context import WebContext, context_of
from quizbot.web.guard import WRITABLE
from quizbot.web.pages import NO_SCRIPT_REFRESH, Refusal, html, render

if TYPE_CHECKING:
    from quizbot.bot.status import StatusReport

COOKIE = "quizbot_admin"
COOKIE_SECONDS = 12 * 3600
LOGIN_PATH = "/admin/login"
LOGOUT_PATH = "/admin/logout"
MAX_TOKEN = 512
SESSIONS_SHOWN = 50  # sessions listed, longest idle first
_SESSION_MESSAGE = b"quizbot web admin session v1"


def session_value(token: str) -> str:
    """The cookie that proves the token was given: an HMAC of a fixed message under the token."""
    return hmac.new(token.encode(), _SESSION_MESSAGE, hashlib.sha256).hexdigest()


def _enabled(context: WebContext) -> str:
    """The admin token; the page does not exist without one."""
    if not context.admin_token:
        raise Refusal(404, "web.why.admin_off")
    return context.admin_token.value


def signed_in(request: web.Request) -> bool:
    """A valid session cookie or bearer token, compared in constant time."""
    token = _enabled(context_of(request))
    cookie = request.cookies.get(COOKIE, "")
    if cookie and hmac.compare_digest(cookie.encode(), session_value(token).encode()):
        return True
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


async def status_page(request: web.Request) -> web.Response:
    """GET /admin: the status, or the sign-in form (a 403) for anyone not signed in."""
    if not signed_in(request):
        return render(request, "admin_login.html", status=403, failed=False)
    report = await _report(context_of(request))
    response = render(request, "admin.html", refresh=NO_SCRIPT_REFRESH, **_values(report))
    response.headers["Cache-Control"] = "no-store"
    return response


async def status_events(request: web.Request) -> web.StreamResponse:
    """GET /admin/events: the status fragment as an SSE `status` event now and every interval."""
    if not signed_in(request):
        raise Refusal(403, "web.why.admin_sign_in")
    context = context_of(request)
    stream = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
    await stream.prepare(request)
    try:
        while True:
            fragment = html(request, "_status.html", **_values(await _report(context)))
            lines = "".join(f"data: {line}\n" for line in fragment.splitlines() if line.strip())
            await stream.write(f"event: status\n{lines}\n".encode())
            await sleep(context.clock, context.status_interval)
    except (ConnectionResetError, ConnectionError):  # the reader left
        return stream


async def sign_in(request: web.Request) -> web.Response:
    """POST /admin/login: the token from the form; right, a session cookie and back to /admin."""
    token = _enabled(context_of(request))
    _same_origin(request)
    form = await request.post()
    given = form.get("token")
    if (
        not isinstance(given, str)
        or len(given) > MAX_TOKEN
        or not hmac.compare_digest(given.strip().encode(), token.encode())
    ):
        logger.bind(remote=request.remote).warning("web admin sign-in refused")
        return render(request, "admin_login.html", status=403, failed=True)
    response = _back_to_admin()
    response.set_cookie(
        COOKIE,
        session_value(token),
        max_age=COOKIE_SECONDS,
        path="/admin",
        httponly=True,
        samesite="Strict",
        secure=request.secure,
    )
    return response


async def sign_out(request: web.Request) -> web.Response:
    """POST /admin/logout: forget the session cookie."""
    _enabled(context_of(request))
    _same_origin(request)
    response = _back_to_admin()
    response.del_cookie(COOKIE, path="/admin")
    return response


def _back_to_admin() -> web.Response:
    """See Other: the browser goes back to GET /admin."""
    return web.Response(status=303, headers={"Location": "/admin", "Cache-Control": "no-store"})


def _same_origin(request: web.Request) -> None:
    """A form posted from another site is refused (the cookie is SameSite=Strict as well).

    The site's Referrer-Policy (no-referrer) makes a browser send `Origin: null` with the site's
    own forms, so a null origin counts as ours only when Sec-Fetch-Site, which no page can set,
    says the form came from this origin."""
    origin = request.headers.get("Origin")
    site = request.headers.get("Sec-Fetch-Site")
    if site is None:
        ours = origin is None or origin == f"{request.scheme}://{request.host}"
    else:
        ours = site == "same-origin" and origin in (None, "null", f"{request.scheme}://{request.host}")
    if not ours:
        raise Refusal(403, "web.why.admin_other_site")


async def _report(context: WebContext) -> StatusReport | None:
    """What the bot reports, or None when it cannot say (no bot, stopping, too busy to answer)."""
    if context.status is None:
        return None
    try:
        return await context.status()
    except (QuizbotError, TimeoutError) as error:
        logger.warning("web admin status not reported: {}", type(error).__name__)
        return None


def _values(report: StatusReport | None) -> dict[str, Any]:
    if report is None:
        return {"report": None, "sessions": [], "ages": []}
    sessions = sorted(report.status.sessions, key=lambda s: s.idle_seconds, reverse=True)
    ages = [s.snapshot_age for s in report.status.sessions if s.snapshot_age is not None]
    return {
        "report": report,
        "sessions": sessions[:SESSIONS_SHOWN],
        "ages": ages,
    }


def add_routes(app: web.Application) -> None:
    """GET /admin and /admin/events; POST /admin/login and /admin/logout (the only forms)."""
    app.router.add_get("/admin", status_page)
    app.router.add_get("/admin/events", status_events)
    app.router.add_post(LOGIN_PATH, sign_in)
    app.router.add_post(LOGOUT_PATH, sign_out)
    app[WRITABLE].update({LOGIN_PATH, LOGOUT_PATH})
