"""A loopback Discord for end-to-end tests: the real disnake client talks to it over REST and the gateway.

A test builds a small world (guilds, channels, members), starts the double, runs a bot against it and
acts as people would::

    async with DiscordDouble() as double:
        club = double.standard_guild("Quiz Club")
        bot = commands.InteractionBot(intents=..., guild_ready_timeout=0.05)
        ...  # register commands and views
        async with double.running(bot):
            player = club.players[0]
            record = await double.slash(club.guild, club.channel, player, "trivia start", {"count": 5})
            await record.wait_ack()
            assert record.ack_latency < 3.0

`running` points disnake at the double (Route.BASE) for the bot's lifetime and restores it afterwards.
"""

from __future__ import annotations

import socket
import time
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import disnake
from aiohttp import web

from quizbot.testing._bot import expected_commands, run_bot
from quizbot.testing._gateway import Gateway
from quizbot.testing._http import Traffic
from quizbot.testing._modals import modal_data
from quizbot.testing._model import BOT_PERMISSIONS, JSON, Channel, Guild, Member, User
from quizbot.testing._observe import Observations
from quizbot.testing._people import (
    DoubleError,
    Resolved,
    build_options,
    check_visible,
    component_data,
    interaction_payload,
)
from quizbot.testing._records import (
    Attachment,
    InteractionRecord,
    MessageRecord,
    Notifier,
)
from quizbot.testing._rest import RestApi
from quizbot.testing._store import Store
from quizbot.testing._world import World


@dataclass
class StandardGuild:
    """A guild set up for quiz tests: a #trivia channel, an admin, a moderator and players."""

    guild: Guild
    channel: Channel
    admin: Member
    moderator: Member
    players: list[Member] = field(default_factory=list)


