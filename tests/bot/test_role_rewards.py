"""Role rewards through the real disnake client, PostgreSQL and the loopback Discord's role routes:
setup checks, level roles granted once (also across a restart), season roles moved to the new top,
refusals at grant time shown in /supervisor status and never retried, a transient 5xx retried."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import disnake

from quizbot.bot.catalogue import MESSAGES
from quizbot.config import Settings
from quizbot.game.effects import RecordAnswers, Result
from quizbot.game.progression import Difficulty, xp_for_level
from quizbot.storage.results import PostgresSessionStore
from quizbot.storage.roles import RewardKind, RoleReward, role_rewards
from quizbot.testing import Member, MessageRecord, Role
from tests.bot.conftest import World, bot_on
from tests.bot.test_admin_cog import use
from tests.bot.test_stats_cog import quiz

ROLE_ROUTE = "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}"
MANAGE_ROLES = disnake.Permissions(manage_roles=True).value


async def rewards_ready(world: World, *, manage_roles: bool = True) -> Role:
    """The club's bot role high up (with Manage Roles unless told otherwise) and a 'Regular' role
    below it, as the bot's cache sees them; returns the role."""
    guild = world.club.guild
    bot_role = guild.bot_member.roles[0]
    bot_role.position = 50
    if manage_roles:
        bot_role.permissions |= MANAGE_ROLES
    regular = guild.add_role("Regular")
    regular.position = 10
    await world.double.announce_guild(guild)
    await world.settle()
    return regular


async def level_to(world: World, member: Member, level: int) -> None:
    """One answer worth the XP to reach `level`, written as a session writes it."""
    xp = xp_for_level(level)
    result = Result(member.id, member.user.name, True, 100, xp, world.clock.time())
    effect = RecordAnswers(uuid.uuid4(), 0, "science", Difficulty.MEDIUM, (result,))
    await PostgresSessionStore(world.db).record_answers((world.club.guild.id, world.club.channel.id), effect)


async def minute(world: World) -> None:
    """Move the games' clock a minute on and wait for the granter's sweep."""
    world.clock.advance(60)
    await world.running.roles.resting()


def changes(world: World, role: Role) -> list[tuple[int, bool]]:
    return [(c.user_id, c.added) for c in world.double.rest.role_changes if c.role_id == role.id]


async def status(world: World) -> MessageRecord:
    return await use(world, world.club.admin, "supervisor status")


def field(message: MessageRecord, name: str) -> str | None:
    fields = [f for embed in message.embeds for f in embed.get("fields") or []]
    return next((f["value"] for f in fields if f["name"] == name), None)


async def test_setup_is_checked_and_stored(world: World) -> None:
    """A level role and a season role are stored; without Manage Roles, for a role above the bot's,
    for @everyone or the bot's own managed role, or with neither or both of level and season_top,
    the admin is refused privately and nothing is stored."""
    regular = await rewards_ready(world, manage_roles=False)
    guild, admin = world.club.guild, world.club.admin
    refused = await use(world, admin, "settings roles", {"role": regular, "level": 5})
    assert refused.ephemeral and MESSAGES["roles.no_manage_roles"] in refused.text
    regular = await rewards_ready(world)
    high = guild.add_role("Moderators+")
    high.position = 60
    await world.double.announce_guild(guild)
    await world.settle()
    too_high = await use(world, admin, "settings roles", {"role": high, "level": 5})
    bot_role = guild.bot_member.roles[0]
    mine = f"<@&{bot_role.id}>"
    assert MESSAGES["roles.role_too_high"].format(role=f"<@&{high.id}>", mine=mine) in too_high.text
    managed = await use(world, admin, "settings roles", {"role": bot_role, "level": 5})
    assert MESSAGES["roles.cannot_be_given"].format(role=f"<@&{bot_role.id}>") in managed.text
    neither = await use(world, admin, "settings roles", {"role": regular})
    both = await use(world, admin, "settings roles", {"role": regular, "level": 2, "season_top": 1})
    assert MESSAGES["roles.pick_one"] in neither.text and MESSAGES["roles.pick_one"] in both.text
    assert await role_rewards(world.db, guild.id) == []
    level = await use(world, admin, "settings roles", {"role": regular, "level": 5})
    assert level.content == MESSAGES["roles.set_level"].format(level=5, role=f"<@&{regular.id}>")
    podium = guild.add_role("Podium")
    podium.position = 11
    await world.double.announce_guild(guild)
    await world.settle()
    top = await use(world, admin, "settings roles", {"role": podium, "season_top": 3})
    assert top.content == MESSAGES["roles.set_podium"].format(role=f"<@&{podium.id}>")
    assert await role_rewards(world.db, guild.id) == [
        RoleReward(regular.id, RewardKind.LEVEL, 5),
        RoleReward(podium.id, RewardKind.SEASON, 3),
    ]
    removed = await use(world, admin, "settings roles", {"role": podium, "remove": True})
    assert removed.content == MESSAGES["roles.removed"].format(role=f"<@&{podium.id}>")
    assert len(await role_rewards(world.db, guild.id)) == 1


