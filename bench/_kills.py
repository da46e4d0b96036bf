"""SIGKILL a real `quizbot run` at random moments of live games and check that nothing it said was lost.

Players click through the loopback Discord; each life of the process ends with a SIGKILL chosen
by plan: within 150 ms after an acknowledgement, around a question's close, or at a random
moment. The next process prompts, the host continues, and play goes on. A player whose answer
was acknowledged never answers that question again, so a lost answer cannot be hidden by a new
one. At the end every acknowledged answer must be in PostgreSQL, every score shown in the channel
must equal what PostgreSQL holds, no question is revealed twice, and nothing is counted twice.
Used by tests/bot/test_kill_run.py (a few kills) and bench/kills.py (a hundred).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizbot.bot.custom_ids import ButtonKind, parse
from quizbot.storage.pool import Database
from quizbot.testing import DiscordDouble, InteractionRecord, MessageRecord, StandardGuild
from quizbot.testing.actors import with_search_path

ROOT = Path(__file__).resolve().parents[1]
QUESTION_SECONDS = 5
KILL_MODES = ("after_ack", "near_close", "random")
_QUESTION_TITLE = re.compile(r"Question (\d+) of (\d+)")
_SCORE_ROW = re.compile(r"`\s*\d+\.` (.+?) — \*\*(\d+)\*\* \((\d+)✓ (\d+)✗\)")
_PODIUM_ROW = re.compile(r"\*\*(.+?)\*\* — (\d+) points")


@dataclass
class Game:
    """One quiz in a guild of its own, and what its players were told."""

    site: StandardGuild
    acked: dict[tuple[int, int], int] = field(default_factory=dict)  # (question, user) -> option
    unsaved: int = 0  # acknowledgements that said "not saved yet" (the database was away)
    started: bool = False
    ended: bool = False  # over, whether or not its podium was shown (a kill can come between)

    @property
    def key(self) -> tuple[int, int]:
        return self.site.channel.key


@dataclass
class KillReport:
    """What a run of kills found."""

    kills: int = 0
    modes: Counter[str] = field(default_factory=Counter)
    games: int = 0
    clicks: int = 0
    acknowledged: int = 0
    unsaved: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged answers missing from PostgreSQL
    wrong: list[str] = field(default_factory=list)  # shown scores PostgreSQL disagrees with, doubles
    restart_seconds: list[float] = field(default_factory=list)
    checked: int = 0  # reveals (each with its scores) checked against PostgreSQL


class Killer:
    """Starts `quizbot run` against the double and kills it; one process at a time."""

    def __init__(self, double: DiscordDouble, url: str, schema: str) -> None:
        self.double = double
        self.log = Path(tempfile.mkstemp(prefix="quizbot-kills-", suffix=".log")[1])
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DISCORD_TOKEN": double.token,
            "QUIZBOT_DISCORD_API_BASE": double.api_base,
            "DATABASE_URL": with_search_path(url, schema),
            "QUIZBOT_LOG_LEVEL": "INFO",
        }
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> float:
        """Run `quizbot run` and wait until it is logged in; returns the seconds that took."""
        started = time.monotonic()
        known = set(self.double.gateway.sessions)
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "quizbot", "run", cwd=ROOT, env=self.env, stdout=log, stderr=log
            )
        gateway = self.double.gateway
        await self.double.notifier.wait_for(
            lambda: any(s.session_id not in known for s in gateway.live_sessions()) or None,
            60,
            "the new process on the gateway",
        )
        await self.double.wait_for_commands("trivia", timeout=30)
        return time.monotonic() - started

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()
        self.process = None


def answer_index(message: MessageRecord) -> int:
    """The question index an answer button of `message` names."""
    return next(b.index for c in message.custom_ids if (b := parse(c)) is not None)


def answer_buttons(message: MessageRecord) -> list[str]:
    return [c for c in message.custom_ids if (b := parse(c)) is not None and b.kind is ButtonKind.ANSWER]


def is_question(message: MessageRecord) -> bool:
    title = (message.embeds[0].get("title") or "") if message.embeds else ""
    return not message.ephemeral and bool(_QUESTION_TITLE.match(title)) and bool(answer_buttons(message))


def reply_text(record: InteractionRecord) -> str:
    """What the player read: the response, or the follow-up after a deferral."""
    text = record.response_data.get("content") or ""
    return text or " ".join(m.text for m in record.followups)


class Players:
    """The game's players, clicking while the process lives; they note every acknowledgement."""

    def __init__(self, double: DiscordDouble, game: Game, rng: random.Random, report: KillReport) -> None:
        self.double, self.game, self.rng, self.report = double, game, rng, report
        self.acks = asyncio.Event()
        self.acks_seen = 0
        self.posted: asyncio.Queue[float] = asyncio.Queue()

    async def play(self, since: float) -> None:
        """Answer each question posted from `since` on, until cancelled."""
        handled: set[int] = set()
        while True:
            question = await self.double.wait_for_message(
                lambda m: is_question(m) and m.id not in handled, 120, channel=self.game.key, since=since
            )
            handled.add(question.id)
            self.posted.put_nowait(question.created_at)
            await asyncio.gather(*(self._answer(question, p) for p in self.game.site.players))

    async def _answer(self, question: MessageRecord, player: Any) -> None:
        index, buttons = answer_index(question), answer_buttons(question)
        if (index, player.id) in self.game.acked:
            return  # told it counts: answering again could hide a loss
        await asyncio.sleep(self.rng.uniform(0, QUESTION_SECONDS * 0.6))
        for _ in range(1 + (self.rng.random() < 0.3)):  # now and then, a change of mind
            option = self.rng.randrange(len(buttons))
            click = await self.double.click(question, buttons[option], player)
            self.report.clicks += 1
            try:
                await click.wait_until(lambda r: bool(reply_text(r)), 12, "a reply")
            except TimeoutError:
                return  # the process died under it: not acknowledged
            text = reply_text(click)
            if not text.startswith(("You chose", "Changed to")):
                return
            if "isn't saved" in text:
                self.game.unsaved += 1
                return
            self.game.acked[(index, player.id)] = option
            self.report.acknowledged += 1
            self.acks_seen += 1
            self.acks.set()
            await asyncio.sleep(self.rng.uniform(0.1, 1.0))


