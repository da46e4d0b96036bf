"""Team games through the real disnake client and the loopback Discord: the lobby, Balance, a game,
the team podium, and a restart in the middle with the teams intact."""

from __future__ import annotations

import time

from quizbot.bot.app import RunningBot
from quizbot.bot.custom_ids import ButtonKind, parse, team_id
from quizbot.clock import ManualClock
from quizbot.config import Settings
from quizbot.game.questions import Question
from quizbot.storage.pool import Database
from quizbot.testing import DiscordDouble, InteractionRecord, Member, MessageRecord, StandardGuild
from quizbot.testing.actors import answers_written, settle
from tests.bot.conftest import World, bot_on
from tests.bot.play import answer_buttons, button_message, finish, is_question, next_question, start_quiz

LEVELS = (30, 20, 10, 5)  # the club's four players' levels, in order


def lobby_buttons(message: MessageRecord) -> dict[str, str]:
    """A lobby's buttons by their value: "1" to "4", "balance", "start"."""
    return {
        b.value: c for c in message.custom_ids if (b := parse(c)) is not None and b.kind is ButtonKind.TEAM
    }


def is_lobby(message: MessageRecord) -> bool:
    return message.from_bot and not message.ephemeral and bool(lobby_buttons(message))


def is_lineup(message: MessageRecord) -> bool:
    return message.from_bot and bool(message.embeds) and message.embeds[0].get("title") == "👥 The teams"


def lineup(message: MessageRecord) -> dict[str, str]:
    """A line-up message's teams: name -> its players as shown."""
    return {f["name"]: f["value"] for f in message.embeds[0].get("fields") or []}


async def said(record: InteractionRecord) -> str:
    """What the bot privately answered an interaction (after a defer too)."""
    await record.wait_ack()

    def answered(r: InteractionRecord) -> bool:
        return any(m is not None and m.text for m in [r.original, *r.followups])

    await record.wait_until(answered, 5, "a reply")
    shown = [m for m in [record.original, *record.followups] if m is not None and m.text]
    assert all(m.ephemeral for m in shown)
    return shown[-1].text


async def press(double: DiscordDouble, message: MessageRecord, value: str, member: Member) -> str:
    """`member` presses the lobby button of `value`; the private reply."""
    return await said(await double.click(message, lobby_buttons(message)[value], member))


def asked(running_bank: dict[str, tuple[Question, ...]], message: MessageRecord) -> Question:
    """The bank question a question message shows."""
    text = message.embeds[0]["description"]
    return next(q for qs in running_bank.values() for q in qs if text == f"**{q.text}**")


async def answer(
    double: DiscordDouble,
    bank: dict[str, tuple[Question, ...]],
    message: MessageRecord,
    right: list[Member],
    wrong: list[Member],
) -> None:
    """`right` pick the right answer of a question message, `wrong` another."""
    question = asked(bank, message)
    assert question.answer_index is not None
    buttons = answer_buttons(message)
    for members, pick in (
        (right, question.answer_index),
        (wrong, (question.answer_index + 1) % len(buttons)),
    ):
        for member in members:
            await (await double.click(message, buttons[pick], member)).wait_ack()


async def set_levels(db: Database, club: StandardGuild) -> None:
    for member, level in zip(club.players, LEVELS, strict=True):
        await db.pool.execute(
            "INSERT INTO guild_members (guild_id, user_id, level) VALUES ($1, $2, $3)",
            club.guild.id,
            member.id,
            level,
        )


async def points_by_user(running: RunningBot, db: Database, guild_id: int, answers: int) -> dict[int, int]:
    """Each player's points as stored, once the game's `answers` answers are written (they are written
    after the snapshot holding them is saved)."""
    for _ in range(100):
        await settle(running.service.supervisor, ask_timeout=5)
        await answers_written()
        if await db.pool.fetchval("SELECT count(*) FROM answers WHERE guild_id = $1", guild_id) >= answers:
            break
    rows = await db.pool.fetch(
        "SELECT user_id, sum(points)::int AS points FROM answers WHERE guild_id = $1 GROUP BY user_id",
        guild_id,
    )
    return {row["user_id"]: row["points"] for row in rows}


