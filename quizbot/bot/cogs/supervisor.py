"""/supervisor status: the engine's health; this server's sessions for Manage Server, all for the owner."""

from __future__ import annotations

from dataclasses import replace

from disnake import Localized
from disnake.ext import commands

from quizbot.actors.messages import GetStatus
from quizbot.actors.status import SupervisorStatus
from quizbot.bot.bot import QuizBot
from quizbot.bot.cogs.admin import can_manage
from quizbot.bot.context import ASK_TIMEOUT, QuizContext, not_permitted, refuse, reply
from quizbot.bot.status import status_embed
from quizbot.bot.types import CommandInter
from quizbot.storage.reports import count_flagged
from quizbot.storage.roles import failed_grants


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
        status: SupervisorStatus = await self.ctx.supervisor_ref.ask(GetStatus(), timeout=ASK_TIMEOUT)
        if not everything:
            mine = tuple(s for s in status.sessions if s.key[0] == inter.guild_id)
            status = replace(status, sessions=mine)
        invalid = self.ctx.outbox.invalid_requests()
        reminders = self.ctx.reminders.figures() if self.ctx.reminders is not None else None
        failures = await failed_grants(self.ctx.db, None if everything else inter.guild_id)
        flagged = await count_flagged(self.ctx.db) if everything else 0  # the owner's to look at
        embed = status_embed(
            status,
            everything=everything,
            invalid_requests=invalid,
            reminders=reminders,
            role_failures=failures,
            flagged=flagged,
            locale=inter.locale,
        )
        await reply(inter, embed=embed)


def setup(bot: QuizBot) -> None:
    """Add the cog, with the context the bot was built with (a plain function, as disnake wants)."""
    bot.add_cog(SupervisorCog(bot.context))
