"""The bot's cogs, each a module here loaded as an extension by quizbot.bot.app."""

from __future__ import annotations

import pkgutil

EXTENSIONS = tuple(
    f"{__name__}.{module.name}"
    for module in pkgutil.iter_modules(__path__)
    if not module.name.startswith("_")
)
