"""/leaderboard, /stats and /achievements: read-only views of what storage keeps.

Each command checks its options (no I/O), defers at once so database work never eats into
Discord's 3-second window, makes one storage call, and fills the deferred reply.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import disnake
from disnake import Localized
from disnake.ext import commands
from disnake.utils import format_dt

from quizbot import i18n
from quizbot.bot import validation, web_options
from quizbot.bot.bot import QuizBot
from quizbot.bot.catalogue import Listed, Problem, invalid, problem, say
from quizbot.bot.context import QuizContext, refuse
from quizbot.bot.localized import choices
from quizbot.bot.render import BLURPLE, GREEN, display
from quizbot.bot.seasons import SEASON_OPTION, archived_board
from quizbot.bot.types import CommandInter
from quizbot.errors import InvalidValue
from quizbot.game.achievements import ACHIEVEMENTS
from quizbot.game.progression import MAX_LEVEL, play_day, xp_for_level
from quizbot.game.values import parse_enum
from quizbot.i18n import LocaleLike
from quizbot.i18n.achievements import achievement_words
from quizbot.storage.achievements import GrantedAchievement, member_achievements
from quizbot.storage.daily import daily_streak
from quizbot.storage.leaderboard import LeaderboardQuery, leaderboard
from quizbot.storage.records import LeaderboardEntry, Scope, Timeframe
from quizbot.storage.seasons import MAX_SEASON_NAME, ended_season_names
from quizbot.storage.stats import UserStats, user_stats

SCOPES = {"server": Scope.GUILD, "global": Scope.GLOBAL}
SCOPE_KEY = "cmd.leaderboard.scope"  # the scope option's words in the reader's language
TIMEFRAMES = [t.value for t in Timeframe]
PERIODS = {  # the catalogue's words for each timeframe
    Timeframe.DAY: "reply.period_day",
    Timeframe.WEEK: "reply.period_week",
    Timeframe.MONTH: "reply.period_month",
    Timeframe.ALL: "reply.period_all",
    Timeframe.SEASON: "reply.period_season",
}
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
ACHIEVEMENTS_BY_ID = {achievement.achievement_id: achievement for achievement in ACHIEVEMENTS}
BOARD_ROWS = 10
CATEGORY_LIMIT = 64
MAX_FIELDS = 25  # Discord's limit on fields in one embed
TROPHY_GOLD = 0xF1C40F  # deeper than render's hint gold, for the leaderboard
GUILD_ONLY = disnake.InteractionContextTypes(guild=True)
NOBODY = disnake.AllowedMentions.none()
# B008: disnake reads options from defaults; a user option's default is built once, here
STATS_USER: Any = commands.Param(
    None,
    name=Localized("user", key="cmd.stats.user.name"),
    description=Localized("Whose statistics (yours by default)", key="cmd.stats.user.description"),
)
ACHIEVEMENTS_USER: Any = commands.Param(
    None,
    name=Localized("user", key="cmd.achievements.user.name"),
    description=Localized("Whose achievements (yours by default)", key="cmd.achievements.user.description"),
)


class StatsCog(commands.Cog):
    """Leaderboards, a member's statistics and their achievements. Translates commands into reads."""

    def __init__(self, context: QuizContext) -> None:
        self.ctx = context

    async def cog_slash_command_error(self, inter: CommandInter, error: Exception) -> None:
        await refuse(inter, getattr(error, "original", error))

    @commands.slash_command(
        name=Localized("leaderboard", key="cmd.leaderboard.name"),
        description=Localized(
            "The best players, in this server or everywhere.", key="cmd.leaderboard.description"
        ),
    )
    async def leaderboard(
        self,
        inter: CommandInter,
        scope: str | None = commands.Param(
            None,
            name=Localized("scope", key="cmd.leaderboard.scope.name"),
            description=Localized(
                "server (the default) or global; only global in DMs", key="cmd.leaderboard.scope.description"
            ),
            choices=choices("cmd.leaderboard.scope", SCOPES),
        ),
        category: str | None = commands.Param(
            None,
            name=Localized("category", key="cmd.leaderboard.category.name"),
            description=Localized(
                "One category (all by default)", key="cmd.leaderboard.category.description"
            ),
            max_length=CATEGORY_LIMIT,
        ),
        timeframe: str = commands.Param(
            "all",
            name=Localized("timeframe", key="cmd.leaderboard.timeframe.name"),
            description=Localized(
                "today, this week, month or ever", key="cmd.leaderboard.timeframe.description"
            ),
            choices=choices("cmd.leaderboard.timeframe", TIMEFRAMES),
        ),
        season: str | None = SEASON_OPTION,
    ) -> None:
        """A public board of the top ten: rank, name, points, accuracy and quizzes; with `season`, an
        ended season's archived top 10."""
        if season is not None:
            await archived_board(self.ctx, inter, season)
            return
        scope = validation.choice("scope", scope, list(SCOPES))
        category = validation.text("category", category, limit=CATEGORY_LIMIT)
        timeframe = validation.choice("timeframe", timeframe, TIMEFRAMES) or Timeframe.ALL.value
        query = self._board_query(inter, scope, category, timeframe)
        if isinstance(query, Problem):
            await refuse(inter, query)
            return
        await inter.response.defer()
        rows = await leaderboard(self.ctx.db, query)
        await inter.edit_original_response(
            embed=board_embed(query, rows, inter.locale), allowed_mentions=NOBODY
        )

    @leaderboard.autocomplete("category")
    async def category_choices(self, inter: CommandInter, text: str) -> list[str]:
        """Bank categories that contain what the user typed (at most 25, Discord's limit)."""
        typed = validation.typed_so_far(text, limit=CATEGORY_LIMIT)
        return [] if typed is None else await self.ctx.categories_like(inter.guild_id or 0, typed)

    @leaderboard.autocomplete("season")
    async def season_choices(self, inter: CommandInter, text: str) -> list[str]:
        """This server's ended seasons whose names contain what the user typed (at most 25)."""
        typed = validation.typed_so_far(text, limit=MAX_SEASON_NAME)
        if typed is None or inter.guild_id is None:
            return []
        return await ended_season_names(self.ctx.db, inter.guild_id, typed.strip())

    @commands.slash_command(
        name=Localized("stats", key="cmd.stats.name"),
        description=Localized("A player's statistics in this server.", key="cmd.stats.description"),
        contexts=GUILD_ONLY,
    )
    async def stats(
        self,
        inter: CommandInter,
        user: disnake.User | disnake.Member | None = STATS_USER,
        privacy: str | None = web_options.PRIVACY_OPTION,
    ) -> None:
        """Points, accuracy, level, streaks, rank, favourite category and recent achievements; with
        `privacy`, the asker's own web profile hidden or shown instead."""
        if privacy is not None:
            await web_options.set_privacy(self.ctx, inter, privacy, user)
            return
        who = validation.person("user", user) or inter.author
        await inter.response.defer()
        found = await user_stats(self.ctx.db, inter.guild_id or 0, who.id)
        if found is None:
            await inter.edit_original_response(content=no_games_yet(inter, who), allowed_mentions=NOBODY)
            return
        today = play_day(datetime.now(UTC), found.time_zone)  # the guild's day, as streaks count it
        now = self.ctx.now()  # the games' clock closes the daily question
        daily = await daily_streak(self.ctx.db, inter.guild_id or 0, who.id, now)
        embed = stats_embed(who, found, today, inter.locale, daily=daily)
        await inter.edit_original_response(embed=embed, allowed_mentions=NOBODY)

    @commands.slash_command(
        name=Localized("achievements", key="cmd.achievements.name"),
        description=Localized(
            "The achievements a player has earned here.", key="cmd.achievements.description"
        ),
        contexts=GUILD_ONLY,
    )
    async def achievements(
        self,
        inter: CommandInter,
        user: disnake.User | disnake.Member | None = ACHIEVEMENTS_USER,
    ) -> None:
        """Earned achievements with when, out of the whole catalogue; only the asker sees them."""
        who = validation.person("user", user) or inter.author
        await inter.response.defer(ephemeral=True)
        earned = await member_achievements(self.ctx.db, inter.guild_id or 0, who.id)
        await inter.edit_original_response(
            embed=achievements_embed(inter, who, earned), allowed_mentions=NOBODY
        )

    def _board_query(
        self, inter: CommandInter, scope: str | None, category: str | None, timeframe: str
    ) -> LeaderboardQuery | Problem:
        """The leaderboard asked for, or the catalogue message saying what is wrong with the options."""
        in_guild = inter.guild_id is not None
        chosen = SCOPES.get(scope or ("server" if in_guild else "global"))
        if chosen is None:
            scopes = Listed(tuple(problem(f"{SCOPE_KEY}.choice.{value}") for value in SCOPES), either=True)
            why = problem("reply.why_unknown_scope", scope=repr(scope), choices=scopes)
            return problem("invalid_input", detail=why)
        if chosen is Scope.GUILD and not in_guild:
            option, choice = problem(f"{SCOPE_KEY}.name"), problem(f"{SCOPE_KEY}.choice.global")
            why = problem("reply.why_board_needs_server", option=option, choice=choice)
            return problem("invalid_input", detail=why)
        name = category.strip().lower() if category else ""
        if name and name not in self.ctx.bank.categories:
            known = Listed(tuple(self.ctx.bank.categories), plain=True)
            why = problem("reply.why_no_category", category=repr(name[:64]), known=known)
            return problem("invalid_input", detail=why)
        if timeframe == Timeframe.SEASON.value and chosen is Scope.GLOBAL:
            return problem("invalid_input", detail=problem("reply.why_season_needs_server"))
        try:
            period = parse_enum(Timeframe, timeframe, "timeframe")
            return LeaderboardQuery(chosen, inter.guild_id or 0, name or None, period, BOARD_ROWS)
        except InvalidValue as error:
            return invalid(str(error))


