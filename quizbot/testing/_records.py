"""What the double remembers: messages and their history, interactions and their answers, requests, faults."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from quizbot.testing._embeds import resolved, shown_urls
from quizbot.testing._model import JSON, Channel, ChannelKey, User, iso_now

T = TypeVar("T")

EPHEMERAL = 1 << 6
LOADING = 1 << 7


class Notifier:
    """Wakes every waiter whenever the double records something, so tests can wait on conditions."""

    def __init__(self) -> None:
        """No one is waiting yet."""
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        """Something changed: let every waiter look again."""
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait_for(self, probe: Callable[[], T | None], timeout: float, what: str) -> T:  # noqa: ASYNC109 - test waits always time out
        """The first non-None result of `probe`, re-checked on every change, or TimeoutError."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = probe()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.add(waiter)
            try:
                # asyncio.wait, not wait_for: on 3.11 wait_for can swallow a cancellation that
                # arrives as the waiter is woken, leaving a cancelled waiter waiting on.
                await asyncio.wait({waiter}, timeout=remaining)
            finally:
                self._waiters.discard(waiter)


@dataclass(eq=False)
class Attachment:
    """A file the bot uploaded with a message."""

    id: int
    filename: str
    data: bytes
    url: str
    description: str | None = None
    content_type: str | None = None

    def payload(self) -> JSON:
        """The attachment object as Discord sends it."""
        return {
            "id": str(self.id),
            "filename": self.filename,
            "description": self.description,
            "content_type": self.content_type,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
        }


@dataclass(eq=False)
class MessageRecord:
    """A message in a channel as it is now, with every earlier version kept in `history`."""

    id: int
    channel: Channel
    author: User
    content: str = ""
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    deleted: bool = False
    webhook_id: int | None = None
    interaction: InteractionRecord | None = None
    reference: JSON | None = None
    ambiguous: bool = False
    """True when the bot posted by channel id alone and several guilds have a channel with that id."""
    reactions: list[str] = field(default_factory=list)
    history: list[JSON] = field(default_factory=list)
    created_at: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.embeds = resolved(self.embeds, self.attachments)  # attachment:// images show their file

    @property
    def shown_files(self) -> list[Attachment]:
        """The message's files that its embeds show (Discord lists them in the embeds, not as attachments)."""
        shown = shown_urls(self.embeds)
        return [a for a in self.attachments if a.url in shown]

    @property
    def key(self) -> ChannelKey:
        """The (guild id, channel id) of the channel the message is in."""
        return self.channel.key

    @property
    def ephemeral(self) -> bool:
        """Whether only the interaction's user can see this message."""
        return bool(self.flags & EPHEMERAL)

    @property
    def from_bot(self) -> bool:
        """Whether the bot wrote this message."""
        return self.author.bot

    @property
    def text(self) -> str:
        """Content, embed titles, descriptions, fields and footers, joined by newlines, for assertions."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            for embed_field in embed.get("fields") or []:
                parts += [embed_field.get("name") or "", embed_field.get("value") or ""]
            parts.append((embed.get("footer") or {}).get("text") or "")
        return "\n".join(p for p in parts if p)

    def iter_components(self) -> Iterator[JSON]:
        """Every component in the message, nested ones (in rows and containers) included."""
        stack = list(reversed(self.components))
        while stack:
            component = stack.pop()
            yield component
            children = list(component.get("components") or [])
            if "accessory" in component:
                children.append(component["accessory"])
            stack.extend(reversed(children))

    @property
    def custom_ids(self) -> list[str]:
        """The custom ids of the message's interactive components, in order."""
        return [c["custom_id"] for c in self.iter_components() if "custom_id" in c]

    def component(self, custom_id: str) -> JSON:
        """The component with this custom id (KeyError when there is none)."""
        for component in self.iter_components():
            if component.get("custom_id") == custom_id:
                return component
        raise KeyError(f"message {self.id} has no component {custom_id!r}; it has {self.custom_ids}")

    def snapshot(self) -> JSON:
        """The editable part of the message as it is now."""
        return {
            "content": self.content,
            "embeds": self.embeds,
            "components": self.components,
            "attachments": [a.filename for a in self.attachments],
            "flags": self.flags,
        }

    def apply_edit(self, data: JSON, new_files: list[Attachment]) -> None:
        """Apply a PATCH body as Discord does: fields present replace, `attachments` lists what stays."""
        self.history.append(self.snapshot())
        if "content" in data:
            self.content = data["content"] or ""
        if "embeds" in data:
            self.embeds = list(data["embeds"] or [])
        if "components" in data:
            self.components = list(data["components"] or [])
        if "flags" in data and data["flags"] is not None:
            self.flags = (self.flags & EPHEMERAL) | int(data["flags"])
        if "attachments" in data:
            keep = {str(a.get("id")) for a in data["attachments"] or []}
            self.attachments = [a for a in self.attachments if str(a.id) in keep]
        self.attachments += new_files
        self.embeds = resolved(self.embeds, self.attachments)
        self.flags &= ~LOADING
        self.edited_timestamp = iso_now()

    def payload(self, application_id: int) -> JSON:
        """The message object as Discord sends it in REST answers and gateway events."""
        data: JSON = {
            "id": str(self.id),
            "channel_id": str(self.channel.id),
            "author": self.author.payload(),
            "content": self.content,
            "timestamp": self.timestamp,
            "edited_timestamp": self.edited_timestamp,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [a.payload() for a in self.attachments if a not in self.shown_files],
            "embeds": self.embeds,
            "components": self.components,
            "reactions": [{"count": 1, "me": True, "emoji": {"id": None, "name": r}} for r in self.reactions],
            "pinned": False,
            "type": 0 if self.interaction is None or self.interaction.kind != 2 else 20,
            "flags": self.flags,
        }
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
            data["application_id"] = str(application_id)
        if self.interaction is not None:
            data["interaction_metadata"] = metadata = self.interaction.metadata()
            original = self.interaction.original
            if original is not None and original is not self:
                metadata["original_response_message_id"] = str(original.id)
        if self.reference is not None:
            data["message_reference"] = self.reference
        return data


