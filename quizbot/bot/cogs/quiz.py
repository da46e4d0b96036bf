"""/quiz: the alias of /study start and /study stop, kept for one release (its replies say so).

A study session is an ordinary session keyed (0, the user's DM channel): see studying.py.
"""

from __future__ import annotations

from disnake import Localized
from disnake.ext import commands

from quizbot.bot import validation
from quizbot.bot.bot import QuizBot
from quizbot.bot.catalogue import say
from quizbot.bot.context import QuizContext, refuse
from quizbot.bot.localized import choices
from quizbot.bot.starting import DIFFICULTIES
from quizbot.bot.studying import stop_study, study_now, topics_like
from quizbot.bot.types import CommandInter


class QuizCog(commands.Cog):
    """The old name of /study start and stop; it goes away in the next release."""

    def __init__(self, context: QuizContext) -> None:
        self.ctx = context

    async def cog_slash_command_error(self, inter: CommandInter, error: Exception) -> None:
        await refuse(inter, getattr(error, "original", error))

    @commands.slash_command(
        name=Localized("quiz", key="cmd.quiz.name"),
        description=Localized(
            "Old name of /study; it goes away in the next release.", key="cmd.quiz.description"
        ),
    )
    async def quiz(self, inter: CommandInter) -> None:
        """The /quiz group (its subcommands do the work)."""

    @quiz.sub_command(
        name=Localized("start", key="cmd.quiz.start.name"),
        description=Localized(
            "Old name of /study start: study in your DMs.", key="cmd.quiz.start.description"
        ),
    )
    async def start(
        self,
        inter: CommandInter,
        topic: str | None = commands.Param(
            None,
            name=Localized("topic", key="cmd.quiz.start.topic.name"),
            description=Localized("A bank category or any topic", key="cmd.quiz.start.topic.description"),
            max_length=100,
        ),
        difficulty: str = commands.Param(
            "medium",
            name=Localized("difficulty", key="cmd.quiz.start.difficulty.name"),
            description=Localized("How hard the questions are", key="cmd.quiz.start.difficulty.description"),
            choices=choices("cmd.quiz.start.difficulty", DIFFICULTIES),
        ),
        questions: int = commands.Param(
            10,
            name=Localized("questions", key="cmd.quiz.start.questions.name"),
            description=Localized("How many questions (1-20)", key="cmd.quiz.start.questions.description"),
            ge=1,
            le=20,
        ),
        seconds: int = commands.Param(
            30,
            name=Localized("timeout", key="cmd.quiz.start.timeout.name"),
            description=Localized("Seconds per question (5-120)", key="cmd.quiz.start.timeout.description"),
            ge=5,
            le=120,
        ),
    ) -> None:
        """The same study session as /study start (the difficulty is checked, but a study deck is
        chosen by what is due, not by difficulty); the reply says /quiz is now /study."""
        validation.choice("difficulty", difficulty, DIFFICULTIES)
        note = "\n" + say("study.quiz_alias_note", inter.locale)
        await study_now(self.ctx, inter, topic, questions, seconds, note=note)

    @quiz.sub_command(
        name=Localized("stop", key="cmd.quiz.stop.name"),
        description=Localized("Old name of /study stop.", key="cmd.quiz.stop.description"),
    )
    async def stop(self, inter: CommandInter) -> None:
        """Stop the author's own study session, as /study stop does."""
        await stop_study(self.ctx, inter)

    @start.autocomplete("topic")
    async def topic_choices(self, inter: CommandInter, text: str) -> list[str]:
        """Categories and packs that contain what the user typed (at most 25, Discord's limit)."""
        return await topics_like(self.ctx, inter.guild_id or 0, text)


def setup(bot: QuizBot) -> None:
    """Add the cog, with the context the bot was built with (a plain function, as disnake wants)."""
    bot.add_cog(QuizCog(bot.context))
