"""The end-to-end benchmark's world: guilds and channels in the double, a database of its own, live quizzes.

`QuestionBoard` watches the double for the question each channel has open now (the message with answer
buttons), so the driver clicks what a player would see. `Janitor` drops the double's records of
interactions the benchmark has already counted: the double keeps every interaction, message, request
and gateway frame for tests to read back, and since it runs in the bot's process that would be most of
the RSS growth. Neither changes what the bot sees or does.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections import Counter, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import disnake

from bench._measure import percentile
from quizbot.bot.custom_ids import ButtonKind, parse
from quizbot.storage.pool import Database
from quizbot.storage.schema import apply_schema
from quizbot.testing import Channel, DiscordDouble, Guild, InteractionRecord, Member, MessageRecord

ChannelKey = tuple[int | None, int]
GRACE_SECONDS = 5.0  # a counted interaction's records stay this long, for any late follow-up or edit


@dataclass(frozen=True, slots=True)
class Site:
    """One session's channel, its host, and the guild members who play there."""

    guild: Guild
    channel: Channel
    admin: Member
    players: tuple[Member, ...]

    @property
    def key(self) -> tuple[int, int]:
        return (self.guild.id, self.channel.id)


def build_sites(
    double: DiscordDouble, sessions: int, *, channels_per_guild: int, players_per_guild: int
) -> list[Site]:
    """`sessions` text channels, `channels_per_guild` to a guild, each guild with an admin and players.

    In round-robin order over the guilds (a channel of each guild, then the next of each), so that
    sessions started together, and so closing together, are in different guilds."""
    by_guild: list[list[Site]] = []
    for number in range(0, sessions, channels_per_guild):
        name = f"Bench{number // channels_per_guild:03d}"
        guild = double.add_guild(name)
        admin_role = guild.add_role("Admin", disnake.Permissions(manage_guild=True))
        admin = guild.add_member(f"{name}-admin", roles=[admin_role])
        players = tuple(guild.add_member(f"{name}-p{p:03d}") for p in range(players_per_guild))
        channels = [
            guild.add_text_channel(f"trivia-{i:02d}")
            for i in range(min(channels_per_guild, sessions - number))
        ]
        by_guild.append([Site(guild, channel, admin, players) for channel in channels])
    return [site for row in itertools.zip_longest(*by_guild) for site in row if site is not None]


def answer_buttons(message: MessageRecord) -> tuple[str, ...]:
    """The answer buttons' custom ids, in option order."""
    return tuple(c for c in message.custom_ids if (b := parse(c)) is not None and b.kind is ButtonKind.ANSWER)


class QuestionBoard:
    """The question each channel has open now: the latest public bot message with answer buttons."""

    def __init__(self, double: DiscordDouble) -> None:
        self.current: dict[ChannelKey, MessageRecord] = {}
        self.buttons: dict[int, tuple[str, ...]] = {}
        self.posted = 0
        store = double.store
        create = store.create_message

        async def create_message(
            channel: Channel, author: Any, data: Any, files: Any, **options: Any
        ) -> MessageRecord:
            """The double's own create_message, then note the message if it is a question."""
            record = await create(channel, author, data, files, **options)
            if record.from_bot and not record.ephemeral and (found := answer_buttons(record)):
                old = self.current.get(record.key)
                if old is not None:
                    self.buttons.pop(old.id, None)
                self.current[record.key] = record
                self.buttons[record.id] = found
                self.posted += 1
            return record

        store.create_message = create_message  # type: ignore[method-assign]

    def is_current(self, message: MessageRecord) -> bool:
        return message.id in self.buttons


