"""The ChannelPort over Discord: each channel has an outbox, sent in order, paced, and never dropped.

`show` only queues, so a session actor never waits on Discord. One sender task per busy channel
drains its outbox at most five messages per five seconds (Discord's per-channel pace), within the
global budget of `Limiter` (below Discord's 50 requests a second, channels in turn, posts before
edits), retries a failed send with backoff (honouring any 429 disnake did not absorb), and exits
when the outbox is empty, so idle channels hold no task. Every wait for time (the pace, the budget,
a retry, a podium's wait for its summary) is on the injected clock, and the channel knows when its
senders wait for nothing else (`waiting_only_for_time`), so tests move that clock without waiting.

Requests are spent sparingly: a question's close (its Reveal and the ShowScores queued right
behind it) is one edit of the question's own message, which shows the answer and the scores and
disables its buttons (a post when that message is gone); a game's podium waits briefly for its
achievement summary, and the two go out as one message.

Messages are worded when they are sent, in the channel's language (`ChannelLanguages`: the server's
/settings language, else its preferred locale, else English; a DM its player's), so a session
never waits for the setting to be read, and a language chosen mid-game applies from the next message.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import disnake
from loguru import logger

from quizbot.actors.messages import SessionKey
from quizbot.actors.ports import AchievementSummary, ChannelEvent
from quizbot.backoff import full_jitter
from quizbot.bot.channel_language import ChannelLanguages
from quizbot.bot.limiter import Limiter, Priority, Refusals
from quizbot.bot.pictures import discord_file, pictured, showing
from quizbot.bot.render import Rendered, closed_question, combine, render
from quizbot.clock import Clock, LoopClock, sleep
from quizbot.game.effects import AnnounceEnd, AnnounceExpiry, AnswersIn, PostQuestion, Reveal, ShowScores
from quizbot.picture_files import Picture, PictureSource, QuestionPictures

PACE_MESSAGES, PACE_SECONDS = 5, 5.0
RETRY_BASE, RETRY_CAP = 0.5, 30.0
MAX_SEND_ATTEMPTS = 8
SUMMARY_WAIT = 2.0  # how long a podium waits for its game's achievement summary, to share a message
UNKNOWN_MESSAGE = 10008  # Discord's error code for a message that is gone


Wording = Callable[[str], Rendered]  # a message worded in the locale it is given (the channel's)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A queued message (or how to word it), what it waits for (the change behind it), and the event
    it shows."""

    content: Rendered | Wording
    after: asyncio.Future[Any] | None = None
    event: ChannelEvent | None = None

    def message(self, language: str) -> Rendered:
        """The message, worded in `language` unless it came worded."""
        return self.content if isinstance(self.content, Rendered) else self.content(language)


@dataclass(frozen=True, slots=True)
class Request:
    """One request to Discord: a post, or an edit of message `edit`; `question` is the index it posts,
    `files` the pictures it uploads (a question's own)."""

    message: Rendered
    edit: int | None = None
    question: int | None = None
    files: tuple[Picture, ...] = ()

    @property
    def priority(self) -> Priority:
        return Priority.COSMETIC if self.edit is not None else Priority.URGENT