class DiscordDouble(Observations):
    """An aiohttp server on 127.0.0.1 speaking Discord's REST API v10 and gateway to a disnake bot."""

    def __init__(
        self,
        *,
        token: str = "double-token",
        bot_name: str = "quizbot",
        bot_permissions: int | disnake.Permissions = BOT_PERMISSIONS,
        heartbeat_interval_ms: int = 41_250,
        ack_window: float = 3.0,
        shards: int = 1,
    ) -> None:
        """A stopped double; `start` (or `async with`) opens it on an ephemeral port."""
        permissions = (
            bot_permissions.value if isinstance(bot_permissions, disnake.Permissions) else bot_permissions
        )
        self.token = token
        self.world = World(bot_name=bot_name, bot_permissions=permissions)
        self.notifier = Notifier()
        self.gateway = Gateway(self.world, token, self.notifier, heartbeat_interval_ms=heartbeat_interval_ms)
        self.store = Store(self.world, self.gateway, self.notifier)
        self.traffic = Traffic(token)
        self.rest = RestApi(self.world, self.store, self.gateway, self.traffic)
        self.rest.ack_window = ack_window
        self.rest.shards = shards
        self._runner: web.AppRunner | None = None
        self.gateway_errors: list[str] = []
        """Gateway events a bot run with `running` failed to handle; should stay empty."""
        self.origin = ""

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> DiscordDouble:
        """Listen on an ephemeral 127.0.0.1 port."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        self._runner = web.AppRunner(
            self.rest.application(), handle_signals=False, access_log=None, shutdown_timeout=0.1
        )
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()
        self.origin = f"http://127.0.0.1:{port}"
        self.rest.origin = self.origin
        self.gateway.url = f"ws://127.0.0.1:{port}/ws"
        return self

    async def close(self) -> None:
        """Close every websocket and stop the server."""
        if self._runner is not None:
            await self.gateway.close()
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordDouble:
        """Start the double."""
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop the double."""
        await self.close()

    @property
    def api_base(self) -> str:
        """The value for disnake's Route.BASE: http://127.0.0.1:PORT/api/v10."""
        return f"{self.origin}/api/v10"

    @property
    def bot_user(self) -> User:
        """The bot's user (its id is also the application id)."""
        return self.world.bot

    # --- the world -----------------------------------------------------------------------------

    def attachment(
        self, filename: str, data: bytes, *, content_type: str | None = None, served: bool = True
    ) -> Attachment:
        """A file a person attaches to an attachment option; `served=False` makes downloading it fail."""
        ident = self.world.snowflakes.next()
        url = f"{self.origin}/attachments/{ident}/{filename}"
        file = Attachment(ident, filename, data, url, content_type=content_type)
        if served:
            self.store.files[ident] = file
        return file

    def add_user(self, name: str) -> User:
        """Create a user account."""
        return self.world.add_user(name)

    def add_guild(self, name: str, *, owner: User | str | None = None, guild_id: int | None = None) -> Guild:
        """Create a guild with its owner and the bot as members."""
        return self.world.add_guild(name, owner=owner, guild_id=guild_id)

    def standard_guild(self, name: str, *, channel_id: int | None = None, players: int = 3) -> StandardGuild:
        """A guild with #trivia, an admin, a moderator and `players` ordinary players.

        The admin's role has Manage Server, the moderator's Manage Messages; `channel_id` gives #trivia
        a chosen id (another guild's, to test colliding ids)."""
        guild = self.add_guild(name)
        admin_role = guild.add_role("Admin", disnake.Permissions(manage_guild=True))
        mod_role = guild.add_role("Moderator", disnake.Permissions(manage_messages=True))
        channel = guild.add_text_channel("trivia", channel_id=channel_id)
        admin = guild.add_member(f"{name}-admin", roles=[admin_role])
        moderator = guild.add_member(f"{name}-mod", roles=[mod_role])
        people = [guild.add_member(f"{name}-player{i + 1}") for i in range(players)]
        return StandardGuild(guild, channel, admin, moderator, people)

    async def announce_guild(self, guild: Guild) -> None:
        """Send GUILD_CREATE for a guild added (or changed) while the bot is connected."""
        await self.gateway.guild_create(guild)

    # --- running a bot -------------------------------------------------------------------------

    def running(
        self,
        bot: disnake.Client,
        *,
        timeout: float = 5.0,
        sync_commands: bool = True,
    ) -> AbstractAsyncContextManager[disnake.Client]:
        """Start `bot` against the double, wait until it is ready and its commands synced; close it after.

        Route.BASE points at the double meanwhile and is restored afterwards."""
        waits = [lambda: self.wait_for_bot_commands(bot, timeout)] if sync_commands else []
        return run_bot(
            bot, self.token, self.api_base, timeout=timeout, waits=waits, on_gateway_error=self._gateway_error
        )

    def _gateway_error(self, text: str) -> None:
        """Keep a gateway event the bot failed to handle, and wake waiters."""
        self.gateway_errors.append(text)
        self.notifier.notify()

    async def wait_until_connected(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - test waits always time out
        """Wait until a bot has identified and received its guilds."""
        await self.notifier.wait_for(
            lambda: self.gateway.live_sessions() or None, timeout, "a ready gateway session"
        )

    def commands(self, guild: Guild | None = None) -> list[JSON]:
        """The commands the bot registered, globally or (with `guild`) in that guild."""
        return list(self.store.commands.get(guild.id if guild is not None else None, []))

    async def wait_for_commands(self, *names: str, guild: Guild | None = None, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - test waits always time out
        """Wait until commands with these names are registered globally (or in `guild`)."""
        scope = guild.id if guild is not None else None

        def registered() -> bool | None:
            """True once every name is registered."""
            have = {c["name"] for c in self.store.commands.get(scope, [])}
            return True if set(names) <= have else None

        await self.notifier.wait_for(registered, timeout, f"commands {names} in scope {scope}")

    async def wait_for_bot_commands(self, bot: disnake.Client, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - test waits always time out
        """Wait until every auto-synced application command of an InteractionBot is registered here."""
        expected = expected_commands(bot)

        def synced() -> bool | None:
            """True once every expected command is registered."""
            for scope, names in expected.items():
                if not names <= {c["name"] for c in self.store.commands.get(scope, [])}:
                    return None
            return True

        await self.notifier.wait_for(synced, timeout, f"the bot's commands {expected}")

    # --- acting as people --------------------------------------------------------------------------

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
        where = self._channel(guild, channel, user)
        name, *path = command.split()
        _, member = self._member(guild, user)
        schema = self._command(guild, where, member, name)
        resolved = Resolved(guild, where)
        data: JSON = {
            "id": schema["id"],
            "name": name,
            "type": 1,
            "options": build_options(
                schema.get("options") or [],
                path,
                options or {},
                resolved=resolved,
                viewer=member,
                focused=None,
                forged=forged,
            ),
        }
        if "guild_id" in schema:
            data["guild_id"] = schema["guild_id"]
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
        )
        data: JSON = {"id": schema["id"], "name": name, "type": 1, "options": built}
        if "guild_id" in schema:
            data["guild_id"] = schema["guild_id"]
        return await self._interact(4, where, user, data)

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

    async def reconnect(self) -> None:
        """Ask the bot to reconnect (op 7); it resumes and gets the events it missed."""
        await self.gateway.reconnect_all()
