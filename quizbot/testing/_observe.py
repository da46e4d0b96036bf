"""What a test reads back from the double: transcripts, interactions, requests; and faults it injects."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from quizbot.testing._http import Traffic
from quizbot.testing._model import Channel, ChannelKey
from quizbot.testing._records import (
    FaultRule,
    InteractionRecord,
    MessageRecord,
    Notifier,
    RequestRecord,
    TranscriptEntry,
)
from quizbot.testing._store import Store

ChannelRef = Channel | tuple[int | None, int]
MESSAGE_ROUTE = "POST /channels/{channel_id}/messages"


def channel_key(channel: ChannelRef) -> ChannelKey:
    """The (guild id, channel id) key of a channel or key."""
    return channel.key if isinstance(channel, Channel) else channel


class Observations:
    """The double's read-back and fault-injection side (mixed into DiscordDouble)."""

    store: Store
    traffic: Traffic
    notifier: Notifier

    # --- what happened -------------------------------------------------------------------------

    @property
    def interactions(self) -> list[InteractionRecord]:
        """Every interaction dispatched, in order."""
        return list(self.store.interactions.values())

    def messages(
        self, channel: ChannelRef, *, include_deleted: bool = False, include_users: bool = False
    ) -> list[MessageRecord]:
        """The bot's messages in a channel (keyed by guild AND channel id), in the order they were sent.

        Ephemeral ones are included (see `MessageRecord.ephemeral`); deleted ones and people's only on
        request."""
        key = channel_key(channel)
        return [
            m
            for m in self.store.messages.values()
            if m.key == key and (include_deleted or not m.deleted) and (include_users or m.from_bot)
        ]

    def last_message(self, channel: ChannelRef, *, include_users: bool = False) -> MessageRecord | None:
        """The bot's latest (not deleted) message in a channel."""
        found = self.messages(channel, include_users=include_users)
        return found[-1] if found else None

    def transcript(self, channel: ChannelRef) -> list[TranscriptEntry]:
        """Every create, edit and delete in a channel, people's messages included, in order."""
        return list(self.store.transcripts.get(channel_key(channel), []))

    async def wait_for_message(
        self,
        predicate: Callable[[MessageRecord], bool],
        timeout: float = 3.0,  # noqa: ASYNC109 - test waits always time out
        *,
        channel: ChannelRef | None = None,
        since: float | None = None,
    ) -> MessageRecord:
        """The oldest live bot message satisfying `predicate` as it is now, waiting up to `timeout`.

        Limit the search to `channel`, and to messages created at or after monotonic time `since`;
        sends and edits wake the wait."""
        key = channel_key(channel) if channel is not None else None

        def probe() -> MessageRecord | None:
            """The first match, if any."""
            for message in list(self.store.messages.values()):
                if not message.from_bot or message.deleted or (key is not None and message.key != key):
                    continue
                if (since is None or message.created_at >= since) and predicate(message):
                    return message
            return None

        return await self.notifier.wait_for(probe, timeout, "a matching message")

    # --- requests and faults ---------------------------------------------------------------------

    @property
    def requests(self) -> Counter[str]:
        """How many requests arrived per route ('POST /channels/{channel_id}/messages': 3, ...)."""
        return self.traffic.counts

    @property
    def request_log(self) -> list[RequestRecord]:
        """Every /api request in order, with its body and the status answered."""
        return list(self.traffic.log)

    @property
    def unknown_routes(self) -> list[str]:
        """Requests the double has no route for (answered 404); a test should expect this to be empty."""
        return list(self.traffic.unknown)

    @property
    def crashes(self) -> list[str]:
        """Requests on which the double itself failed (answered 400); should always be empty."""
        return list(self.traffic.crashes)

    def fail_next(
        self,
        count: int = 1,
        *,
        route: str | None = None,
        status: int = 429,
        retry_after: float = 0.05,
        is_global: bool = False,
        via: bool = True,
    ) -> FaultRule:
        """Answer the next `count` requests on `route` with a 429 or another error `status`.

        `route` is a template such as 'POST /channels/{channel_id}/messages' (None: any route). A 429
        carries `retry_after` and the Via header unless `via` is False (a Cloudflare ban to disnake)."""
        rule = FaultRule(status, count, route, retry_after, is_global, via)
        self.traffic.faults.append(rule)
        return rule

    def rate_limit_next(
        self, count: int = 1, *, route: str | None = MESSAGE_ROUTE, retry_after: float = 0.05
    ) -> FaultRule:
        """Answer the next `count` requests on `route` with a Discord 429."""
        return self.fail_next(count, route=route, retry_after=retry_after)

    def server_error_next(
        self, count: int = 1, *, route: str | None = MESSAGE_ROUTE, status: int = 500
    ) -> FaultRule:
        """Answer the next `count` requests on `route` with a 5xx."""
        return self.fail_next(count, route=route, status=status)
