"""`quizbot demo`: the real bot against a loopback Discord, with simulated players, printed as a transcript.

It plays a trivia game in a server channel, restarts the bot in the middle of it to show the
recovery prompt and Continue, finishes the game, then a player who missed questions presses Review
what I missed and answers them in their DMs, and a day later `/study start` brings back what is due;
it prints every message as players would see it. It needs nothing but this machine: the embedded
PostgreSQL (or DATABASE_URL) and the bank.
"""

from __future__ import annotations

import random
import textwrap
import time
from typing import Any

import disnake

from quizbot.actors.messages import Describe
from quizbot.bot.app import RunningBot, running_bot
from quizbot.bot.custom_ids import ButtonKind, parse, parse_review
from quizbot.clock import ManualClock
from quizbot.config import Settings
from quizbot.questions.bank import QuestionBank
from quizbot.storage.pool import Database
from quizbot.testing import DiscordDouble, InteractionRecord, MessageRecord, StandardGuild
from quizbot.testing.actors import settle
from quizbot.testing.clocks import QuietBot, SteppingClock

QUESTIONS, SOLO_QUESTIONS, SECONDS, PAUSE = 3, 2, 20, 4
SKILLS = (0.8, 0.6, 0.4)  # each player's chance of knowing a question
BOT_OPTIONS = {"guild_ready_timeout": 0.05}
_ANSWERS = {q.text: q for qs in QuestionBank.load()[0].by_category.values() for q in qs}


class Transcript:
    """Prints a channel's new messages, and what people did, as a chat log."""

    def __init__(self, double: DiscordDouble, names: dict[int, str]) -> None:
        self.double = double
        self.names = names
        self.seen: set[tuple[int, str | None]] = set()

    def person(self, name: str, action: str) -> None:
        print(f"  {name:>10} │ {action}")

    def flush(self, where: StandardGuild | Any) -> None:
        """Print the new messages of a server's #trivia (a StandardGuild) or of a channel (its key)."""
        key = where.channel.key if isinstance(where, StandardGuild) else where
        for message in self.double.messages(key):
            stamp = (message.id, message.edited_timestamp)
            if stamp in self.seen or not message.text:
                continue
            self.seen.add(stamp)
            who = "quizbot" + ("*" if message.ephemeral else "")
            text = message.text
            for user_id, name in self.names.items():
                text = text.replace(f"<@{user_id}>", f"@{name}")
            lines = text.splitlines()
            print(f"  {who:>10} │ {lines[0]}")
            for line in lines[1:]:
                for piece in textwrap.wrap(line, 90) or [""]:
                    print(f"  {'':>10} │   {piece}")


def _server(double: DiscordDouble) -> StandardGuild:
    """A server with #trivia, its admin Ada, a moderator and three players."""
    guild = double.add_guild("Demo Server")
    admins = guild.add_role("Admin", disnake.Permissions(manage_guild=True))
    moderators = guild.add_role("Moderator", disnake.Permissions(manage_messages=True))
    channel = guild.add_text_channel("trivia")
    players = [guild.add_member(name) for name in ("Bo", "Cy", "Di")]
    return StandardGuild(
        guild,
        channel,
        guild.add_member("Ada", roles=[admins]),
        guild.add_member("Mo", roles=[moderators]),
        players,
    )


def _right_option(message: MessageRecord) -> int | None:
    """Which option is right, looked up in the bank by the question's text (players who studied)."""
    text = (message.embeds[0].get("description") or "").strip("*")
    question = _ANSWERS.get(text)
    return question.answer_index if question is not None else None


def _buttons(message: MessageRecord, kind: ButtonKind) -> list[str]:
    return [c for c in message.custom_ids if (b := parse(c)) is not None and b.kind is kind]


def _is_question(message: MessageRecord) -> bool:
    title = (message.embeds[0].get("title") or "") if message.embeds else ""
    return not message.ephemeral and title.startswith("Question ")


async def _settle(running: RunningBot) -> None:
    await settle(running.service.supervisor, ask_timeout=10)
    await running.channel.drained()


async def _live_question(
    running: RunningBot, double: DiscordDouble, key: tuple[int, int], channel: Any
) -> MessageRecord:
    """The open question of the session at `key`: the message whose buttons belong to it now."""
    entry = running.service.directory.get(key)
    if entry is None:
        raise RuntimeError("the demo's quiz is not running")
    info = await entry.ref.ask(Describe(), timeout=10)

    def live(message: MessageRecord) -> bool:
        ids = [parse(c) for c in _buttons(message, ButtonKind.ANSWER)]
        return _is_question(message) and any(
            b is not None and (b.epoch, b.index) == (entry.epoch, info.index) for b in ids
        )

    return await double.wait_for_message(live, timeout=10, channel=channel, since=0.0)


async def _play_question(
    running: RunningBot,
    double: DiscordDouble,
    where: StandardGuild,
    log: Transcript,
    rng: random.Random,
    *,
    skills: tuple[float, ...] = SKILLS,
) -> None:
    """Every player answers the open question, on the message whose buttons belong to the live
    game: rightly with the chance of their skill, else a wrong option."""
    key = (where.guild.id, where.channel.id)
    question = await _live_question(running, double, key, where.channel.key)
    log.flush(where)
    options = _buttons(question, ButtonKind.ANSWER)
    right = _right_option(question)
    for skill, player in zip(skills, where.players, strict=False):
        wrong = [option for option in range(len(options)) if option != right]
        choice = right if right is not None and rng.random() < skill else rng.choice(wrong)
        log.person(player.user.name, f"clicks {'ABCDE'[choice]}")
        await (await double.click(question, options[choice], player)).wait_ack(timeout=3)


