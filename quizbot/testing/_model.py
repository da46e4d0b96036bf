"""The little Discord world a test builds: users, guilds, roles, members and channels, with snowflake ids."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import disnake

if TYPE_CHECKING:
    from quizbot.testing._world import World

JSON = dict[str, Any]
ChannelKey = tuple[int | None, int]
"""A channel's identity in the double: (guild id, channel id); the guild id is None for a DM channel."""

DISCORD_EPOCH_MS = 1_420_070_400_000

ALL_PERMISSIONS: int = int(disnake.Permissions.all().value)
ADMINISTRATOR: int = int(disnake.Permissions(administrator=True).value)
EVERYONE_PERMISSIONS: int = disnake.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    read_message_history=True,
    add_reactions=True,
    embed_links=True,
    attach_files=True,
    use_external_emojis=True,
    use_application_commands=True,
    change_nickname=True,
    create_instant_invite=True,
    connect=True,
    speak=True,
).value
"""What a new guild's @everyone role may do, as Discord's defaults."""

BOT_PERMISSIONS: int = disnake.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
    add_reactions=True,
    use_external_emojis=True,
    manage_messages=True,
).value
"""What the bot's own managed role grants unless the test says otherwise."""

TEXT_CHANNEL = 0
DM_CHANNEL = 1


def perms(value: int | disnake.Permissions) -> int:
    """A permission bit set as an int, from an int or a disnake.Permissions."""
    return value.value if isinstance(value, disnake.Permissions) else int(value)


def iso_now() -> str:
    """The current time in Discord's ISO 8601 format."""
    return datetime.now(UTC).isoformat()


class Snowflakes:
    """Makes unique, increasing snowflakes that encode the current time, as Discord's do."""

    def __init__(self) -> None:
        """Start the per-millisecond counter."""
        self._lock = threading.Lock()
        self._last = 0
        self._counter = itertools.count()

    def next(self) -> int:
        """A new snowflake, larger than every one made before it."""
        with self._lock:
            stamp = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
            value = max(stamp | (1 << 17) | (next(self._counter) & 0xFFF), self._last + 1)
            self._last = value
            return value


@dataclass(eq=False)
class User:
    """A Discord account (a person or the bot)."""

    id: int
    name: str
    bot: bool = False
    global_name: str | None = None
    locale: str = "en-US"  # their Discord client's language: every interaction of theirs carries it
    accepts_dms: bool = True  # False: they closed their DMs to the bot (a DM is refused: 403, 50007)

    @property
    def mention(self) -> str:
        """The text that mentions this user in a message."""
        return f"<@{self.id}>"

    def payload(self) -> JSON:
        """The user object as Discord sends it."""
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass(eq=False)
class Role:
    """A guild role and the permissions it grants."""

    id: int
    guild: Guild
    name: str
    permissions: int
    position: int = 0
    managed: bool = False

    def payload(self) -> JSON:
        """The role object as Discord sends it."""
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": self.managed,
            "mentionable": False,
            "flags": 0,
        }


