"""/trivia schedule add, list and remove through the real disnake client and the loopback Discord:
what each says, what is stored, and every refusal (private, from the catalogue, nothing stored)."""

from __future__ import annotations

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

import disnake
import pytest

from quizbot.bot.catalogue import MESSAGES
from quizbot.storage.guilds import GuildSettings, save_guild_settings
from quizbot.storage.schedules import MAX_PER_GUILD, GameOptions, list_schedules
from quizbot.testing import Member, MessageRecord, Overwrite, Role
from tests.bot.conftest import World
from tests.bot.test_admin_cog import answer

FRIDAY_AT_EIGHT = {"time": "20:00", "days": "fri"}


async def schedule(
    world: World, user: Member, command: str, options: dict[str, Any] | None = None
) -> MessageRecord:
    """`/trivia schedule <command>` in the club's #trivia; the bot's answer."""
    club = world.club
    return await answer(
        await world.double.slash(club.guild, club.channel, user, f"trivia schedule {command}", options)
    )


async def add(world: World, user: Member | None = None, **options: Any) -> MessageRecord:
    return await schedule(world, user or world.club.admin, "add", {"channel": world.club.channel} | options)


async def may_ping_a_role(world: World) -> Role:
    """A "Quiz night" role, with the bot given Mention @everyone so it may ping any role."""
    guild = world.club.guild
    guild.bot_member.roles.append(guild.add_role("Pinger", disnake.Permissions(mention_everyone=True)))
    role = guild.add_role("Quiz night")
    await world.double.announce_guild(guild)
    return role


async def test_add_list_and_remove_a_scheduled_game(world: World) -> None:
    """An admin adds a Friday 20:00 game with options and a ping: it is stored and said; the list
    shows it with its next run in the server's zone; removing it empties the list."""
    role = await may_ping_a_role(world)
    await save_guild_settings(world.db, world.club.guild.id, GuildSettings(time_zone="Europe/Berlin"))
    said = await add(
        world, **FRIDAY_AT_EIGHT, topic="science", questions=5, difficulty="hard", ping_role=role
    )
    assert said.ephemeral
    [stored] = await list_schedules(world.db, world.club.guild.id)
    assert (stored.run_at, stored.days, stored.ping_role_id, stored.ping_minutes) == (
        time(20, 0),
        0b10000,
        role.id,
        10,
    )
    assert stored.options == GameOptions(topic="science", difficulty="hard", questions=5)
    assert stored.created_by == world.club.admin.id and stored.next_run.weekday() == 4
    assert said.content.startswith(
        f"Scheduled game **#1** in <#{world.club.channel.id}>: Fri at 20:00. Next run: Fri, "
    )
    assert said.content.endswith(" 20:00 (Europe/Berlin).")

    listed = await schedule(world, world.club.admin, "list")
    assert listed.ephemeral and listed.embeds[0]["title"] == "Scheduled games"
    line = listed.embeds[0]["description"]
    assert line.startswith(f"**#1** · <#{world.club.channel.id}> · Fri at 20:00 · next: Fri, ")
    assert line.endswith(f" 20:00 · pings <@&{role.id}> 10 min before")
    assert listed.embeds[0]["footer"]["text"] == "Times are in Europe/Berlin, the server's time zone."

    removed = await schedule(world, world.club.admin, "remove", {"id": 1})
    assert removed.content == "Scheduled game **#1** removed."
    assert await list_schedules(world.db, world.club.guild.id) == []
    empty = await schedule(world, world.club.admin, "list")
    assert empty.content == "This server has no scheduled games. Add one with `/trivia schedule add`."


async def test_days_are_read_and_shown_in_the_user_s_language(world: World) -> None:
    """A German admin types "Mo, Mi, Fr" and "werktags"; the list shows them the German way."""
    admin = world.club.admin
    admin.user.locale = "de"
    await add(world, time="07:30", days="Mo, Mi, Fr")
    await add(world, time="12:00", days="werktags")
    await add(world, time="18:00", days="täglich")
    stored = await list_schedules(world.db, world.club.guild.id)
    assert [s.days for s in stored] == [0b0010101, 0b0011111, 0b1111111]
    listed = await schedule(world, admin, "list")
    lines = listed.embeds[0]["description"].split("\n")
    assert [line.split(" · ")[2] for line in lines] == [
        "Mo., Mi., Fr. um 07:30",
        "werktags um 12:00",
        "täglich um 18:00",
    ]


async def test_the_days_option_suggests_keywords_and_days_in_the_user_s_language(world: World) -> None:
    club = world.club
    record = await world.double.autocomplete(
        club.guild, club.channel, club.admin, "trivia schedule add", focused="days", options={"days": "mo"}
    )
    await record.wait_ack()
    assert [c["name"] for c in record.choices] == ["Monday"]
    record = await world.double.autocomplete(
        club.guild,
        club.channel,
        club.admin,
        "trivia schedule add",
        focused="days",
        options={"days": "mon, fr"},
    )
    await record.wait_ack()
    assert [c["name"] for c in record.choices] == ["mon, Friday"]


SEND_MESSAGES = disnake.Permissions(send_messages=True).value


