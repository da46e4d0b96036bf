"""The server shell: security headers, read-only methods, rate limits, bounded queries, error pages."""

from __future__ import annotations

import re

import pytest
from aiohttp import web
from loguru import logger

from quizbot.clock import ManualClock
from quizbot.web import home
from quizbot.web.guard import MAX_QUERY, SECURITY_HEADERS
from tests.web.conftest import Client, MakeClient


def assert_secure(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


async def test_the_front_page_is_served_with_every_security_header(client: Client) -> None:
    """GET / is HTML in English by default, with the CSP, frame and referrer headers."""
    response = await client.get("/")
    assert response.status == 200
    assert response.content_type == "text/html"
    body = await response.text()
    assert '<html lang="en-US">' in body
    assert "Boards and profiles" in body
    assert_secure(response)


async def test_pages_carry_no_inline_script_or_style(client: Client) -> None:
    """The CSP forbids inline scripts and styles, so a page holds none (only files from /static)."""
    body = await (await client.get("/")).text()
    assert "<style" not in body and " style=" not in body
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", body))
    assert re.search(r'<link rel="stylesheet" href="/static/site\.css\?v=[^"]+">', body)


async def test_head_answers_like_get_without_a_body(client: Client) -> None:
    response = await client.head("/")
    assert response.status == 200
    assert await response.read() == b""
    assert_secure(response)


async def test_static_files_are_shipped_and_guarded(client: Client) -> None:
    """The stylesheet comes from the package, with the same headers; no directory is listed."""
    response = await client.get("/static/site.css")
    assert response.status == 200
    assert "--ink" in await response.text()
    assert_secure(response)
    listing = await client.get("/static/")
    assert listing.status in (403, 404)
    assert "Index of" not in await listing.text()


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_only_get_and_head_reach_a_public_page(client: Client, method: str) -> None:
    """Anything that could change state is refused with a 405 page naming what is allowed."""
    response = await client.request(method, "/", data=b"x=1")
    assert response.status == 405
    assert response.headers["Allow"] == "GET, HEAD"
    assert "can only be read" in await response.text()
    assert_secure(response)


async def test_an_unknown_page_is_a_clear_404_page(client: Client) -> None:
    response = await client.get("/no/such/page")
    assert response.status == 404
    body = await response.text()
    assert "Not found" in body and "<h1" in body
    assert_secure(response)


async def test_an_over_long_query_string_is_refused_with_a_414_page(client: Client) -> None:
    response = await client.get("/", params={"x": "a" * MAX_QUERY})
    assert response.status == 414
    body = await response.text()
    assert f"at most {MAX_QUERY} characters" in body
    assert "Traceback" not in body


async def test_a_query_string_too_long_for_the_parser_is_still_a_4xx(client: Client) -> None:
    """aiohttp refuses a request line past its own limit before any page runs; still no traceback."""
    response = await client.get("/?x=" + "a" * 10_000)
    assert 400 <= response.status < 500
    assert "Traceback" not in await response.text()


async def test_each_address_is_rate_limited_until_its_bucket_refills(
    make_client: MakeClient, clock: ManualClock
) -> None:
    """60 a minute allows a burst of 30; the 31st is a 429 saying when to retry; time refills it."""
    client = await make_client(requests_per_minute=60)
    statuses = [(await client.get("/static/site.css")).status for _ in range(30)]
    assert statuses == [200] * 30
    refused = await client.get("/")
    assert refused.status == 429
    assert refused.headers["Retry-After"] == "1"
    assert "Too many requests" in await refused.text()
    assert_secure(refused)
    clock.advance(1.0)
    assert (await client.get("/")).status == 200


async def test_a_failing_page_shows_a_500_page_and_never_a_traceback(
    make_client: MakeClient, warnings: list[str]
) -> None:
    """An exception in a handler is logged and becomes the error page, headers and all."""

    class Broken:
        @staticmethod
        def add_routes(app: web.Application) -> None:
            async def fail(_request: web.Request) -> web.Response:
                raise RuntimeError("secret internals")

            app.router.add_get("/broken", fail)

    client = await make_client(pages=(home, Broken))
    response = await client.get("/broken")
    assert response.status == 500
    body = await response.text()
    assert "Something went wrong" in body
    assert "secret internals" not in body and "Traceback" not in body
    assert_secure(response)
    assert any("web page failed" in line for line in warnings)


async def test_the_page_speaks_the_language_asked_for(client: Client) -> None:
    """?lang= wins over Accept-Language; an unknown language falls back to English, never an error."""
    german = await client.get("/", headers={"Accept-Language": "fr-CA;q=0.4, de-AT, en;q=0.1"})
    assert '<html lang="de">' in await german.text()
    french = await client.get("/", params={"lang": "fr"}, headers={"Accept-Language": "de"})
    assert '<html lang="fr">' in await french.text()
    unknown = await client.get("/", params={"lang": "xx-<script>"}, headers={"Accept-Language": "q=;;,"})
    assert unknown.status == 200
    assert '<html lang="en-US">' in await unknown.text()


async def test_a_failing_page_logs_its_route_and_never_the_path_s_secrets(make_client: MakeClient) -> None:
    """A live page's path holds its token: the log names the route's pattern, not the path."""
    logged: list[str] = []
    sink = logger.add(
        lambda m: logged.append(f"{m} {m.record['extra']}"), level="ERROR", format="{message}", diagnose=False
    )  # as configure_logging adds its sink

    class Broken:
        @staticmethod
        def add_routes(app: web.Application) -> None:
            async def fail(_request: web.Request) -> web.Response:
                raise RuntimeError("boom")

            app.router.add_get("/secretive/{token}", fail)

    try:
        client = await make_client(pages=(home, Broken))
        assert (await client.get("/secretive/Zm9yLXlvdXItZXllcy1vbmx5")).status == 500
    finally:
        logger.remove(sink)
    assert logged and all("Zm9yLXlvdXItZXllcy1vbmx5" not in line for line in logged)
    assert any("/secretive/{token}" in line for line in logged)