def board_embed(query: LeaderboardQuery, rows: list[LeaderboardEntry], locale: LocaleLike) -> disnake.Embed:
    """The leaderboard, in `locale`: mentions on a server board, stored usernames on the global one."""
    where = "reply.board_title_server" if query.scope is Scope.GUILD else "reply.board_title_global"
    period = say(PERIODS[query.timeframe], locale)
    embed = disnake.Embed(title=say(where, locale), colour=TROPHY_GOLD)
    if query.category:
        embed.set_footer(
            text=say("reply.board_footer_category", locale, category=query.category, period=period)
        )
    else:
        embed.set_footer(text=period)
    if not rows:
        if query.category:
            empty = say("reply.board_empty_category", locale, category=query.category, period=period)
        else:
            empty = say("reply.board_empty", locale, period=period)
        embed.description = empty
        return embed
    embed.description = "\n".join(board_line(query.scope, row, locale) for row in rows[:BOARD_ROWS])
    return embed


def board_line(scope: Scope, row: LeaderboardEntry, locale: LocaleLike) -> str:
    place = MEDALS.get(row.rank, f"`#{row.rank:>2}`")
    stored = display(row.username) if row.username else f"<@{row.user_id}>"
    name = f"<@{row.user_id}>" if scope is Scope.GUILD else stored
    accuracy = i18n.active().percent(locale, row.accuracy)
    return say(
        "reply.board_line",
        locale,
        place=place,
        name=name,
        points=row.points,
        accuracy=accuracy,
        count=row.quizzes,
    )


