"""The disnake bot quizbot runs: an InteractionBot, auto-sharded when configured, with the cogs' context."""

from __future__ import annotations

from typing import Any

import disnake
from disnake.ext import commands

from quizbot.bot.context import QuizContext


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
    ping @everyone, @here, a role or a user unless a send names that user itself."""

    def __init__(self, *, typed_answers: bool = False, **options: Any) -> None:
        """The bot; by default no message it sends may ping anyone (each send allows its own pings)."""
        options.setdefault("allowed_mentions", disnake.AllowedMentions.none())
        super().__init__(intents=intents(typed_answers=typed_answers), **options)
        self._context: QuizContext | None = None

    @property
    def context(self) -> QuizContext:
        """The shared context; set once, after the supervisor starts and before cogs load."""
        if self._context is None:
            raise RuntimeError("cannot load cogs; the bot has no context yet")
        return self._context

    @context.setter
    def context(self, value: QuizContext) -> None:
        self._context = value


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
