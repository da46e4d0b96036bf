"""The global outbound limiter and the refusal count: an injected clock, no wall-time waits."""

from __future__ import annotations

import asyncio

from quizbot.bot.limiter import Limiter, Priority, Refusals
from quizbot.clock import ManualClock
from quizbot.testing.clocks import SteppingClock
from tests.bot.conftest import World
from tests.bot.play import answer_buttons, next_question, start_quiz
from tests.bot.test_admin_cog import field, use

POST = "POST /channels/{channel_id}/messages"


async def grants(clock: SteppingClock, limiter: Limiter, requests: list[tuple[str, Priority]]) -> list[str]:
    """Queue every request (in this order) with the clock stopped, then let it move; who was
    granted, in order (and when, in `clock.stamps`)."""
    order: list[tuple[str, float]] = []

    async def one(channel: str, priority: Priority) -> None:
        await limiter.acquire(channel, priority)
        order.append((channel, clock.time()))

    tasks = []
    for channel, priority in requests:
        tasks.append(asyncio.create_task(one(channel, priority)))
        await asyncio.sleep(0)  # queued in this order
    async with clock.stepping(lambda: asyncio.sleep(0)):  # those granted see the time they were granted at
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=5)
    clock.stamps = [at for _, at in order]  # type: ignore[attr-defined]
    return [channel for channel, _ in order]


async def test_never_more_than_the_rate_in_any_window() -> None:
    """45 a second: the 46th request waits for the window to move on."""
    clock = SteppingClock(1000.0)
    limiter = Limiter(45, 1.0, clock=clock)
    await grants(clock, limiter, [("a", Priority.URGENT)] * 100)
    stamps: list[float] = clock.stamps  # type: ignore[attr-defined]
    assert len(stamps) == 100
    assert all(sum(1 for s in stamps if start <= s < start + 1.0) <= 45 for start in stamps)
    assert stamps[44] == 1000.0 and stamps[45] == 1001.0 and stamps[90] == 1002.0


async def test_a_busy_channel_cannot_starve_the_others() -> None:
    """Channels with queued requests take turns: a quiet channel waits one turn, not the busy backlog."""
    clock = SteppingClock(1000.0)
    limiter = Limiter(2, 1.0, clock=clock)
    busy = [("busy", Priority.URGENT)] * 10
    channels = await grants(clock, limiter, [*busy, ("quiet", Priority.URGENT), ("other", Priority.URGENT)])
    assert channels[:6] == ["busy", "busy", "busy", "quiet", "other", "busy"]  # two went at once


async def test_question_posts_go_before_cosmetic_edits() -> None:
    """When the budget is short, urgent posts queued after edits are granted first."""
    clock = SteppingClock(1000.0)
    limiter = Limiter(1, 1.0, clock=clock)
    requests = [("a", Priority.URGENT)] + [(f"edit{i}", Priority.COSMETIC) for i in range(3)]
    requests += [(f"post{i}", Priority.URGENT) for i in range(2)]
    order = await grants(clock, limiter, requests)
    assert order == ["a", "post0", "post1", "edit0", "edit1", "edit2"]


async def test_a_cancelled_waiter_gives_its_turn_away() -> None:
    """A sender stopped while waiting takes no grant."""
    clock = SteppingClock(1000.0)
    limiter = Limiter(1, 1.0, clock=clock)
    await limiter.acquire("a")
    gone = asyncio.create_task(limiter.acquire("gone"))
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.sleep(0)
    async with clock.stepping(lambda: asyncio.sleep(0)):
        await asyncio.wait_for(limiter.acquire("b"), timeout=5)
    assert clock.time() == 1001.0  # b waited its second, on the clock
    assert limiter.granted == 2 and limiter.queued == 0


def test_refusals_count_for_ten_minutes() -> None:
    """401, 403 and 429 count (not a shared bucket's 429, not other errors), for ten minutes."""
    clock = ManualClock(0.0)
    refusals = Refusals(clock)
    for status in (200, 401, 403, 404, 429, 500):
        refusals.count(status)
    refusals.count(429, "shared")
    assert refusals.recent() == 3
    clock.advance(599.0)
    refusals.count(403)
    assert refusals.recent() == 4
    clock.advance(1.0)
    assert refusals.recent() == 1 and refusals.total == 4


async def test_refused_requests_are_counted_through_the_double(world: World) -> None:
    """429s disnake waits out and a 403 are all counted, and the owner's /supervisor status shows them."""
    club = world.club
    refusals = world.running.channel.refusals
    before = refusals.recent()
    world.double.fail_next(2, route=POST, status=429, retry_after=0.01)
    await start_quiz(world, club, questions=2, mode="buttons")
    question = await next_question(world, club)
    assert answer_buttons(question)
    assert refusals.recent() - before == 2  # both waited out by disnake, both counted
    world.double.fail_next(1, route="PATCH /channels/{channel_id}/messages/{message_id}", status=403)
    await world.advance(5)  # the close: its edit is refused, and the channel given up
    assert refusals.recent() - before == 3
    assert world.running.channel.invalid_requests() == refusals.recent()
    status = await use(world, world.club.guild.owner, "supervisor status")
    assert (
        field(status, "Invalid requests (10 min)")
        == f"{refusals.recent()} of Discord's 10,000 (401, 403, 429)"
    )
