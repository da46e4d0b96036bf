"""Server-rendered pages: one autoescaped Jinja2 environment, words from the catalogue, refusals.

A handler returns `render(request, "board.html", ...)`, or raises `Refusal(status, key, ...)`
for anything it will not show; guard.py turns a refusal (and any other failure) into the error
page, in the reader's language, never a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import jinja2
from aiohttp import web

from quizbot import i18n
from quizbot.i18n import Param
from quizbot.web.language import page_locale

LOCALE = web.RequestKey("locale", str)
NO_SCRIPT_REFRESH = 5  # seconds between reloads of a live page (game, admin) without JavaScript
# The error page's title and first sentence for each status we answer with.
ERRORS: Mapping[int, str] = {
    400: "web.error.bad_request",
    403: "web.error.forbidden",
    404: "web.error.not_found",
    405: "web.error.method",
    413: "web.error.too_long",
    414: "web.error.too_long",
    429: "web.error.too_many",
    500: "web.error.server",
    503: "web.error.unavailable",
}


class Refusal(Exception):
    """A page that will not be shown: its status, and the catalogue key saying why (with params)."""

    def __init__(self, status: int, key: str, /, **params: Param) -> None:
        super().__init__(f"{status} {key}")
        self.status = status
        self.key = key
        self.params = params


@cache
def environment() -> jinja2.Environment:
    """The templates shipped in quizbot/web/templates, every value escaped unless marked safe."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("quizbot.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def locale_of(request: web.Request) -> str:
    """The locale this request's page speaks (worked out once per request)."""
    if LOCALE not in request:
        request[LOCALE] = page_locale(request)
    return request[LOCALE]


class Words:
    """The catalogue in one locale, as templates use it: t(key, ...), number(n), percent(share)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.catalogue = i18n.active()

    def t(self, key: str, /, **params: Param) -> str:
        return self.catalogue.text(self.locale, key, **params)

    def number(self, value: float, decimals: int | None = None) -> str:
        return self.catalogue.number(self.locale, value, decimals=decimals)

    def percent(self, share: float) -> str:
        return self.catalogue.percent(self.locale, share)


def html(request: web.Request, template: str, /, **values: Any) -> str:
    """`template` rendered for `request`: its words, its locale, and `values`."""
    locale = locale_of(request)
    words = Words(locale)
    return (
        environment()
        .get_template(template)
        .render(
            t=words.t,
            number=words.number,
            percent=words.percent,
            lang=locale,
            path=request.path,
            static=lambda name: static_url(request, name),
            **values,
        )
    )


def static_url(request: web.Request, name: str) -> str:
    """The address of a shipped static file, with its content's version (so caches refresh)."""
    return str(request.app.router["static"].url_for(filename=name))


def render(request: web.Request, template: str, /, *, status: int = 200, **values: Any) -> web.Response:
    """An HTML response of `template` for `request`."""
    return web.Response(
        text=html(request, template, **values), status=status, content_type="text/html", charset="utf-8"
    )


def error_page(request: web.Request, status: int, key: str | None = None, **params: Param) -> web.Response:
    """The error page for `status`, with the sentence `key` says (when given) under its title."""
    title_key = ERRORS.get(status, "web.error.bad_request" if status < 500 else "web.error.server")
    return render(request, "error.html", status=status, code=status, title_key=title_key, why=(key, params))
