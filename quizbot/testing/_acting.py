"""The double acting as people: slash commands, autocomplete, clicks, modal submits and messages.

A mixin of DiscordDouble, kept apart from its server lifecycle and world-building so each reads alone:
every method here builds what a Discord client would send for one person and dispatches it to the bot.
"""

from __future__ import annotations

import time
from typing import Any

from quizbot.testing._gateway import Gateway
from quizbot.testing._modals import modal_data
from quizbot.testing._model import JSON, Channel, Guild, Member, User
from quizbot.testing._people import (
    DoubleError,
    Resolved,
    build_options,
    check_visible,
    component_data,
    interaction_payload,
)
from quizbot.testing._records import InteractionRecord, MessageRecord, Notifier
from quizbot.testing._store import Store
from quizbot.testing._world import World


class Acting:
    """The double's side that acts as people towards the bot (mixed into DiscordDouble)."""

    world: World
    store: Store
    gateway: Gateway
    notifier: Notifier

    def _member(self, guild: Guild | None, user: User | Member) -> tuple[User, Member | None]:
        person = user.user if isinstance(user, Member) else user
        if guild is None:
            return person, None
        if person.id not in guild.members:
            raise DoubleError(f"{person.name} is not a member of {guild!r}")
        return person, guild.members[person.id]

    async def _interact(
        self,
        kind: int,
        channel: Channel,
        user: User | Member,
        data: JSON,
        *,
        message: MessageRecord | None = None,
        trigger: InteractionRecord | None = None,
        locale: str | None = None,
    ) -> InteractionRecord:
        """Dispatch INTERACTION_CREATE and return the record that collects the bot's answers.

        Its `locale` is the person's client language (`User.locale`) unless one is given."""
        guild = channel.guild
        person, member = self._member(guild, user)
        payload = interaction_payload(
            self.world,
            kind,
            channel,
            person,
            member=member,
            data=data,
            message=message,
            locale=locale or person.locale,
        )
        record = InteractionRecord(
            self.world.snowflakes.next(),
            payload["token"],
            kind,
            channel,
            person,
            payload,
            self.notifier,
            message,
            trigger,
        )
        payload["id"] = str(record.id)
        self.store.interactions[record.id] = record
        self.store.by_token[record.token] = record
        self.store.touch(channel)
        record.dispatched_at = time.monotonic()
        if not await self.gateway.dispatch("INTERACTION_CREATE", payload, guild.id if guild else None):
            raise DoubleError("no ready bot is connected to receive the interaction")
        return record

    def _command(self, guild: Guild | None, channel: Channel, member: Member | None, name: str) -> JSON:
        command = self.store.find_command(name, guild.id if guild else None)
        if command is None:
            known = sorted({c["name"] for scope in self.store.commands.values() for c in scope})
            raise DoubleError(f"no command /{name} is registered here; the bot registered {known}")
        check_visible(command, member, channel)
        return command

    def _channel(self, guild: Guild | None, channel: Channel | None, user: User | Member) -> Channel:
        if channel is None:
            if guild is not None:
                raise DoubleError("name the channel of a guild interaction")
            return self.world.dm_channel(user.user if isinstance(user, Member) else user)
        if channel.guild is not guild:
            raise DoubleError(f"channel {channel.name!r} is not in {guild!r}")
        return channel

    async def slash(
        self,
        guild: Guild | None,
        channel: Channel | None,
        user: User | Member,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        locale: str | None = None,
        forged: bool = False,
    ) -> InteractionRecord:
        """Use a slash command ("trivia start" names the subcommand) with option values, as a person would.

        Values are str/int/float/bool, or a User/Member/Role/Channel/Attachment (see `attachment`) for
        those option types. A guild of None (and channel None) means the bot's DM with `user`.
        `locale` overrides the user's client language (`User.locale`) for this one interaction.
        `forged=True` sends any JSON values as given, as a modified client could: no client-side checks."""
        where, data, resolved = self._command_data(guild, channel, user, command, options, forged=forged)
        if resolved.data:
            data["resolved"] = resolved.data
        return await self._interact(2, where, user, data, locale=locale)

    async def autocomplete(
        self,
        guild: Guild | None,
        channel: Channel | None,
        user: User | Member,
        command: str,
        *,
        focused: str,
        options: dict[str, Any] | None = None,
    ) -> InteractionRecord:
        """Type into option `focused` of a slash command; the record's `choices` has the bot's answer."""
        where, data, _ = self._command_data(guild, channel, user, command, options, focused=focused)
        return await self._interact(4, where, user, data)

    def _command_data(
        self,
        guild: Guild | None,
        channel: Channel | None,
        user: User | Member,
        command: str,
        options: dict[str, Any] | None,
        *,
        focused: str | None = None,
        forged: bool = False,
    ) -> tuple[Channel, JSON, Resolved]:
        """Where a slash command (or its autocomplete) is used, its interaction data, and the
        objects its options name (for the data's `resolved`)."""
        where = self._channel(guild, channel, user)
        name, *path = command.split()
        _, member = self._member(guild, user)
        schema = self._command(guild, where, member, name)
        resolved = Resolved(guild, where)
        built = build_options(
            schema.get("options") or [],
            path,
            options or {},
            resolved=resolved,
            viewer=member,
            focused=focused,
            forged=forged,
        )
        data: JSON = {"id": schema["id"], "name": name, "type": 1, "options": built}
        if "guild_id" in schema:
            data["guild_id"] = schema["guild_id"]
        return where, data, resolved

    async def click(
        self, message: MessageRecord, custom_id: str, user: User | Member, *, values: list[Any] | None = None
    ) -> InteractionRecord:
        """Press a button (or pick `values` in a select menu) on a message the bot sent."""
        if message.deleted:
            raise DoubleError(f"message {message.id} was deleted")
        person = user.user if isinstance(user, Member) else user
        if message.ephemeral and (message.interaction is None or message.interaction.user is not person):
            raise DoubleError("only the interaction's user can see (and click) an ephemeral message")
        data = component_data(
            message.component(custom_id), values, Resolved(message.channel.guild, message.channel)
        )
        return await self._interact(3, message.channel, user, data, message=message)

    async def submit_modal(
        self,
        opened_by: InteractionRecord,
        values: dict[str, Any],
        user: User | Member | None = None,
        *,
        forged: bool = False,
        custom_id: str | None = None,
    ) -> InteractionRecord:
        """Submit the modal the bot opened in answer to `opened_by` (text inputs take a str, string
        selects a list of values), checked as the client checks it unless `forged` (see modal_data)."""
        modal = opened_by.modal
        if modal is None:
            raise DoubleError(f"interaction {opened_by.id} was not answered with a modal")
        return await self._interact(
            5,
            opened_by.channel,
            user or opened_by.user,
            modal_data(modal, values, forged=forged, custom_id=custom_id),
            message=opened_by.message,
            trigger=opened_by,
        )

    async def say(
        self, guild: Guild | None, channel: Channel | None, user: User | Member, text: str
    ) -> MessageRecord:
        """Post a message as `user`: MESSAGE_CREATE to the bot.

        The bot sees the text only with the message_content intent, when mentioned, or in DMs."""
        where = self._channel(guild, channel, user)
        person, member = self._member(guild, user)
        if member is not None and member.permissions_in(where) & (1 << 11) == 0:
            raise DoubleError(f"{person.name} cannot send messages in #{where.name}")
        return await self.store.create_message(where, person, {"content": text}, [])

    async def dm(self, user: User | Member, text: str) -> MessageRecord:
        """Send the bot a direct message as `user`."""
        return await self.say(None, None, user, text)

    def dm_channel(self, user: User | Member) -> Channel:
        """The DM channel between the bot and `user`."""
        return self.world.dm_channel(user.user if isinstance(user, Member) else user)
