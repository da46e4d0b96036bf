"""/leaderboard, /stats and /achievements through the real disnake client and the loopback Discord."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn
from uuid import uuid4

import pytest

from quizbot.bot.catalogue import MESSAGES
from quizbot.bot.cogs import stats as stats_cog
from quizbot.game.achievements import ACHIEVEMENTS
from quizbot.game.progression import Difficulty
from quizbot.storage.achievements import grant_achievements
from quizbot.storage.answers import record_answers, record_finished_run
from quizbot.storage.records import AnswerBatch, AnswerRow, FinishedRun
from quizbot.testing import DoubleError, InteractionRecord, Member, MessageRecord, StandardGuild, User
from tests.bot.conftest import World

CHANNEL = 777
DB_DOWN = MESSAGES["db_connection"]
BAD_INPUT = MESSAGES["invalid_input"].split(":")[0]  # "That didn't look right"
COMMANDS = ["leaderboard", "stats", "achievements"]
READS = {"leaderboard": "leaderboard", "stats": "user_stats", "achievements": "member_achievements"}

Person = User | Member


def account(person: Person) -> User:
    return person.user if isinstance(person, Member) else person


async def quiz(
    world: World,
    where: StandardGuild,
    scores: Sequence[tuple[Person, int]],
    *,
    category: str = "science",
    at: datetime | None = None,
) -> None:
    """Record a finished one-question quiz in a guild: each player's points (0 is a wrong answer)."""
    when = at or datetime.now(UTC)
    run = uuid4()
    rows = tuple(
        AnswerRow(account(p).id, account(p).name, points > 0, points, points, when) for p, points in scores
    )
    guild_id = where.guild.id
    batch = AnswerBatch(run, guild_id, CHANNEL, 0, category, Difficulty.MEDIUM, rows)
    await record_answers(world.db, batch)
    players = tuple(row.user_id for row in rows)
    finished = FinishedRun(
        run,
        guild_id,
        CHANNEL,
        where.admin.id,
        category,
        category,
        Difficulty.MEDIUM,
        1,
        "finished",
        when,
        when,
        players,
    )
    await record_finished_run(world.db, finished)


def answered(record: InteractionRecord) -> bool:
    """The bot answered at once, filled its deferred reply, or followed up."""
    return record.response_type == 4 or bool(record.original_edits or record.followups)


async def use(
    world: World,
    where: StandardGuild | None,
    person: Person,
    command: str,
    options: dict[str, Any] | None = None,
) -> InteractionRecord:
    """Use a slash command in the guild's #trivia (or in DMs when `where` is None) and wait for the answer."""
    if where is None:
        record = await world.double.slash(None, None, person, command, options)
    else:
        record = await world.double.slash(where.guild, where.channel, person, command, options)
    return await record.wait_until(answered, timeout=5.0, what="the answer")


def shown(record: InteractionRecord) -> MessageRecord:
    """The message the user ends up seeing."""
    message = record.followups[-1] if record.followups else record.original
    assert message is not None
    return message


def board(record: InteractionRecord) -> list[str]:
    """The leaderboard's rows."""
    return str(shown(record).embeds[0].get("description") or "").splitlines()


def fields(record: InteractionRecord) -> dict[str, str]:
    """The embed's fields by name."""
    return {f["name"]: f["value"] for f in shown(record).embeds[0].get("fields") or []}


# --- /leaderboard ----------------------------------------------------------------------------


async def test_leaderboard_ranks_the_server_by_points(world: World) -> None:
    """A public board: rank, mention, points, accuracy and quizzes, best first."""
    one, two, three = world.club.players[:3]
    await quiz(world, world.club, [(one, 30), (two, 50), (three, 0)])
    await quiz(world, world.club, [(one, 0), (two, 40)])
    record = await use(world, world.club, one, "leaderboard")
    assert not shown(record).ephemeral
    assert board(record) == [
        f"🥇 {two.mention} — **90** pts · 100% accuracy · 2 quizzes",
        f"🥈 {one.mention} — **30** pts · 50% accuracy · 2 quizzes",
        f"🥉 {three.mention} — **0** pts · 0% accuracy · 1 quiz",
    ]


