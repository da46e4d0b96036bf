"""Seasons through the real disnake client and the loopback Discord: /settings season start and end,
the season board on /leaderboard, an ended season's archive, the winners' announcement, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from quizbot.bot.catalogue import MESSAGES
from quizbot.storage.seasons import running_season
from quizbot.testing import MessageRecord, Overwrite
from tests.bot.conftest import World
from tests.bot.test_admin_cog import answer, use
from tests.bot.test_stats_cog import quiz

MESSAGE_ROUTE = "POST /channels/{channel_id}/messages"
SEND_MESSAGES = 1 << 11


def now(world: World) -> datetime:
    return datetime.fromtimestamp(world.clock.time(), UTC)


def board(message: MessageRecord) -> str:
    return str(message.embeds[0].get("description") or "")


async def leaderboard(world: World, options: dict[str, Any], *, refused: bool = False) -> MessageRecord:
    """/leaderboard by a player: the public board (the deferred reply's edit), or with `refused` the
    private refusal (a follow-up once the public "thinking" is withdrawn, or the response itself)."""
    club = world.club
    record = await world.double.slash(club.guild, club.channel, club.players[0], "leaderboard", options)
    if refused:
        return await answer(record)
    await record.wait_ack(timeout=3.0)
    return await record.wait_original_edit(timeout=5.0)


async def test_a_season_counts_from_its_start_and_its_board_is_on_leaderboard(world: World) -> None:
    """Points before the start stay out of the season board; points during it show, with the period."""
    club = world.club
    first, second = club.players[0], club.players[1]
    await quiz(world, club, [(first, 500)], at=now(world) - timedelta(minutes=5))
    started = await use(world, club.admin, "settings season start", {"name": "Spring"})
    assert started.ephemeral
    assert started.content == MESSAGES["season.started"].format(name="Spring")
    await quiz(world, club, [(first, 30), (second, 70)], at=now(world) + timedelta(seconds=1))
    shown = await leaderboard(world, {"timeframe": "season"})
    lines = board(shown).splitlines()
    assert [line.split(" — ")[0] for line in lines] == [f"🥇 <@{second.id}>", f"🥈 <@{first.id}>"]
    assert "**70** pts" in lines[0]
    assert shown.embeds[0]["footer"]["text"] == MESSAGES["reply.period_season"]


async def test_ending_archives_announces_and_pings_only_the_winners(world: World) -> None:
    """The end is private to the admin; the announcement in the chosen channel names the top 3 and
    pings exactly them; /leaderboard season: shows the archived top 10 afterwards (autocompleted)."""
    club = world.club
    await use(world, club.admin, "settings season start", {"name": "Autumn Cup"})
    scores = [(club.players[i], 100 - 10 * i) for i in range(4)]
    await quiz(world, club, scores, at=now(world) + timedelta(seconds=1))
    world.clock.advance(60)
    ended = await use(world, club.admin, "settings season end", {"announce_channel": club.channel})
    assert ended.ephemeral
    assert ended.content == MESSAGES["season.ended_announced"].format(
        name="Autumn Cup", channel=club.channel.mention
    )
    announced = await world.double.wait_for_message(
        lambda m: "Autumn Cup" in m.text and m.interaction is None, timeout=5
    )
    winners = [club.players[i].id for i in range(3)]
    assert all(f"<@{user}>" in announced.content for user in winners)
    assert f"<@{club.players[3].id}>" not in announced.content
    body = next(
        r.body for r in world.double.request_log if r.route == MESSAGE_ROUTE and "Autumn Cup" in str(r.body)
    )
    allowed = body["allowed_mentions"]
    assert {str(u) for u in allowed["users"]} == {str(u) for u in winners}
    assert allowed["parse"] == []
    assert not allowed.get("roles")
    assert len(board(announced).splitlines()) == 2 + 4  # the dates, a blank line, four places
    assert await running_season(world.db, club.guild.id) is None
    record = await world.double.autocomplete(
        club.guild, club.channel, club.players[0], "leaderboard", focused="season", options={"season": "cup"}
    )
    await record.wait_ack()
    assert [c["value"] for c in record.choices] == ["Autumn Cup"]
    archived = await leaderboard(world, {"season": "autumn cup"})
    assert not archived.ephemeral
    assert archived.embeds[0]["title"] == "🏆 Season Autumn Cup"
    assert board(archived).splitlines()[2:] == board(announced).splitlines()[2:]


async def test_ending_without_a_channel_shows_the_standings_to_the_admin_only(world: World) -> None:
    """No announce_channel: the admin alone sees the final board; nothing is posted in the channel."""
    club = world.club
    await use(world, club.admin, "settings season start", {"name": "Quiet"})
    ended = await use(world, club.admin, "settings season end")
    assert ended.ephemeral
    assert ended.content == MESSAGES["season.ended"].format(name="Quiet")
    assert board(ended).endswith(MESSAGES["season.nobody_scored"])
    assert not [r for r in world.double.request_log if r.route == MESSAGE_ROUTE]


async def test_season_refusals_are_private_and_from_the_catalogue(world: World) -> None:
    """A second season while one runs, a name used before, an end with none running, a channel the
    bot cannot post in, a blank name, a global season board, an unknown archive."""
    club = world.club
    admin = club.admin
    await use(world, admin, "settings season start", {"name": "One"})
    again = await use(world, admin, "settings season start", {"name": "Two"})
    assert again.ephemeral and MESSAGES["season.already_running"] in again.text
    hidden = club.guild.add_text_channel(
        "hidden", overwrites=[Overwrite(club.guild.id, 0, deny=SEND_MESSAGES)]
    )
    await world.double.announce_guild(club.guild)
    muted = await use(world, admin, "settings season end", {"announce_channel": hidden})
    assert MESSAGES["season.cannot_post"].format(channel=hidden.mention) in muted.text
    assert await running_season(world.db, club.guild.id) is not None  # refused before anything was done
    await use(world, admin, "settings season end")
    taken = await use(world, admin, "settings season start", {"name": "one"})
    assert MESSAGES["season.name_taken"].format(name="one") in taken.text
    none = await use(world, admin, "settings season end")
    assert MESSAGES["season.none_running"] in none.text
    blank = await use(world, admin, "settings season start", {"name": "   "})
    assert blank.ephemeral and "**name**" in blank.text
    global_board = await leaderboard(world, {"scope": "global", "timeframe": "season"}, refused=True)
    assert global_board.ephemeral
    assert MESSAGES["reply.why_season_needs_server"] in global_board.text
    unknown = await leaderboard(world, {"season": "Nope"}, refused=True)
    assert unknown.ephemeral and MESSAGES["season.unknown"].format(name="Nope") in unknown.text


async def test_season_words_in_german(world: World) -> None:
    """A German admin is answered in German, and the command's German names are registered."""
    club = world.club
    club.admin.user.locale = "de"
    started = await use(world, club.admin, "settings season start", {"name": "Frühling"})
    assert started.text.startswith("Die Saison **Frühling** hat begonnen.")
