"""What the cogs share: the supervisor, question sources and storage; and how they answer players.

Cogs only translate: a command or click becomes one message to an actor (or one storage call),
and the result or the error becomes a reply from the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import disnake
from disnake.interactions.base import Interaction
from loguru import logger

from quizbot.actors.base import ActorRef
from quizbot.actors.supervisor import Supervisor
from quizbot.bot.catalogue import Problem, problem, problem_for
from quizbot.errors import QuizbotError, SessionNotFound
from quizbot.questions.bank import QuestionBank
from quizbot.questions.custom import CustomPacks
from quizbot.questions.sources import QuestionSource
from quizbot.storage.pool import Database

ASK_TIMEOUT = 2.0  # under Discord's 3 s: an interaction must be answered in time whatever happens
RED = 0xED4245


@dataclass(slots=True)
class QuizContext:
    """Everything the Discord edge needs, built once at start-up."""

    supervisor: Supervisor
    supervisor_ref: ActorRef[Any]
    db: Database
    bank: QuestionBank
    questions: QuestionSource  # providers first, the bank as the fallback
    bank_questions: QuestionSource  # the bank alone
    custom: CustomPacks
    providers: tuple[str, ...] = ()

    def session(self, key: tuple[int, int]) -> ActorRef[Any]:
        """The session in a channel, or SessionNotFound."""
        ref = self.supervisor.registry.ref(key)
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


def error_embed(found: Problem) -> disnake.Embed:
    return disnake.Embed(title="❌ Sorry", description=found.text, colour=RED)


async def reply(inter: Interaction[Any], text: str | None = None, **fields: Any) -> None:
    """Answer an interaction, ephemeral by default, whether or not it was deferred."""
    fields.setdefault("ephemeral", True)
    if text is not None:
        fields["content"] = text
    if inter.response.is_done():
        await inter.followup.send(**fields)
    else:
        await inter.response.send_message(**fields)


async def refuse(inter: Interaction[Any], error: BaseException | Problem) -> None:
    """Tell the player, kindly and privately, why that did not work; log what was unexpected."""
    found = error if isinstance(error, Problem) else problem_for(error)
    if not isinstance(error, Problem | QuizbotError):
        logger.bind(guild=inter.guild_id, channel=inter.channel_id, user=inter.author.id).opt(
            exception=error
        ).error("interaction failed")
    try:
        await reply(inter, embed=error_embed(found))
    except disnake.HTTPException as failure:  # the interaction expired or Discord is down
        logger.bind(guild=inter.guild_id, user=inter.author.id).warning("could not refuse: {}", failure)


def not_permitted() -> Problem:
    return problem("missing_permissions")
