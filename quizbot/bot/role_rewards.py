"""/settings roles at the edge: a role for reaching a level, or for a season's top 1 or 3.

Checked before anything is stored: the role is one of this server's that a bot may give (not
@everyone, not an integration's), and the bot has Manage Roles with its highest role above it, as
Discord will check at every grant. Failures that come later (a permission taken away, the role
moved up) are recorded by the granter and shown in /supervisor status.
"""

from __future__ import annotations

from typing import Any

import disnake
from disnake import Localized
from disnake.ext import commands

from quizbot.bot import validation
from quizbot.bot.catalogue import Refused, problem, say
from quizbot.bot.context import QuizContext, refuse, reply
from quizbot.bot.types import CommandInter
from quizbot.game.progression import MAX_LEVEL
from quizbot.storage.roles import (
    MAX_REWARDS,
    SEASON_TOPS,
    RewardKind,
    RoleReward,
    remove_role_reward,
    set_role_reward,
)

_KEY = "cmd.settings.roles"
# B008: disnake reads options from defaults; each is built once, here
ROLE_OPTION: Any = commands.Param(
    name=Localized("role", key=f"{_KEY}.role.name"),
    description=Localized("The role to give", key=f"{_KEY}.role.description"),
)
LEVEL_OPTION: Any = commands.Param(
    None,
    name=Localized("level", key=f"{_KEY}.level.name"),
    description=Localized("Give it to members reaching this level", key=f"{_KEY}.level.description"),
)
SEASON_TOP_OPTION: Any = commands.Param(
    None,
    name=Localized("season_top", key=f"{_KEY}.season_top.name"),
    description=Localized("Give it to each ended season's top 1 or 3", key=f"{_KEY}.season_top.description"),
    choices=[
        disnake.OptionChoice(Localized("the winner", key=f"{_KEY}.season_top.choice.1"), 1),
        disnake.OptionChoice(Localized("the top 3", key=f"{_KEY}.season_top.choice.3"), 3),
    ],
)
REMOVE_OPTION: Any = commands.Param(
    None,
    name=Localized("remove", key=f"{_KEY}.remove.name"),
    description=Localized("Stop rewarding with this role", key=f"{_KEY}.remove.description"),
)


async def configure(
    ctx: QuizContext, inter: CommandInter, role: object, *, level: object, season_top: object, remove: object
) -> None:
    """Set (or with `remove`, drop) the reward `role` stands for, once every check passes."""
    chosen = manageable_role(inter, role)
    mention = chosen.mention
    guild_id = inter.guild_id or 0
    if validation.flag("remove", remove):
        await inter.response.defer(ephemeral=True)
        if not await remove_role_reward(ctx.db, guild_id, chosen.id):
            await refuse(inter, problem("roles.not_a_reward", role=mention))
            return
        await reply(inter, say("roles.removed", inter.locale, role=mention))
        return
    reward = wanted_reward(chosen, level, season_top)
    await inter.response.defer(ephemeral=True)
    if not await set_role_reward(ctx.db, guild_id, reward):
        await refuse(inter, problem("roles.too_many", limit=MAX_REWARDS))
        return
    if reward.kind is RewardKind.LEVEL:
        text = say("roles.set_level", inter.locale, role=mention, level=reward.threshold)
    else:
        key = "roles.set_champion" if reward.threshold == 1 else "roles.set_podium"
        text = say(key, inter.locale, role=mention)
    await reply(inter, text)


def wanted_reward(role: disnake.Role, level: object, season_top: object) -> RoleReward:
    """The reward the options describe: exactly one of a level and a season's top."""
    reached = validation.whole_number("level", level, 1, MAX_LEVEL)
    top = validation.choice(
        "season_top", None if season_top is None else str(season_top), [str(t) for t in SEASON_TOPS]
    )
    if (reached is None) == (top is None):
        raise Refused(problem("roles.pick_one"))
    if reached is not None:
        return RoleReward(role.id, RewardKind.LEVEL, reached)
    return RoleReward(role.id, RewardKind.SEASON, int(top or 0))


def manageable_role(inter: CommandInter, value: object) -> disnake.Role:
    """A role of this server the bot can give: it has Manage Roles and its highest role is above."""
    guild = inter.guild
    if guild is None or not isinstance(value, disnake.Role) or guild.get_role(value.id) is None:
        raise Refused(problem("roles.not_a_role", option="role"))
    role = guild.get_role(value.id)
    assert role is not None
    if role.is_default() or role.managed:
        raise Refused(problem("roles.cannot_be_given", role=role.mention))
    me = guild.me
    if not me.guild_permissions.manage_roles:
        raise Refused(problem("roles.no_manage_roles"))
    if role >= me.top_role:
        raise Refused(problem("roles.role_too_high", role=role.mention, mine=me.top_role.mention))
    return role