async def test_a_team_game_from_lobby_to_podium(world: World) -> None:
    """Players join and switch in the lobby, Balance evens the teams by level, the host starts, a
    late joiner comes in, nobody switches any more, and the podium names the winning team and its
    best player; every answer is stored as usual."""
    club, double = world.club, world.double
    p0, p1, p2, p3 = club.players
    await set_levels(world.db, club)
    await start_quiz(world, club, teams=2, mode="buttons", questions=2, timeout=5)
    lobby = await double.wait_for_message(is_lobby, timeout=5, channel=club.channel.key)
    assert "👥 Team game: 2 teams — pick yours" in lobby.text and "**Balance**" in lobby.text
    labels = [c.get("label") for c in lobby.iter_components() if c.get("type") == 2]
    assert labels == ["Team Red", "Team Blue", "Balance", "Start"]
    assert not any(is_question(m) for m in double.messages(club.channel.key))
    for member in club.players:
        assert await press(double, lobby, "1", member) == "You joined **Team Red**."
    assert await press(double, lobby, "2", p3) == "You moved to **Team Blue**."
    assert await press(double, lobby, "2", p3) == "You're already in **Team Blue**."

    assert await press(double, lobby, "balance", p2) == "The teams are now even by level."
    await world.settle()
    balanced = await double.wait_for_message(is_lineup, timeout=5, channel=club.channel.key)
    names = {m.id: m.user.name for m in club.players}
    assert lineup(balanced) == {  # 30 and 5 against 20 and 10: sizes even, levels within the top
        "Team Red": f"{names[p0.id]}, {names[p3.id]}",
        "Team Blue": f"{names[p1.id]}, {names[p2.id]}",
    }

    refused = await press(double, lobby, "start", p1)
    assert "host" in refused
    since = time.monotonic()
    assert await press(double, lobby, "start", club.admin) == "The game begins."
    await world.settle()
    question = await next_question(world, club, since)
    bank = world.running.bot.context.bank.by_category
    assert await press(double, lobby, "2", club.admin) == "You joined **Team Blue**."  # a late joiner
    switch = await press(double, lobby, "1", p1)
    assert "teams are fixed once the first question is asked" in switch
    assert "can't be done right now" in await press(double, lobby, "balance", p1)

    await answer(double, bank, question, right=[p0, p3], wrong=[p1, p2, club.admin])
    since = await finish(world, 5)
    scores = [m for m in double.messages(club.channel.key) if "📊 Scores" in m.text][-1]
    points = await points_by_user(world.running, world.db, club.guild.id, 5)
    red, blue = points[p0.id] + points[p3.id], points[p1.id] + points[p2.id] + points[club.admin.id]
    assert f"Team Red — **{red}** points" in scores.text and f"Team Blue — **{blue}** points" in scores.text
    asked_scores = await double.slash(club.guild, club.channel, p0, "trivia scores")
    shown = await said(asked_scores)
    assert shown.index(f"Team Red — **{red}** points") < shown.index(f"Team Blue — **{blue}** points")

    question = await next_question(world, club, since)
    await answer(double, bank, question, right=[p3], wrong=[p0, p1, p2])
    await finish(world, 5)
    podium = await double.wait_for_message(
        lambda m: "The quiz is over" in m.text, timeout=5, channel=club.channel.key
    )
    points = await points_by_user(world.running, world.db, club.guild.id, 9)
    best = max((p0, p3), key=lambda m: (points[m.id], -m.id))
    assert f"🏆 **Team Red** wins! Its best player: **{names[best.id]}**" in podium.text
    assert (
        await world.db.pool.fetchval("SELECT count(*) FROM answers WHERE guild_id = $1", club.guild.id) == 9
    )
    xp = await world.db.pool.fetchval(
        "SELECT xp FROM guild_members WHERE guild_id = $1 AND user_id = $2", club.guild.id, p3.id
    )
    assert xp > 0


async def test_a_lobby_ends_by_itself_after_sixty_seconds(world: World) -> None:
    """Nobody presses Start: a minute on the games' clock later the first question comes, with the
    line-up; someone who answers without a team is put in the smaller one."""
    club, double = world.club, world.double
    await start_quiz(world, club, teams=3, mode="buttons", questions=1, timeout=5)
    lobby = await double.wait_for_message(is_lobby, timeout=5, channel=club.channel.key)
    assert await press(double, lobby, "3", club.players[0]) == "You joined **Team Green**."
    await world.advance(59)
    assert not any(is_question(m) for m in double.messages(club.channel.key))
    since = time.monotonic()
    await world.advance(1)
    question = await next_question(world, club, since)
    shown = lineup(await double.wait_for_message(is_lineup, timeout=5, channel=club.channel.key))
    assert shown == {
        "Team Red": "nobody yet",
        "Team Blue": "nobody yet",
        "Team Green": club.players[0].user.name,
    }
    await (await double.click(question, answer_buttons(question)[0], club.players[1])).wait_ack()
    await finish(world, 5)
    podium = await double.wait_for_message(
        lambda m: "The quiz is over" in m.text, timeout=5, channel=club.channel.key
    )
    assert "Team Red" in podium.text and "Team Green" in podium.text