async def kill_after(plan: str, players: Players, rng: random.Random) -> None:
    """Return when the plan says to kill this life."""
    if plan == "after_ack":
        wanted = players.acks_seen + rng.randint(1, 3)
        while players.acks_seen < wanted:
            players.acks.clear()
            await players.acks.wait()
        await asyncio.sleep(rng.uniform(0, 0.15))
    elif plan == "near_close":
        posted = await players.posted.get()
        delay = posted + QUESTION_SECONDS + rng.uniform(-0.3, 0.3) - time.monotonic()
        await asyncio.sleep(max(0.0, delay))
    else:
        await asyncio.sleep(rng.uniform(0.5, 2 * QUESTION_SECONDS))


async def continue_game(double: DiscordDouble, db: Database, game: Game, since: float) -> None:
    """The host continues the interrupted game from the new process's prompt; or, if the kill came
    after its last question, the new process just records it."""
    for _ in range(1200):  # a subprocess: poll the channel and the database, briefly
        prompts = [
            m
            for m in double.messages(game.site.channel)
            if m.created_at >= since and "interrupted" in m.text and m.custom_ids
        ]
        if prompts:
            resume = next(c for c in prompts[0].custom_ids if (b := parse(c)) and b.value == "continue")
            click = await double.click(prompts[0], resume, game.site.admin)
            await click.wait_until(lambda r: bool(reply_text(r)), 15, "the host's Continue")
            return
        if await db.pool.fetchval("SELECT count(*) FROM quiz_runs WHERE guild_id = $1", game.site.guild.id):
            game.ended = True
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no recovery prompt in {game.key}")


async def start_game(double: DiscordDouble, game: Game, questions: int) -> None:
    """The admin starts the game; it has begun once its first question is posted."""
    site, since = game.site, time.monotonic()
    options = {"questions": questions, "timeout": QUESTION_SECONDS, "topic": "history"}
    record = await double.slash(site.guild, site.channel, site.admin, "trivia start", options)
    await record.wait_ack(timeout=10)
    await double.wait_for_message(is_question, 30, channel=game.key, since=since)
    game.started = True


def game_over(double: DiscordDouble, game: Game) -> bool:
    if not game.ended:
        game.ended = any("The quiz is over" in m.text for m in double.messages(game.site.channel))
    return game.ended


