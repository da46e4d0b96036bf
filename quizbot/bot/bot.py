"""The disnake bot quizbot runs: an InteractionBot that carries the context its cogs need."""

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
    """An InteractionBot with quizbot's context; cogs read it in their extension's setup()."""

    def __init__(self, *, typed_answers: bool = False, **options: Any) -> None:
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
