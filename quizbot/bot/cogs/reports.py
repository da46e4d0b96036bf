"""Question reports at the edge: a reveal's Report button, the form it opens, and /settings reports'
buttons (the command itself is the admin cog's).

A Report click opens the form only for a question still in play where it is clicked, that the
player has not reported, while the player is under the hour's limit; the submit is checked again
(its id, reason and note, the question, the limit) and thanked only once the report is stored.
None of this touches a game: a report is a row in `question_reports`, not a session message.
"""

from __future__ import annotations

from typing import Any

from disnake.ext import commands
from disnake.interactions.base import Interaction
from loguru import logger

from quizbot.bot import report_list
from quizbot.bot.bot import QuizBot
from quizbot.bot.catalogue import Problem, Refused, problem, say
from quizbot.bot.context import QuizContext, not_permitted, refuse, reply
from quizbot.bot.custom_ids import ButtonKind, ReportsAction, ReportsButton, parse_report, parse_reports
from quizbot.bot.report_form import report_form, submitted
from quizbot.bot.types import ButtonInter, ModalInter
from quizbot.storage import reports as storage
from quizbot.storage.reports import REPORTS_PER_HOUR, Filed

HIDDEN_FROM_LIST = "settings_reports"  # a hide's stored reason: made from /settings reports


class ReportsCog(commands.Cog):
    """Answers Report buttons, report forms and the report list's buttons; nothing else."""

    def __init__(self, context: QuizContext) -> None:
        self.ctx = context

    @commands.Cog.listener("on_button_click")
    async def on_button_click(self, inter: ButtonInter) -> None:
        """A Report button, or a /settings reports button; other ids are other cogs'."""
        custom_id = inter.component.custom_id
        if not isinstance(custom_id, str):
            return
        try:
            if custom_id.startswith(f"qb:{ButtonKind.REPORT.value}:"):
                await self._open_form(inter, custom_id)
            elif custom_id.startswith(f"qb:{ButtonKind.REPORTS.value}:"):
                await self._list_click(inter, custom_id)
        except Exception as error:  # a refusal, or anything else (refuse logs that one)
            await refuse(inter, error)

    @commands.Cog.listener("on_modal_submit")
    async def on_modal_submit(self, inter: ModalInter) -> None:
        """Every modal submit is a report form's (quizbot opens no other): checked, then stored."""
        try:
            await self._file(inter)
        except Exception as error:
            await refuse(inter, error)

    async def _open_form(self, inter: ButtonInter, custom_id: str) -> None:
        """Open the report form, unless the question is gone, already reported, or the player is at
        the hour's limit (a modal is the first answer, so these are read within Discord's window)."""
        identity = parse_report(custom_id)
        if identity is None:
            raise Refused(problem("button_retired"))
        if refusal := await self._refusal(inter, identity):
            raise Refused(refusal)
        await inter.response.send_modal(**report_form(identity, inter.locale))

    async def _refusal(self, inter: Interaction[Any], identity: str) -> Problem | None:
        """Why this player cannot report this question here now, if they cannot."""
        if await self.ctx.lookup.find(identity, inter.guild_id or 0) is None:
            return problem("report.question_gone")
        if await storage.has_reported(self.ctx.db, question_id=identity, user_id=inter.author.id):
            return problem("report.already")
        if await storage.is_rate_limited(self.ctx.db, user_id=inter.author.id, now=self.ctx.now()):
            return problem("report.rate_limited", count=REPORTS_PER_HOUR)
        return None

    async def _file(self, inter: ModalInter) -> None:
        """Store a submitted report (each check again, the database's last), then thank the player."""
        report = submitted(inter.custom_id, dict(inter.values))
        await inter.response.defer(ephemeral=True, with_message=True)
        guild_id = inter.guild_id or 0
        if await self.ctx.lookup.find(report.identity, guild_id) is None:
            raise Refused(problem("report.question_gone"))
        filed = await storage.file_report(
            self.ctx.db,
            question_id=report.identity,
            user_id=inter.author.id,
            guild_id=guild_id,
            reason=report.reason,
            note=report.note,
            now=self.ctx.now(),
        )
        if filed is Filed.ALREADY:
            raise Refused(problem("report.already"))
        if filed is Filed.RATE_LIMITED:
            raise Refused(problem("report.rate_limited", count=REPORTS_PER_HOUR))
        logger.bind(guild=guild_id, user=inter.author.id, question=report.identity).info(
            "a question was reported ({})", report.reason
        )
        await reply(inter, say("report.filed", inter.locale))

    async def _list_click(self, inter: ButtonInter, custom_id: str) -> None:
        """Hide, Dismiss or turn the page, by someone who has Manage Server here now; the list is
        edited in place, saying what was done once it is stored."""
        button = parse_reports(custom_id)
        if button is None:
            raise Refused(problem("button_retired"))
        permissions = getattr(inter, "permissions", None)
        if inter.guild_id is None or not (permissions and permissions.manage_guild):
            raise Refused(not_permitted())
        await inter.response.defer()  # an update of the list, once the database has answered
        done = await self._act(inter, inter.guild_id, button) if button.identity is not None else None
        shown = await report_list.load_page(self.ctx, inter.guild_id, button.page)
        await inter.edit_original_response(**report_list.reports_message(shown, inter.locale, done))

    async def _act(self, inter: ButtonInter, guild_id: int, button: ReportsButton) -> str:
        """Hide the question here or dismiss its reports; the line that says which, and to what."""
        identity = button.identity or ""
        texts = await report_list.question_texts(self.ctx, guild_id, [identity])
        named = report_list.question_named(texts.get(identity, (None, False))[0], identity)
        log = logger.bind(guild=guild_id, user=inter.author.id, question=identity)
        if button.action is ReportsAction.HIDE:
            hidden = await storage.hide_question(
                self.ctx.db,
                guild_id=guild_id,
                question_id=identity,
                hidden_by=inter.author.id,
                reason=HIDDEN_FROM_LIST,
            )
            log.info("a reported question was hidden in its server")
            return say("reports.hidden" if hidden else "reports.already_hidden", inter.locale, question=named)
        dismissed = await storage.dismiss_reports(self.ctx.db, guild_id=guild_id, question_id=identity)
        log.info("{} reports of a question were dismissed", dismissed)
        if not dismissed:
            return say("reports.nothing_to_dismiss", inter.locale, question=named)
        return say("reports.dismissed", inter.locale, count=dismissed, question=named)


def setup(bot: QuizBot) -> None:
    """Add the cog, with the context the bot was built with (a plain function, as disnake wants)."""
    bot.add_cog(ReportsCog(bot.context))