def no_games_yet(inter: CommandInter, who: disnake.User | disnake.Member) -> str:
    if who.id == inter.author.id:
        return say("reply.no_games_you", inter.locale)
    return say("reply.no_games_other", inter.locale, name=display(who.display_name))


def level_line(found: UserStats, locale: LocaleLike) -> str:
    if found.level >= MAX_LEVEL:
        return say("reply.stats_level_top", locale, level=found.level, xp=found.xp)
    to_next = max(0, xp_for_level(found.level + 1) - found.xp)
    return say(
        "reply.stats_level_next",
        locale,
        level=found.level,
        xp=found.xp,
        to_next=to_next,
        next=found.level + 1,
    )


def stats_embed(
    who: disnake.User | disnake.Member, found: UserStats, today: date, locale: LocaleLike, *, daily: int = 0
) -> disnake.Embed:
    """A member's statistics in this guild, in `locale` (`daily`: their question-of-the-day streak)."""
    words = i18n.active()
    embed = disnake.Embed(
        title=say("reply.stats_title", locale, name=display(who.display_name)), colour=BLURPLE
    )
    answered = found.correct + found.wrong
    accuracy = words.percent(locale, found.accuracy)
    embed.add_field(say("reply.stats_points", locale), f"**{words.number(locale, found.points)}**")
    embed.add_field(
        say("reply.stats_accuracy", locale),
        say(
            "reply.stats_accuracy_value", locale, accuracy=accuracy, correct=found.correct, answered=answered
        ),
    )
    embed.add_field(say("reply.stats_quizzes", locale), words.number(locale, found.quizzes))
    embed.add_field(say("reply.stats_level", locale), level_line(found, locale), inline=False)
    streak = problem("reply.days", count=found.streak_on(today))
    best = problem("reply.days", count=found.best_streak)
    embed.add_field(
        say("reply.stats_streak", locale), say("reply.stats_streak_value", locale, days=streak, best=best)
    )
    embed.add_field(say("daily.streak", locale), say("reply.days", locale, count=daily))
    embed.add_field(say("reply.stats_rank", locale), say("reply.stats_rank_value", locale, rank=found.rank))
    embed.add_field(say("reply.stats_favourite", locale), found.favourite_category or "—")
    recent = []
    for item in found.recent_achievements[:5]:
        name, _ = achievement_text(item.achievement_id, item.name, "", locale)
        recent.append(f"🏅 **{name}** {format_dt(item.granted_at, 'R')}")
    embed.add_field(
        say("reply.stats_recent", locale), "\n".join(recent) or say("reply.none_yet", locale), inline=False
    )
    return embed


