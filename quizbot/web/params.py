"""Reading a page's path and query values: anything malformed is a Refusal, never an exception."""

from __future__ import annotations

from collections.abc import Collection

from aiohttp import web

from quizbot.game.values import SNOWFLAKE_MAX
from quizbot.web.pages import Refusal

MAX_ID_DIGITS = 19  # a Discord id is below 2**63


def discord_id(request: web.Request, name: str, refusal_key: str) -> int:
    """The path's `name` as a Discord id; a malformed or impossible one is the page's 404."""
    raw = request.match_info.get(name, "")
    if (
        not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS)
        or not 0 < int(raw) <= SNOWFLAKE_MAX
    ):
        raise Refusal(404, refusal_key)
    return int(raw)


def page_number(request: web.Request, last: int) -> int:
    """?page= as a whole number from 1 to `last` (1 when absent); anything else is a 400."""
    raw = request.query.get("page", "1").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not 1 <= int(raw) <= last:
        raise Refusal(400, "web.why.page", last=last)
    return int(raw)


def choice(request: web.Request, name: str, allowed: Collection[str], default: str, key: str) -> str:
    """?`name`= as one of `allowed` (`default` when absent or empty); anything else is a 400."""
    raw = request.query.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in allowed:
        raise Refusal(400, key, choices=", ".join(allowed))
    return raw
