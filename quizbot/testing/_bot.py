"""Running a real disnake client against the double: Route.BASE, start, readiness and clean shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import disnake
from disnake.ext.commands.interaction_bot_base import InteractionBotBase
from disnake.http import Route

log = logging.getLogger("quizbot.testing")


@contextmanager
def route_base(url: str) -> Iterator[None]:
    """Point disnake's REST client (and its webhooks) at `url`, restoring the previous base afterwards."""
    previous = Route.BASE
    Route.BASE = url
    try:
        yield
    finally:
        Route.BASE = previous


async def until(waiting: Awaitable[Any], task: asyncio.Task[None], timeout: float, what: str) -> None:  # noqa: ASYNC109 - test waits always time out
    """Await `waiting`, failing at once if the bot's task ends first, and after `timeout`."""
    waiter = asyncio.ensure_future(waiting)
    try:
        done, _ = await asyncio.wait({waiter, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if waiter in done:
            waiter.result()
            return
        if task in done:
            raise RuntimeError(f"the bot stopped while waiting for {what}") from task.exception()
        raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
    finally:
        waiter.cancel()


@asynccontextmanager
async def run_bot(
    bot: disnake.Client,
    token: str,
    api_base: str,
    *,
    timeout: float,  # noqa: ASYNC109 - test waits always time out
    waits: Sequence[Callable[[], Awaitable[None]]] = (),
    on_gateway_error: Callable[[str], None] | None = None,
) -> AsyncIterator[disnake.Client]:
    """Start `bot` with Route.BASE at `api_base`, wait for ready and `waits`; close it and restore after.

    Events the bot fails to handle (disnake's on_gateway_error) are reported to `on_gateway_error`."""
    if on_gateway_error is not None:
        report_gateway_errors(bot, on_gateway_error)
    with route_base(api_base):
        task = asyncio.create_task(bot.start(token), name="discord-double bot")
        try:
            await until(bot.wait_until_ready(), task, timeout, "the bot to become ready")
            for wait in waits:
                await until(wait(), task, timeout, "the bot's start-up")
            yield bot
        finally:
            await bot.close()
            try:
                await asyncio.wait_for(task, timeout)
            except (disnake.DiscordException, OSError) as exc:
                log.warning("the bot stopped with %r", exc)
            vars(bot).pop("on_gateway_error", None)


def report_gateway_errors(bot: disnake.Client, report: Callable[[str], None]) -> None:
    """Report every gateway event the bot fails to handle (a payload the double got wrong, say)."""
    original = bot.on_gateway_error

    async def on_gateway_error(event: str, data: Any, shard_id: int | None, exc: Exception, /) -> None:
        """Report, then let disnake's handler log it as usual."""
        report(f"{event}: {exc!r}")
        await original(event, data, shard_id, exc)

    bot.on_gateway_error = on_gateway_error  # type: ignore[method-assign]


def expected_commands(bot: disnake.Client) -> dict[int | None, set[str]]:
    """The command names an InteractionBot will sync, by scope (None: global), as its sync decides."""
    if not isinstance(bot, InteractionBotBase):
        return {}
    flags = bot.command_sync_flags
    test_guilds = getattr(bot, "_test_guilds", None)
    expected: dict[int | None, set[str]] = {}
    for command in bot.application_commands_iterator():
        if not command.auto_sync:
            continue
        scopes: list[int | None] = list(command.guild_ids or test_guilds or [None])
        for scope in scopes:
            if flags.sync_global_commands if scope is None else flags.sync_guild_commands:
                expected.setdefault(scope, set()).add(command.name)
    return expected
