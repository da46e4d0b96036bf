"""The bot's cogs, each a module here with a `setup(bot)` that adds its cog to a bot."""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quizbot.bot.bot import QuizBot

EXTENSIONS = tuple(
    f"{__name__}.{module.name}"
    for module in pkgutil.iter_modules(__path__)
    if not module.name.startswith("_")
)


def add_cogs(bot: QuizBot) -> None:
    """Add every cog to `bot`, each module imported once per process.

    disnake's load_extension would execute each module afresh for every bot, rebuilding every
    command's parameters (about 55 ms a bot); the cogs themselves are still new for each bot.
    """
    for extension in EXTENSIONS:
        importlib.import_module(extension).setup(bot)