@pytest.mark.parametrize(
    ("options", "refusal"),
    [
        ({"time": "8pm", "days": "daily"}, "**time** must be a time written HH:MM"),
        ({"time": "24:00", "days": "daily"}, "**time** must be a time written HH:MM"),
        ({"time": "20:00", "days": "someday"}, "**days** must be daily, weekdays, or days of the week"),
        ({"time": "20:00", "days": "mon, funday"}, "**days** must be daily, weekdays, or days of the week"),
        ({"time": "20:00", "days": "daily", "questions": 50}, "must be a whole number between 1 and 20"),
        ({"time": "20:00", "days": "daily", "minutes_before": 5}, "**minutes_before** needs a role to ping"),
    ],
    ids=["8pm", "24:00", "someday", "funday", "50-questions", "minutes-without-role"],
)
async def test_bad_options_are_refused_privately_and_nothing_is_stored(
    world: World, options: dict[str, Any], refusal: str
) -> None:
    refused = await add(world, **options)
    assert refused.ephemeral and refusal in refused.embeds[0]["description"]
    assert await list_schedules(world.db, world.club.guild.id) == []


async def test_only_manage_server_may_add_list_or_remove(world: World) -> None:
    """A moderator (Manage Messages) and a player are refused each command, privately."""
    refused = MESSAGES["missing_permissions"]
    for who in (world.club.moderator, world.club.players[0]):
        for command, options in (
            ("add", {"channel": world.club.channel, **FRIDAY_AT_EIGHT}),
            ("list", None),
            ("remove", {"id": 1}),
        ):
            said = await schedule(world, who, command, options)
            assert said.ephemeral and said.embeds[0]["description"] == refused
    assert await list_schedules(world.db, world.club.guild.id) == []


async def test_a_channel_the_bot_cannot_post_in_is_refused_at_setup(world: World) -> None:
    club = world.club
    closed = club.guild.add_text_channel(
        "closed", overwrites=[Overwrite(club.guild.bot_member.id, kind=1, deny=SEND_MESSAGES)]
    )
    await world.double.announce_guild(club.guild)
    refused = await add(world, channel=closed, **FRIDAY_AT_EIGHT)
    assert refused.ephemeral
    assert refused.embeds[0]["description"] == (
        f"I can't run games in <#{closed.id}>: I need View Channel, Send Messages and Embed Links there."
    )
    assert await list_schedules(world.db, club.guild.id) == []


async def test_roles_that_cannot_be_pinged_are_refused(world: World) -> None:
    """@everyone is not a ping role; a role nobody may mention is refused unless the bot may mention
    everyone (the double's bot may not)."""
    club = world.club
    quiet_role = club.guild.add_role("Quiet")
    await world.double.announce_guild(club.guild)
    everyone = await add(world, ping_role=club.guild.everyone, **FRIDAY_AT_EIGHT)
    assert "must be a role of this server (not @everyone)" in everyone.embeds[0]["description"]
    quiet = await add(world, ping_role=quiet_role, **FRIDAY_AT_EIGHT)
    assert quiet.embeds[0]["description"].startswith(
        f"I can't ping <@&{quiet_role.id}>: make the role mentionable"
    )
    assert await list_schedules(world.db, club.guild.id) == []


async def test_an_eleventh_schedule_is_refused_and_a_removal_makes_room(world: World) -> None:
    for hour in range(MAX_PER_GUILD):
        said = await add(world, time=f"{hour:02}:00", days="daily")
        assert said.content.startswith(f"Scheduled game **#{hour + 1}**")
    refused = await add(world, time="23:00", days="daily")
    assert refused.embeds[0]["description"] == (
        "This server already has 10 scheduled games, the most it may have. Remove one first."
    )
    assert len(await list_schedules(world.db, world.club.guild.id)) == MAX_PER_GUILD
    missing = await schedule(world, world.club.admin, "remove", {"id": 42})
    assert missing.embeds[0]["description"].startswith("This server has no scheduled game **#42**.")
    await schedule(world, world.club.admin, "remove", {"id": 3})
    assert (await add(world, time="23:00", days="daily")).content.startswith("Scheduled game **#11**")


async def test_a_disabled_schedule_is_listed_with_its_note(world: World) -> None:
    """A schedule disabled because its channel was deleted shows why in the list."""
    await add(world, **FRIDAY_AT_EIGHT)
    await world.db.pool.execute(
        "UPDATE game_schedules SET enabled = false, disabled_reason = 'channel_deleted'"
    )
    listed = await schedule(world, world.club.admin, "list")
    assert listed.embeds[0]["description"] == (
        f"**#1** · <#{world.club.channel.id}> · Fri at 20:00 · ⏸ disabled: its channel was deleted"
    )


async def test_a_time_zone_change_keeps_each_game_at_its_time_on_the_new_zone_s_clocks(world: World) -> None:
    """A Friday 20:00 game made while the server counted UTC runs at 20:00 Berlin time once
    /settings set time_zone:Europe/Berlin is saved."""
    await add(world, **FRIDAY_AT_EIGHT)
    record = await world.double.slash(
        world.club.guild, world.club.channel, world.club.admin, "settings set", {"time_zone": "Europe/Berlin"}
    )
    await answer(record)
    [stored] = await list_schedules(world.db, world.club.guild.id)
    local = stored.next_run.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.weekday(), local.hour, local.minute) == (4, 20, 0)
