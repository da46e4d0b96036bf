"""The web view's opt-ins at the Discord edge: /settings set web_board (a server's board public on
the web, Manage Server) and /stats privacy (a player's own profile hidden or shown), and how
/settings shows the board's."""

from __future__ import annotations

from typing import Any

import disnake
from disnake import Localized
from disnake.ext import commands

from quizbot.bot import validation
from quizbot.bot.catalogue import Refused, problem, say
from quizbot.bot.context import QuizContext, reply
from quizbot.bot.localized import choices
from quizbot.bot.types import CommandInter
from quizbot.i18n import LocaleLike
from quizbot.storage.web import board_is_public, set_profile_hidden, set_public_board

PRIVACY_CHOICES = ["hidden", "shown"]
WEB_BOARD_OPTION: Any = commands.Param(  # B008: calls in defaults
    None,
    name=Localized("web_board", key="cmd.settings.set.web_board.name"),
    description=Localized(
        "Show this server's leaderboard on the web view (off by default)",
        key="cmd.settings.set.web_board.description",
    ),
)
PRIVACY_OPTION: Any = commands.Param(
    None,
    name=Localized("privacy", key="cmd.stats.privacy.name"),
    description=Localized(
        "Hide or show your own profile on the web view", key="cmd.stats.privacy.description"
    ),
    choices=choices("cmd.stats.privacy", PRIVACY_CHOICES),
)


async def apply_web_board(ctx: QuizContext, inter: CommandInter, public: bool | None) -> bool:
    """Store the board's choice when given (with the server's name as the web shows it); whether the
    board is public now."""
    guild_id = inter.guild_id or 0
    if public is None:
        return await board_is_public(ctx.db, guild_id)
    name = inter.guild.name if inter.guild is not None else ""
    await set_public_board(ctx.db, guild_id, public, name)
    return public


def add_board_field(embed: disnake.Embed, public: bool, locale: LocaleLike, *, changed: bool) -> None:
    """The web board as /settings shows it: on or off (marked when just changed)."""
    label = say("web.setting_board", locale)
    value = say("web.setting_board_on" if public else "web.setting_board_off", locale)
    embed.add_field(f"{label} ✏️" if changed else label, value, inline=False)


async def set_privacy(ctx: QuizContext, inter: CommandInter, privacy: object, user: object) -> None:
    """/stats privacy: the asker's own profile hidden or shown on the web; a reply only they see."""
    chosen = validation.choice("privacy", privacy, PRIVACY_CHOICES)
    if user is not None and getattr(user, "id", None) != inter.author.id:
        raise Refused(problem("web.privacy_only_yours"))
    await inter.response.defer(ephemeral=True)
    hidden = chosen == "hidden"
    await set_profile_hidden(ctx.db, inter.author.id, hidden)
    await reply(inter, content=say("web.privacy_hidden" if hidden else "web.privacy_shown", inter.locale))
