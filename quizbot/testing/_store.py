"""The double's memory: messages per channel (and their gateway events), interactions, commands, limits."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from typing import Any

import disnake

from quizbot.testing._commands import command_problem
from quizbot.testing._gateway import Gateway, GatewaySession
from quizbot.testing._model import JSON, Channel, ChannelKey, User
from quizbot.testing._records import Attachment, InteractionRecord, MessageRecord, Notifier, TranscriptEntry
from quizbot.testing._world import World

MESSAGE_CONTENT_INTENT = disnake.Intents(message_content=True).value
GUILD_MESSAGES_INTENT = disnake.Intents(guild_messages=True).value
DM_MESSAGES_INTENT = disnake.Intents(dm_messages=True).value
MENTION = re.compile(r"<@!?(\d+)>")


class ApiError(Exception):
    """An error answer in Discord's shape: HTTP status, JSON error code and message."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        """An error for `status` with Discord's JSON `code` and `message`."""
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> JSON:
        """The JSON error body."""
        body: JSON = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def invalid(path: str, problem: str) -> ApiError:
    """Discord's 'Invalid Form Body' (400, 50035) naming the offending field."""
    return ApiError(
        400, 50035, f"Invalid Form Body: {path}: {problem}", {path: {"_errors": [{"message": problem}]}}
    )


EMBED_LIMITS = {"title": 256, "description": 4096}


