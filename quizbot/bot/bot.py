"""The disnake bot quizbot runs: an InteractionBot, auto-sharded when configured, with the cogs' context."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import disnake
from disnake.enums import InteractionResponseType
from disnake.ext import commands
from loguru import logger

from quizbot.bot.catalogue import problem
from quizbot.bot.context import NO_MENTIONS, QuizContext, error_embed
from quizbot.bot.localized import shipped_localizations
from quizbot.bot.validation import required_options_given

if TYPE_CHECKING:  # disnake.types cannot be imported at run time before disnake is fully loaded
    from disnake.types.interactions import InteractionApplicationCommandCallbackData


def intents(*, typed_answers: bool) -> disnake.Intents:
    """The fewest intents that work: guilds, plus message content only when typed answers are on."""
    chosen = disnake.Intents.none()
    chosen.guilds = True
    if typed_answers:
        chosen.guild_messages = True
        chosen.dm_messages = True
        chosen.message_content = True
    return chosen


class QuizBot(commands.InteractionBot):
    """An InteractionBot with quizbot's context; cogs read it in their extension's setup().

    Its default AllowedMentions is none(): text from players, packs, topics or an LLM can never
    ping @everyone, @here, a role or a user unless a send names that user itself. Its i18n is a
    CommandLocalizations, so commands are registered with their names in every shipped locale."""

    def __init__(self, *, typed_answers: bool = False, **options: Any) -> None:
        """The bot; by default no message it sends may ping anyone (each send allows its own pings)."""
        options.setdefault("allowed_mentions", disnake.AllowedMentions.none())
        options.setdefault("localization_provider", shipped_localizations())
        super().__init__(intents=intents(typed_answers=typed_answers), **options)
        self.add_app_command_check(required_options_given, slash_commands=True)
        self._context: QuizContext | None = None

    async def on_gateway_error(self, event: str, data: Any, shard_id: int | None, exc: Exception, /) -> None:
        """An interaction disnake cannot even read (an option value no real client sends, such as a
        user option that is not an id) is still answered, privately, instead of failing in silence."""
        if event != "INTERACTION_CREATE" or not isinstance(data, dict):
            logger.opt(exception=exc).error("could not handle the {} gateway event", event)
            return
        logger.warning("refused an interaction disnake could not read: {!r}", exc)
        refusal: InteractionApplicationCommandCallbackData = {
            "embeds": [error_embed(problem("unreadable_options"), _locale(data)).to_dict()],
            "flags": disnake.MessageFlags(ephemeral=True).value,
            "allowed_mentions": NO_MENTIONS.to_dict(),
        }
        try:
            await self.http.create_interaction_response(
                data["id"],
                data["token"],
                type=InteractionResponseType.channel_message.value,  # type: ignore[arg-type]  # sent as JSON
                data=refusal,
            )
        except (KeyError, disnake.HTTPException) as error:
            logger.warning("could not refuse the unreadable interaction: {!r}", error)

    @property
    def context(self) -> QuizContext:
        """The shared context; set once, after the supervisor starts and before cogs load."""
        if self._context is None:
            raise RuntimeError("cannot load cogs; the bot has no context yet")
        return self._context

    @context.setter
    def context(self, value: QuizContext) -> None:
        self._context = value


def _locale(data: dict[str, Any]) -> str | None:
    """The user's locale in a raw interaction, if it is text (a forged one may be anything)."""
    locale = data.get("locale")
    return locale if isinstance(locale, str) else None


class ShardedQuizBot(QuizBot, commands.AutoShardedInteractionBot):  # type: ignore[misc]  # as disnake's own
    """QuizBot on several gateway shards in one process (AutoShardedClient's connection handling)."""


def build_bot(
    *, typed_answers: bool, shard_count: int | None = None, shard_ids: tuple[int, ...] = (), **options: Any
) -> QuizBot:
    """A plain QuizBot, or a ShardedQuizBot running `shard_ids` (all when empty) of `shard_count`.

    Several processes can split the shards: each is given its own shard_ids and, through the
    supervisor's settings, respawns only the sessions of guilds on those shards.
    """
    if shard_count is None:
        return QuizBot(typed_answers=typed_answers, **options)
    chosen = list(shard_ids) if shard_ids else None
    return ShardedQuizBot(typed_answers=typed_answers, shard_count=shard_count, shard_ids=chosen, **options)
