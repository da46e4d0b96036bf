"""The study buttons: a podium's "Review what I missed" and /study reset's Delete and Cancel.

Their ids carry what they act on (custom_ids.py): the game's run, or the user whose data a reset
deletes. Ids are parsed strictly; a forged or malformed one is refused privately and does nothing.
"""

from __future__ import annotations

from disnake.ext import commands

from quizbot.bot.bot import QuizBot
from quizbot.bot.catalogue import problem, say
from quizbot.bot.context import QuizContext, refuse, reply
from quizbot.bot.custom_ids import ButtonKind, is_study_button, parse_reset, parse_review
from quizbot.bot.study_deck import missed_deck
from quizbot.bot.studying import DEFAULT_SECONDS, start_study
from quizbot.bot.types import ButtonInter
from quizbot.storage import study as storage


class StudyButtons(commands.Cog):
    """Answers the study buttons; the trivia cog leaves their ids to this one."""

    def __init__(self, context: QuizContext) -> None:
        self.ctx = context

    @commands.Cog.listener("on_button_click")
    async def on_button_click(self, inter: ButtonInter) -> None:
        """Review what I missed, or a reset's Delete or Cancel; anything else is not ours."""
        custom_id = inter.component.custom_id
        if not isinstance(custom_id, str) or not is_study_button(custom_id):
            return
        try:
            if custom_id.startswith(f"qb:{ButtonKind.REVIEW.value}:"):
                await self._review(inter, custom_id)
            else:
                await self._reset(inter, custom_id)
        except Exception as error:  # a domain refusal, or anything else (refuse logs that one)
            await refuse(inter, error)

    async def _review(self, inter: ButtonInter, custom_id: str) -> None:
        """A study session of exactly the questions the presser missed in that game, in their DMs."""
        run_id = parse_review(custom_id)
        if run_id is None:
            await refuse(inter, problem("button_retired"))
            return
        await inter.response.defer(ephemeral=True, with_message=True)
        missed = await storage.missed_questions(self.ctx.db, run_id, inter.author.id)
        deck = await missed_deck(self.ctx.db, missed, guild_id=inter.guild_id or 0)
        if not deck.questions:
            await reply(inter, say("study.missed_nothing", inter.locale))
            return
        await start_study(self.ctx, inter, deck, DEFAULT_SECONDS, topic=None)  # /study start's time

    async def _reset(self, inter: ButtonInter, custom_id: str) -> None:
        """Delete the presser's study data, if the button is theirs and they confirmed."""
        button = parse_reset(custom_id)
        if button is None:
            await refuse(inter, problem("button_retired"))
            return
        if button.user_id != inter.author.id:
            await refuse(inter, problem("study.reset_not_yours"))
            return
        if not button.confirm:
            await reply(inter, say("study.reset_cancelled", inter.locale))
            return
        await inter.response.defer(ephemeral=True, with_message=True)
        removed = await storage.reset_study(self.ctx.db, inter.author.id)
        cards = problem("study.cards", count=removed.cards)
        reviews = problem("study.review_count", count=removed.reviews)
        await reply(inter, say("study.reset_done", inter.locale, cards=cards, reviews=reviews))


def setup(bot: QuizBot) -> None:
    """Add the cog, with the context the bot was built with (a plain function, as disnake wants)."""
    bot.add_cog(StudyButtons(bot.context))