async def test_leaderboard_shows_at_most_ten_rows(world: World) -> None:
    """Twelve players make a board of the top ten."""
    people = [world.double.add_user(f"fan{n}") for n in range(12)]
    await quiz(world, world.club, [(p, 10 * (n + 1)) for n, p in enumerate(people)])
    rows = board(await use(world, world.club, world.club.admin, "leaderboard"))
    assert len(rows) == 10
    assert rows[0].startswith(f"🥇 {people[-1].mention} — **120** pts")
    assert rows[-1].startswith(f"`#10` {people[2].mention} — **30** pts")


async def test_an_empty_leaderboard_says_so_kindly(world: World) -> None:
    """No scores yet: an invitation to play instead of an empty embed."""
    record = await use(world, world.club, world.club.players[0], "leaderboard")
    assert "No one has scored all time yet" in shown(record).text
    assert "/trivia start" in shown(record).text


async def test_server_leaderboard_leaves_out_other_servers(world: World) -> None:
    """The rival guild's #trivia shares the channel id, but not the board."""
    await quiz(world, world.club, [(world.club.players[0], 10)])
    await quiz(world, world.rival, [(world.rival.players[0], 20)])
    rows = board(await use(world, world.club, world.club.players[0], "leaderboard", {"scope": "server"}))
    assert rows == [f"🥇 {world.club.players[0].mention} — **10** pts · 100% accuracy · 1 quiz"]


async def test_global_leaderboard_ranks_every_server_by_stored_name(world: World) -> None:
    """The global board mixes guilds and names players by their stored username."""
    await quiz(world, world.club, [(world.club.players[0], 10)])
    await quiz(world, world.rival, [(world.rival.players[0], 20)])
    record = await use(world, world.club, world.club.players[0], "leaderboard", {"scope": "global"})
    assert shown(record).embeds[0]["title"] == "🏆 Global leaderboard"
    assert board(record) == [
        "🥇 Rival-player1 — **20** pts · 100% accuracy · 1 quiz",
        "🥈 Club-player1 — **10** pts · 100% accuracy · 1 quiz",
    ]


async def test_monthly_leaderboard_leaves_out_older_answers(world: World) -> None:
    """timeframe: month counts only this month's points."""
    old, new = world.club.players[:2]
    await quiz(world, world.club, [(old, 100)], at=datetime.now(UTC) - timedelta(days=40))
    await quiz(world, world.club, [(new, 10)])
    record = await use(world, world.club, old, "leaderboard", {"timeframe": "month"})
    assert board(record) == [f"🥇 {new.mention} — **10** pts · 100% accuracy · 1 quiz"]
    assert shown(record).embeds[0]["footer"]["text"] == "this month"


async def test_category_leaderboard_counts_only_that_category(world: World) -> None:
    """category: history ranks history answers alone."""
    scientist, historian = world.club.players[:2]
    await quiz(world, world.club, [(scientist, 50)], category="science")
    await quiz(world, world.club, [(historian, 10), (scientist, 0)], category="history")
    record = await use(world, world.club, scientist, "leaderboard", {"category": "History"})
    assert board(record) == [
        f"🥇 {historian.mention} — **10** pts · 100% accuracy · 1 quiz",
        f"🥈 {scientist.mention} — **0** pts · 0% accuracy · 1 quiz",
    ]


async def test_unknown_category_is_refused_from_the_catalogue(world: World) -> None:
    """A category the bank lacks gets a private catalogue message naming the real ones."""
    record = await use(world, world.club, world.club.players[0], "leaderboard", {"category": "cooking"})
    message = shown(record)
    assert message.ephemeral
    assert message.text.startswith(f"❌ Sorry\n{BAD_INPUT}: there is no category 'cooking'")
    assert "science" in message.text