@dataclass(eq=False)
class Overwrite:
    """A channel permission overwrite for a role (kind 0) or a member (kind 1)."""

    target_id: int
    kind: int
    allow: int = 0
    deny: int = 0

    def payload(self) -> JSON:
        """The overwrite object as Discord sends it."""
        return {
            "id": str(self.target_id),
            "type": self.kind,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass(eq=False)
class Member:
    """A user's membership of a guild, with roles."""

    user: User
    guild: Guild
    roles: list[Role] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> int:
        """The member's user id."""
        return self.user.id

    @property
    def mention(self) -> str:
        """The text that mentions this member in a message."""
        return self.user.mention

    @property
    def permissions(self) -> int:
        """The member's guild-wide permissions (owner and Administrator mean all)."""
        if self.guild.owner.id == self.user.id:
            return ALL_PERMISSIONS
        value = self.guild.everyone.permissions
        for role in self.roles:
            value |= role.permissions
        return ALL_PERMISSIONS if value & ADMINISTRATOR else value

    def permissions_in(self, channel: Channel) -> int:
        """The member's permissions in `channel`, with its overwrites applied as Discord does."""
        value = self.permissions
        if value & ADMINISTRATOR:
            return ALL_PERMISSIONS
        by_target = {o.target_id: o for o in channel.overwrites}
        everyone = by_target.get(self.guild.id)
        if everyone is not None:
            value = (value & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role in self.roles:
            overwrite = by_target.get(role.id)
            if overwrite is not None and overwrite.kind == 0:
                allow |= overwrite.allow
                deny |= overwrite.deny
        value = (value & ~deny) | allow
        own = by_target.get(self.user.id)
        if own is not None and own.kind == 1:
            value = (value & ~own.deny) | own.allow
        return value

    def payload(self, *, with_user: bool = True, channel: Channel | None = None) -> JSON:
        """The guild member object; with `channel`, carrying the permissions as interactions do."""
        data: JSON = {
            "roles": [str(role.id) for role in self.roles],
            "nick": self.nick,
            "avatar": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        if channel is not None:
            data["permissions"] = str(self.permissions_in(channel))
        return data


@dataclass(eq=False)
class Channel:
    """A text channel in a guild, or the DM channel between the bot and one user."""

    id: int
    name: str
    guild: Guild | None
    type: int = TEXT_CHANNEL
    position: int = 0
    topic: str | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    recipient: User | None = None

    @property
    def key(self) -> ChannelKey:
        """(guild id, channel id): unique even when two guilds' channels share an id."""
        return (self.guild.id if self.guild is not None else None, self.id)

    @property
    def mention(self) -> str:
        """The text that mentions this channel in a message."""
        return f"<#{self.id}>"

    def payload(self, *, viewer: Member | None = None) -> JSON:
        """The channel object as Discord sends it; with `viewer`, carrying their permissions."""
        if self.guild is None:
            recipients = [self.recipient.payload()] if self.recipient is not None else []
            return {"id": str(self.id), "type": DM_CHANNEL, "last_message_id": None, "recipients": recipients}
        data: JSON = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild.id),
            "name": self.name,
            "position": self.position,
            "topic": self.topic,
            "nsfw": False,
            "parent_id": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "permission_overwrites": [o.payload() for o in self.overwrites],
            "flags": 0,
        }
        if viewer is not None:
            data["permissions"] = str(viewer.permissions_in(self))
        return data


class Guild:
    """A guild with its @everyone role, other roles, members and text channels."""

    def __init__(self, world: World, guild_id: int, name: str, owner: User) -> None:
        """A guild holding only its @everyone role; the world adds the owner and the bot."""
        self.world = world
        self.id = guild_id
        self.name = name
        self.owner = owner
        self.everyone = Role(guild_id, self, "@everyone", EVERYONE_PERMISSIONS)
        self.roles: list[Role] = [self.everyone]
        self.members: dict[int, Member] = {}
        self.channels: list[Channel] = []
        self.preferred_locale = "en-US"  # the "Server Primary Language" (its interactions' guild_locale)

    def __repr__(self) -> str:
        """The guild's id and name."""
        return f"<Guild id={self.id} name={self.name!r}>"

    def add_role(
        self, name: str, permissions: int | disnake.Permissions = 0, *, managed: bool = False
    ) -> Role:
        """Create a role above the existing ones."""
        role = Role(self.world.snowflakes.next(), self, name, perms(permissions), len(self.roles), managed)
        self.roles.append(role)
        return role

    def add_member(
        self,
        user: User | str,
        *,
        roles: list[Role] | tuple[Role, ...] = (),
        permissions: int | disnake.Permissions | None = None,
        nick: str | None = None,
    ) -> Member:
        """Make `user` (or a new user of that name) a member; `permissions` adds a role of their own."""
        if isinstance(user, str):
            user = self.world.add_user(user)
        member_roles = list(roles)
        if permissions is not None:
            member_roles.append(self.add_role(f"{user.name}-role", permissions))
        member = Member(user, self, member_roles, nick)
        self.members[user.id] = member
        return member

    def add_text_channel(
        self,
        name: str,
        *,
        channel_id: int | None = None,
        topic: str | None = None,
        overwrites: list[Overwrite] | None = None,
    ) -> Channel:
        """Create a text channel; pass `channel_id` to reuse an id (another guild's, even)."""
        ident = channel_id if channel_id is not None else self.world.snowflakes.next()
        if any(c.id == ident for c in self.channels):
            raise ValueError(f"{self!r} already has a channel with id {ident}")
        channel = Channel(ident, name, self, TEXT_CHANNEL, len(self.channels), topic, overwrites or [])
        self.channels.append(channel)
        return channel

    def member(self, user: User | Member | int) -> Member:
        """The member for a user, member or user id (KeyError when they are not in the guild)."""
        user_id = user if isinstance(user, int) else user.id
        return self.members[user_id]

    def channel(self, name_or_id: str | int) -> Channel:
        """The channel with this name or id."""
        for channel in self.channels:
            if name_or_id in (channel.id, channel.name):
                return channel
        raise KeyError(name_or_id)

    @property
    def bot_member(self) -> Member:
        """The bot's own membership of this guild."""
        return self.members[self.world.bot.id]

    def payload(self, *, all_members: bool) -> JSON:
        """The GUILD_CREATE payload; without `all_members` only the bot's member is listed."""
        members = list(self.members.values()) if all_members else [self.bot_member]
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner.id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": self.preferred_locale,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "features": [],
            "roles": [role.payload() for role in self.roles],
            "emojis": [],
            "stickers": [],
            "joined_at": self.bot_member.joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "members": [m.payload() for m in members],
            "channels": [c.payload() for c in self.channels],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
