"""Starting a quiz, shared by /trivia and /quiz: choose its questions, start it, announce it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

import disnake
from loguru import logger

from quizbot.actors.base import ActorRef
from quizbot.actors.messages import StartQuiz, StartSession
from quizbot.bot import validation
from quizbot.bot.catalogue import fallback_notice, problem, say, sources_listed
from quizbot.bot.context import QuizContext
from quizbot.bot.render import BLURPLE, Rendered, checked
from quizbot.errors import GenerationFailed, QuizbotError
from quizbot.game.session import AnswerMode, SessionConfig
from quizbot.i18n import DEFAULT, LocaleLike
from quizbot.questions.sources import PreparedQuestions, QuestionRequest

START_TIMEOUT = 10.0  # preparing may wait on an LLM; the reply was deferred first
DIFFICULTIES = ["easy", "medium", "hard"]
TOPIC_LIMIT = 100  # also what the LLM prompt accepts


@dataclass(frozen=True, slots=True)
class QuizOptions:
    """The options /trivia start and /quiz start share, checked; None for each one left out."""

    topic: str | None
    difficulty: str | None
    questions: int | None
    seconds: int | None

    def chosen(self) -> dict[str, Any]:
        """The SessionConfig fields the player chose (the rest come from defaults)."""
        fields = {
            "question_count": self.questions,
            "question_timeout": self.seconds,
            "difficulty": self.difficulty,
        }
        return {name: value for name, value in fields.items() if value is not None}


def quiz_options(topic: object, difficulty: object, questions: object, seconds: object) -> QuizOptions:
    """Check the shared quiz options through the validator, as sent; Refused names the first bad one."""
    return QuizOptions(
        topic=validation.text("topic", topic, limit=TOPIC_LIMIT),
        difficulty=validation.choice("difficulty", difficulty, DIFFICULTIES),
        questions=validation.whole_number("questions", questions, 1, 20, key="invalid_count"),
        seconds=validation.whole_number("timeout", seconds, 5, 120, key="invalid_timeout"),
    )


async def prepare_questions(
    ctx: QuizContext,
    guild_id: int,
    config: SessionConfig,
    provider: str | None = None,
    *,
    language: str = DEFAULT,
) -> PreparedQuestions:
    """The quiz's questions: a bank category when the topic names one, else the providers.

    `provider="bank"` keeps to the offline bank; any other provider is tried first, the bank
    being every chain's fallback. Done before the session exists, so a slow provider blocks nobody.
    Generated questions are written in `language` (the channel's), and the bank prefers a
    server's own packs in it; the shipped bank is English.
    """
    bank = await ctx.custom.bank_for(guild_id)
    topic = None if config.topic == "general" else config.topic
    category = topic.lower() if topic and topic.lower() in bank.categories else None
    request = QuestionRequest(
        guild_id=guild_id,
        difficulty=config.difficulty,
        count=config.question_count,
        topic=None if category else topic,
        category=category,
        provider=None if provider == "bank" else provider,
        buttons=config.mode is AnswerMode.BUTTONS,
        language=language,
    )
    source = ctx.bank_questions if provider == "bank" else ctx.questions
    return await source.prepare(request)


async def quiz_language(ctx: QuizContext, key: tuple[int, int]) -> str:
    """The language a quiz in channel `key` is asked in: the channel's (read from storage if need be)."""
    if ctx.languages is None:
        return DEFAULT
    await ctx.languages.ready(key[0])
    return ctx.languages.of(key)


def sized_to(config: SessionConfig, prepared: PreparedQuestions) -> SessionConfig:
    """The config for the questions actually prepared: a provider that wrote fewer, with the bank
    unable to fill in, makes a shorter quiz (its notice says so); none at all is GenerationFailed."""
    if not prepared.questions:
        raise GenerationFailed(f"no questions could be prepared about {config.topic!r}")
    if len(prepared.questions) == config.question_count:
        return config
    return replace(config, question_count=len(prepared.questions))


async def start_session(
    ctx: QuizContext,
    key: tuple[int, int],
    host_id: int,
    config: SessionConfig,
    prepared: PreparedQuestions,
    *,
    idle_timeout: float | None = None,
    run_id: UUID | None = None,
) -> ActorRef[Any]:
    """Ask the supervisor to make the session (SessionExists if another won the race); it waits for
    `begin`, so the quiz's announcement comes before its first question. `run_id`: the caller's own."""
    start = StartSession(
        key[0],
        key[1],
        host_id,
        config,
        prepared.questions,
        idle_timeout=idle_timeout,
        begin=False,
        run_id=run_id,
    )
    session: ActorRef[Any] = await ctx.supervisor_ref.ask(start, timeout=START_TIMEOUT)
    if ctx.screens is not None:  # a screen of the channel's last game does not show this one
        ctx.screens.release(key)
    return session


def begin(session: ActorRef[Any]) -> None:
    """Open the quiz's first question, once its announcement is queued or sent."""
    try:
        session.tell(StartQuiz())
    except QuizbotError as error:  # stopping already: the idle sweep or the shutdown tidies it up
        logger.warning("a new quiz could not begin: {}", error)


def announce(
    ctx: QuizContext, key: tuple[int, int], embed: disnake.Embed | Callable[[str], disnake.Embed]
) -> None:
    """Tell the channel a quiz has started, once its session runs: a channel message, not the
    interaction's response (which stays private to the host).

    Queued in the channel's outbox like the session's own messages, so it is paced, retried and
    never dropped; it pings no one. The session begins after it (see `begin`), so it comes first.
    Given as a function of a locale (`lambda locale: starting_embed(..., locale=locale)`), it is
    worded in the channel's language when sent, like the session's own messages."""
    if isinstance(embed, disnake.Embed):
        embed.check_limits()
        ctx.outbox.post(key, Rendered(embed=embed))
        return
    word = embed
    ctx.outbox.post(key, lambda locale: checked(Rendered(embed=word(locale))))


def starting_embed(
    title: str,
    config: SessionConfig,
    prepared: PreparedQuestions,
    more: str = "",
    *,
    locale: LocaleLike = DEFAULT,
) -> disnake.Embed:
    """The announcement, in `locale`: how many questions, how hard, from where, and any fallback notice."""
    difficulty = problem(f"reply.difficulty_{config.difficulty.value}")
    seconds = problem("reply.seconds", count=config.question_timeout)
    size = say(
        "reply.quiz_size",
        locale,
        count=config.question_count,
        difficulty=difficulty,
        source=sources_listed(prepared.labels),
        seconds=seconds,
    )
    embed = disnake.Embed(title=title, description=f"{size}{more}", colour=BLURPLE)
    if prepared.fallback is not None:
        notice = fallback_notice(prepared.fallback, locale).text[:1024]
        embed.add_field(say("reply.note", locale), notice, inline=False)
    return embed