async def test_unknown_timeframe_is_refused_from_the_catalogue(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A timeframe outside the choices (an out-of-date client) gets a catalogue message, not an error."""
    monkeypatch.setattr("quizbot.testing._people.check_choice", lambda option, value: None)
    record = await use(world, world.club, world.club.players[0], "leaderboard", {"timeframe": "year"})
    assert shown(record).ephemeral
    assert f"{BAD_INPUT}: unknown timeframe 'year'; choose one of day, week, month, all" in shown(record).text


async def test_category_autocomplete_offers_matching_bank_categories(world: World) -> None:
    """Typing "sc" offers the bank's categories containing it."""
    club = world.club
    record = await world.double.autocomplete(
        club.guild,
        club.channel,
        club.players[0],
        "leaderboard",
        focused="category",
        options={"category": "sc"},
    )
    await record.wait_ack()
    assert [c["value"] for c in record.choices] == ["science"]


async def test_leaderboard_in_dms_is_global(world: World) -> None:
    """In a DM the board is the global one without asking."""
    await quiz(world, world.club, [(world.club.players[0], 10)])
    record = await use(world, None, world.club.players[0], "leaderboard")
    assert shown(record).embeds[0]["title"] == "🏆 Global leaderboard"
    assert board(record) == ["🥇 Club-player1 — **10** pts · 100% accuracy · 1 quiz"]


async def test_server_leaderboard_in_dms_is_refused(world: World) -> None:
    """Asking for the server board in a DM says only global works there."""
    record = await use(world, None, world.club.players[0], "leaderboard", {"scope": "server"})
    assert shown(record).ephemeral
    assert "in DMs use scope: global" in shown(record).text


# --- /stats ----------------------------------------------------------------------------------


async def test_stats_show_a_members_progress(world: World) -> None:
    """Points, accuracy, quizzes, level and XP to go, streak, rank, favourite and recent achievements."""
    me, rival = world.club.players[:2]
    await quiz(world, world.club, [(me, 30), (rival, 80)], category="science")
    await quiz(world, world.club, [(me, 0)], category="history")
    await quiz(world, world.club, [(me, 20)], category="science")
    await grant_achievements(world.db, world.club.guild.id, me.id, ["first_quiz"])
    await grant_achievements(world.db, world.club.guild.id, me.id, ["speed_demon"])
    record = await use(world, world.club, me, "stats")
    assert not shown(record).ephemeral
    assert shown(record).embeds[0]["title"] == "📈 Club-player1's stats"
    shown_fields = fields(record)
    assert shown_fields["Points"] == "**50**"
    assert shown_fields["Accuracy"] == "67% (2 of 3)"
    assert shown_fields["Quizzes"] == "3"
    assert shown_fields["Level"] == "**1** · 50 XP · 50 XP to level 2"
    assert shown_fields["Streak"] == "1 day (best 1 day)"
    assert shown_fields["Rank"] == "#2 in this server"
    assert shown_fields["Favourite category"] == "science"
    assert [line.split(" <t:")[0] for line in shown_fields["Recent achievements"].splitlines()] == [
        "🏅 **Quick Draw**",
        "🏅 **First Steps**",
    ]


async def test_stats_of_another_member(world: World) -> None:
    """The user option shows someone else's statistics."""
    me, friend = world.club.players[:2]
    await quiz(world, world.club, [(me, 10), (friend, 70)])
    record = await use(world, world.club, me, "stats", {"user": friend})
    assert shown(record).embeds[0]["title"] == "📈 Club-player2's stats"
    assert fields(record)["Points"] == "**70**"
    assert fields(record)["Rank"] == "#1 in this server"


async def test_stats_of_a_newcomer_say_no_games_yet(world: World) -> None:
    """Someone who never played gets a friendly nudge, not an error."""
    record = await use(world, world.club, world.club.players[0], "stats")
    assert shown(record).content.startswith("You haven't played any games here yet.")


async def test_stats_of_another_newcomer_name_them(world: World) -> None:
    """Asking about someone who never played says they have no games yet."""
    record = await use(world, world.club, world.club.players[0], "stats", {"user": world.club.players[1]})
    assert shown(record).content == "Club-player2 hasn't played any games here yet."


async def test_stats_count_only_this_server(world: World) -> None:
    """Playing in the rival guild is no game here."""
    await quiz(world, world.rival, [(world.rival.players[0], 10)])
    stranger = world.rival.players[0].user
    record = await use(world, world.club, world.club.players[0], "stats", {"user": stranger})
    assert shown(record).content == "Rival-player1 hasn't played any games here yet."


async def test_stats_show_a_broken_streak_as_zero(world: World) -> None:
    """A member who skipped days has no current streak, but keeps their best."""
    me = world.club.players[0]
    await quiz(world, world.club, [(me, 10)], at=datetime.now(UTC) - timedelta(days=5))
    record = await use(world, world.club, me, "stats")
    assert fields(record)["Streak"] == "0 days (best 1 day)"


# --- /achievements ---------------------------------------------------------------------------


async def test_achievements_list_what_was_earned_out_of_the_catalogue(world: World) -> None:
    """Name, description and when, newest first, and how many of the catalogue; only the asker sees it."""
    me = world.club.players[0]
    await quiz(world, world.club, [(me, 10)])
    await grant_achievements(world.db, world.club.guild.id, me.id, ["first_quiz"])
    await grant_achievements(world.db, world.club.guild.id, me.id, ["speed_demon"])
    record = await use(world, world.club, me, "achievements")
    message = shown(record)
    assert message.ephemeral
    assert message.embeds[0]["description"] == f"**2 of {len(ACHIEVEMENTS)}** earned."
    earned = message.embeds[0]["fields"]
    assert [f["name"] for f in earned] == ["Quick Draw", "First Steps"]
    assert earned[1]["value"].startswith("Finish your first quiz.\nEarned <t:")


async def test_achievements_of_a_newcomer_say_none_yet(world: World) -> None:
    """No achievements: zero of the catalogue and an encouragement."""
    record = await use(world, world.club, world.club.players[0], "achievements")
    assert shown(record).ephemeral
    assert shown(record).embeds[0]["description"].startswith(f"**0 of {len(ACHIEVEMENTS)}** earned. None yet")


async def test_achievements_of_another_member(world: World) -> None:
    """The user option shows someone else's achievements under their name."""
    me, friend = world.club.players[:2]
    await grant_achievements(world.db, world.club.guild.id, friend.id, ["first_quiz"])
    record = await use(world, world.club, me, "achievements", {"user": friend})
    assert shown(record).embeds[0]["title"] == "🏅 Club-player2's achievements"
    assert [f["name"] for f in shown(record).embeds[0]["fields"]] == ["First Steps"]


@pytest.mark.parametrize("command", ["stats", "achievements"])
async def test_member_commands_are_for_servers_only(world: World, command: str) -> None:
    """Statistics are kept per server, so Discord does not offer these commands in DMs."""
    with pytest.raises(DoubleError, match="cannot be used in DMs"):
        await world.double.slash(None, None, world.club.players[0], command)


# --- acknowledgement and failures ------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
async def test_commands_defer_before_the_database(
    world: World, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """A slow database still gets the interaction acknowledged well within 3 s, then filled in."""
    name = READS[command]
    read: Callable[..., Awaitable[Any]] = getattr(stats_cog, name)

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(1.0)
        return await read(*args, **kwargs)

    monkeypatch.setattr(stats_cog, name, slow)
    record = await world.double.slash(world.club.guild, world.club.channel, world.club.players[0], command)
    await record.wait_ack(timeout=3.0)
    assert record.response_type == 5  # deferred
    assert record.ack_latency is not None and record.ack_latency < 1.0
    await record.wait_original_edit(timeout=5.0)


class Refused:
    """An acquire() whose connection is refused, as when PostgreSQL is down."""

    async def __aenter__(self) -> NoReturn:
        raise ConnectionRefusedError("connection refused")

    async def __aexit__(self, *exc_info: object) -> None:
        return None


@pytest.mark.parametrize("command", COMMANDS)
async def test_a_database_that_is_down_gets_the_db_connection_message(
    world: World, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """Connections refused past the retries become the catalogue's db_connection message."""
    monkeypatch.setattr(world.db, "acquire", Refused)
    record = await use(world, world.club, world.club.players[0], command)
    assert record.ack_latency is not None and record.ack_latency < 3.0
    assert DB_DOWN in shown(record).text