async def run_kills(
    double: DiscordDouble,
    db: Database,
    url: str,
    schema: str,
    *,
    kills: int,
    seed: int,
    questions: int = 4,
    say: Callable[[str], None] = lambda line: None,
) -> KillReport:
    """Play games, killing the process `kills` times; then check everything players were told."""
    rng = random.Random(seed)
    began = time.monotonic()
    report = KillReport()
    killer = Killer(double, url, schema)
    games: list[Game] = []
    try:
        while True:
            if not games or game_over(double, games[-1]):
                if report.kills >= kills:
                    break
                games.append(Game(double.standard_guild(f"Game{len(games) + 1}", players=3)))
                if killer.process is not None:
                    await double.announce_guild(games[-1].site.guild)
            game = games[-1]
            since = time.monotonic()
            if killer.process is None:
                report.restart_seconds.append(await killer.start())
                say(f"process up at {time.monotonic() - began:.1f} s")
                if game.started:
                    await continue_game(double, db, game, since)
                    say(f"continued at {time.monotonic() - began:.1f} s")
            if not game.started:
                await start_game(double, game, questions)
            if game.ended:
                continue
            players = Players(double, game, rng, report)
            playing = asyncio.create_task(players.play(since))
            if report.kills < kills:
                plan = KILL_MODES[report.kills % len(KILL_MODES)]
                await _first(kill_after(plan, players, rng), _until_over(double, game))
                if not game_over(double, game):
                    await killer.kill()
                    report.kills += 1
                    report.modes[plan] += 1
                    say(f"kill {report.kills} ({plan}) at {time.monotonic() - began:.1f} s")
            else:
                say(f"last life plays to the end from {time.monotonic() - began:.1f} s")
                await _until_over(double, game)
                say(f"game over at {time.monotonic() - began:.1f} s")
            playing.cancel()
            await asyncio.gather(playing, return_exceptions=True)
        await _until_recorded(db, len(games))
        say(f"recorded at {time.monotonic() - began:.1f} s")
    finally:
        await killer.kill()
    report.games = len(games)
    for game in games:
        report.unsaved += game.unsaved
        await check_game(double, db, game, report)
    return report


async def _first(*waits: Any) -> None:
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _until_over(double: DiscordDouble, game: Game) -> None:
    await double.wait_for_message(lambda m: "The quiz is over" in m.text, 600, channel=game.key)


async def _until_recorded(db: Database, games: int) -> None:
    for _ in range(600):  # a subprocess records on its own time: poll, briefly
        if await db.pool.fetchval("SELECT count(*) FROM quiz_runs") >= games:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the games were never all recorded")


async def check_game(double: DiscordDouble, db: Database, game: Game, report: KillReport) -> None:
    """Every acknowledged answer stored; every shown score stored; no reveal twice; nothing doubled."""
    guild = game.site.guild.id
    rows = await db.pool.fetch(
        "SELECT user_id, question_index, points FROM answers WHERE guild_id = $1", guild
    )
    stored = {(r["question_index"], r["user_id"]): r["points"] for r in rows}
    for (index, user), option in game.acked.items():
        if (index, user) not in stored:
            report.lost.append(f"guild {guild}: question {index + 1}, user {user} (option {option})")
    names = {p.nick or p.user.global_name or p.user.name: p.id for p in game.site.players}

    def shown_is_stored(upto: int, user: int, points: int, answered: int, what: str) -> None:
        mine = [p for (i, u), p in stored.items() if u == user and i <= upto]
        if (sum(mine), len(mine)) != (points, answered):
            report.wrong.append(f"guild {guild}: {what} shows {points} in {answered}, stored {sum(mine)}")

    index, reveals = -1, Counter[int]()
    # A question's close edits its own message: [the question, the answer, the scores] as embeds.
    embeds = [embed for message in double.messages(game.site.channel) for embed in message.embeds]
    for embed in embeds:
        title, text = embed.get("title") or "", embed.get("description") or ""
        if (found := _QUESTION_TITLE.match(title)) is not None:
            index = int(found.group(1)) - 1
        elif title.startswith("✅ The answer"):
            reveals[index] += 1
        elif title.startswith("📊 Scores"):
            for name, points, right, wrong in _SCORE_ROW.findall(text):
                shown_is_stored(index, names[name], int(points), int(right) + int(wrong), "scores")
        elif "The quiz is over" in title:
            for name, points in _PODIUM_ROW.findall(text):
                mine = [p for (_, u), p in stored.items() if u == names[name]]
                if sum(mine) != int(points):
                    report.wrong.append(f"guild {guild}: podium shows {points}, stored {sum(mine)}")
    report.checked += sum(reveals.values())
    report.wrong += [
        f"guild {guild}: question {i + 1} revealed {n} times" for i, n in reveals.items() if n > 1
    ]
    members = await db.pool.fetch(
        "SELECT user_id, points, correct + wrong AS answered, quizzes FROM guild_members WHERE guild_id = $1",
        guild,
    )
    for member in members:
        mine = [p for (_, u), p in stored.items() if u == member["user_id"]]
        if (member["points"], member["answered"], member["quizzes"]) != (sum(mine), len(mine), 1):
            report.wrong.append(f"guild {guild}: user {member['user_id']}'s totals count something twice")
    if await db.pool.fetchval("SELECT count(*) FROM quiz_runs WHERE guild_id = $1", guild) != 1:
        report.wrong.append(f"guild {guild}: recorded other than once")
