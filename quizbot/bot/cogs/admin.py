"""/settings (show, set, custom packs, reports, seasons, role rewards) for Manage Server.

The cog declares the command tree and checks who asks; show and set are worked here, and the other
subcommands hand over to their own modules (custom_packs, report_list, seasons, role_rewards).
"""

from __future__ import annotations

from typing import Any

import disnake
from disnake import Localized
from disnake.ext import commands

from quizbot.bot import custom_packs, daily_setup, role_rewards, seasons, validation, web_options
from quizbot.bot.bot import QuizBot
from quizbot.bot.catalogue import problem, say
from quizbot.bot.channel_language import SERVER_LANGUAGE, language_choices, language_shown
from quizbot.bot.context import QuizContext, not_permitted, refuse, reply
from quizbot.bot.localized import choices
from quizbot.bot.report_list import show_reports
from quizbot.bot.settings_view import bad_setting, matching_zones, settings_embed
from quizbot.bot.types import CommandInter
from quizbot.errors import InvalidValue
from quizbot.game.progression import Difficulty
from quizbot.storage.daily import daily_settings, replan_daily
from quizbot.storage.guilds import guild_language, guild_settings, save_guild_language, save_guild_settings
from quizbot.storage.schedules import replan_schedules

IDLE_MINUTES = (1, 1440)
DIFFICULTIES = [d.value for d in Difficulty]
MANAGE_GUILD = disnake.Permissions(manage_guild=True)
GUILD_ONLY = disnake.InteractionContextTypes(guild=True)


def can_manage(inter: CommandInter) -> bool:
    """Manage Server in this guild (Discord hides the command from others, but overrides can show it)."""
    permissions = getattr(inter, "permissions", None)
    return inter.guild_id is not None and bool(permissions and permissions.manage_guild)