def achievements_embed(
    inter: CommandInter, who: disnake.User | disnake.Member, earned: list[GrantedAchievement]
) -> disnake.Embed:
    """The achievements a member holds, newest first, and how many of the catalogue that is."""
    locale = inter.locale
    if who.id == inter.author.id:
        title = say("reply.achievements_title_yours", locale)
    else:
        title = say("reply.achievements_title_other", locale, name=display(who.display_name))
    embed = disnake.Embed(title=title, colour=GREEN)
    summary = say("reply.achievements_summary", locale, earned=len(earned), total=len(ACHIEVEMENTS))
    if not earned:
        embed.description = say("reply.achievements_none", locale, summary=summary)
        return embed
    shown = earned[:MAX_FIELDS]
    more = len(earned) - len(shown)
    if more:
        summary = say("reply.achievements_more", locale, summary=summary, shown=len(shown), more=more)
    embed.description = summary
    for item in shown:
        name, about = achievement_text(item.achievement_id, item.name, item.description, locale)
        when = format_dt(item.granted_at, "D")
        earned_on = say("reply.achievement_earned", locale, description=about, when=when)
        embed.add_field(name, earned_on, inline=False)
    return embed


def achievement_text(achievement_id: str, name: str, description: str, locale: LocaleLike) -> tuple[str, str]:
    """An earned achievement's name and description in `locale`, as the channel words them; one the
    game no longer defines keeps the words it was stored with."""
    known = ACHIEVEMENTS_BY_ID.get(achievement_id)
    return achievement_words(known, locale) if known is not None else (name, description)


def setup(bot: QuizBot) -> None:
    """Add the cog, with the context the bot was built with (a plain function, as disnake wants)."""
    bot.add_cog(StatsCog(bot.context))
