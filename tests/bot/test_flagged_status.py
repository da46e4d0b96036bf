"""/supervisor status tells the bot's owner how many questions several servers reported (and where
to list them); a server's admin never sees it."""

from __future__ import annotations

from datetime import UTC, datetime

from quizbot.storage.reports import FLAG_GUILDS, file_report
from tests.bot.conftest import World
from tests.bot.test_admin_cog import field, use

NOON = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


async def report_from_servers(world: World, identity: str, servers: int) -> None:
    for n in range(servers):
        guild = (60 + n) << 22
        await file_report(
            world.db,
            question_id=identity,
            user_id=guild + 1,
            guild_id=guild,
            reason="wrong",
            note="",
            now=NOON,
        )


async def test_the_owner_sees_the_flagged_questions_and_an_admin_does_not(world: World) -> None:
    """None flagged: no field. Two questions reported from three servers (and one from two): the
    owner's status counts two and names the command that lists them."""
    owner, admin = world.club.guild.owner, world.club.admin
    assert field(await use(world, owner, "supervisor status"), "Flagged questions") is None
    await report_from_servers(world, "q1_" + "A" * 22, FLAG_GUILDS)
    await report_from_servers(world, "q1_" + "B" * 22, FLAG_GUILDS + 1)
    await report_from_servers(world, "q1_" + "C" * 22, FLAG_GUILDS - 1)
    shown = field(await use(world, owner, "supervisor status"), "Flagged questions")
    assert shown == "2 questions reported from 3 or more servers · `quizbot questions reports`"
    assert field(await use(world, admin, "supervisor status"), "Flagged questions") is None
