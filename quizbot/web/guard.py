"""What every response goes through: security headers, read-only methods, the per-address rate
limit, a bound on query strings, and error pages in place of any traceback."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from loguru import logger

from quizbot.web.limits import RateLimiter
from quizbot.web.pages import Refusal, error_page

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
READ_METHODS = frozenset({"GET", "HEAD"})
MAX_QUERY = 512  # characters of query string a page will read
LIMITER = web.AppKey("limiter", RateLimiter)
WRITABLE = web.AppKey("writable", set[str])  # paths that also take POST (the admin login), no more
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
        "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


async def add_security_headers(_request: web.Request, response: web.StreamResponse) -> None:
    """Set on every response as it is prepared: pages, static files, errors and event streams."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refusals and HTTP errors become the error page; anything else is logged and shown as a 500."""
    try:
        return await handler(request)
    except Refusal as refusal:
        return error_page(request, refusal.status, refusal.key, **refusal.params)
    except web.HTTPException as error:
        if error.status < 400:  # redirects and the like pass through unchanged
            raise
        page = error_page(request, error.status)
        if error.status == 405:
            allowed = error.headers.get("Allow", "GET,HEAD").split(",")
            page.headers["Allow"] = ", ".join(sorted(method.strip() for method in allowed))
        return page
    except Exception:
        route = request.match_info.route.resource  # its pattern: a path may hold a live page's token
        pattern = route.canonical if route is not None else "(no route)"
        logger.bind(route=pattern, method=request.method).exception("web page failed")
        return error_page(request, 500)


@web.middleware
async def read_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """GET and HEAD everywhere; POST only on the paths a page registered in WRITABLE."""
    if request.method in READ_METHODS:
        return await handler(request)
    if request.method == "POST" and request.path in request.app[WRITABLE]:
        return await handler(request)
    allowed = "GET, HEAD, POST" if request.path in request.app[WRITABLE] else "GET, HEAD"
    raise web.HTTPMethodNotAllowed(request.method, allowed.split(", "))


@web.middleware
async def rate_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
    """At most the configured requests a minute per client address (the peer's: a forwarded header
    could name anyone); a page refused for it says when to try again."""
    wait = request.app[LIMITER].take(request.remote or "unknown")
    if wait > 0:
        page = error_page(request, 429)
        page.headers["Retry-After"] = str(max(1, round(wait)))
        return page
    return await handler(request)


@web.middleware
async def bounded_query(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A query string longer than any page needs is refused before a handler reads it."""
    if len(request.query_string) > MAX_QUERY:
        raise Refusal(414, "web.why.query_too_long", limit=MAX_QUERY)
    return await handler(request)


MIDDLEWARES = (error_pages, rate_limit, read_only, bounded_query)
