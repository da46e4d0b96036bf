"""The double's REST API: login, gateway discovery, users, guilds, channels and messages."""

from __future__ import annotations

from aiohttp import web

from quizbot.testing._http import API_PREFIX, json_response
from quizbot.testing._interactions import InteractionRoutes
from quizbot.testing._model import JSON, Channel, Guild
from quizbot.testing._records import EPHEMERAL
from quizbot.testing._roles import RoleRoutes
from quizbot.testing._routes import no_content, snowflake
from quizbot.testing._store import ApiError, validate_message

SEND = (1 << 10) | (1 << 11)  # VIEW_CHANNEL | SEND_MESSAGES
MANAGE_MESSAGES = 1 << 13


class RestApi(InteractionRoutes, RoleRoutes):
    """aiohttp handlers for every route disnake uses, backed by the world and the store."""

    def application(self) -> web.Application:
        """The aiohttp application: /api/v10 routes, the gateway websocket and attachment downloads."""
        app = web.Application(middlewares=[self.traffic.middleware], client_max_size=64 * 1024 * 1024)
        api = API_PREFIX
        commands = api + "/applications/{application_id}/commands"
        guild_commands = api + "/applications/{application_id}/guilds/{guild_id}/commands"
        webhook = api + "/webhooks/{application_id}/{token}"
        messages = api + "/channels/{channel_id}/messages"
        app.router.add_get(api + "/users/@me", self.get_me)
        app.router.add_post(api + "/users/@me/channels", self.create_dm)
        app.router.add_get(api + "/users/{user_id}", self.get_user)
        app.router.add_get(api + "/gateway", self.get_gateway)
        app.router.add_get(api + "/gateway/bot", self.get_gateway_bot)
        app.router.add_get(api + "/oauth2/applications/@me", self.get_application)
        app.router.add_get(api + "/applications/@me", self.get_application)
        for base in (commands, guild_commands):
            app.router.add_get(base, self.list_commands)
            app.router.add_put(base, self.put_commands)
            app.router.add_post(base, self.upsert_command)
            app.router.add_get(base + "/{command_id}", self.get_command)
            app.router.add_patch(base + "/{command_id}", self.edit_command)
            app.router.add_delete(base + "/{command_id}", self.delete_command)
        app.router.add_post(api + "/interactions/{interaction_id}/{token}/callback", self.callback)
        app.router.add_post(webhook, self.followup)
        app.router.add_get(webhook + "/messages/{message_id}", self.get_webhook_message)
        app.router.add_patch(webhook + "/messages/{message_id}", self.edit_webhook_message)
        app.router.add_delete(webhook + "/messages/{message_id}", self.delete_webhook_message)
        app.router.add_get(api + "/channels/{channel_id}", self.get_channel)
        app.router.add_post(api + "/channels/{channel_id}/typing", self.typing)
        app.router.add_get(messages, self.history)
        app.router.add_post(messages, self.post_message)
        app.router.add_get(messages + "/{message_id}", self.get_message)
        app.router.add_patch(messages + "/{message_id}", self.edit_message)
        app.router.add_delete(messages + "/{message_id}", self.delete_message)
        reaction = messages + "/{message_id}/reactions/{emoji}/@me"
        app.router.add_put(reaction, self.add_reaction)
        app.router.add_delete(reaction, self.remove_reaction)
        app.router.add_get(api + "/guilds/{guild_id}", self.get_guild)
        app.router.add_get(api + "/guilds/{guild_id}/channels", self.get_guild_channels)
        app.router.add_get(api + "/guilds/{guild_id}/roles", self.get_roles)
        app.router.add_get(api + "/guilds/{guild_id}/members/{user_id}", self.get_member)
        self.add_role_routes(app, api)
        app.router.add_get("/attachments/{attachment_id}/{filename}", self.download)
        app.router.add_get("/ws", self.gateway.handle)
        app.router.add_get("/ws/resume", self.gateway.handle)
        return app

    # --- login and gateway ----------------------------------------------------------------------

    async def get_me(self, request: web.Request) -> web.Response:
        """GET /users/@me: the bot user."""
        return json_response(self.world.bot.payload() | {"verified": True, "mfa_enabled": False, "flags": 0})

    async def get_user(self, request: web.Request) -> web.Response:
        """GET /users/{id}."""
        user = self.world.users.get(snowflake(request, "user_id"))
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return json_response(user.payload())

    async def get_gateway(self, request: web.Request) -> web.Response:
        """GET /gateway: the websocket URL."""
        return json_response({"url": self.gateway.url})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        """GET /gateway/bot: the websocket URL, shard count and session start limits."""
        limit = {"total": 1000, "remaining": 999, "reset_after": 86_400_000, "max_concurrency": 1}
        return json_response({"url": self.gateway.url, "shards": self.shards, "session_start_limit": limit})

    async def get_application(self, request: web.Request) -> web.Response:
        """GET /oauth2/applications/@me: the application, owned by the first guild's owner."""
        owner = next((g.owner for g in self.world.guilds.values()), self.world.bot)
        return json_response(
            {
                "id": str(self.world.application_id),
                "name": self.world.bot.name,
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": owner.payload(),
                "verify_key": "0" * 64,
                "team": None,
                "flags": 0,
                "bot": self.world.bot.payload(),
            }
        )

    # --- channels and messages -------------------------------------------------------------------

    def bot_may(self, channel: Channel, needed: int) -> None:
        """403 Missing Permissions unless the bot has `needed` in a guild channel."""
        if channel.guild is not None and channel.guild.bot_member.permissions_in(channel) & needed != needed:
            raise ApiError(403, 50013, "Missing Permissions")

    async def get_channel(self, request: web.Request) -> web.Response:
        """GET /channels/{id}."""
        channel, _ = self.store.resolve_channel(snowflake(request, "channel_id"))
        return json_response(channel.payload())

    async def typing(self, request: web.Request) -> web.Response:
        """POST /channels/{id}/typing."""
        self.store.resolve_channel(snowflake(request, "channel_id"))
        return no_content()

    async def history(self, request: web.Request) -> web.Response:
        """GET /channels/{id}/messages: newest first, with limit, before and after."""
        channel, _ = self.store.resolve_channel(snowflake(request, "channel_id"))
        self.bot_may(channel, (1 << 10) | (1 << 16))
        found = [
            m
            for m in self.store.messages.values()
            if m.channel is channel and not m.deleted and not m.ephemeral
        ]
        if "before" in request.query:
            found = [m for m in found if m.id < int(request.query["before"])]
        if "after" in request.query:
            found = [m for m in found if m.id > int(request.query["after"])]
        found.sort(key=lambda m: m.id, reverse=True)
        limit = int(request.query.get("limit", "50"))
        return json_response([m.payload(self.world.application_id) for m in found[:limit]])

    async def post_message(self, request: web.Request) -> web.Response:
        """POST /channels/{id}/messages (JSON or multipart)."""
        channel, ambiguous = self.store.resolve_channel(snowflake(request, "channel_id"))
        self.bot_may(channel, SEND)
        if channel.recipient is not None and not channel.recipient.accepts_dms:
            raise ApiError(403, 50007, "Cannot send messages to this user")  # the DM opens; posting fails
        payload, raw = await self.body(request)
        data: JSON = payload or {}
        validate_message(data, has_files=bool(raw), creating=True)
        files = self.attachments(raw, data)
        data = {**data, "flags": int(data.get("flags") or 0) & ~EPHEMERAL}
        record = await self.store.create_message(channel, self.world.bot, data, files, ambiguous=ambiguous)
        return self.message_json(record)

    async def get_message(self, request: web.Request) -> web.Response:
        """GET /channels/{id}/messages/{mid}."""
        record = self.store.message_in(snowflake(request, "channel_id"), snowflake(request, "message_id"))
        if record.ephemeral:
            raise ApiError(404, 10008, "Unknown Message")
        return self.message_json(record)

    async def edit_message(self, request: web.Request) -> web.Response:
        """PATCH /channels/{id}/messages/{mid}: only the bot's own messages."""
        record = self.store.message_in(snowflake(request, "channel_id"), snowflake(request, "message_id"))
        if record.ephemeral:
            raise ApiError(404, 10008, "Unknown Message")
        if record.author is not self.world.bot:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        payload, raw = await self.body(request)
        data: JSON = payload or {}
        await self.store.edit_message(record, data, self.attachments(raw, data))
        return self.message_json(record)

    async def delete_message(self, request: web.Request) -> web.Response:
        """DELETE /channels/{id}/messages/{mid}: the bot's own, or anyone's with Manage Messages."""
        record = self.store.message_in(snowflake(request, "channel_id"), snowflake(request, "message_id"))
        if record.author is not self.world.bot:
            self.bot_may(record.channel, MANAGE_MESSAGES)
        await self.store.delete_message(record)
        return no_content()

    async def add_reaction(self, request: web.Request) -> web.Response:
        """PUT .../reactions/{emoji}/@me."""
        record = self.store.message_in(snowflake(request, "channel_id"), snowflake(request, "message_id"))
        self.bot_may(record.channel, (1 << 6) | (1 << 16))
        emoji = request.match_info["emoji"]
        if emoji not in record.reactions:
            record.reactions.append(emoji)
        self.store.notifier.notify()
        return no_content()

    async def remove_reaction(self, request: web.Request) -> web.Response:
        """DELETE .../reactions/{emoji}/@me."""
        record = self.store.message_in(snowflake(request, "channel_id"), snowflake(request, "message_id"))
        emoji = request.match_info["emoji"]
        if emoji in record.reactions:
            record.reactions.remove(emoji)
        self.store.notifier.notify()
        return no_content()

    async def create_dm(self, request: web.Request) -> web.Response:
        """POST /users/@me/channels: the DM channel with a user."""
        payload, _ = await self.body(request)
        user = self.world.users.get(int((payload or {}).get("recipient_id", 0)))
        if user is None or user.bot:
            raise ApiError(400, 50007, "Cannot send messages to this user")
        return json_response(self.world.dm_channel(user).payload())

    # --- guilds --------------------------------------------------------------------------------

    def guild(self, request: web.Request) -> Guild:
        """The guild a route names."""
        guild = self.world.guilds.get(snowflake(request, "guild_id"))
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        return guild

    async def get_guild(self, request: web.Request) -> web.Response:
        """GET /guilds/{id}."""
        data = self.guild(request).payload(all_members=False)
        for key in ("members", "channels", "threads", "presences", "voice_states"):
            data.pop(key)
        return json_response(data)

    async def get_guild_channels(self, request: web.Request) -> web.Response:
        """GET /guilds/{id}/channels."""
        return json_response([c.payload() for c in self.guild(request).channels])

    async def get_roles(self, request: web.Request) -> web.Response:
        """GET /guilds/{id}/roles."""
        return json_response([r.payload() for r in self.guild(request).roles])

    async def get_member(self, request: web.Request) -> web.Response:
        """GET /guilds/{id}/members/{user_id}."""
        member = self.guild(request).members.get(snowflake(request, "user_id"))
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        return json_response(member.payload())

    async def download(self, request: web.Request) -> web.Response:
        """GET an uploaded attachment's bytes (its `url`)."""
        ident = request.match_info["attachment_id"]
        attachment = self.store.files.get(int(ident)) if ident.isdigit() else None
        if attachment is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=attachment.data, content_type=attachment.content_type or "application/octet-stream"
        )