@dataclass
class Janitor:
    """Drops the double's records of counted interactions after GRACE_SECONDS, and its logs at once.

    An interaction's record and its reply messages refer to each other; the cycle is broken as they
    are dropped, so that they go at once rather than piling up for the cyclic collector: the bot's
    full collections (which stop the one loop) should not be paying for the double's garbage."""

    double: DiscordDouble
    board: QuestionBoard
    queue: deque[tuple[float, InteractionRecord]] = field(default_factory=deque)
    dropped: Counter[str] = field(default_factory=Counter)

    def forget(self, record: InteractionRecord) -> None:
        """The benchmark has counted `record`: drop it (and its replies) after the grace period."""
        self.queue.append((time.monotonic(), record))

    def sweep(self, grace: float = GRACE_SECONDS) -> None:
        """Drop what is due: counted interactions and their replies, old non-question messages, logs.

        `grace` 0 drops every counted interaction now (between phases, when nothing is in flight)."""
        store, now = self.double.store, time.monotonic()
        while self.queue and now - self.queue[0][0] >= grace:
            _, record = self.queue.popleft()
            store.interactions.pop(record.id, None)
            store.by_token.pop(record.token, None)
            for reply in (record.original, *record.followups):
                if reply is not None and reply.interaction is record:
                    reply.interaction = None  # the record and its replies form a cycle: break it
            record.original, record.followups = None, []
            self.dropped["interactions"] += 1
        old = [
            m.id
            for m in store.messages.values()
            if now - m.created_at >= grace
            and not self.board.is_current(m)
            and (m.interaction is None or m.interaction.id not in store.interactions)
        ]
        for message_id in old:
            del store.messages[message_id]
        self.dropped["messages"] += len(old)
        self.dropped["transcript entries"] += sum(len(t) for t in store.transcripts.values())
        store.transcripts.clear()
        self.dropped["request log entries"] += len(self.double.traffic.log)
        self.double.traffic.log.clear()
        for session in self.double.gateway.sessions.values():
            self.dropped["gateway frames kept for RESUME"] += len(session.sent)
            session.sent.clear()

    async def run(self, every: float = 1.0) -> None:
        """Sweep every `every` seconds until cancelled."""
        while True:
            await asyncio.sleep(every)
            self.sweep()


# --- the database ----------------------------------------------------------------------------------


@asynccontextmanager
async def bench_database(url: str, *, max_size: int) -> AsyncIterator[tuple[Database, str]]:
    """A schema of its own with quizbot's tables, and a Database on it; the schema is dropped after."""
    schema = f"bench_e2e_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        db = await Database.connect(url, max_size=max_size, server_settings={"search_path": schema})
        try:
            await apply_schema(db)
            yield db, schema
        finally:
            await db.close()
    finally:
        await admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await admin.close()


# --- starting the quizzes --------------------------------------------------------------------------


@dataclass
class StartReport:
    """How starting every quiz through `/trivia start` went."""

    seconds: float = 0.0
    started: int = 0
    latencies: list[float] = field(default_factory=list)
    to_question: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)

    def describe(self) -> str:
        acks, firsts = self.latencies or [0.0], self.to_question or [0.0]
        failed = ", ".join(f"{n} {why}" for why, n in self.failures.most_common(3)) or "none failed"
        return (
            f"{self.started} quizzes started in {self.seconds:.1f} s; /trivia start acknowledged p50"
            f" {percentile(acks, 0.5) * 1000:.0f} ms p99 {percentile(acks, 0.99) * 1000:.0f} ms; first"
            f" question posted p50 {percentile(firsts, 0.5) * 1000:.0f} ms p99"
            f" {percentile(firsts, 0.99) * 1000:.0f} ms after the command; {failed}"
        )


async def start_quizzes(
    double: DiscordDouble,
    sites: list[Site],
    board: QuestionBoard,
    janitor: Janitor,
    *,
    options: dict[str, Any],
    concurrency: int,
) -> StartReport:
    """`/trivia start` by each channel's admin, `concurrency` at a time, until its first question is up."""
    report = StartReport()
    gate = asyncio.Semaphore(concurrency)
    began = time.monotonic()

    async def start(site: Site) -> None:
        async with gate:
            record = await double.slash(site.guild, site.channel, site.admin, "trivia start", options)
            try:
                await record.wait_ack(timeout=10.0)
                await double.notifier.wait_for(
                    lambda: board.current.get(site.channel.key), 30.0, f"the first question in {site.key}"
                )
            except TimeoutError as error:
                report.failures[str(error).split(" waiting for ")[-1].split(" in ")[0]] += 1
                return
            finally:
                janitor.forget(record)
            report.started += 1
            if record.ack_latency is not None:
                report.latencies.append(record.ack_latency)
            report.to_question.append(board.current[site.channel.key].created_at - record.dispatched_at)

    await asyncio.gather(*(start(site) for site in sites))
    report.seconds = time.monotonic() - began
    return report
