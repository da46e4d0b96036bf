"""/trivia: start, stop, skip, hint, scores, packs, providers; answer buttons; typed answers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import disnake
from babel import Locale
from disnake import Localized
from disnake.ext import commands

from quizbot import i18n
from quizbot.actors.messages import (
    BalanceTeams,
    Describe,
    JoinTeam,
    RequestHint,
    ResumeQuiz,
    SessionInfo,
    SkipQuestion,
    StartNow,
    StopQuiz,
    SubmitAnswer,
)
from quizbot.bot import live_screen, validation
from quizbot.bot.bot import QuizBot
from quizbot.bot.catalogue import Listed, problem, say
from quizbot.bot.context import (
    ASK_TIMEOUT,
    NO_MENTIONS,
    QuizContext,
    is_moderator,
    refuse,
    reply,
    session_key,
)
from quizbot.bot.custom_ids import ButtonKind, is_report_button, is_study_button, parse
from quizbot.bot.durable import change, confirm
from quizbot.bot.localized import choices
from quizbot.bot.pack_credits import credit
from quizbot.bot.render import LETTERS
from quizbot.bot.scheduling import ADD_COMMAND, GROUP, LIST_COMMAND, REMOVE_COMMAND, ScheduleCommands
from quizbot.bot.starting import (
    DIFFICULTIES,
    announce,
    begin,
    prepare_questions,
    quiz_language,
    quiz_options,
    sized_to,
    start_session,
    starting_embed,
)
from quizbot.bot.teams_view import team_name, team_table
from quizbot.bot.types import ButtonInter, CommandInter
from quizbot.errors import QuizbotError, SessionExists
from quizbot.game.languages import language_code
from quizbot.game.questions import Question
from quizbot.game.session import AnswerMode, AnswerOutcome, SessionConfig
from quizbot.game.teams import MAX_TEAMS, MIN_TEAMS
from quizbot.i18n import LocaleLike
from quizbot.i18n.languages import babel_name
from quizbot.storage.guilds import guild_settings
from quizbot.storage.stats import member_levels

MODES = ["buttons", "typed"]
PROVIDERS = ["bank", "openai", "anthropic", "google"]
TEAM_REPLIES = {"joined": "team_joined", "switched": "team_switched", "already": "team_already"}


class TriviaCog(commands.Cog):
    """Group trivia in a channel. Translates commands and clicks into session messages."""

    def __init__(self, context: QuizContext) -> None:
        self.ctx = context

    async def cog_slash_command_error(self, inter: CommandInter, error: Exception) -> None:
        await refuse(inter, getattr(error, "original", error))

    @commands.slash_command(
        name=Localized("trivia", key="cmd.trivia.name"),
        description=Localized("Group trivia in this channel.", key="cmd.trivia.description"),
    )
    async def trivia(self, inter: CommandInter) -> None:
        """The /trivia group (its subcommands do the work)."""

    @trivia.sub_command(
        name=Localized("start", key="cmd.trivia.start.name"),
        description=Localized("Start a trivia quiz in this channel.", key="cmd.trivia.start.description"),
    )
    async def start(  # noqa: PLR0917 - a slash command's options are its parameters
        self,
        inter: CommandInter,
        topic: str | None = commands.Param(
            None,
            name=Localized("topic", key="cmd.trivia.start.topic.name"),
            description=Localized("A bank category or any topic", key="cmd.trivia.start.topic.description"),
            max_length=100,
        ),
        difficulty: str | None = commands.Param(
            None,
            name=Localized("difficulty", key="cmd.trivia.start.difficulty.name"),
            description=Localized(
                "How hard the questions are", key="cmd.trivia.start.difficulty.description"
            ),
            choices=choices("cmd.trivia.start.difficulty", DIFFICULTIES),
        ),
        questions: int | None = commands.Param(
            None,
            name=Localized("questions", key="cmd.trivia.start.questions.name"),
            description=Localized("How many questions (1-20)", key="cmd.trivia.start.questions.description"),
        ),
        seconds: int | None = commands.Param(
            None,
            name=Localized("timeout", key="cmd.trivia.start.timeout.name"),
            description=Localized("Seconds per question (5-120)", key="cmd.trivia.start.timeout.description"),
        ),
        provider: str | None = commands.Param(
            None,
            name=Localized("provider", key="cmd.trivia.start.provider.name"),
            description=Localized("Where questions come from", key="cmd.trivia.start.provider.description"),
            choices=choices("cmd.trivia.start.provider", PROVIDERS),
        ),
        mode: str | None = commands.Param(
            None,
            name=Localized("mode", key="cmd.trivia.start.mode.name"),
            description=Localized(
                "Answer with buttons or by typing", key="cmd.trivia.start.mode.description"
            ),
            choices=choices("cmd.trivia.start.mode", MODES),
        ),
        single_answer: bool = commands.Param(
            False,
            name=Localized("single_answer", key="cmd.trivia.start.single_answer.name"),
            description=Localized(
                "The first correct answer closes the question",
                key="cmd.trivia.start.single_answer.description",
            ),
        ),
        teams: int | None = commands.Param(
            None,
            name=Localized("teams", key="cmd.trivia.start.teams.name"),
            description=Localized(
                "Play in 2 to 4 teams (a lobby opens first)", key="cmd.trivia.start.teams.description"
            ),
        ),
        screen: bool = commands.Param(
            False,
            name=Localized("screen", key="cmd.trivia.start.screen.name"),
            description=Localized(
                "Show the quiz on a live web page for a classroom screen (you get the link privately)",
                key="cmd.trivia.start.screen.description",
            ),
        ),
    ) -> None:
        """Check everything, prepare the questions (before the session exists), start, then announce.

        Nothing is public until the quiz has really started: bad options, a busy channel, a start
        already under way, the slow preparation and a lost start race are all answered privately.
        Options left out take the server's defaults from /settings. With `teams`, the game opens
        a lobby (its first message) where players pick their teams. With `screen`, the host alone
        gets the link to a live web page of the game (bot/live_screen.py).
        """
        key = session_key(inter)
        options = quiz_options(topic, difficulty, questions, seconds)
        source = validation.choice("provider", provider, PROVIDERS)
        answer_mode = validation.choice("mode", mode, MODES)
        single = bool(validation.flag("single_answer", single_answer))
        team_count = validation.whole_number("teams", teams, MIN_TEAMS, MAX_TEAMS)
        with_screen = live_screen.wanted(self.ctx, screen)
        chosen = options.chosen() | ({"mode": answer_mode} if answer_mode else {})
        chosen |= {"teams": team_count} if team_count else {}
        SessionConfig(**chosen)  # whatever the core refuses, it refuses now, before any reply
        if key in self.ctx.directory:
            raise SessionExists("a quiz is already running here")
        with self.ctx.starting_in(key):  # of simultaneous starts here, one goes on; the rest hear why
            await reply(inter, say("preparing", inter.locale))
            defaults = await guild_settings(self.ctx.db, key[0])
            server_defaults: dict[str, Any] = {
                "question_count": defaults.default_questions,
                "question_timeout": defaults.default_timeout,
                "difficulty": defaults.default_difficulty,
                "mode": AnswerMode.TYPED if defaults.typed_answers else AnswerMode.BUTTONS,
            }
            config = SessionConfig(
                **(server_defaults | chosen), single_answer=single, topic=options.topic or "general"
            )
            language = await quiz_language(self.ctx, key)  # generated questions are written in it
            prepared = await prepare_questions(self.ctx, key[0], config, source, language=language)
            config = sized_to(config, prepared)
            idle = float(defaults.idle_timeout)
            link = await live_screen.open_screen(self.ctx, key, inter.author.id) if with_screen else None
            run_id = link.run_id if link is not None else None
            session = await start_session(
                self.ctx, key, inter.author.id, config, prepared, idle_timeout=idle, run_id=run_id
            )
        live_screen.follow(self.ctx, link)
        host = inter.author.display_name

        def worded(locale: str) -> disnake.Embed:  # in the channel's language, when it is sent
            embed = starting_embed(say("trivia_starting", locale), config, prepared, locale=locale)
            embed.set_footer(text=say("hosted_by", locale, name=host))
            return embed

        announce(self.ctx, key, worded)
        begin(session)
        await inter.edit_original_response(
            content=say("quiz_started", inter.locale), allowed_mentions=NO_MENTIONS
        )
        await live_screen.tell_host(inter, self.ctx, link)

    @trivia.sub_command(
        name=Localized("stop", key="cmd.trivia.stop.name"),
        description=Localized("Stop the quiz (host or moderator).", key="cmd.trivia.stop.description"),
    )
    async def stop(self, inter: CommandInter) -> None:
        await self._change(inter, StopQuiz(inter.author.id, is_moderator(inter)), "quiz_stopped")

    @trivia.sub_command(
        name=Localized("skip", key="cmd.trivia.skip.name"),
        description=Localized("Skip to the answer (host or moderator).", key="cmd.trivia.skip.description"),
    )
    async def skip(self, inter: CommandInter) -> None:
        await self._change(inter, SkipQuestion(inter.author.id, is_moderator(inter)), "question_skipped")

    @trivia.sub_command(
        name=Localized("hint", key="cmd.trivia.hint.name"),
        description=Localized(
            "Show a hint; the question is then worth less.", key="cmd.trivia.hint.description"
        ),
    )
    async def hint(self, inter: CommandInter) -> None:
        await self._change(inter, RequestHint(inter.author.id), "hint_posted")

    @trivia.sub_command(
        name=Localized("scores", key="cmd.trivia.scores.name"),
        description=Localized("The scores so far.", key="cmd.trivia.scores.description"),
    )
    async def scores(self, inter: CommandInter) -> None:
        info: SessionInfo = await self._ask(inter, Describe())
        lines = [f"`{n + 1:>2}.` {s.name} — **{s.points}**" for n, s in enumerate(info.standings[:20])]
        title = say("reply.scores_title", inter.locale, number=info.index + 1, total=info.total)
        shown = "\n".join(lines) or say("reply.no_scores", inter.locale)
        if info.teams:  # a team game: the teams' scores first
            shown = f"{team_table(info.teams, inter.locale)}\n\n{shown}"
        await reply(inter, embed=disnake.Embed(title=title, description=shown))

    @trivia.sub_command(
        name=Localized("packs", key="cmd.trivia.packs.name"),
        description=Localized(
            "The question categories this server can use.", key="cmd.trivia.packs.description"
        ),
    )
    async def packs(self, inter: CommandInter) -> None:
        """The bank's categories and this server's packs, with how many questions each holds and the
        language they are in, under a line saying the shipped bank is English; a server's pack with
        where its questions came from, their licence and the attribution that licence asks for."""
        guild_id = session_key(inter)[0]
        bank = await self.ctx.custom.bank_for(guild_id)
        credits = {stored.pack_id: stored.provenance for stored in await self.ctx.custom.stored(guild_id)}
        locale = inter.locale
        lines = [say("questions.bank_is_english", locale), ""]
        for category in bank.categories:
            questions = bank.by_category[category]
            line = say("reply.pack_line", locale, name=category, count=len(questions))
            lines.append(
                say("questions.pack_language", locale, line=line, language=languages(questions, locale))
            )
            if category in credits:
                lines.append(credit(credits[category], locale))
        embed = disnake.Embed(title=say("packs_title", locale), description="\n".join(lines)[:4000])
        await reply(inter, embed=embed)

    @trivia.sub_command(
        name=Localized("providers", key="cmd.trivia.providers.name"),
        description=Localized(
            "Where generated questions can come from.", key="cmd.trivia.providers.description"
        ),
    )
    async def providers(self, inter: CommandInter) -> None:
        """Which LLM providers have keys; the offline bank always works."""
        ready = Listed(self.ctx.providers) if self.ctx.providers else problem("no_providers")
        await reply(inter, say("providers", inter.locale, ready=ready))

    # /trivia schedule: declared here (disnake keeps subcommands in their cog), done in scheduling.py
    schedule = trivia.sub_command_group(**GROUP)(ScheduleCommands.group)
    schedule_add = schedule.sub_command(**ADD_COMMAND)(ScheduleCommands.add)
    schedule_list = schedule.sub_command(**LIST_COMMAND)(ScheduleCommands.list_schedules)
    schedule_remove = schedule.sub_command(**REMOVE_COMMAND)(ScheduleCommands.remove)
    schedule_add.autocomplete("days")(ScheduleCommands.days_typed)

    @start.autocomplete("topic")
    async def topic_choices(self, inter: CommandInter, text: str) -> list[str]:
        """Categories that contain what the user typed (at most 25, Discord's limit)."""
        typed = validation.typed_so_far(text)
        return [] if typed is None else await self.ctx.categories_like(session_key(inter)[0], typed)

    # --- buttons and typed answers -----------------------------------------------------------

    @commands.Cog.listener("on_button_click")
    async def on_button_click(self, inter: ButtonInter) -> None:
        """Answer and recovery buttons; stale or forged ids get a polite refusal and change nothing."""
        custom_id = inter.component.custom_id
        if isinstance(custom_id, str) and (is_study_button(custom_id) or is_report_button(custom_id)):
            return  # the study buttons' and the reports' own cogs answer those
        button = parse(custom_id) if isinstance(custom_id, str) else None
        if button is None:  # not ours, garbage or an old format: still answered, privately
            await refuse(inter, problem("button_retired"))
            return
        entry = self.ctx.directory.get(button.key)
        if entry is None or entry.epoch != button.epoch or button.key != session_key(inter):
            await refuse(inter, problem("stale_button"))
            return
        try:
            if button.kind is ButtonKind.ANSWER:
                message = SubmitAnswer(
                    inter.author.id, inter.author.display_name, button.index, int(button.value)
                )
                done = await change(inter, entry.ref, message)
                said = "answer_changed" if done.result is AnswerOutcome.CHANGED else "answer_taken"
                await confirm(inter, done, said, letter=LETTERS[int(button.value)])
                return
            if button.kind is ButtonKind.TEAM:
                await self._team(inter, entry.ref, button.value)
                return
            await self._recover(inter, entry.ref, button.value)
        except QuizbotError as error:
            await refuse(inter, error)

    async def _team(self, inter: ButtonInter, ref: Any, choice: str) -> None:
        """A lobby button: join team `choice` (from 1), Balance the joined players by their levels
        (read here, carried by the message), or Start (the host's)."""
        if choice == "start":
            done = await change(inter, ref, StartNow(inter.author.id, is_moderator(inter)))
            await confirm(inter, done, "team_game_started")
            return
        if choice == "balance":
            await inter.response.defer(with_message=True, ephemeral=True)  # a read before the change
            info: SessionInfo = await ref.ask(Describe(), timeout=ASK_TIMEOUT)
            levels = await member_levels(self.ctx.db, session_key(inter)[0], info.team_members)
            done = await change(inter, ref, BalanceTeams(inter.author.id, tuple(sorted(levels.items()))))
            await confirm(inter, done, "teams_balanced")
            return
        team = int(choice) - 1
        done = await change(inter, ref, JoinTeam(inter.author.id, inter.author.display_name, team))
        await confirm(inter, done, TEAM_REPLIES[str(done.result)], team=team_name(team, inter.locale))

    async def _recover(self, inter: ButtonInter, ref: Any, choice: str) -> None:
        moderator = is_moderator(inter)
        if choice == "continue":
            done = await change(inter, ref, ResumeQuiz(inter.author.id, moderator))
            await confirm(inter, done, "quiz_resumed")
            return
        done = await change(inter, ref, StopQuiz(inter.author.id, moderator))
        await confirm(inter, done, "recovery_new" if choice == "new" else "recovery_closed")

    @commands.Cog.listener("on_message")
    async def on_message(self, message: disnake.Message) -> None:
        """A message in a channel with a typed-answer quiz is an answer to the open question."""
        if message.author.bot or not message.content:
            return
        key = (message.guild.id if message.guild else 0, message.channel.id)
        entry = self.ctx.directory.get(key)
        if entry is None or not entry.typed:
            return
        name = getattr(message.author, "display_name", message.author.name)
        try:
            entry.ref.tell(SubmitAnswer(message.author.id, name, None, message.content[:200]))
        except QuizbotError:  # the quiz is stopping or swamped: a chat line is not worth more
            return

    async def _ask(self, inter: CommandInter, message: object) -> Any:
        return await self.ctx.session(session_key(inter)).ask(message, timeout=ASK_TIMEOUT)

    async def _change(self, inter: CommandInter, message: object, said: str) -> None:
        """Ask the channel's session for a change; say `said` once it is saved (or that it is not yet)."""
        done = await change(inter, self.ctx.session(session_key(inter)), message)
        await confirm(inter, done, said)


def languages(questions: Iterable[Question], locale: LocaleLike) -> Listed:
    """The languages `questions` are written in, each named in the reader's `locale` ("English")."""
    reader = Locale.parse(babel_name(i18n.resolve(locale)))
    codes = sorted({language_code(question.language) for question in questions})
    return Listed(tuple(Locale.parse(code).get_display_name(reader) or code for code in codes))


def setup(bot: QuizBot) -> None:
    """Add the cog, with the context the bot was built with (a plain function, as disnake wants)."""
    bot.add_cog(TriviaCog(bot.context))