def validate_message(data: JSON, *, has_files: bool, creating: bool) -> None:
    """Reject what Discord rejects: empty or too long messages, and oversized embeds and components."""
    content = data.get("content") or ""
    embeds = data.get("embeds") or []
    components = data.get("components") or []
    if creating and not (
        content or embeds or components or has_files or data.get("sticker_ids") or data.get("poll")
    ):
        raise ApiError(400, 50006, "Cannot send an empty message")
    if len(content) > 2000:
        raise invalid("content", "Must be 2000 or fewer in length.")
    if len(embeds) > 10:
        raise invalid("embeds", "Must be 10 or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        for key, limit in EMBED_LIMITS.items():
            if len(embed.get(key) or "") > limit:
                raise invalid(f"embeds.{i}.{key}", f"Must be {limit} or fewer in length.")
            total += len(embed.get(key) or "")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            raise invalid(f"embeds.{i}.fields", "Must be 25 or fewer in length.")
        for j, item in enumerate(fields):
            if not item.get("name") or not item.get("value"):
                raise invalid(f"embeds.{i}.fields.{j}", "Field name and value are required.")
            if len(item["name"]) > 256 or len(item["value"]) > 1024:
                raise invalid(f"embeds.{i}.fields.{j}", "Name is at most 256 and value at most 1024 long.")
            total += len(item["name"]) + len(item["value"])
    if total > 6000:
        raise invalid("embeds", "Embed size exceeds maximum size of 6000")
    validate_components(components)


def validate_components(components: list[JSON]) -> None:
    """Rows of at most five buttons, unique custom ids of at most 100 characters, labels of at most 80."""
    seen: set[str] = set()
    if len(components) > 5 and all(c.get("type") == 1 for c in components):
        raise invalid("components", "Must be 5 or fewer in length.")
    stack = list(components)
    while stack:
        component = stack.pop()
        children = component.get("components") or []
        if component.get("type") == 1 and len(children) > 5:
            raise invalid("components", "An action row holds at most 5 components.")
        stack.extend(children)
        custom_id = component.get("custom_id")
        if custom_id is not None:
            if len(custom_id) > 100:
                raise invalid("components", f"custom_id {custom_id!r} is longer than 100.")
            if custom_id in seen:
                raise invalid("components", f"custom_id {custom_id!r} is used twice.")
            seen.add(custom_id)
        if len(component.get("label") or "") > 80:
            raise invalid("components", "A label is at most 80 long.")


class Store:
    """Messages, transcripts, interactions and registered commands, with their gateway side effects."""

    def __init__(self, world: World, gateway: Gateway, notifier: Notifier) -> None:
        """An empty store for `world`, dispatching through `gateway`."""
        self.world = world
        self.gateway = gateway
        self.notifier = notifier
        self.messages: dict[int, MessageRecord] = {}
        self.transcripts: defaultdict[ChannelKey, list[TranscriptEntry]] = defaultdict(list)
        self.interactions: dict[int, InteractionRecord] = {}
        self.by_token: dict[str, InteractionRecord] = {}
        self.commands: dict[int | None, list[JSON]] = {}
        self.last_activity: dict[ChannelKey, float] = {}
        self.files: dict[int, Attachment] = {}

    # --- channels -------------------------------------------------------------------------------

    def touch(self, channel: Channel) -> None:
        """Note activity in a channel (used to attribute posts when channel ids collide)."""
        self.last_activity[channel.key] = time.monotonic()

    def resolve_channel(self, channel_id: int) -> tuple[Channel, bool]:
        """The channel a REST path names, and whether the id was ambiguous (the most active one wins)."""
        found = self.world.channels_with_id(channel_id)
        if not found:
            raise ApiError(404, 10003, "Unknown Channel")
        if len(found) == 1:
            return found[0], False
        return max(found, key=lambda c: self.last_activity.get(c.key, 0.0)), True

    def message_in(self, channel_id: int, message_id: int) -> MessageRecord:
        """A live message by id, which must be in a channel with `channel_id`."""
        record = self.messages.get(message_id)
        if record is None or record.deleted or record.channel.id != channel_id:
            raise ApiError(404, 10008, "Unknown Message")
        return record

    # --- messages -------------------------------------------------------------------------------

    def _member_payload(self, channel: Channel, user: User) -> JSON | None:
        if channel.guild is None or user.id not in channel.guild.members:
            return None
        return channel.guild.members[user.id].payload(with_user=False)

    def event_payload(self, record: MessageRecord, session: GatewaySession) -> JSON | None:
        """A session's copy of a message event (created or edited), honouring its intents; None: not sent."""
        guild = record.channel.guild
        if not session.has_intent(GUILD_MESSAGES_INTENT if guild is not None else DM_MESSAGES_INTENT):
            return None
        data = record.payload(self.world.application_id)
        mentioned = [
            self.world.users[int(i)] for i in MENTION.findall(record.content) if int(i) in self.world.users
        ]
        data["mentions"] = []
        for user in mentioned:
            mention = user.payload()
            member = self._member_payload(record.channel, user)
            if member is not None:
                mention["member"] = member
            data["mentions"].append(mention)
        if guild is not None:
            data["guild_id"] = str(guild.id)
            member = self._member_payload(record.channel, record.author)
            if member is not None:
                data["member"] = member
        readable = (
            session.has_intent(MESSAGE_CONTENT_INTENT)
            or guild is None
            or record.author is self.world.bot
            or self.world.bot in mentioned
        )
        if not readable:
            data.update(content="", embeds=[], attachments=[], components=[])
        return data

    def _log(self, action: Any, record: MessageRecord) -> None:
        self.transcripts[record.key].append(TranscriptEntry(action, record, record.snapshot()))
        self.touch(record.channel)
        self.notifier.notify()

    async def create_message(
        self,
        channel: Channel,
        author: User,
        data: JSON,
        files: list[Attachment],
        *,
        interaction: InteractionRecord | None = None,
        ambiguous: bool = False,
        flags: int | None = None,
    ) -> MessageRecord:
        """Record a new message in `channel` and dispatch MESSAGE_CREATE (unless ephemeral)."""
        record = MessageRecord(
            id=self.world.snowflakes.next(),
            channel=channel,
            author=author,
            content=data.get("content") or "",
            embeds=list(data.get("embeds") or []),
            components=list(data.get("components") or []),
            attachments=files,
            flags=int(data.get("flags") or 0) if flags is None else flags,
            webhook_id=self.world.application_id if interaction is not None else None,
            interaction=interaction,
            reference=data.get("message_reference"),
            ambiguous=ambiguous,
        )
        self.messages[record.id] = record
        self._log("create", record)
        if not record.ephemeral:
            await self.gateway.dispatch(
                "MESSAGE_CREATE", lambda s: self.event_payload(record, s), channel.key[0]
            )
        return record

    async def edit_message(self, record: MessageRecord, data: JSON, files: list[Attachment]) -> MessageRecord:
        """Apply an edit and dispatch MESSAGE_UPDATE, unless the message is ephemeral."""
        validate_message(
            {**record.snapshot(), **data}, has_files=bool(files or record.attachments), creating=False
        )
        record.apply_edit(data, files)
        self._log("edit", record)
        if not record.ephemeral:
            await self.gateway.dispatch(
                "MESSAGE_UPDATE", lambda s: self.event_payload(record, s), record.key[0]
            )
        return record

    async def delete_message(self, record: MessageRecord) -> None:
        """Mark a message deleted and dispatch MESSAGE_DELETE (unless ephemeral)."""
        record.deleted = True
        self._log("delete", record)
        if record.ephemeral:
            return
        data: JSON = {"id": str(record.id), "channel_id": str(record.channel.id)}
        guild_id = record.key[0]
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        intent = GUILD_MESSAGES_INTENT if guild_id is not None else DM_MESSAGES_INTENT
        await self.gateway.dispatch(
            "MESSAGE_DELETE", lambda s: data if s.has_intent(intent) else None, guild_id
        )

    # --- application commands ---------------------------------------------------------------------

    def put_commands(self, guild_id: int | None, payloads: list[JSON]) -> list[JSON]:
        """Bulk-overwrite the global (None) or a guild's commands; a kept (name, type) keeps its id."""
        old = {(c["name"], c.get("type", 1)): c for c in self.commands.get(guild_id, [])}
        stored = []
        for payload in payloads:
            if not isinstance(payload, dict) or "name" not in payload:
                raise invalid("name", "This field is required")
            if (problem := command_problem(payload)) is not None:  # names, texts, localisations
                raise invalid(*problem)
            kind = payload.get("type") or 1
            previous = old.get((payload["name"], kind))
            stored.append(self.command_payload(guild_id, payload, previous))
        self.commands[guild_id] = stored
        self.notifier.notify()
        return stored

    def command_payload(self, guild_id: int | None, payload: JSON, previous: JSON | None) -> JSON:
        """A command as Discord answers it: the posted fields with ids, version and API defaults."""
        kind = payload.get("type") or 1
        command = {
            **payload,
            "id": previous["id"] if previous else str(self.world.snowflakes.next()),
            "application_id": str(self.world.application_id),
            "version": str(self.world.snowflakes.next()),
            "type": kind,
            "description": payload.get("description") or "",
            "default_member_permissions": payload.get("default_member_permissions"),
            "default_permission": True,
            "nsfw": bool(payload.get("nsfw")),
        }
        if kind == 1:
            command["options"] = payload.get("options") or []
        if guild_id is not None:
            command["guild_id"] = str(guild_id)
            command.pop("integration_types", None)
            command.pop("contexts", None)
        else:
            command["integration_types"] = payload.get("integration_types") or [0]
            command["contexts"] = payload.get("contexts")
            command.setdefault("dm_permission", True)
        return command

    def find_command(self, name: str, guild_id: int | None, kind: int = 1) -> JSON | None:
        """The command a user in `guild_id` would pick: the guild's own first, then a global one."""
        for scope in (guild_id, None) if guild_id is not None else (None,):
            for command in self.commands.get(scope, []):
                if command["name"] == name and command.get("type", 1) == kind:
                    return command
        return None
