"""/quiz: a private study quiz for one person, run in their DMs (start, stop).

A solo quiz is an ordinary session keyed (0, the user's DM channel): the trivia cog's button and
typed-answer listeners already serve it, and its scores are stored as guild 0's.
"""

from __future__ import annotations

import disnake
from disnake import Localized
from disnake.ext import commands

from quizbot.actors.messages import StopQuiz
from quizbot.bot.bot import QuizBot
from quizbot.bot.catalogue import problem, say
from quizbot.bot.context import NO_MENTIONS, QuizContext, refuse
from quizbot.bot.durable import change, confirm
from quizbot.bot.localized import choices
from quizbot.bot.starting import (
    DIFFICULTIES,
    begin,
    prepare_questions,
    quiz_options,
    sized_to,
    start_session,
    starting_embed,
)
from quizbot.bot.types import CommandInter
from quizbot.bot.validation import typed_so_far
from quizbot.errors import SessionExists
from quizbot.game.session import SessionConfig
from quizbot.i18n import resolve

SOLO_GUILD = 0  # solo quizzes live in DMs, which belong to no guild


class QuizCog(commands.Cog):
    """Solo study quizzes. Translates commands into session messages, like the trivia cog."""

    def __init__(self, context: QuizContext) -> None:
        self.ctx = context

    async def cog_slash_command_error(self, inter: CommandInter, error: Exception) -> None:
        await refuse(inter, getattr(error, "original", error))

    @commands.slash_command(
        name=Localized("quiz", key="cmd.quiz.name"),
        description=Localized("A private study quiz, just for you, in your DMs.", key="cmd.quiz.description"),
    )
    async def quiz(self, inter: CommandInter) -> None:
        """The /quiz group (its subcommands do the work)."""

    @quiz.sub_command(
        name=Localized("start", key="cmd.quiz.start.name"),
        description=Localized("Start a private study quiz in your DMs.", key="cmd.quiz.start.description"),
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
        """Check the options, open the DM, prepare the questions (before the session exists), start.

        Every answer to the interaction is private, in a server and in the DM alike; the intro is a
        message in the DM itself, which also tells us whether the player's DMs are open.
        """
        options = quiz_options(topic, difficulty, questions, seconds)
        config = SessionConfig(**options.chosen(), topic=options.topic or "general")
        in_dms = inter.guild_id is None
        await inter.response.defer(ephemeral=True)
        dm = await open_dm(inter)
        key = (SOLO_GUILD, dm.id)
        if key in self.ctx.directory:
            await refuse(inter, problem("solo_exists"))
            return
        with self.ctx.starting_in(key):
            language = resolve(inter.locale)  # a study quiz's generated questions: the player's language
            prepared = await prepare_questions(self.ctx, SOLO_GUILD, config, language=language)
            config = sized_to(config, prepared)
            locale = inter.locale  # a study quiz speaks its player's language, in the DM too
            title, hint = say("solo_starting", locale), say("solo_stop_hint", locale)
            intro = starting_embed(title, config, prepared, hint, locale=locale)
            if not in_dms:
                try:
                    await dm.send(embed=intro, allowed_mentions=NO_MENTIONS)  # are their DMs open?
                except disnake.Forbidden:
                    await refuse(inter, problem("dms_closed"))
                    return
            try:
                session = await start_session(self.ctx, key, inter.author.id, config, prepared)
            except SessionExists:
                await refuse(inter, problem("solo_exists"))
                return
        if in_dms:
            try:
                await dm.send(embed=intro, allowed_mentions=NO_MENTIONS)
            finally:
                begin(session)  # after the intro, whether or not it could be sent
        else:
            begin(session)
        note = say("solo_started_here" if in_dms else "solo_check_dms", inter.locale)
        await inter.edit_original_response(note, allowed_mentions=NO_MENTIONS)

    @quiz.sub_command(
        name=Localized("stop", key="cmd.quiz.stop.name"),
        description=Localized("Stop your study quiz.", key="cmd.quiz.stop.description"),
    )
    async def stop(self, inter: CommandInter) -> None:
        """Stop the author's own solo quiz, whether asked from a server or from the DM itself."""
        await inter.response.defer(ephemeral=True)
        dm = await open_dm(inter)
        session = self.ctx.directory.ref((SOLO_GUILD, dm.id))
        if session is None:
            await refuse(inter, problem("solo_not_found"))
            return
        done = await change(inter, session, StopQuiz(inter.author.id, False))
        await confirm(inter, done, "study_stopped")

    @start.autocomplete("topic")
    async def topic_choices(self, inter: CommandInter, text: str) -> list[str]:
        """Categories that contain what the user typed (at most 25, Discord's limit)."""
        typed = typed_so_far(text)
        return [] if typed is None else await self.ctx.categories_like(SOLO_GUILD, typed)


async def open_dm(inter: CommandInter) -> disnake.DMChannel:
    """The author's DM channel (cached once opened); Client.create_dm is Member.create_dm, typed."""
    channel: disnake.DMChannel = await inter.bot.create_dm(inter.author)
    return channel


def setup(bot: QuizBot) -> None:
    """Add the cog, with the context the bot was built with (a plain function, as disnake wants)."""
    bot.add_cog(QuizCog(bot.context))
