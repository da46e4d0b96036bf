"""Asking a session for a change, and telling the player it was done only once it is saved.

A session answers a change once its journal entry is durable. That is usually a few milliseconds;
if it is not done inside Discord's window the reply is deferred (privately) and sent when it is.
While the database is away the change still happens, and the player is told plainly that it is
not saved yet.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from disnake.interactions.base import Interaction

from quizbot.actors.base import ActorRef
from quizbot.bot.catalogue import Detail, problem, problem_of
from quizbot.bot.context import reply
from quizbot.errors import NotYetSaved

REPLY_WINDOW = 2.0  # seconds before an interaction is deferred (Discord allows 3)
SAVE_TIMEOUT = 10.0  # seconds a change may take to be handled and saved, deferred meanwhile


@dataclass(frozen=True, slots=True)
class Done:
    """A change a session made: its reply, and whether it is durable yet."""

    result: object
    saved: bool


async def change(inter: Interaction[Any], session: ActorRef[Any], message: object) -> Done:
    """Ask `session` for a change; defer privately if saving it outlasts Discord's window.

    Refusals (QuizbotError) are raised as they come, for the caller to turn into a private reply.
    """
    answer = session.request(message, timeout=SAVE_TIMEOUT)
    await asyncio.wait({answer}, timeout=REPLY_WINDOW)
    if not answer.done() and not inter.response.is_done():
        await inter.response.defer(with_message=True, ephemeral=True)  # "thinking", privately
    try:
        return Done(await answer, saved=True)
    except NotYetSaved as unsaved:
        return Done(unsaved.result, saved=False)


async def confirm(inter: Interaction[Any], done: Done, key: str, **details: Detail) -> None:
    """Tell the player, privately and in their language, what was done (catalogue `key`), and if it
    is not saved yet."""
    said = problem_of(key, details)
    if not done.saved:
        said = problem("not_saved_yet", done=said)
    await reply(inter, said.text_for(inter.locale))
