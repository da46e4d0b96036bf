"""`/trivia start screen:true` at the edge: the option checked, the screen stored, the link sent.

The screen is stored before the game starts (so the link the host gets is durable), follows the
game once it has started and before its first question, and its link goes to the host alone, in an
ephemeral follow-up, after the quiz is announced.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

from quizbot.bot import validation
from quizbot.bot.catalogue import Refused, problem, say
from quizbot.bot.context import QuizContext, reply
from quizbot.bot.types import CommandInter


@dataclass(frozen=True, slots=True)
class ScreenLink:
    """A stored screen for the game `run_id` is to start, and the address that opens it."""

    run_id: UUID
    url: str


def wanted(ctx: QuizContext, value: object) -> bool:
    """The screen option, as sent: True when asked for and the web view runs here; asked for
    without one, a private refusal before anything starts."""
    asked = bool(validation.flag("screen", value))
    if asked and ctx.screens is None:
        raise Refused(problem("screen_unavailable"))
    return asked


async def open_screen(ctx: QuizContext, key: tuple[int, int], host_id: int) -> ScreenLink:
    """A screen for a game about to start at `key`, stored (durably) with its run's id."""
    assert ctx.screens is not None  # `wanted` said so
    run_id = uuid4()
    token = await ctx.screens.open(ctx.db, key, run_id, host_id)
    return ScreenLink(run_id, ctx.screens.link(token))


def follow(ctx: QuizContext, link: ScreenLink | None) -> None:
    """The game has started (its first question not yet asked): its screen hears it from now."""
    if link is not None and ctx.screens is not None:
        ctx.screens.attach(link.run_id)


async def tell_host(inter: CommandInter, ctx: QuizContext, link: ScreenLink | None) -> None:
    """The link, privately to the host (an ephemeral follow-up, in the host's language)."""
    if link is not None and ctx.screens is not None:
        hours = round(ctx.screens.hours)
        await reply(inter, say("screen_link", inter.locale, url=link.url, count=hours))
