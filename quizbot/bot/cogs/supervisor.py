"""/supervisor status: the engine's health; this server's sessions for Manage Server, all for the owner."""

from __future__ import annotations

from disnake import Localized
from disnake.ext import commands

from quizbot.bot.bot import QuizBot
from quizbot.bot.cogs.admin import can_manage
from quizbot.bot.context import QuizContext, not_permitted, refuse, reply
from quizbot.bot.status import gather_status, status_embed
from quizbot.bot.types import CommandInter


class SupervisorCog(commands.Cog):
    """The supervisor's health, as `/supervisor status` shows it."""

    def __init__(self, context: QuizContext) -> None:
        self.ctx = context

    async def cog_slash_command_error(self, inter: CommandInter, error: Exception) -> None:
        await refuse(inter, getattr(error, "original", error))

    @commands.slash_command(
        name=Localized("supervisor", key="cmd.supervisor.name"),
        description=Localized("How the quiz engine is doing.", key="cmd.supervisor.description"),
    )
    async def supervisor(self, inter: CommandInter) -> None:
        """The /supervisor group (its subcommands do the work)."""

    @supervisor.sub_command(
        name=Localized("status", key="cmd.supervisor.status.name"),
        description=Localized(
            "Live sessions, mailboxes, restarts and snapshots.", key="cmd.supervisor.status.description"
        ),
    )
    async def status(self, inter: CommandInter) -> None:
        """Manage Server sees this server's sessions; the bot's owner sees the whole process."""
        await inter.response.defer(ephemeral=True)  # the owner check may ask Discord once
        everything = await inter.bot.is_owner(inter.author)
        if not everything and not can_manage(inter):
            await refuse(inter, not_permitted())
            return
        report = await gather_status(self.ctx, None if everything else inter.guild_id)
        embed = status_embed(
            report.status,
            everything=everything,
            invalid_requests=report.invalid_requests,
            reminders=report.reminders,
            role_failures=report.role_failures,
            flagged=report.flagged,
            locale=inter.locale,
        )
        await reply(inter, embed=embed)


def setup(bot: QuizBot) -> None:
    """Add the cog, with the context the bot was built with (a plain function, as disnake wants)."""
    bot.add_cog(SupervisorCog(bot.context))
