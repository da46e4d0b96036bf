"""What the cogs share: the session directory, the supervisor's ref, question sources and storage.

Cogs only translate: a command or click becomes one message to an actor (or one storage call),
and the result or the error becomes a reply from the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

import disnake
from disnake import OptionType
from disnake.enums import InteractionResponseType
from disnake.interactions.application_command import ApplicationCommandInteraction
from disnake.interactions.base import Interaction
from loguru import logger

from quizbot import i18n
from quizbot.actors.base import ActorRef
from quizbot.actors.directory import Directory
from quizbot.bot.catalogue import Listed, Problem, Refused, problem, problem_for, say
from quizbot.bot.channel_language import ChannelLanguages
from quizbot.bot.reminders import ReminderSender
from quizbot.bot.render import Rendered
from quizbot.clock import Clock, LoopClock
from quizbot.errors import QuizbotError, SessionNotFound
from quizbot.i18n import DEFAULT, LocaleLike
from quizbot.questions.bank import QuestionBank
from quizbot.questions.custom import CustomPacks
from quizbot.questions.lookup import QuestionLookup
from quizbot.questions.sources import QuestionSource
from quizbot.storage.pool import Database
from quizbot.web.screens import LiveScreens

ASK_TIMEOUT = 2.0  # under Discord's 3 s: an interaction must be answered in time whatever happens
RED = 0xED4245
NO_MENTIONS = disnake.AllowedMentions.none()  # text from players, packs or an LLM never pings anyone


class Outbox(Protocol):
    """Where the edge queues a message of its own for a channel, in line with the sessions' ones."""

    def post(self, key: tuple[int, int], message: Rendered | Callable[[str], Rendered]) -> None:
        """Queue `message` (or how to word it in the channel's language) for the channel `key`."""
        ...

    def invalid_requests(self) -> int:
        """Requests Discord refused (401, 403, 429) in the last ten minutes."""
        ...


@dataclass(slots=True)
class QuizContext:
    """Everything the Discord edge needs, built once at start-up."""

    directory: Directory  # read-only: which session runs where
    supervisor_ref: ActorRef[Any]
    db: Database
    bank: QuestionBank
    questions: QuestionSource  # providers first, the bank as the fallback
    bank_questions: QuestionSource  # the bank alone
    custom: CustomPacks
    outbox: Outbox  # the channels' ordered, paced, never-dropping senders
    lookup: QuestionLookup  # the question a report names, if still in play where it is reported
    providers: tuple[str, ...] = ()
    starting: set[tuple[int, int]] = field(default_factory=set)  # channels with a start under way
    languages: ChannelLanguages | None = None  # the channels' languages, told when /settings changes one
    clock: Clock = field(default_factory=LoopClock)  # the games' clock: what "now" is for study cards
    reminders: ReminderSender | None = None  # study reminders' sender, for /supervisor status
    screens: LiveScreens | None = None  # live games' web screens (None: the web view is off)

    @contextmanager
    def starting_in(self, key: tuple[int, int]) -> Iterator[None]:
        """Hold `key` while a quiz there is being prepared; a second start meanwhile is refused.

        Checked and taken with no await in between, so of simultaneous starts exactly one goes on
        (the supervisor still decides for good when the session is made)."""
        if key in self.starting:
            raise Refused(problem("session_starting"))
        self.starting.add(key)
        try:
            yield
        finally:
            self.starting.discard(key)

    def now(self) -> datetime:
        """The games' clock's moment as an aware UTC datetime: what study cards, seasons, schedules
        and the question of the day call now."""
        return datetime.fromtimestamp(self.clock.time(), UTC)

    def session(self, key: tuple[int, int]) -> ActorRef[Any]:
        """The session in a channel, or SessionNotFound."""
        ref = self.directory.ref(key)
        if ref is None:
            raise SessionNotFound("no quiz in this channel")
        return ref

    async def categories_like(self, guild_id: int, text: str) -> list[str]:
        """The guild's bank categories (its packs too) containing `text`; at most 25, Discord's limit."""
        bank = await self.custom.bank_for(guild_id)
        typed = text.lower().strip()
        return [category for category in bank.categories if typed in category][:25]


