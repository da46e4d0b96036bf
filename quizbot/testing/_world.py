"""The world a double serves: the bot, users, guilds and DM channels."""

from __future__ import annotations

from quizbot.testing._model import BOT_PERMISSIONS, DM_CHANNEL, Channel, ChannelKey, Guild, Snowflakes, User


class World:
    """Everything the double knows about: the bot, users, guilds and DM channels."""

    def __init__(self, *, bot_name: str = "quizbot", bot_permissions: int = BOT_PERMISSIONS) -> None:
        """A world holding only the bot user; the application id is the bot's user id, as today."""
        self.snowflakes = Snowflakes()
        self.bot = User(self.snowflakes.next(), bot_name, bot=True)
        self.application_id = self.bot.id
        self.bot_permissions = bot_permissions
        self.users: dict[int, User] = {self.bot.id: self.bot}
        self.guilds: dict[int, Guild] = {}
        self.dm_channels: dict[int, Channel] = {}

    def add_user(self, name: str, *, bot: bool = False) -> User:
        """Create a user account."""
        user = User(self.snowflakes.next(), name, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, *, owner: User | str | None = None, guild_id: int | None = None) -> Guild:
        """Create a guild with its owner and the bot (holding a managed role with `bot_permissions`)."""
        if owner is None or isinstance(owner, str):
            owner = self.add_user(owner or f"{name}-owner")
        guild = Guild(self, guild_id if guild_id is not None else self.snowflakes.next(), name, owner)
        self.guilds[guild.id] = guild
        guild.add_member(owner)
        guild.add_member(self.bot, roles=[guild.add_role(self.bot.name, self.bot_permissions, managed=True)])
        return guild

    def dm_channel(self, user: User) -> Channel:
        """The DM channel between the bot and `user`, created on first use."""
        for channel in self.dm_channels.values():
            if channel.recipient is user:
                return channel
        channel = Channel(self.snowflakes.next(), "", None, DM_CHANNEL, recipient=user)
        self.dm_channels[channel.id] = channel
        return channel

    def channels_with_id(self, channel_id: int) -> list[Channel]:
        """Every channel with this id: one normally, several when guilds' channel ids collide."""
        found = [c for g in self.guilds.values() for c in g.channels if c.id == channel_id]
        if channel_id in self.dm_channels:
            found.append(self.dm_channels[channel_id])
        return found

    def channel(self, key: ChannelKey) -> Channel:
        """The channel with this (guild id, channel id) key."""
        guild_id, channel_id = key
        if guild_id is None:
            return self.dm_channels[channel_id]
        return self.guilds[guild_id].channel(channel_id)

    def user(self, user_id: int) -> User:
        """The user with this id."""
        return self.users[user_id]