async def test_a_level_role_is_granted_once_even_across_a_restart(world: World) -> None:
    """Reaching the level gives the role at the next sweep, with the audit-log reason; reaching more
    levels, more sweeps and a second process on the same database give it no more."""
    regular = await rewards_ready(world)
    player = world.club.players[0]
    await use(world, world.club.admin, "settings roles", {"role": regular, "level": 2})
    await level_to(world, player, 2)
    await minute(world)
    assert regular in player.roles
    assert changes(world, regular) == [(player.id, True)]
    assert world.double.rest.role_changes[-1].reason == MESSAGES["roles.audit_reason"]
    await level_to(world, player, 4)
    await minute(world)
    async with bot_on(world.double, world.db, Settings(), world.clock, owner="bot-2") as (second, _):
        await second.roles.resting()
        world.clock.advance(60)
        await second.roles.resting()
        await world.running.roles.resting()
    assert changes(world, regular) == [(player.id, True)]


async def test_a_transient_failure_is_retried_and_granted_once(world: World) -> None:
    """A 503 from Discord is retried at a later sweep, and the role is then given exactly once."""
    regular = await rewards_ready(world)
    player = world.club.players[0]
    await use(world, world.club.admin, "settings roles", {"role": regular, "level": 2})
    world.double.fail_next(1, route=ROLE_ROUTE, status=503)
    await level_to(world, player, 2)
    await minute(world)
    assert regular not in player.roles
    await minute(world)
    assert regular in player.roles
    assert world.double.requests[ROLE_ROUTE] == 2
    await minute(world)
    assert world.double.requests[ROLE_ROUTE] == 2


async def test_refusals_at_grant_time_are_shown_and_not_retried(world: World) -> None:
    """After setup the bot loses Manage Roles for one grant, the role moves above the bot's for
    another, and a member leaves before a third: each fails once, is never retried, and
    /supervisor status shows the admin all three, why, and whose."""
    regular = await rewards_ready(world)
    club = world.club
    await use(world, club.admin, "settings roles", {"role": regular, "level": 2})
    first, second, gone = club.players[0], club.players[1], club.players[2]
    bot_role = club.guild.bot_member.roles[0]
    bot_role.permissions &= ~MANAGE_ROLES
    await level_to(world, first, 2)
    await minute(world)
    bot_role.permissions |= MANAGE_ROLES
    regular.position = 70  # above the bot's now
    await level_to(world, second, 2)
    await minute(world)
    regular.position = 10
    del club.guild.members[gone.id]
    await level_to(world, gone, 2)
    await minute(world)
    await minute(world)
    assert world.double.requests[ROLE_ROUTE] == 3
    assert changes(world, regular) == []
    shown = field(await status(world), MESSAGES["roles.status_failed"])
    assert shown is not None
    lines = shown.splitlines()
    assert lines[0] == "3"
    why = {key: MESSAGES[f"roles.why_{key}"] for key in ("missing_permissions", "unknown_member")}
    assert f"<@{gone.id}>: {why['unknown_member']}" in shown
    assert sum(why["missing_permissions"] in line for line in lines) == 2
    assert all(f"<@&{regular.id}>" in line for line in lines[1:])


async def test_season_roles_go_to_the_new_winner_and_leave_the_old(world: World) -> None:
    """The champion's role goes to the season's winner; when the next season ends with another
    winner, the old one loses it and the new one gets it."""
    champion = await rewards_ready(world)
    club = world.club
    admin, (ana, ben) = club.admin, club.players[:2]
    await use(world, admin, "settings roles", {"role": champion, "season_top": 1})
    for name, (winner, loser) in (("One", (ana, ben)), ("Two", (ben, ana))):
        await use(world, admin, "settings season start", {"name": name})
        at = datetime.fromtimestamp(world.clock.time(), UTC) + timedelta(seconds=1)
        await quiz(world, club, [(winner, 90), (loser, 10)], at=at)
        world.clock.advance(2)
        await use(world, admin, "settings season end")
        await minute(world)
        assert champion in winner.roles and champion not in loser.roles
    assert changes(world, champion) == [(ana.id, True), (ana.id, False), (ben.id, True)]