def session_key(inter: Interaction[Any]) -> tuple[int, int]:
    """(guild, channel) for a guild interaction; (0, channel) in DMs."""
    return (inter.guild_id or 0, inter.channel_id or 0)


def is_moderator(inter: Interaction[Any]) -> bool:
    """Manage Messages in the channel (or Manage Server) makes someone a quiz moderator."""
    permissions = getattr(inter, "permissions", None)
    return bool(permissions and (permissions.manage_messages or permissions.manage_guild))


def error_embed(found: Problem, locale: LocaleLike = DEFAULT) -> disnake.Embed:
    """A refusal's embed, worded in `locale` (the reader's)."""
    return disnake.Embed(title=say("reply.sorry", locale), description=found.text_for(locale), colour=RED)


async def reply(inter: Interaction[Any], text: str | None = None, **fields: Any) -> None:
    """Answer an interaction, ephemeral and pinging no one by default, whether or not it was deferred."""
    fields.setdefault("ephemeral", True)
    fields.setdefault("allowed_mentions", NO_MENTIONS)
    if text is not None:
        fields["content"] = text
    if inter.response.is_done():
        await inter.followup.send(**fields)
    else:
        await inter.response.send_message(**fields)


async def refuse(inter: Interaction[Any], error: BaseException | Problem) -> None:
    """Tell the player, kindly and privately and in their own language (`inter.locale`), why that
    did not work; log what was unexpected.

    Always ephemeral. Commands check what can fail before any public reply; should something fail
    after a public defer anyway (the database, say), the public "thinking" message is withdrawn
    first, since the first follow-up would otherwise fill it for the whole channel to see."""
    found = named_option(inter, error if isinstance(error, Problem) else problem_for(error))
    if not isinstance(error, Problem | QuizbotError):
        logger.bind(guild=inter.guild_id, channel=inter.channel_id, user=inter.author.id).opt(
            exception=error
        ).error("interaction failed")
    try:
        if inter.response.type is InteractionResponseType.deferred_channel_message:
            await _withdraw_public_defer(inter)
        await reply(inter, embed=error_embed(found, inter.locale))
    except disnake.HTTPException as failure:  # the interaction expired or Discord is down
        logger.bind(guild=inter.guild_id, user=inter.author.id).warning("could not refuse: {}", failure)


def named_option(inter: Interaction[Any], found: Problem) -> Problem:
    """`found` naming its option, and the option's choices it lists, as the user's client shows them:
    by their localised names (the option's `cmd.` keys) where the command has them, else as sent."""
    option = found.details.get("option")
    if not isinstance(option, str) or not isinstance(inter, ApplicationCommandInteraction):
        return found
    path = [inter.data.name]  # Discord sends commands' default names, whatever the user's language
    options = list(inter.data.options)
    while options and options[0].type in (OptionType.sub_command, OptionType.sub_command_group):
        path.append(options[0].name)
        options = list(options[0].options)
    stem = ".".join(["cmd", *path, option])
    if f"{stem}.name" not in i18n.active():
        return found
    details = {**found.details, "option": problem(f"{stem}.name")}
    if isinstance(choices := found.details.get("choices"), Listed):
        details["choices"] = replace(choices, items=tuple(_choice(stem, item) for item in choices.items))
    return replace(found, details=details)


def _choice(stem: str, value: str | Problem) -> str | Problem:
    """A choice of the option `stem` by its localised name (`<stem>.choice.<value>`), else as it is."""
    key = f"{stem}.choice.{value}"
    return problem(key) if isinstance(value, str) and key in i18n.active() else value


async def _withdraw_public_defer(inter: Interaction[Any]) -> None:
    """Delete a deferred response that everyone can see, so the refusal after it is private."""
    original = await inter.original_response()
    if not original.flags.ephemeral:
        await inter.delete_original_response()


def not_permitted() -> Problem:
    return problem("missing_permissions")
