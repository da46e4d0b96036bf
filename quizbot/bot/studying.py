"""Running a study session in a player's DMs, for /study start, the /quiz alias and the podium's
"Review what I missed" button alike: the options checked, the deck chosen, the session started.

A study session is an ordinary solo session keyed (0, the player's DM channel): snapshotted,
respawned and recovered like any other; the trivia cog's button and typed-answer listeners serve
it. Its one player's answer closes each question (close_on_answer), and every reveal shows the
question's explanation.
"""

from __future__ import annotations

from typing import Any

import disnake
from disnake.interactions.base import Interaction

from quizbot.actors.messages import StopQuiz
from quizbot.bot import validation
from quizbot.bot.catalogue import problem, say
from quizbot.bot.context import NO_MENTIONS, QuizContext, refuse
from quizbot.bot.durable import change, confirm
from quizbot.bot.render import BLURPLE
from quizbot.bot.settings_view import MAX_CHOICES
from quizbot.bot.starting import TOPIC_LIMIT, begin, start_session
from quizbot.bot.study_deck import Deck, study_deck, topic_names, topic_questions
from quizbot.errors import SessionExists
from quizbot.game.session import MAX_QUESTIONS, SessionConfig
from quizbot.i18n import LocaleLike
from quizbot.questions.sources import PreparedQuestions
from quizbot.storage.guilds import guild_settings
from quizbot.storage.study import next_due

SOLO_GUILD = 0  # study sessions live in DMs, which belong to no guild
DEFAULT_QUESTIONS, DEFAULT_SECONDS = 10, 30  # /study start's defaults
STUDY_TOPIC = "study"  # a session's topic when the player named none


async def server_zone(ctx: QuizContext, inter: Interaction[Any]) -> str | None:
    """The time zone of the server the player asked in (their own /study timezone comes first, in
    storage); None in DMs, where UTC applies."""
    if inter.guild_id is None:
        return None
    return (await guild_settings(ctx.db, inter.guild_id)).time_zone


async def open_dm(inter: Interaction[Any]) -> disnake.DMChannel:
    """The author's DM channel (cached once opened); Client.create_dm is Member.create_dm, typed."""
    channel: disnake.DMChannel = await inter.bot.create_dm(inter.author)
    return channel


def deck_embed(deck: Deck, seconds: int, locale: LocaleLike) -> disnake.Embed:
    """The session's intro, in `locale`: how many reviews and new questions, and the time for each."""
    size = say(
        "study.deck",
        locale,
        reviews=problem("study.reviews", count=deck.reviews),
        new=problem("study.new", count=deck.new),
        seconds=problem("reply.seconds", count=seconds),
    )
    description = f"{size}{say('solo_stop_hint', locale)}"
    return disnake.Embed(title=say("solo_starting", locale), description=description, colour=BLURPLE)


async def start_study(
    ctx: QuizContext, inter: Interaction[Any], deck: Deck, seconds: int, *, topic: str | None, note: str = ""
) -> None:
    """Start `deck` as the author's study session in their DMs and say so privately (`note` after).

    The interaction was deferred privately. A session already running, or closed DMs, are refused
    privately and start nothing; the intro is a message in the DM itself."""
    in_dms = inter.guild_id is None
    dm = await open_dm(inter)
    key = (SOLO_GUILD, dm.id)
    if key in ctx.directory:
        await refuse(inter, problem("solo_exists"))
        return
    if ctx.languages is not None:  # the DM speaks its player's language
        ctx.languages.saw(inter.author.id, inter.locale)
    questions = deck.questions[:MAX_QUESTIONS]
    config = SessionConfig(
        question_count=len(questions),
        question_timeout=seconds,
        mode=deck.mode,
        close_on_answer=True,
        topic=topic or STUDY_TOPIC,
    )
    intro = deck_embed(deck, seconds, inter.locale)
    with ctx.starting_in(key):
        if not in_dms:
            try:
                await dm.send(embed=intro, allowed_mentions=NO_MENTIONS)  # are their DMs open?
            except disnake.Forbidden:
                await refuse(inter, problem("dms_closed"))
                return
        try:
            session = await start_session(ctx, key, inter.author.id, config, PreparedQuestions(questions))
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
    said = say("solo_started_here" if in_dms else "solo_check_dms", inter.locale)
    await inter.edit_original_response(f"{said}{note}", allowed_mentions=NO_MENTIONS)


async def stop_study(ctx: QuizContext, inter: Interaction[Any]) -> None:
    """Stop the author's own study session, asked from a server or from the DM itself."""
    await inter.response.defer(ephemeral=True)
    dm = await open_dm(inter)
    session = ctx.directory.ref((SOLO_GUILD, dm.id))
    if session is None:
        await refuse(inter, problem("solo_not_found"))
        return
    done = await change(inter, session, StopQuiz(inter.author.id, False))
    await confirm(inter, done, "study_stopped")


async def topics_like(ctx: QuizContext, guild_id: int, text: object) -> list[str]:
    """The categories and packs /study start's topic can name that contain `text` (at most 25)."""
    typed = validation.typed_so_far(text)
    if typed is None:
        return []
    wanted = typed.strip().casefold()
    names = topic_names(await ctx.custom.bank_for(guild_id))
    return [name for name in names if wanted in name.casefold()][:MAX_CHOICES]


async def study_now(
    ctx: QuizContext,
    inter: Interaction[Any],
    topic: object,
    questions: object,
    seconds: object,
    *,
    note: str = "",
) -> None:
    """Check the options, choose the deck, and start it in the player's DMs (`start_study`).

    Refused privately: a topic that names no category or pack; nothing to study now (no cards
    due and no new-card room left today), with when the next card is due."""
    named = validation.text("topic", topic, limit=TOPIC_LIMIT)
    count = validation.whole_number("questions", questions, 1, 20, key="invalid_count")
    timeout = validation.whole_number("timeout", seconds, 5, 120, key="invalid_timeout")
    await inter.response.defer(ephemeral=True)
    pool = topic_questions(await ctx.custom.bank_for(inter.guild_id or 0), named)
    if pool is None:
        await refuse(inter, problem("study.unknown_topic"))
        return
    zone = await server_zone(ctx, inter)
    deck = await study_deck(
        ctx.db,
        inter.author.id,
        ctx.now(),
        pool,
        count=count or DEFAULT_QUESTIONS,
        server_zone=zone,
        guild_id=inter.guild_id or 0,
    )
    if not deck.questions:
        due = await next_due(ctx.db, inter.author.id)
        found = problem("study.nothing_now")
        if due is not None:
            found = problem("study.nothing_until", when=disnake.utils.format_dt(due, "R"))
        await refuse(inter, found)
        return
    await start_study(ctx, inter, deck, timeout or DEFAULT_SECONDS, topic=named, note=note)
