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
This module holds the server's lifecycle, the world and running a bot; acting as people (slash, click,
submit_modal, say, ...) is the Acting mixin in _acting.py; reading back and faults, Observations in
_observe.py.
"""

from __future__ import annotations

import socket
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

import disnake
from aiohttp import web

from quizbot.testing._acting import Acting
from quizbot.testing._bot import expected_commands, run_bot
from quizbot.testing._gateway import Gateway
from quizbot.testing._http import Traffic
from quizbot.testing._model import BOT_PERMISSIONS, JSON, Channel, Guild, Member, User
from quizbot.testing._observe import Observations
from quizbot.testing._records import Attachment, Notifier
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


class DiscordDouble(Acting, Observations):
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

    async def reconnect(self) -> None:
        """Ask the bot to reconnect (op 7); it resumes and gets the events it missed."""
        await self.gateway.reconnect_all()
