"""The double's interaction routes: application commands, interaction callbacks and their webhooks."""

from __future__ import annotations

import time

from aiohttp import web

from quizbot.testing._http import RawFile, json_response
from quizbot.testing._modals import validate_modal
from quizbot.testing._model import JSON
from quizbot.testing._records import EPHEMERAL, LOADING, Callback, InteractionRecord, MessageRecord
from quizbot.testing._routes import Routes, no_content, snowflake
from quizbot.testing._store import ApiError, invalid, validate_message

ALLOWED_CALLBACKS = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
"""Callback types Discord accepts per interaction type (2 command, 3 component, 4 autocomplete, 5 modal)."""


LOCALISATIONS = ("name_localizations", "description_localizations")


def as_listed(command: JSON, request: web.Request) -> JSON:
    """A stored command as a GET returns it: its localisation dictionaries only when asked for with
    ?with_localizations=true, as Discord does (disnake always asks)."""
    if request.query.get("with_localizations", "").lower() in {"true", "1"}:
        return command
    return _without_localisations(command)


def _without_localisations(item: JSON) -> JSON:
    kept = {key: value for key, value in item.items() if key not in LOCALISATIONS}
    for key in ("options", "choices"):
        if isinstance(kept.get(key), list):
            kept[key] = [_without_localisations(o) if isinstance(o, dict) else o for o in kept[key]]
    return kept


