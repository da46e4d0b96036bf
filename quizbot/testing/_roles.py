"""The double's member role routes, checked as Discord checks them.

PUT / DELETE /guilds/{guild.id}/members/{user.id}/roles/{role.id}: 404 Unknown Role (10011) and
Unknown Member (10007) for what is not there; 403 Missing Permissions (50013) without Manage Roles,
for a role at or above the bot's highest role, and for a managed role or @everyone; 204 otherwise
(again for a role already held or already gone). The X-Audit-Log-Reason header is kept with each
change, URL-decoded, as the guild's audit log would show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from aiohttp import web

from quizbot.testing._model import Guild, Member, Role
from quizbot.testing._routes import Routes, no_content, snowflake
from quizbot.testing._store import ApiError

MANAGE_ROLES = 1 << 28


@dataclass(frozen=True, slots=True)
class RoleChangeRecord:
    """One role change the bot made: `added` (or removed) `role_id` of `user_id`, and its reason."""

    guild_id: int
    user_id: int
    role_id: int
    added: bool
    reason: str | None


def highest_position(member: Member) -> int:
    """The position of the member's highest role (@everyone's 0 when they hold none)."""
    return max((role.position for role in member.roles), default=0)


class RoleRoutes(Routes):
    """Adding and removing a member's roles, with Discord's permission and hierarchy checks."""

    role_changes: list[RoleChangeRecord]

    def add_role_routes(self, app: web.Application, api: str) -> None:
        """Register the member role routes under `api`."""
        self.role_changes = []
        route = api + "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"
        app.router.add_put(route, self.add_member_role)
        app.router.add_delete(route, self.remove_member_role)

    def _target(self, request: web.Request) -> tuple[Guild, Member, Role]:
        guild = self.world.guilds.get(snowflake(request, "guild_id"))
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        role_id = snowflake(request, "role_id")
        role = next((r for r in guild.roles if r.id == role_id), None)
        if role is None:
            raise ApiError(404, 10011, "Unknown Role")
        member = guild.members.get(snowflake(request, "user_id"))
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        bot = guild.bot_member
        if (
            not bot.permissions & MANAGE_ROLES
            or role.managed
            or role is guild.everyone
            or (guild.owner.id != bot.id and role.position >= highest_position(bot))
        ):
            raise ApiError(403, 50013, "Missing Permissions")
        return guild, member, role

    def _record(self, request: web.Request, guild: Guild, member: Member, role: Role, added: bool) -> None:
        reason = request.headers.get("X-Audit-Log-Reason")
        change = RoleChangeRecord(
            guild.id, member.id, role.id, added, None if reason is None else unquote(reason)
        )
        self.role_changes.append(change)
        self.store.notifier.notify()

    async def add_member_role(self, request: web.Request) -> web.Response:
        """PUT .../members/{user_id}/roles/{role_id}: give the member the role."""
        guild, member, role = self._target(request)
        if role not in member.roles:
            member.roles.append(role)
        self._record(request, guild, member, role, True)
        return no_content()

    async def remove_member_role(self, request: web.Request) -> web.Response:
        """DELETE .../members/{user_id}/roles/{role_id}: take the role from the member."""
        guild, member, role = self._target(request)
        if role in member.roles:
            member.roles.remove(role)
        self._record(request, guild, member, role, False)
        return no_content()
