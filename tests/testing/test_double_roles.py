"""The double's member role routes answer as Discord does: permissions, hierarchy, unknown members
and roles, and the audit-log reason kept."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import disnake
import pytest

from quizbot.testing import DiscordDouble, Guild, Member, Role
from quizbot.testing._roles import RoleChangeRecord

MANAGE_ROLES = disnake.Permissions(manage_roles=True)


@pytest.fixture
async def double() -> AsyncIterator[DiscordDouble]:
    async with DiscordDouble() as started:
        yield started
        assert started.crashes == []
        assert started.unknown_routes == []


async def change(
    double: DiscordDouble, method: str, guild: Guild, user_id: int, role_id: int, reason: str | None = None
) -> tuple[int, int | None]:
    """Send one role change as the bot; the HTTP status and Discord's error code (None on success)."""
    url = f"{double.api_base}/guilds/{guild.id}/members/{user_id}/roles/{role_id}"
    headers = {"Authorization": f"Bot {double.token}"}
    if reason is not None:
        headers["X-Audit-Log-Reason"] = reason
    async with aiohttp.ClientSession() as session, session.request(method, url, headers=headers) as response:
        if response.status == 204:
            return 204, None
        return response.status, (await response.json())["code"]


def setup_guild(double: DiscordDouble, *, manage_roles: bool = True) -> tuple[Guild, Member, Role]:
    """A guild whose bot role sits above a 'Champion' role; a player to give it to."""
    guild = double.add_guild("roles")
    champion = guild.add_role("Champion")
    bot_role = guild.bot_member.roles[0]
    bot_role.position, champion.position = champion.position, bot_role.position
    if manage_roles:
        bot_role.permissions |= MANAGE_ROLES.value
    return guild, guild.add_member("player"), champion


async def test_a_role_is_given_and_taken_once_each_with_its_reason(double: DiscordDouble) -> None:
    """PUT gives the role (again: still 204, held once), DELETE takes it; the reason is decoded."""
    guild, player, champion = setup_guild(double)
    assert await change(double, "PUT", guild, player.id, champion.id, "Season%20winner") == (204, None)
    assert await change(double, "PUT", guild, player.id, champion.id) == (204, None)
    assert player.roles.count(champion) == 1
    assert await change(double, "DELETE", guild, player.id, champion.id) == (204, None)
    assert champion not in player.roles
    assert double.rest.role_changes[0] == RoleChangeRecord(
        guild.id, player.id, champion.id, True, "Season winner"
    )
    assert [c.added for c in double.rest.role_changes] == [True, True, False]


async def test_refusals_match_discord(double: DiscordDouble) -> None:
    """Without Manage Roles, for a role at or above the bot's highest, a managed role or @everyone:
    403 50013; a member who left: 404 10007; a deleted role: 404 10011. Nothing changes."""
    guild, player, champion = setup_guild(double)
    above = guild.add_role("Moderator")  # added last: above the bot's role
    bot_role = guild.bot_member.roles[0]
    assert await change(double, "PUT", guild, player.id, above.id) == (403, 50013)
    assert await change(double, "PUT", guild, player.id, bot_role.id) == (403, 50013)  # managed, and its own
    assert await change(double, "PUT", guild, player.id, guild.everyone.id) == (403, 50013)
    assert await change(double, "PUT", guild, 424242, champion.id) == (404, 10007)
    assert await change(double, "PUT", guild, player.id, 999) == (404, 10011)
    bot_role.permissions &= ~MANAGE_ROLES.value
    assert await change(double, "PUT", guild, player.id, champion.id) == (403, 50013)
    assert await change(double, "DELETE", guild, player.id, champion.id) == (403, 50013)
    assert player.roles == []
    assert double.rest.role_changes == []