async def _advance(running: RunningBot, clock: ManualClock, seconds: float) -> None:
    clock.advance(seconds)
    await _settle(running)


async def _study(
    running: RunningBot, double: DiscordDouble, server: StandardGuild, clock: ManualClock, log: Transcript
) -> None:
    """Study that remembers: a player who missed questions presses Review what I missed and answers
    them in their DMs; a day later, /study start brings back the cards that are due, first."""
    podium = await double.wait_for_message(
        lambda m: any(parse_review(c) for c in m.custom_ids), timeout=10, channel=server.channel.key
    )
    review = next(c for c in podium.custom_ids if parse_review(c))
    for player in server.players:
        dm = double.dm_channel(player)
        log.person(player.user.name, "clicks Review what I missed")
        await _answered(await double.click(podium, review, player))
        await _settle(running)
        log.flush(server)
        if (0, dm.id) in running.service.directory:
            break
    else:
        return  # nobody missed anything: nothing to review
    print(f"── {player.user.name} reviews what they missed, in their DMs ──────────────────────")
    await _answer_study(running, double, player, clock, log)
    print(f"── a day later, {player.user.name} studies again ────────────────────────────────")
    await _advance(running, clock, 24 * 3600)
    log.person(player.user.name, f"/study start questions:{SOLO_QUESTIONS} (in #trivia)")
    options: dict[str, Any] = {"questions": SOLO_QUESTIONS, "timeout": SECONDS}
    await _answered(await double.slash(server.guild, server.channel, player, "study start", options))
    log.flush(server)
    await _answer_study(running, double, player, clock, log)


async def _answered(record: InteractionRecord) -> None:
    """Wait for the bot's answer to a deferred interaction: its "thinking" message filled in, by an
    edit or by the first follow-up (Discord shows either in its place)."""
    await record.wait_until(lambda r: bool(r.original_edits or r.followups), 10, "the bot's answer")


async def _answer_study(
    running: RunningBot, double: DiscordDouble, player: Any, clock: ManualClock, log: Transcript
) -> None:
    """The player answers every question of their study session, rightly, until it is over."""
    dm = double.dm_channel(player)
    await _settle(running)
    while (0, dm.id) in running.service.directory:
        question = await _live_question(running, double, (0, dm.id), dm.key)
        log.flush(dm.key)
        right = _right_option(question)
        choice = right if right is not None else 0
        log.person(player.user.name, f"clicks {'ABCDE'[choice]}")
        button = _buttons(question, ButtonKind.ANSWER)[choice]
        await (await double.click(question, button, player)).wait_ack(timeout=3)
        await _advance(running, clock, PAUSE)
    log.flush(dm.key)


async def run_demo(settings: Settings, db: Database, *, seed: int = 7) -> int:
    """Play the demo; return 0 when the game ended with its podium after the restart."""
    rng = random.Random(seed)
    clock = ManualClock(time.time())  # the games' clock, moved by the demo
    edge, quiet = SteppingClock(time.time()), QuietBot()  # Discord's pace, moving itself
    async with edge.stepping(quiet), DiscordDouble() as double:
        server = _server(double)
        people = [server.admin, *server.players]
        log = Transcript(double, {member.id: member.user.name for member in people})
        print("── a trivia game in #trivia ──────────────────────────────────────────")
        async with (
            running_bot(
                settings, db, clock=clock, edge_clock=edge, owner="demo-1", bot_options=BOT_OPTIONS
            ) as first,
            double.running(first.bot),
        ):
            quiet.running = first
            log.person(
                server.admin.user.name, f"/trivia start topic:science questions:{QUESTIONS} timeout:{SECONDS}"
            )
            options: dict[str, Any] = {"topic": "science", "questions": QUESTIONS, "timeout": SECONDS}
            await (
                await double.slash(server.guild, server.channel, server.admin, "trivia start", options)
            ).wait_ack()
            await double.wait_for_message(
                lambda m: "starting" in m.text, timeout=30, channel=server.channel.key
            )
            for number in range(2):  # the weakest player misses the first: they will review it
                skills = (*SKILLS[:-1], 0.0) if number == 0 else SKILLS
                await _play_question(first, double, server, log, rng, skills=skills)
                await _advance(first, clock, SECONDS)
                await _advance(first, clock, PAUSE)
                log.flush(server)
            await first.channel.drained()  # everything players saw before the restart
            log.flush(server)
            print("── the bot restarts in the middle of the game ─────────────────────────")
        async with (
            running_bot(
                settings, db, clock=clock, edge_clock=edge, owner="demo-2", bot_options=BOT_OPTIONS
            ) as second,
            double.running(second.bot),
        ):
            quiet.running = second
            prompt = await double.wait_for_message(
                lambda m: "interrupted" in m.text, timeout=30, channel=server.channel.key
            )
            log.flush(server)
            log.person(server.admin.user.name, "clicks Continue")
            resume = _buttons(prompt, ButtonKind.RECOVERY)[0]
            await (await double.click(prompt, resume, server.admin)).wait_ack(timeout=3)
            await _settle(second)
            await _play_question(second, double, server, log, rng)
            await _advance(second, clock, SECONDS)
            await _advance(second, clock, PAUSE)
            await double.wait_for_message(
                lambda m: "is over" in m.text, timeout=10, channel=server.channel.key
            )
            log.flush(server)
            await _study(second, double, server, clock, log)
    print("(* only the person who clicked sees that reply)")
    print("── done: every score above was stored once in PostgreSQL ─────────────────")
    return 0
