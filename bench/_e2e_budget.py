"""bench.e2e's request budget: channel requests a game costs, and the games one bot token can carry.

Plays whole games through the real client and the double (a quiz clock moved by hand, so a game
takes well under a second of wall time): --budget-games guilds, each a 4-question game of 20 s
questions answered by three players, with the channel's rendering as it ships ("after": a close is
one edit, the podium and the achievement summary one post) and, in one run, as it was ("before":
`DiscordChannel.combine = False`, one post per event and one achievement post per player). Counts
the double's POST and PATCH requests on /channels/{id}/messages after each quiz's announcement.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, fields

from bench._e2e_world import bench_database
from quizbot.actors.messages import Describe, GetStatus
from quizbot.bot.app import RunningBot, running_bot
from quizbot.bot.custom_ids import ButtonKind, parse
from quizbot.clock import ManualClock
from quizbot.config import Settings
from quizbot.game.session import SessionConfig
from quizbot.testing import DiscordDouble, MessageRecord, StandardGuild

QUESTIONS, PLAYERS, QUESTION_SECONDS = 4, 3, 20
REVEAL_PAUSE: float = next(f.default for f in fields(SessionConfig) if f.name == "reveal_pause")  # type: ignore[assignment]
BOT_OPTIONS = {"guild_ready_timeout": 0.05}
DISCORD_RATE = 50  # requests a second Discord allows a bot token, interaction replies apart
CHANNEL_ROUTES = (
    "POST /channels/{channel_id}/messages",
    "PATCH /channels/{channel_id}/messages/{message_id}",
)


@dataclass(frozen=True)
class Budget:
    """What one rendering cost: channel requests per game (announcement apart) and what follows."""

    name: str
    games: int
    requests: int  # every game's posts and edits after its announcement
    announcements: int
    game_seconds: float  # a game's length on the quiz clock

    @property
    def per_game(self) -> float:
        return self.requests / self.games

    @property
    def per_question(self) -> float:
        return self.per_game / QUESTIONS

    @property
    def concurrent_games(self) -> float:
        """Games one token carries: 50 requests a second over each game's requests per second."""
        return DISCORD_RATE / (self.per_game / self.game_seconds)


async def _settle(running: RunningBot) -> None:
    supervisor = running.service.supervisor
    for _ in range(3):
        await supervisor.ref.ask(GetStatus(), timeout=5)
        refs = [ref for ref in supervisor.directory.refs() if ref.running]
        await asyncio.gather(*(ref.ask(Describe(), timeout=5) for ref in refs), return_exceptions=True)
    await running.channel.flush(within=10)


def _over_in(site: StandardGuild) -> Callable[[MessageRecord], bool]:
    return lambda message: message.key == site.channel.key and "The quiz is over" in message.text


def _question_of(site: StandardGuild, since: float) -> Callable[[MessageRecord], bool]:
    def found(message: MessageRecord) -> bool:
        title = (message.embeds[0].get("title") or "") if message.embeds else ""
        return (
            message.key == site.channel.key and message.created_at >= since and title.startswith("Question ")
        )

    return found


async def _play(
    double: DiscordDouble, running: RunningBot, clock: ManualClock, sites: list[StandardGuild]
) -> None:
    options = {"questions": QUESTIONS, "timeout": QUESTION_SECONDS, "topic": "science", "mode": "buttons"}
    for site in sites:
        record = await double.slash(site.guild, site.channel, site.admin, "trivia start", options)
        await record.wait_ack(timeout=10)
    await _settle(running)
    since = 0.0
    for _ in range(QUESTIONS):
        for site in sites:
            question = await double.wait_for_message(_question_of(site, since), timeout=30)
            answers = [
                c for c in question.custom_ids if (b := parse(c)) is not None and b.kind is ButtonKind.ANSWER
            ]
            clicks = [await double.click(question, answers[0], p) for p in site.players[:PLAYERS]]
            for click in clicks:
                await click.wait_ack(timeout=10)
        since = time.monotonic()
        for seconds in (QUESTION_SECONDS, REVEAL_PAUSE):
            clock.advance(seconds)
            await _settle(running)
    for site in sites:
        await double.wait_for_message(_over_in(site), timeout=30)
    await asyncio.sleep(0.5)  # the achievement summaries follow the recording
    await _settle(running)


async def measure(url: str, games: int, *, combine: bool) -> Budget:
    """Play `games` games in a fresh double and schema, with the rendering as it ships or as before."""
    clock = ManualClock(time.time())
    settings = Settings()
    async with bench_database(url, max_size=settings.pool_max_size) as (db, _), DiscordDouble() as double:
        sites = [double.standard_guild(f"Budget{i}", players=PLAYERS) for i in range(games)]
        async with (
            running_bot(settings, db, clock=clock, owner="bench-budget", bot_options=BOT_OPTIONS) as running,
            double.running(running.bot, timeout=60.0),
        ):
            running.channel.combine = combine
            before = len(double.request_log)
            await _play(double, running, clock, sites)
            made = [r for r in double.request_log[before:] if r.route in CHANNEL_ROUTES]
    announcements = sum(1 for r in made if "Trivia is starting" in str(r.body))
    game_seconds = QUESTIONS * (QUESTION_SECONDS + REVEAL_PAUSE)
    name = "after (one edit a close)" if combine else "before (a post per event)"
    return Budget(name, games, len(made) - announcements, announcements, game_seconds)


def print_budget(budgets: list[Budget]) -> None:
    """The before/after table."""
    print(
        f"\nrequest budget: {QUESTIONS}-question games, {PLAYERS} players, {QUESTION_SECONDS} s questions"
        f" (+{REVEAL_PAUSE:g} s reveal), Discord's {DISCORD_RATE} requests/s a token"
    )
    print(f"  {'rendering':<28} {'games':>5} {'req/game':>9} {'req/question':>13} {'games a token':>14}")
    for b in budgets:
        print(
            f"  {b.name:<28} {b.games:>5} {b.per_game:>9.2f} {b.per_question:>13.2f}"
            f" {b.concurrent_games:>14,.0f}"
        )
    if len(budgets) == 2:
        before, after = budgets
        print(
            f"  after / before: {after.per_game / before.per_game:.2f}x the requests,"
            f" {after.concurrent_games / before.concurrent_games:.2f}x the games"
            f" (each quiz's announcement, one more post, not counted)"
        )