async def test_forged_and_stale_lobby_buttons_are_refused_privately(world: World) -> None:
    """A lobby button of a game without teams, of team 4 in a game of 2, or from an earlier game:
    each is refused privately and changes nothing."""
    club, double = world.club, world.double
    await start_quiz(world, club, teams=2, mode="buttons", questions=1, timeout=5)
    lobby = await double.wait_for_message(is_lobby, timeout=5, channel=club.channel.key)
    first = parse(lobby_buttons(lobby)["1"])
    assert first is not None
    team_four = team_id(club.channel.key, first.epoch, "4")
    message = await button_message(world, club, team_four)
    assert "there is no such team in this game" in await said(
        await double.click(message, team_four, club.players[0])
    )
    stale = team_id(club.channel.key, first.epoch + 99, "1")
    message = await button_message(world, club, stale)
    assert "earlier question or quiz" in await said(await double.click(message, stale, club.players[0]))
    malformed = f"qb:t:{club.guild.id}:{club.channel.id}:{first.epoch}:0:9"
    message = await button_message(world, club, malformed)
    assert await said(await double.click(message, malformed, club.players[0]))
    assert (
        await press(double, lobby, "1", club.players[0]) == "You joined **Team Red**."
    )  # nothing changed before


async def test_a_restart_mid_game_keeps_the_teams_and_their_scores(db: Database) -> None:
    """The bot stops with question 2 of a team game open and another process brings it back: after
    Continue the teams are the same, nobody may switch, and the podium adds both halves up."""
    clock = ManualClock(time.time())
    async with DiscordDouble() as double:
        club = double.standard_guild("Club", channel_id=777, players=4)
        p0, p1, p2, p3 = club.players
        names = {m.id: m.user.name for m in club.players}
        async with bot_on(double, db, Settings(), clock) as (running, _):
            world = World(double, club, club, running, clock, db, _)
            await start_quiz(world, club, teams=2, mode="buttons", questions=2, timeout=30)
            lobby = await double.wait_for_message(is_lobby, timeout=5, channel=club.channel.key)
            for member, team in ((p0, "1"), (p1, "1"), (p2, "2"), (p3, "2")):
                await press(double, lobby, team, member)
            since = time.monotonic()
            await press(double, lobby, "start", club.admin)
            await world.settle()
            bank = running.bot.context.bank.by_category
            question = await next_question(world, club, since)
            await answer(double, bank, question, right=[p0, p1], wrong=[p2, p3])
            since = await finish(world, 30)
            question = await next_question(world, club, since)
            await answer(double, bank, question, right=[p2], wrong=[])
            await settle(running.service.supervisor, ask_timeout=5)
        async with bot_on(double, db, Settings(), clock, owner="bot-2") as (running, edge):
            world = World(double, club, club, running, clock, db, edge)
            prompt = await double.wait_for_message(
                lambda m: "interrupted" in m.text, timeout=15, channel=club.channel.key
            )
            recovery = [
                c for c in prompt.custom_ids if (b := parse(c)) is not None and b.kind is ButtonKind.RECOVERY
            ]
            assert "earlier question or quiz" in await press(double, lobby, "1", p2)  # an old epoch's lobby
            first_half = await points_by_user(running, db, club.guild.id, 4)
            assert f"Team Red — **{first_half[p0.id] + first_half[p1.id]}** points" in prompt.text
            assert "Team Blue — **0** points" in prompt.text
            assert "teams are fixed once the first question is asked" in await press(double, prompt, "1", p2)
            assert (
                await press(double, prompt, "2", club.admin) == "You joined **Team Blue**."
            )  # a late joiner
            since = time.monotonic()
            await (await double.click(prompt, recovery[0], club.admin)).wait_ack()
            await world.settle()
            again = await next_question(world, club, since)
            await answer(double, running.bot.context.bank.by_category, again, right=[p0], wrong=[p3])
            await finish(world, 30)
            podium = await double.wait_for_message(
                lambda m: "The quiz is over" in m.text, timeout=5, channel=club.channel.key
            )
            points = await points_by_user(running, db, club.guild.id, 7)
            red, blue = points[p0.id] + points[p1.id], points[p2.id] + points[p3.id]
            assert (
                f"Team Red — **{red}** points" in podium.text
                and f"Team Blue — **{blue}** points" in podium.text
            )
            assert red > blue  # three right answers against one
            best = max((p0, p1), key=lambda m: (points[m.id], -m.id))
            assert best is p0 and f"🏆 **Team Red** wins! Its best player: **{names[p0.id]}**" in podium.text
            assert await db.pool.fetchval("SELECT count(*) FROM answers") == 7