class InteractionRoutes(Routes):
    """Commands (global and per guild), the one callback per interaction, follow-ups and @original."""

    def command_scope(self, request: web.Request) -> int | None:
        """The guild id of a guild-command route (None for global), checking the application id."""
        if snowflake(request, "application_id") != self.world.application_id:
            raise ApiError(403, 50001, "Missing Access")
        if "guild_id" not in request.match_info:
            return None
        guild_id = snowflake(request, "guild_id")
        if guild_id not in self.world.guilds:
            raise ApiError(403, 50001, "Missing Access")
        return guild_id

    def command(self, request: web.Request) -> tuple[int | None, JSON]:
        """The scope and stored command a /commands/{command_id} route names."""
        scope = self.command_scope(request)
        wanted = request.match_info["command_id"]
        for command in self.store.commands.get(scope, []):
            if command["id"] == wanted:
                return scope, command
        raise ApiError(404, 10063, "Unknown application command")

    async def list_commands(self, request: web.Request) -> web.Response:
        """GET commands (global or a guild's)."""
        found = self.store.commands.get(self.command_scope(request), [])
        return json_response([as_listed(command, request) for command in found])

    async def put_commands(self, request: web.Request) -> web.Response:
        """PUT commands: bulk overwrite."""
        scope = self.command_scope(request)
        payload, _ = await self.body(request)
        if not isinstance(payload, list):
            raise invalid("_", "Expected a list of commands")
        return json_response(self.store.put_commands(scope, payload))

    async def upsert_command(self, request: web.Request) -> web.Response:
        """POST a command: create it, or replace the one with the same name and type."""
        scope = self.command_scope(request)
        payload, _ = await self.body(request)
        kept = [
            c
            for c in self.store.commands.get(scope, [])
            if (c["name"], c.get("type", 1)) != (payload.get("name"), payload.get("type") or 1)
        ]
        self.store.put_commands(scope, [*kept, payload])
        command = next(c for c in self.store.commands[scope] if c["name"] == payload.get("name"))
        return json_response(command, 201)

    async def get_command(self, request: web.Request) -> web.Response:
        """GET one command."""
        return json_response(as_listed(self.command(request)[1], request))

    async def edit_command(self, request: web.Request) -> web.Response:
        """PATCH one command."""
        scope, command = self.command(request)
        payload, _ = await self.body(request)
        others = [c for c in self.store.commands[scope] if c is not command]
        self.store.put_commands(scope, [*others, {**command, **payload}])
        return json_response(next(c for c in self.store.commands[scope] if c["id"] == command["id"]))

    async def delete_command(self, request: web.Request) -> web.Response:
        """DELETE one command."""
        scope, command = self.command(request)
        self.store.commands[scope] = [c for c in self.store.commands[scope] if c is not command]
        self.store.notifier.notify()
        return no_content()

    # --- interactions and their webhooks -----------------------------------------------------

    async def callback(self, request: web.Request) -> web.Response:
        """POST /interactions/{id}/{token}/callback: the bot's one answer to an interaction."""
        arrived = time.monotonic()
        record = self.store.interactions.get(snowflake(request, "interaction_id"))
        if record is None or record.token != request.match_info["token"]:
            raise ApiError(404, 10062, "Unknown interaction")
        payload, raw = await self.body(request)
        kind = int(payload.get("type", 0)) if isinstance(payload, dict) else 0
        data = (payload.get("data") if isinstance(payload, dict) else None) or {}

        def reject(error: ApiError) -> ApiError:
            """Keep a refused callback in the record, then refuse it."""
            record.callbacks.append(Callback(kind, data, arrived, error.status))
            self.store.notifier.notify()
            return error

        if record.acknowledged:
            raise reject(ApiError(400, 40060, "Interaction has already been acknowledged."))
        if arrived - record.dispatched_at > self.ack_window:
            raise reject(ApiError(404, 10062, "Unknown interaction"))
        if kind not in ALLOWED_CALLBACKS[record.kind]:
            raise reject(
                invalid("type", f"Callback type {kind} is invalid for interaction type {record.kind}")
            )
        try:
            await self.apply_callback(record, kind, data, raw)
        except ApiError as error:
            raise reject(error) from None
        record.callbacks.append(Callback(kind, data, arrived, 204))
        self.store.notifier.notify()
        return no_content()

    async def apply_callback(
        self, record: InteractionRecord, kind: int, data: JSON, raw: list[RawFile]
    ) -> None:
        """What an accepted callback does to the channel."""
        bot = self.world.bot
        if kind == 4:
            validate_message(data, has_files=bool(raw), creating=True)
            files = self.attachments(raw, data)
            record.original = await self.store.create_message(
                record.channel, bot, data, files, interaction=record
            )
        elif kind == 5:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            record.original = await self.store.create_message(
                record.channel, bot, {}, [], interaction=record, flags=flags
            )
        elif kind in (6, 7):
            if record.message is None:
                raise invalid("type", "Only interactions on a message can update it")
            record.original = record.message
            if kind == 7:
                await self.store.edit_message(record.message, data, self.attachments(raw, data))
        elif kind == 8:
            choices = data.get("choices")
            if not isinstance(choices, list) or len(choices) > 25:
                raise invalid("data.choices", "Must be a list of 25 or fewer choices.")
            if any(len(str(c.get("name", ""))) > 100 for c in choices):
                raise invalid("data.choices", "A choice name is at most 100 long.")
        elif kind == 9:
            validate_modal(data)

    def webhook_interaction(self, request: web.Request) -> InteractionRecord:
        """The acknowledged interaction whose token a webhook route carries (10015 otherwise)."""
        record = self.store.by_token.get(request.match_info["token"])
        if (
            snowflake(request, "application_id") != self.world.application_id
            or record is None
            or not record.acknowledged
        ):
            raise ApiError(404, 10015, "Unknown Webhook")
        return record

    def webhook_message(self, request: web.Request) -> tuple[InteractionRecord, MessageRecord]:
        """The interaction and the message (@original or a follow-up) a webhook route names."""
        record = self.webhook_interaction(request)
        wanted = request.match_info["message_id"]
        if wanted == "@original":
            message = record.original
        else:
            message = next(
                (m for m in [record.original, *record.followups] if m and str(m.id) == wanted), None
            )
        if message is None or message.deleted:
            raise ApiError(404, 10008, "Unknown Message")
        return record, message

    async def followup(self, request: web.Request) -> web.Response:
        """POST /webhooks/{app}/{token}: a follow-up (the first after a defer fills the thinking message,
        unless the bot deleted that message: then it is a new one, with its own flags)."""
        record = self.webhook_interaction(request)
        payload, raw = await self.body(request)
        data: JSON = payload or {}
        validate_message(data, has_files=bool(raw), creating=True)
        files = self.attachments(raw, data)
        original = record.original
        loading = original is not None and original.flags & LOADING and not original.deleted
        if original is not None and loading and original.interaction is record:
            message = await self.store.edit_message(
                original, {k: v for k, v in data.items() if k != "flags"}, files
            )
        else:
            flags = int(data.get("flags") or 0)
            message = await self.store.create_message(
                record.channel, self.world.bot, data, files, interaction=record, flags=flags
            )
        record.followups.append(message)
        self.store.notifier.notify()
        if request.query.get("wait") in ("1", "true", "True"):
            return self.message_json(message)
        return no_content()

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        """GET @original or a follow-up."""
        return self.message_json(self.webhook_message(request)[1])

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        """PATCH @original or a follow-up."""
        record, message = self.webhook_message(request)
        payload, raw = await self.body(request)
        data: JSON = payload or {}
        await self.store.edit_message(message, data, self.attachments(raw, data))
        if message is record.original and request.match_info["message_id"] == "@original":
            record.original_edits.append(data)
        self.store.notifier.notify()
        return self.message_json(message)

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        """DELETE @original or a follow-up."""
        _, message = self.webhook_message(request)
        await self.store.delete_message(message)
        return no_content()
