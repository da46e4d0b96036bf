"""A player's profile on a public board's server: level, XP, streaks, achievements, accuracy by
category and study figures, read by the same storage calls /stats, /achievements and /study stats use.

Shown only while the server's board is public and the player has not hidden their profile; every
other case is the same 404, so a hidden profile cannot be told from one that does not exist.
"""

from __future__ import annotations

from aiohttp import web

from quizbot.game.achievements import ACHIEVEMENTS
from quizbot.game.progression import MAX_LEVEL, play_day, xp_for_level
from quizbot.i18n.achievements import achievement_words
from quizbot.storage.achievements import member_achievements
from quizbot.storage.daily import daily_streak
from quizbot.storage.stats import user_stats
from quizbot.storage.study import study_stats
from quizbot.storage.web import category_accuracy, public_board, web_player
from quizbot.web.boards import AVATAR_HUES
from quizbot.web.context import context_of
from quizbot.web.pages import Refusal, locale_of, render
from quizbot.web.params import discord_id

ACHIEVEMENTS_BY_ID = {achievement.achievement_id: achievement for achievement in ACHIEVEMENTS}
NO_PROFILE = "web.why.no_profile"


async def profile(request: web.Request) -> web.Response:
    """GET /profile/{guild_id}/{user_id}."""
    context = context_of(request)
    guild_id = discord_id(request, "guild_id", NO_PROFILE)
    user_id = discord_id(request, "user_id", NO_PROFILE)
    board = await public_board(context.db, guild_id)
    player = await web_player(context.db, user_id) if board is not None else None
    found = await user_stats(context.db, guild_id, user_id) if player and not player.hidden else None
    if board is None or player is None or found is None:
        raise Refusal(404, NO_PROFILE)
    now = context.now()
    locale = locale_of(request)
    earned = await member_achievements(context.db, guild_id, user_id)
    achievements = []
    for item in earned:
        known = ACHIEVEMENTS_BY_ID.get(item.achievement_id)
        words = achievement_words(known, locale) if known else (item.name, item.description)
        achievements.append((*words, item.granted_at.date()))
    return render(
        request,
        "profile.html",
        board=board,
        name=player.username,
        initial=(player.username.strip()[:1] or "?").upper(),
        hue=user_id % AVATAR_HUES,
        found=found,
        to_next=None if found.level >= MAX_LEVEL else max(0, xp_for_level(found.level + 1) - found.xp),
        streak=found.streak_on(play_day(now, found.time_zone)),
        daily=await daily_streak(context.db, guild_id, user_id, now),
        achievements=achievements,
        total_achievements=len(ACHIEVEMENTS),
        categories=await category_accuracy(context.db, guild_id, user_id),
        study=await study_stats(context.db, user_id, now, server_zone=found.time_zone),
    )


def add_routes(app: web.Application) -> None:
    """GET /profile/{guild_id}/{user_id} (and HEAD)."""
    app.router.add_get("/profile/{guild_id}/{user_id}", profile)