class DiscordChannel:
    """Renders and sends session events to their Discord channels."""

    def __init__(
        self,
        bot: disnake.Client,
        epoch_of: Callable[[SessionKey], int | None],
        typed_mode: Callable[[SessionKey], bool] = lambda key: False,
        limiter: Limiter | None = None,
        refusals: Refusals | None = None,
        *,
        languages: ChannelLanguages | None = None,
        clock: Clock | None = None,
        pictures: PictureSource | None = None,
    ) -> None:
        self.bot = bot
        self.pictures = pictures or QuestionPictures()  # a question's attachment picture, by question
        self.clock = clock or LoopClock()
        self.epoch_of = epoch_of
        self.typed_mode = typed_mode
        self.languages = languages or ChannelLanguages(bot, _no_setting)
        self._outboxes: defaultdict[SessionKey, deque[Outgoing]] = defaultdict(deque)
        self._lost: dict[SessionKey, int] = {}  # channels Discord refused, with the epoch that met it
        self.on_lost: Callable[[SessionKey], None] = lambda key: None
        self._senders: dict[SessionKey, asyncio.Task[None]] = {}
        self._sent: defaultdict[SessionKey, deque[float]] = defaultdict(deque)
        self._questions: dict[SessionKey, tuple[int, int, Rendered]] = {}  # index, message id, message
        self._arrived: dict[SessionKey, asyncio.Event] = {}  # set when something is queued for a key
        self.limiter = limiter or Limiter(clock=self.clock)
        self.refusals = refusals or Refusals(self.clock)
        self._timed = 0  # senders waiting only for time to pass
        self._changed = asyncio.Event()  # set when a sender starts waiting for time, or ends
        self.requests: Counter[str] = Counter()  # posts and edits made, for the benchmark
        self.combine = True  # False: one post per event, as before (for bench.e2e's before/after only)
        self.dropped = 0

    def invalid_requests(self) -> int:
        """Requests Discord refused (401, 403, 429) in the last ten minutes: its invalid-request budget."""
        return self.refusals.recent()

    async def show(
        self, key: SessionKey, event: ChannelEvent, *, after: asyncio.Future[Any] | None = None
    ) -> None:
        """Queue an event for its channel, to be sent once `after` is done, and return at once.
        An answer tally (AnswersIn) is for live screens: Discord is sent nothing for it."""
        if isinstance(event, AnswersIn):
            return
        epoch = self.epoch_of(key)
        if key in self._lost and epoch in (None, self._lost[key]):
            return  # Discord refused this session's channel for good: its quiz is ending or ended
        if isinstance(event, AchievementSummary) and not self.combine:  # as before: a post per player
            for unlocked in event.unlocked:
                self._queue(key, Outgoing(_wording(unlocked, key, epoch or 0), after, unlocked))
            return
        typed = self.typed_mode(key)
        self._queue(key, Outgoing(_wording(event, key, epoch or 0, typed=typed), after, event))

    def post(self, key: SessionKey, message: Rendered | Wording) -> None:
        """Queue the edge's own message (like a quiz's announcement), worded already or to be worded
        in the channel's language, and return."""
        self._lost.pop(key, None)  # someone starts afresh there: try the channel again
        self._queue(key, Outgoing(message))

    def _queue(self, key: SessionKey, item: Outgoing) -> None:
        self._outboxes[key].append(item)
        if (arrived := self._arrived.pop(key, None)) is not None:
            arrived.set()
        sender = self._senders.get(key)
        if sender is None or sender.done():
            task = asyncio.create_task(self._drain(key), name=f"outbox:{key[0]}:{key[1]}")
            task.add_done_callback(self._sender_done(key))
            self._senders[key] = task

    @property
    def pending(self) -> int:
        """Messages queued and not yet sent, across every channel."""
        return sum(len(box) for box in self._outboxes.values())

    async def flush(self, within: float) -> bool:
        """Wait up to `within` seconds (on the clock) for every outbox to empty; True if they did."""
        if any(not task.done() for task in self._senders.values()):
            everything = asyncio.ensure_future(self.drained())
            bound = asyncio.ensure_future(sleep(self.clock, within))
            try:
                await asyncio.wait({everything, bound}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                everything.cancel()
                bound.cancel()
        return self.pending == 0

    async def drained(self) -> None:
        """Wait, with no bound, until every sender is done (tests and the demo, whose clocks move)."""
        while tasks := [task for task in self._senders.values() if not task.done()]:
            await asyncio.wait(tasks)

    async def waiting_only_for_time(self) -> None:
        """Return once every sender is done or waits only for the clock to move (its pace, the
        budget, a retry, a podium's summary): from then on, only time passing changes anything."""
        while True:
            await asyncio.sleep(0)  # senders a timer just woke run first
            live = sum(1 for task in self._senders.values() if not task.done())
            if self._timed >= live:
                return
            self._changed.clear()
            await self._changed.wait()

    @contextlib.contextmanager
    def _waiting_for_time(self) -> Iterator[None]:
        """Count a sender as waiting only for time while inside."""
        self._timed += 1
        self._changed.set()
        try:
            yield
        finally:
            self._timed -= 1

    async def close(self) -> int:
        """Stop every sender (they belong to this channel, not to the loop); return messages unsent."""
        senders = list(self._senders.values())
        for sender in senders:
            sender.cancel()
        await asyncio.gather(*senders, return_exceptions=True)
        unsent = self.pending
        if unsent:
            logger.warning("{} Discord messages were still queued at shutdown", unsent)
        self._outboxes.clear()
        await self.limiter.close()
        return unsent

    async def _drain(self, key: SessionKey) -> None:
        await self.bot.wait_until_ready()  # sessions respawn before the bot has logged in
        self.refusals.watch(self.bot.http)  # the session disnake logged in with
        outbox = self._outboxes[key]
        while outbox:
            await _saved(outbox[0].after)  # shown only once the change behind it is saved (or not)
            await self.languages.ready(key[0])  # the server's language, read once (never raises)
            try:
                request, taken = await self._compose(key, outbox)
            except Exception:  # a message that cannot be worded must not hold up the channel for good
                logger.bind(guild=key[0], channel=key[1]).opt(exception=True).error(
                    "a message could not be rendered; it is dropped"
                )
                outbox.popleft()
                continue
            if request is None or await self._send(key, request):
                for _ in range(min(taken, len(outbox))):  # a lost channel leaves only the head
                    outbox.popleft()
        self._outboxes.pop(key, None)

    async def _compose(self, key: SessionKey, outbox: deque[Outgoing]) -> tuple[Request | None, int]:
        """The request for the head of an outbox, and how many queued messages it carries."""
        head = outbox[0]
        language = self.languages.of(key)
        message = head.message(language)
        if isinstance(head.event, PostQuestion):
            return await self._question(head.event, message), 1
        if not self.combine:
            return Request(message), 1
        match head.event:
            case Reveal(index=index) as reveal:
                if len(outbox) == 1:
                    await asyncio.sleep(0)  # the scores are queued in the same breath as the reveal
                parts = [message]
                if len(outbox) > 1 and isinstance(outbox[1].event, ShowScores):
                    await _saved(outbox[1].after)
                    parts.append(outbox[1].message(language))
                known = self._questions.get(key)
                if known is not None and known[0] == index:
                    _, message_id, question = known
                    closed = closed_question(question, reveal, language)
                    return Request(combine(closed, *parts), edit=message_id), len(parts)
                return Request(combine(*parts)), len(parts)
            case AnnounceEnd() | AnnounceExpiry():
                self._questions.pop(key, None)
                if isinstance(head.event, AnnounceEnd) and await self._summary_behind(key, outbox) == 1:
                    await _saved(outbox[1].after)
                    return Request(combine(message, outbox[1].message(language))), 2
        return (None if message.empty else Request(message)), 1

    async def _question(self, posted: PostQuestion, message: Rendered) -> Request:
        """A question's post, uploading its picture when the embed shows one by attachment."""
        picture = await self.pictures(posted.question)
        files = (picture,) if picture is not None else ()
        shown = pictured(showing(message, posted.question.image), files)
        return Request(shown, question=posted.index, files=files)

    async def _summary_behind(self, key: SessionKey, outbox: deque[Outgoing]) -> int | None:
        """Where the game's achievement summary is queued, waiting up to SUMMARY_WAIT for it to come."""
        deadline = self.clock.time() + SUMMARY_WAIT
        while True:
            for position, item in enumerate(outbox):
                if isinstance(item.event, AchievementSummary):
                    return position
            if self.clock.time() >= deadline:
                self._arrived.pop(key, None)
                return None
            arrived = self._arrived.setdefault(key, asyncio.Event())
            timer = self.clock.call_at(deadline, arrived.set)
            try:
                with self._waiting_for_time():
                    await arrived.wait()
            finally:
                timer.cancel()

    async def _pace(self, key: SessionKey) -> None:
        """Wait so this channel never sends more than PACE_MESSAGES in PACE_SECONDS."""
        sent = self._sent[key]
        now = self.clock.time()
        while sent and now - sent[0] >= PACE_SECONDS:
            sent.popleft()
        if len(sent) >= PACE_MESSAGES:
            with self._waiting_for_time():
                await sleep(self.clock, PACE_SECONDS - (now - sent[0]))
            sent.popleft()
        sent.append(self.clock.time())

    async def _send(self, key: SessionKey, request: Request) -> bool:
        """Make one request, retrying with backoff; False only to retry, after logging why."""
        log = logger.bind(guild=key[0], channel=key[1])
        for attempt in range(MAX_SEND_ATTEMPTS):
            await self._pace(key)
            with self._waiting_for_time():
                await self.limiter.acquire(key, request.priority)
            try:
                channel = await self._channel(key)
                if request.edit is not None:
                    try:
                        await channel.get_partial_message(request.edit).edit(
                            **_arguments(request.message, edit=True)
                        )
                    except disnake.NotFound as error:
                        if error.code != UNKNOWN_MESSAGE:
                            raise
                        log.info("the question's message is gone; its close is posted instead")
                        request = replace(request, edit=None)
                        continue
                    self.requests["edit"] += 1
                else:
                    sent = await channel.send(**_arguments(request.message, files=request.files))
                    self.requests["post"] += 1
                    if request.question is not None:
                        self._questions[key] = (request.question, sent.id, request.message)
                return True
            except (disnake.Forbidden, disnake.NotFound) as error:  # no access or gone: retrying cannot help
                log.error("cannot send to the channel ({}); its quiz ends", error.text)
                self._channel_lost(key)
                return True
            except (TimeoutError, disnake.HTTPException, OSError) as error:
                delay = _retry_after(error) or full_jitter(attempt, RETRY_BASE, RETRY_CAP)
                log.warning("send failed ({}); retrying in {:.2f}s", error, delay)
                with self._waiting_for_time():
                    await sleep(self.clock, delay)
        return False

    def _channel_lost(self, key: SessionKey) -> None:
        """Drop what is queued for a channel Discord refuses, and say so once: more requests would
        only spend the bot's invalid-request budget."""
        outbox = self._outboxes.get(key)
        self.dropped += len(outbox) if outbox else 1
        while outbox is not None and len(outbox) > 1:  # the sender pops the one it was sending
            outbox.pop()
        epoch = self.epoch_of(key)
        if epoch is not None and self._lost.get(key) != epoch:
            self._lost[key] = epoch
            self.on_lost(key)

    async def _channel(self, key: SessionKey) -> Any:
        """The channel through its guild: channel ids alone are not how sessions are keyed."""
        guild = self.bot.get_guild(key[0]) if key[0] else None
        channel = guild.get_channel(key[1]) if guild is not None else self.bot.get_channel(key[1])
        return channel if channel is not None else await self.bot.fetch_channel(key[1])

    def _sender_done(self, key: SessionKey) -> Callable[[asyncio.Task[None]], None]:
        def done(task: asyncio.Task[None]) -> None:
            self._changed.set()
            if self._senders.get(key) is task:
                del self._senders[key]
            if not task.cancelled() and task.exception() is not None:
                logger.bind(guild=key[0], channel=key[1]).opt(exception=task.exception()).error(
                    "the channel's sender failed"
                )

        return done


def _wording(event: ChannelEvent, key: SessionKey, epoch: int, *, typed: bool = False) -> Wording:
    """How to word `event` for its channel, once the channel's language is known."""
    return lambda language: render(event, key, epoch, typed=typed, language=language)


async def _no_setting(guild_id: int) -> str | None:
    """No server has a language set (a channel built without storage: benchmarks, tests)."""
    return None


async def _saved(after: asyncio.Future[Any] | None) -> None:
    """Wait for the change behind a message to be saved (or to have failed)."""
    if after is not None and not after.done():
        await asyncio.wait({after})


def _arguments(message: Rendered, *, edit: bool = False, files: tuple[Picture, ...] = ()) -> dict[str, Any]:
    """disnake's arguments for a message; an edit replaces every embed and button (and keeps the files
    it has, which its embeds may show), a post uploads `files` fresh."""
    message = message if edit else pictured(message, files)
    arguments: dict[str, Any] = {"allowed_mentions": message.allowed_mentions}  # only its own pings
    if files:
        arguments["files"] = [discord_file(picture) for picture in files]
    if message.content is not None:
        arguments["content"] = message.content
    if message.embeds or edit:
        arguments["embeds"] = message.embeds
    if message.buttons or edit:
        arguments["components"] = message.buttons
    return arguments


def _retry_after(error: BaseException) -> float | None:
    response = getattr(error, "response", None)
    if getattr(error, "status", None) != 429 or response is None:
        return None
    try:
        return float(response.headers.get("Retry-After", "")) or None
    except ValueError:
        return None
