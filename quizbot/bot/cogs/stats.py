"""/leaderboard, /stats and /achievements: read-only views of what storage keeps.

Each command checks its options (no I/O), defers at once so database work never eats into
Discord's 3-second window, makes one storage call, and fills the deferred reply.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import disnake
from disnake import Localized
from disnake.ext import commands
from disnake.utils import escape_markdown, escape_mentions, format_dt

from quizbot.bot import validation
from quizbot.bot.bot import QuizBot
from quizbot.bot.catalogue import Problem, problem
from quizbot.bot.context import QuizContext, refuse
from quizbot.bot.localized import choices
from quizbot.bot.render import BLURPLE, GREEN
from quizbot.bot.types import CommandInter
from quizbot.errors import InvalidValue
from quizbot.game.achievements import ACHIEVEMENTS
from quizbot.game.progression import MAX_LEVEL, play_day, xp_for_level
from quizbot.game.values import parse_enum
from quizbot.storage.achievements import GrantedAchievement, member_achievements
from quizbot.storage.leaderboard import LeaderboardQuery, leaderboard
from quizbot.storage.records import LeaderboardEntry, Scope, Timeframe
from quizbot.storage.stats import UserStats, user_stats

SCOPES = {"server": Scope.GUILD, "global": Scope.GLOBAL}
TIMEFRAMES = [t.value for t in Timeframe]
PERIODS = {
    Timeframe.DAY: "today",
    Timeframe.WEEK: "this week",
    Timeframe.MONTH: "this month",
    Timeframe.ALL: "all time",
}
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
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
    ) -> None:
        """A public board of the top ten: rank, name, points, accuracy and quizzes."""
        scope = validation.choice("scope", scope, list(SCOPES))
        category = validation.text("category", category, limit=CATEGORY_LIMIT)
        timeframe = validation.choice("timeframe", timeframe, TIMEFRAMES) or Timeframe.ALL.value
        query = self._board_query(inter, scope, category, timeframe)
        if isinstance(query, Problem):
            await refuse(inter, query)
            return
        await inter.response.defer()
        rows = await leaderboard(self.ctx.db, query)
        await inter.edit_original_response(embed=board_embed(query, rows), allowed_mentions=NOBODY)

    @leaderboard.autocomplete("category")
    async def category_choices(self, inter: CommandInter, text: str) -> list[str]:
        """Bank categories that contain what the user typed (at most 25, Discord's limit)."""
        typed = validation.typed_so_far(text, limit=CATEGORY_LIMIT)
        return [] if typed is None else await self.ctx.categories_like(inter.guild_id or 0, typed)

    @commands.slash_command(
        name=Localized("stats", key="cmd.stats.name"),
        description=Localized("A player's statistics in this server.", key="cmd.stats.description"),
        contexts=GUILD_ONLY,
    )
    async def stats(
        self,
        inter: CommandInter,
        user: disnake.User | disnake.Member | None = STATS_USER,
    ) -> None:
        """Points, accuracy, level, streaks, rank, favourite category and recent achievements."""
        who = validation.person("user", user) or inter.author
        await inter.response.defer()
        found = await user_stats(self.ctx.db, inter.guild_id or 0, who.id)
        if found is None:
            await inter.edit_original_response(content=no_games_yet(inter, who), allowed_mentions=NOBODY)
            return
        today = play_day(datetime.now(UTC), found.time_zone)  # the guild's day, as streaks count it
        await inter.edit_original_response(embed=stats_embed(who, found, today), allowed_mentions=NOBODY)

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
            return problem("invalid_input", detail=f"unknown scope {scope!r}; choose server or global")
        if chosen is Scope.GUILD and not in_guild:
            return problem(
                "invalid_input", detail="a server leaderboard needs a server; in DMs use scope: global"
            )
        name = category.strip().lower() if category else ""
        if name and name not in self.ctx.bank.categories:
            known = ", ".join(self.ctx.bank.categories)
            return problem(
                "invalid_input", detail=f"there is no category {name[:64]!r}; choose one of {known}"
            )
        try:
            period = parse_enum(Timeframe, timeframe, "timeframe")
            return LeaderboardQuery(chosen, inter.guild_id or 0, name or None, period, BOARD_ROWS)
        except InvalidValue as error:
            return problem("invalid_input", detail=str(error))


def display(name: str) -> str:
    """A name as plain text in a message: no markdown, no mentions."""
    return escape_mentions(escape_markdown(name))


def board_embed(query: LeaderboardQuery, rows: list[LeaderboardEntry]) -> disnake.Embed:
    """The leaderboard: mentions on a server board, stored usernames on the global one."""
    where = "Server" if query.scope is Scope.GUILD else "Global"
    what = f"{query.category} · " if query.category else ""
    embed = disnake.Embed(title=f"🏆 {where} leaderboard", colour=TROPHY_GOLD)
    embed.set_footer(text=f"{what}{PERIODS[query.timeframe]}")
    if not rows:
        about = f" in {query.category}" if query.category else ""
        embed.description = (
            f"No one has scored{about} {PERIODS[query.timeframe]} yet. "
            "Start a quiz with `/trivia start` and claim the top spot!"
        )
        return embed
    embed.description = "\n".join(board_line(query.scope, row) for row in rows[:BOARD_ROWS])
    return embed


def board_line(scope: Scope, row: LeaderboardEntry) -> str:
    place = MEDALS.get(row.rank, f"`#{row.rank:>2}`")
    stored = display(row.username) if row.username else f"<@{row.user_id}>"
    name = f"<@{row.user_id}>" if scope is Scope.GUILD else stored
    quizzes = f"{row.quizzes} quiz" if row.quizzes == 1 else f"{row.quizzes} quizzes"
    return f"{place} {name} — **{row.points:,}** pts · {row.accuracy:.0%} accuracy · {quizzes}"


def no_games_yet(inter: CommandInter, who: disnake.User | disnake.Member) -> str:
    if who.id == inter.author.id:
        return "You haven't played any games here yet. Start one with `/trivia start` and see how you do!"
    return f"{display(who.display_name)} hasn't played any games here yet."


def live_streak(found: UserStats, today: date) -> int:
    """The current daily streak, or 0 once a day was missed (`today` and play days: the guild's days)."""
    last = found.last_played_day
    return found.current_streak if last is not None and last >= today - timedelta(days=1) else 0


def level_line(found: UserStats) -> str:
    if found.level >= MAX_LEVEL:
        return f"**{found.level}** (the top level) · {found.xp:,} XP"
    to_next = max(0, xp_for_level(found.level + 1) - found.xp)
    return f"**{found.level}** · {found.xp:,} XP · {to_next:,} XP to level {found.level + 1}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def stats_embed(who: disnake.User | disnake.Member, found: UserStats, today: date) -> disnake.Embed:
    """A member's statistics in this guild."""
    embed = disnake.Embed(title=f"📈 {display(who.display_name)}'s stats", colour=BLURPLE)
    answered = found.correct + found.wrong
    embed.add_field("Points", f"**{found.points:,}**")
    embed.add_field("Accuracy", f"{found.accuracy:.0%} ({found.correct:,} of {answered:,})")
    embed.add_field("Quizzes", f"{found.quizzes:,}")
    embed.add_field("Level", level_line(found), inline=False)
    streak = live_streak(found, today)
    embed.add_field("Streak", f"{plural(streak, 'day')} (best {plural(found.best_streak, 'day')})")
    embed.add_field("Rank", f"#{found.rank} in this server")
    embed.add_field("Favourite category", found.favourite_category or "—")
    recent = [f"🏅 **{a.name}** {format_dt(a.granted_at, 'R')}" for a in found.recent_achievements[:5]]
    embed.add_field("Recent achievements", "\n".join(recent) or "None yet", inline=False)
    return embed


def achievements_embed(
    inter: CommandInter, who: disnake.User | disnake.Member, earned: list[GrantedAchievement]
) -> disnake.Embed:
    """The achievements a member holds, newest first, and how many of the catalogue that is."""
    whose = "Your" if who.id == inter.author.id else f"{display(who.display_name)}'s"
    embed = disnake.Embed(title=f"🏅 {whose} achievements", colour=GREEN)
    summary = f"**{len(earned)} of {len(ACHIEVEMENTS)}** earned."
    if not earned:
        embed.description = f"{summary} None yet — finish a quiz to earn the first one!"
        return embed
    shown = earned[:MAX_FIELDS]
    more = len(earned) - len(shown)
    embed.description = summary + (f" (the newest {len(shown)} are shown; {more} more)" if more else "")
    for item in shown:
        embed.add_field(
            item.name, f"{item.description}\nEarned {format_dt(item.granted_at, 'D')}", inline=False
        )
    return embed


def setup(bot: QuizBot) -> None:
    """Add the cog, with the context the bot was built with (a plain function, as disnake wants)."""
    bot.add_cog(StatsCog(bot.context))
