"""Leaderboard pages: a server's board once its admins made it public, and the global one.

The rows come from storage's leaderboard query (the one /leaderboard runs), read far enough for the
page asked for; a player who hid their profile is shown without a name.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from quizbot.storage.leaderboard import LeaderboardQuery, leaderboard
from quizbot.storage.records import MAX_CATEGORY_LENGTH, MAX_LEADERBOARD, LeaderboardEntry, Scope, Timeframe
from quizbot.storage.web import PublicBoard, hidden_profiles, public_board
from quizbot.web.context import WebContext, context_of
from quizbot.web.pages import Refusal, render
from quizbot.web.params import choice, discord_id, page_number

PAGE_ROWS = 20
LAST_PAGE = MAX_LEADERBOARD // PAGE_ROWS  # the board query reads at most MAX_LEADERBOARD rows
PERIODS = {  # the catalogue's words for each timeframe, as /leaderboard uses them
    Timeframe.DAY: "reply.period_day",
    Timeframe.WEEK: "reply.period_week",
    Timeframe.MONTH: "reply.period_month",
    Timeframe.ALL: "reply.period_all",
    Timeframe.SEASON: "reply.period_season",
}
AVATAR_HUES = 8  # site.css's .hue-0 .. .hue-7


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One row as the page shows it: the entry, and whether its player keeps their profile private."""

    entry: LeaderboardEntry
    hidden: bool

    @property
    def initial(self) -> str:
        """The letter on the player's avatar (quizbot stores no pictures: the web never asks Discord)."""
        return (self.entry.username.strip()[:1] or "?").upper()

    @property
    def hue(self) -> int:
        return self.entry.user_id % AVATAR_HUES


async def server_board(request: web.Request) -> web.Response:
    """GET /board/{guild_id}: the server's board, only while its admins keep it public."""
    context = context_of(request)
    guild_id = discord_id(request, "guild_id", "web.why.no_board")
    board = await public_board(context.db, guild_id)
    if board is None:
        raise Refusal(404, "web.why.no_board")
    return await _board_page(request, context, Scope.GUILD, board)


async def global_board(request: web.Request) -> web.Response:
    """GET /board/global: everyone's points across servers, as /leaderboard scope:global shows them."""
    return await _board_page(request, context_of(request), Scope.GLOBAL, None)


async def _board_page(
    request: web.Request, context: WebContext, scope: Scope, board: PublicBoard | None
) -> web.Response:
    category = _category(request, context)
    timeframes = [t.value for t in Timeframe if scope is Scope.GUILD or t is not Timeframe.SEASON]
    timeframe = Timeframe(choice(request, "timeframe", timeframes, Timeframe.ALL.value, "web.why.timeframe"))
    page = page_number(request, LAST_PAGE)
    limit = min(page * PAGE_ROWS + 1, MAX_LEADERBOARD)  # one more than shown: is there a next page?
    query = LeaderboardQuery(scope, board.guild_id if board else 0, category, timeframe, limit)
    entries = await leaderboard(context.db, query, now=context.now())
    shown = entries[(page - 1) * PAGE_ROWS : page * PAGE_ROWS]
    if page > 1 and not shown:
        pages = max(1, -(-len(entries) // PAGE_ROWS))
        raise Refusal(404, "web.why.no_such_page", count=pages)
    hidden = await hidden_profiles(context.db, [row.user_id for row in shown]) if shown else set()
    return render(
        request,
        "board.html",
        board=board,
        rows=[BoardRow(row, row.user_id in hidden) for row in shown],
        category=category,
        categories=sorted(context.categories),
        timeframe=timeframe.value,
        timeframes=timeframes,
        period_keys={t.value: key for t, key in PERIODS.items()},
        page=page,
        previous_page=page - 1 if page > 1 else None,
        next_page=page + 1 if page < LAST_PAGE and len(entries) > page * PAGE_ROWS else None,
    )


def _category(request: web.Request, context: WebContext) -> str | None:
    """?category= as one of the bank's categories (None: all); a name it does not know is a 404."""
    raw = request.query.get("category", "").strip().lower()
    if not raw:
        return None
    if len(raw) > MAX_CATEGORY_LENGTH:
        raise Refusal(400, "web.why.category_too_long", limit=MAX_CATEGORY_LENGTH)
    if raw not in context.categories:
        raise Refusal(404, "web.why.category", category=raw)
    return raw


def add_routes(app: web.Application) -> None:
    """GET /board/global and /board/{guild_id} (and HEAD)."""
    app.router.add_get("/board/global", global_board)
    app.router.add_get("/board/{guild_id}", server_board)