@dataclass(frozen=True)
class TranscriptEntry:
    """One thing that happened to a message in a channel: created, edited or deleted."""

    action: Literal["create", "edit", "delete"]
    message: MessageRecord
    snapshot: JSON
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Callback:
    """One interaction callback the bot sent, accepted or not."""

    type: int
    data: JSON
    at: float
    status: int


@dataclass(eq=False)
class InteractionRecord:
    """An interaction the double dispatched, collecting the bot's answer, follow-ups and edits."""

    id: int
    token: str
    kind: int
    """2 application command, 3 component, 4 autocomplete, 5 modal submit."""
    channel: Channel
    user: User
    payload: JSON
    notifier: Notifier
    message: MessageRecord | None = None
    """The message whose component was used (component interactions)."""
    trigger: InteractionRecord | None = None
    """The interaction answered with the modal (modal submits)."""
    dispatched_at: float = field(default_factory=time.monotonic)
    callbacks: list[Callback] = field(default_factory=list)
    original: MessageRecord | None = None
    followups: list[MessageRecord] = field(default_factory=list)
    original_edits: list[JSON] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        """Whether the bot's callback was accepted."""
        return self.accepted is not None

    @property
    def accepted(self) -> Callback | None:
        """The callback Discord accepted (the first one in time), if any."""
        return next((c for c in self.callbacks if c.status < 300), None)

    @property
    def acknowledged_at(self) -> float | None:
        """Monotonic time when the first callback arrived (accepted or not)."""
        return self.callbacks[0].at if self.callbacks else None

    @property
    def ack_latency(self) -> float | None:
        """Seconds from dispatch to the first callback, for the 3-second rule."""
        at = self.acknowledged_at
        return None if at is None else at - self.dispatched_at

    @property
    def response_type(self) -> int | None:
        """The accepted callback's type: 4 message, 5 deferred, 6 deferred update, 7 update, 8, 9."""
        accepted = self.accepted
        return None if accepted is None else accepted.type

    @property
    def response_data(self) -> JSON:
        """The accepted callback's data ({} when none)."""
        accepted = self.accepted
        return {} if accepted is None else accepted.data

    @property
    def content(self) -> str | None:
        """The original response's content as it is now, if there is an original response."""
        return None if self.original is None else self.original.content

    @property
    def choices(self) -> list[JSON]:
        """The autocomplete choices the bot answered with."""
        return list(self.response_data.get("choices") or []) if self.response_type == 8 else []

    @property
    def modal(self) -> JSON | None:
        """The modal the bot opened, if it answered with one."""
        return self.response_data if self.response_type == 9 else None

    def metadata(self) -> JSON:
        """The interaction_metadata object carried by its response messages."""
        data: JSON = {
            "id": str(self.id),
            "type": self.kind,
            "user": self.user.payload(),
            "authorizing_integration_owners": self.payload.get("authorizing_integration_owners", {}),
        }
        if self.kind == 3 and self.message is not None:
            data["interacted_message_id"] = str(self.message.id)
        if self.trigger is not None:
            data["triggering_interaction_metadata"] = self.trigger.metadata()
        return data

    async def wait_ack(self, timeout: float = 3.0) -> InteractionRecord:  # noqa: ASYNC109 - test waits always time out
        """Wait until the bot answered the interaction (TimeoutError after `timeout`)."""
        return await self.wait_until(lambda r: r.acknowledged, timeout, "the interaction callback")

    async def wait_followups(self, count: int = 1, timeout: float = 3.0) -> list[MessageRecord]:  # noqa: ASYNC109 - test waits always time out
        """Wait until the bot sent at least `count` follow-ups; returns them all."""
        await self.wait_until(lambda r: len(r.followups) >= count, timeout, f"{count} follow-up(s)")
        return self.followups

    async def wait_original_edit(self, count: int = 1, timeout: float = 3.0) -> MessageRecord:  # noqa: ASYNC109 - test waits always time out
        """Wait until the original response was edited `count` times; returns the message."""
        await self.wait_until(lambda r: len(r.original_edits) >= count, timeout, "an edit to @original")
        assert self.original is not None
        return self.original

    async def wait_until(
        self,
        condition: Callable[[InteractionRecord], bool],
        timeout: float = 3.0,  # noqa: ASYNC109 - test waits always time out
        what: str = "a condition",
    ) -> InteractionRecord:
        """Wait until `condition(self)` holds."""
        return await self.notifier.wait_for(
            lambda: self if condition(self) else None, timeout, f"{what} on interaction {self.id}"
        )


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP request the bot made."""

    method: str
    route: str
    """The route template, e.g. 'POST /channels/{channel_id}/messages' ('' when unknown)."""
    path: str
    body: Any
    status: int
    at: float


@dataclass(eq=False)
class FaultRule:
    """Answer the next `remaining` requests matching `route` (all routes when None) with an error."""

    status: int
    remaining: int
    route: str | None = None
    retry_after: float = 0.05
    is_global: bool = False
    via: bool = True

    def matches(self, route: str) -> bool:
        """Whether a request on `route` (a template like 'POST /channels/{channel_id}/messages') is hit."""
        return self.remaining > 0 and (self.route is None or self.route == route)