class AdminCog(commands.Cog):
    """Server settings and custom packs (Manage Server)."""

    def __init__(self, context: QuizContext) -> None:
        self.ctx = context

    async def cog_slash_command_error(self, inter: CommandInter, error: Exception) -> None:
        await refuse(inter, getattr(error, "original", error))

    # --- /settings ---------------------------------------------------------------------------

    @commands.slash_command(
        name=Localized("settings", key="cmd.settings.name"),
        description=Localized(
            "This server's quiz settings and custom question packs.", key="cmd.settings.description"
        ),
        default_member_permissions=MANAGE_GUILD,
        contexts=GUILD_ONLY,
    )
    async def settings(self, inter: CommandInter) -> None:
        """The /settings group (its subcommands do the work)."""

    @settings.sub_command(
        name=Localized("show", key="cmd.settings.show.name"),
        description=Localized("Show this server's quiz settings.", key="cmd.settings.show.description"),
    )
    async def show(self, inter: CommandInter) -> None:
        if not await self._admin(inter):
            return
        current = await guild_settings(self.ctx.db, inter.guild_id or 0)
        title = say("reply.settings_title", inter.locale)
        language = language_shown(
            await guild_language(self.ctx.db, inter.guild_id or 0), inter.guild_locale, inter.locale
        )
        embed = settings_embed(current, title=title, locale=inter.locale, language=language)
        daily = await daily_settings(self.ctx.db, inter.guild_id or 0)
        daily_setup.add_field(embed, daily, inter.locale, changed=False)
        public = await web_options.apply_web_board(self.ctx, inter, None)
        web_options.add_board_field(embed, public, inter.locale, changed=False)
        await reply(inter, embed=embed)

    @settings.sub_command(
        name=Localized("set", key="cmd.settings.set.name"),
        description=Localized("Change this server's quiz settings.", key="cmd.settings.set.description"),
    )
    async def set_(  # noqa: PLR0917 - a slash command's options are its parameters
        self,
        inter: CommandInter,
        idle_timeout: int | None = commands.Param(
            None,
            name=Localized("idle_timeout", key="cmd.settings.set.idle_timeout.name"),
            description=Localized(
                "Minutes before an idle quiz ends", key="cmd.settings.set.idle_timeout.description"
            ),
        ),
        time_zone: str | None = commands.Param(
            None,
            name=Localized("time_zone", key="cmd.settings.set.time_zone.name"),
            description=Localized(
                "An IANA time zone, e.g. Europe/Paris", key="cmd.settings.set.time_zone.description"
            ),
        ),
        typed_answers: bool | None = commands.Param(
            None,
            name=Localized("typed_answers", key="cmd.settings.set.typed_answers.name"),
            description=Localized(
                "Allow answering by typing", key="cmd.settings.set.typed_answers.description"
            ),
        ),
        default_questions: int | None = commands.Param(
            None,
            name=Localized("default_questions", key="cmd.settings.set.default_questions.name"),
            description=Localized(
                "Questions per quiz (1-20)", key="cmd.settings.set.default_questions.description"
            ),
        ),
        default_timeout: int | None = commands.Param(
            None,
            name=Localized("default_timeout", key="cmd.settings.set.default_timeout.name"),
            description=Localized(
                "Seconds per question (5-120)", key="cmd.settings.set.default_timeout.description"
            ),
        ),
        default_difficulty: str | None = commands.Param(
            None,
            name=Localized("default_difficulty", key="cmd.settings.set.default_difficulty.name"),
            description=Localized(
                "Difficulty per quiz", key="cmd.settings.set.default_difficulty.description"
            ),
            choices=choices("cmd.settings.set.default_difficulty", DIFFICULTIES),
        ),
        language: str | None = commands.Param(
            None,
            name=Localized("language", key="cmd.settings.set.language.name"),
            description=Localized(
                "The language of quiz messages in this server's channels",
                key="cmd.settings.set.language.description",
            ),
        ),
        daily_channel: disnake.TextChannel | None = daily_setup.CHANNEL_OPTION,
        daily_hour: int | None = daily_setup.HOUR_OPTION,
        daily_names: bool | None = daily_setup.NAMES_OPTION,
        daily_off: bool | None = daily_setup.OFF_OPTION,
        web_board: bool | None = web_options.WEB_BOARD_OPTION,
    ) -> None:
        """Check each given setting, then apply them through GuildSettings; the first bad one is named
        and nothing is saved."""
        if not await self._permitted(inter):
            return
        minutes = validation.whole_number(
            "idle_timeout", idle_timeout, IDLE_MINUTES[0], IDLE_MINUTES[1], key="reply.option_range_minutes"
        )
        given: dict[str, Any] = {
            "idle_timeout": None if minutes is None else minutes * 60,
            "time_zone": validation.time_zone("time_zone", time_zone),
            "typed_answers": validation.flag("typed_answers", typed_answers),
            "default_questions": validation.whole_number("default_questions", default_questions, 1, 20),
            "default_timeout": validation.whole_number("default_timeout", default_timeout, 5, 120),
            "default_difficulty": validation.choice("default_difficulty", default_difficulty, DIFFICULTIES),
        }
        chosen = validation.language("language", language)
        daily = daily_setup.checked(inter, daily_channel, daily_hour, daily_names, daily_off)
        board = validation.flag("web_board", web_board)
        changes = {name: value for name, value in given.items() if value is not None}
        await inter.response.defer(ephemeral=True)  # the database comes next
        if not changes and chosen is None and not daily.given and board is None:
            await refuse(inter, problem("invalid_input", detail=problem("reply.why_no_setting_given")))
            return
        guild_id = inter.guild_id or 0
        updated = await guild_settings(self.ctx.db, guild_id)
        for name, value in changes.items():  # one at a time, so a refusal names its setting
            try:
                updated = updated.changed(**{name: value})
            except InvalidValue as error:
                await refuse(inter, bad_setting(name, error, minutes=name == "idle_timeout"))
                return
        now = self.ctx.now()
        shown_daily = (  # first: refused for an hour with no channel, before anything is saved
            await daily_setup.apply(self.ctx.db, guild_id, daily, now)
            if daily.given
            else await daily_settings(self.ctx.db, guild_id)
        )
        if changes:
            await save_guild_settings(self.ctx.db, guild_id, updated)
        if "time_zone" in changes:  # scheduled games and the daily question keep their wall-clock time
            await replan_schedules(self.ctx.db, guild_id, now)
            await replan_daily(self.ctx.db, guild_id, now)
        stored = await self._language(guild_id, chosen)
        title = say("reply.settings_saved", inter.locale)
        marked = frozenset(changes) | ({"language"} if chosen is not None else set())
        shown = language_shown(stored, inter.guild_locale, inter.locale)
        embed = settings_embed(updated, title=title, changed=marked, locale=inter.locale, language=shown)
        daily_setup.add_field(embed, shown_daily, inter.locale, changed=daily.given)
        public = await web_options.apply_web_board(self.ctx, inter, board)
        web_options.add_board_field(embed, public, inter.locale, changed=board is not None)
        await reply(inter, embed=embed)

    async def _language(self, guild_id: int, chosen: str | None) -> str | None:
        """Store the channels' language when one was chosen (SERVER_LANGUAGE clears it) and tell the
        channels at once; return the one now set (None: the server's own)."""
        if chosen is None:
            return await guild_language(self.ctx.db, guild_id)
        stored = None if chosen == SERVER_LANGUAGE else chosen
        await save_guild_language(self.ctx.db, guild_id, stored)
        if self.ctx.languages is not None:
            self.ctx.languages.chose(guild_id, stored)
        return stored

    @set_.autocomplete("language")
    async def language_options(self, inter: CommandInter, text: str) -> list[disnake.OptionChoice]:
        """Every language quizbot ships, by its own name, and the server's own (at most 25)."""
        typed = validation.typed_so_far(text, limit=100)
        return [] if typed is None else language_choices(typed, inter.locale)

    @set_.autocomplete("time_zone")
    async def zone_choices(self, inter: CommandInter, text: str) -> list[str]:
        """Time zones containing what the user typed (at most 25)."""
        typed = validation.typed_so_far(text, limit=64)
        return [] if typed is None else matching_zones(typed)

    @settings.sub_command(
        name=Localized("pack_add", key="cmd.settings.pack_add.name"),
        description=Localized(
            "Add (or replace) a custom question pack.", key="cmd.settings.pack_add.description"
        ),
    )
    async def pack_add(
        self,
        inter: CommandInter,
        file: disnake.Attachment = custom_packs.FILE_OPTION,
        licence: str | None = custom_packs.LICENSE_OPTION,
    ) -> None:
        if not await self._permitted(inter):
            return
        await custom_packs.add(self.ctx, inter, file, licence)

    @settings.sub_command(
        name=Localized("pack_remove", key="cmd.settings.pack_remove.name"),
        description=Localized(
            "Remove one of this server's custom packs.", key="cmd.settings.pack_remove.description"
        ),
    )
    async def pack_remove(
        self,
        inter: CommandInter,
        name: str = custom_packs.NAME_OPTION,
    ) -> None:
        if not await self._permitted(inter):
            return
        await custom_packs.remove(self.ctx, inter, name)

    @pack_remove.autocomplete("name")
    async def pack_choices(self, inter: CommandInter, text: str) -> list[str]:
        """This server's pack ids containing what the user typed (at most 25; none for others)."""
        return await custom_packs.matching(self.ctx, inter, text) if can_manage(inter) else []

    @settings.sub_command(
        name=Localized("packs", key="cmd.settings.packs.name"),
        description=Localized(
            "List this server's custom question packs.", key="cmd.settings.packs.description"
        ),
    )
    async def packs(self, inter: CommandInter) -> None:
        if not await self._admin(inter):
            return
        await custom_packs.show(self.ctx, inter)

    @settings.sub_command(
        name=Localized("reports", key="cmd.settings.reports.name"),
        description=Localized(
            "Questions players reported: hide them here or dismiss the reports.",
            key="cmd.settings.reports.description",
        ),
    )
    async def reports(self, inter: CommandInter) -> None:
        if not await self._admin(inter):
            return
        await show_reports(self.ctx, inter)

    @settings.sub_command_group(name=Localized("season", key="cmd.settings.season.name"))
    async def season(self, inter: CommandInter) -> None:
        """The /settings season group: start and end this server's season."""

    @season.sub_command(
        name=Localized("start", key="cmd.settings.season.start.name"),
        description=Localized(
            "Start a season with its own board.", key="cmd.settings.season.start.description"
        ),
    )
    async def season_start(self, inter: CommandInter, name: str = seasons.NAME_OPTION) -> None:
        if not await self._permitted(inter):
            return
        await seasons.start(self.ctx, inter, name)

    @season.sub_command(
        name=Localized("end", key="cmd.settings.season.end.name"),
        description=Localized(
            "End the season, keep its top 10 and announce the winners.",
            key="cmd.settings.season.end.description",
        ),
    )
    async def season_end(
        self, inter: CommandInter, announce_channel: disnake.TextChannel | None = seasons.ANNOUNCE_OPTION
    ) -> None:
        if not await self._permitted(inter):
            return
        await seasons.end(self.ctx, inter, announce_channel)

    @settings.sub_command(
        name=Localized("roles", key="cmd.settings.roles.name"),
        description=Localized(
            "Give a role at a level, or to a season's top 1 or 3.", key="cmd.settings.roles.description"
        ),
    )
    async def roles(
        self,
        inter: CommandInter,
        role: disnake.Role = role_rewards.ROLE_OPTION,
        level: int | None = role_rewards.LEVEL_OPTION,
        season_top: int | None = role_rewards.SEASON_TOP_OPTION,
        remove: bool | None = role_rewards.REMOVE_OPTION,
    ) -> None:
        if not await self._permitted(inter):
            return
        await role_rewards.configure(self.ctx, inter, role, level=level, season_top=season_top, remove=remove)

    async def _admin(self, inter: CommandInter) -> bool:
        """Refuse anyone without Manage Server; otherwise defer (the database comes next)."""
        if not await self._permitted(inter):
            return False
        await inter.response.defer(ephemeral=True)
        return True

    @staticmethod
    async def _permitted(inter: CommandInter) -> bool:
        """Manage Server, checked before any option is looked at; anyone else is refused privately."""
        if can_manage(inter):
            return True
        await refuse(inter, not_permitted())
        return False


def setup(bot: QuizBot) -> None:
    """Add the cog, with the context the bot was built with (a plain function, as disnake wants)."""
    bot.add_cog(AdminCog(bot.context))
