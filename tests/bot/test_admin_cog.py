"""/settings and /supervisor through the real disnake client and the loopback Discord."""

from __future__ import annotations

from typing import Any

import pytest

from quizbot.bot.catalogue import MESSAGES
from quizbot.game.progression import Difficulty
from quizbot.questions.custom import MAX_UPLOAD_BYTES
from quizbot.storage.guilds import GuildSettings, guild_settings
from quizbot.testing import DoubleError, InteractionRecord, Member, MessageRecord, User
from tests.bot.conftest import World

REFUSED = MESSAGES["missing_permissions"]
QUESTIONS = (
    "Which dinosaur had three horns on its face?",
    "Which dinosaur had plates along its back?",
    "Which dinosaur had a very long neck for reaching treetops?",
)
VALID_PACK = f"""\
pack: dinosaurs
name: Dinosaurs
questions:
  - id: dino-1
    difficulty: medium
    kind: multiple_choice
    text: "{QUESTIONS[0]}"
    options: ["Stegosaurus", "Triceratops", "Velociraptor", "Brachiosaurus"]
    answer: 1
    explanation: "Triceratops means three-horned face."
  - id: dino-2
    difficulty: medium
    kind: multiple_choice
    text: "{QUESTIONS[1]}"
    options: ["Stegosaurus", "Triceratops", "Velociraptor", "Brachiosaurus"]
    answer: 0
    explanation: "Stegosaurus carried two rows of bony plates."
  - id: dino-3
    difficulty: medium
    kind: multiple_choice
    text: "{QUESTIONS[2]}"
    options: ["Stegosaurus", "Triceratops", "Velociraptor", "Brachiosaurus"]
    answer: 3
    explanation: "Brachiosaurus held its neck high, like a giraffe."
"""
MALFORMED_PACK = """\
pack: broken
questions:
  - id: b-1
    difficulty: medium
  text: "this line is indented wrongly"
"""


# --- helpers ---------------------------------------------------------------------------------------


async def answer(record: InteractionRecord) -> MessageRecord:
    """The bot's answer within Discord's window: its response, or the follow-up filling a deferred one."""
    await record.wait_ack(timeout=3.0)
    assert record.ack_latency is not None and record.ack_latency < 3.0
    if record.response_type == 5:
        return (await record.wait_followups(1, timeout=5.0))[0]
    assert record.original is not None
    return record.original


async def use(
    world: World, user: User | Member, command: str, options: dict[str, Any] | None = None
) -> MessageRecord:
    """Use a slash command in the club's #trivia and return the bot's answer."""
    club = world.club
    return await answer(await world.double.slash(club.guild, club.channel, user, command, options))


async def use_raw(
    world: World,
    user: User | Member,
    command: str,
    option: dict[str, Any] | None = None,
    resolved: Any = None,
) -> MessageRecord:
    """Dispatch `command sub` as Discord would, built here rather than by the double.

    For what the double cannot do: commands a server's Integrations settings opened to people
    without the command's default permissions."""
    name, sub = command.split()
    schema = world.double.store.find_command(name, world.club.guild.id)
    assert schema is not None
    data: dict[str, Any] = {
        "id": schema["id"],
        "name": name,
        "type": 1,
        "options": [{"name": sub, "type": 1, "options": [option] if option else []}],
    }
    if resolved:
        data["resolved"] = resolved
    record = await world.double._interact(2, world.club.channel, user, data)
    return await answer(record)


async def upload(world: World, filename: str, body: bytes, *, served: bool = True) -> MessageRecord:
    """/settings pack_add with a file, as the club's admin; `served=False` makes downloading it fail."""
    file = world.double.attachment(filename, body, content_type="application/x-yaml", served=served)
    return await use(world, world.club.admin, "settings pack_add", {"file": file})


async def stored_packs(world: World) -> int:
    return int(await world.db.pool.fetchval("SELECT count(*) FROM guild_packs"))


async def start_quiz(world: World, admin: Member, topic: str = "science") -> MessageRecord:
    """Start a two-question quiz in `admin`'s guild's #trivia; returns the starting message."""
    guild = next(g for g in (world.club, world.rival) if g.admin is admin)
    options = {"questions": 2, "timeout": 5, "topic": topic}
    record = await world.double.slash(guild.guild, guild.channel, admin, "trivia start", options)
    await record.wait_ack(timeout=3.0)
    started = await world.double.wait_for_message(
        lambda m: "Trivia is starting" in m.text, timeout=5, channel=guild.channel.key
    )
    await world.settle()
    return started


def field(message: MessageRecord, name: str) -> str | None:
    """The value of the embed field called `name`, if the message has one."""
    fields = [f for embed in message.embeds for f in embed.get("fields") or []]
    return next((f["value"] for f in fields if f["name"] == name), None)


# --- /settings show and set ------------------------------------------------------------------------


async def test_settings_set_is_what_settings_show_shows(world: World) -> None:
    """Changed settings are stored and shown back, idle_timeout in minutes."""
    changes = {"idle_timeout": 45, "time_zone": "Europe/Paris", "default_difficulty": "hard"}
    saved = await use(world, world.club.admin, "settings set", changes)
    assert saved.ephemeral and "Settings saved" in saved.text
    shown = await use(world, world.club.admin, "settings show")
    assert field(shown, "idle_timeout") == "45 min"
    assert field(shown, "time_zone") == "Europe/Paris"
    assert field(shown, "default_difficulty") == "hard"
    stored = await guild_settings(world.db, world.club.guild.id)
    expected = GuildSettings(
        idle_timeout=45 * 60, time_zone="Europe/Paris", default_difficulty=Difficulty.HARD
    )
    assert stored == expected


async def test_settings_set_names_a_bad_value_and_saves_nothing(world: World) -> None:
    """An out-of-range value is refused with the setting's name; nothing is stored."""
    refused = await use(
        world, world.club.admin, "settings set", {"time_zone": "UTC", "default_questions": 50}
    )
    assert "**default_questions**" in refused.text and "from 1 to 20" in refused.text
    assert await guild_settings(world.db, world.club.guild.id) == GuildSettings()


async def test_settings_set_states_the_idle_timeout_range_in_minutes(world: World) -> None:
    """idle_timeout is typed in minutes, so its refusal speaks of minutes."""
    refused = await use(world, world.club.admin, "settings set", {"idle_timeout": 0})
    assert "**idle_timeout** must be a whole number of minutes from 1 to 1440" in refused.text


async def test_time_zone_autocomplete_offers_matching_zones(world: World) -> None:
    """Typing part of a zone's name offers it, and never more than 25 choices."""
    club = world.club
    record = await world.double.autocomplete(
        club.guild,
        club.channel,
        club.admin,
        "settings set",
        focused="time_zone",
        options={"time_zone": "paris"},
    )
    await record.wait_ack(timeout=3.0)
    assert record.choices[0]["value"] == "Europe/Paris"
    wide = await world.double.autocomplete(
        club.guild, club.channel, club.admin, "settings set", focused="time_zone", options={"time_zone": "a"}
    )
    await wide.wait_ack(timeout=3.0)
    assert len(wide.choices) == 25


async def test_settings_are_hidden_from_players(world: World) -> None:
    """Discord does not offer /settings to members without Manage Server."""
    club = world.club
    with pytest.raises(DoubleError, match="cannot see /settings"):
        await world.double.slash(club.guild, club.channel, club.players[0], "settings show")


async def test_settings_refuse_a_player_the_server_showed_them_to(world: World) -> None:
    """A player who can see /settings (an Integrations override) is still refused by the bot."""
    refused = await use_raw(world, world.club.players[0], "settings show")
    assert refused.ephemeral and REFUSED in refused.text


# --- custom packs ----------------------------------------------------------------------------------


async def test_pack_add_stores_a_valid_pack(world: World) -> None:
    """A valid upload is stored and the reply says how to play it."""
    added = await upload(world, "dinosaurs.yaml", VALID_PACK.encode())
    assert "3 questions" in added.text and "/trivia start topic:dinosaurs" in added.text
    assert await stored_packs(world) == 1


async def test_pack_add_names_the_line_of_malformed_yaml(world: World) -> None:
    """Malformed YAML is refused with the file and line; nothing is stored."""
    refused = await upload(world, "broken.yaml", MALFORMED_PACK.encode())
    assert "broken.yaml, line 5: is not valid YAML" in refused.text
    assert await stored_packs(world) == 0


async def test_pack_add_refuses_a_file_too_big_without_downloading_it(world: World) -> None:
    """An upload over the limit is refused from its reported size (the file is not even served)."""
    body = b"#" * (MAX_UPLOAD_BYTES + 1)
    refused = await upload(world, "huge.yaml", body, served=False)
    assert f"huge.yaml: is {len(body):,} bytes; uploads are at most {MAX_UPLOAD_BYTES:,}" in refused.text
    assert await stored_packs(world) == 0


async def test_pack_remove_deletes_the_pack(world: World) -> None:
    """Removing an uploaded pack deletes it."""
    await upload(world, "dinosaurs.yaml", VALID_PACK.encode())
    removed = await use(world, world.club.admin, "settings pack_remove", {"name": "dinosaurs"})
    assert "Removed the pack `dinosaurs`" in removed.text
    assert await stored_packs(world) == 0


async def test_packs_lists_the_servers_packs(world: World) -> None:
    """/settings packs lists each uploaded pack with its id and size."""
    await upload(world, "dinosaurs.yaml", VALID_PACK.encode())
    listed = await use(world, world.club.admin, "settings packs")
    assert "**Dinosaurs** (`dinosaurs`) — 3 questions" in listed.text


async def test_a_quiz_starts_on_an_uploaded_pack(world: World) -> None:
    """/trivia start topic:<pack> asks the uploaded pack's questions."""
    await upload(world, "dinosaurs.yaml", VALID_PACK.encode())
    started = await start_quiz(world, world.club.admin, topic="dinosaurs")
    assert "the offline bank (dinosaurs)" in started.text
    await world.double.wait_for_message(
        lambda m: m.from_bot and any(q in m.text for q in QUESTIONS),
        timeout=5,
        channel=world.club.channel.key,
    )


# --- /supervisor status ----------------------------------------------------------------------------


async def test_supervisor_status_shows_an_admin_the_live_session(world: World) -> None:
    """After a quiz starts, an admin's status shows one live session and no process-wide figures."""
    await start_quiz(world, world.club.admin)
    status = await use(world, world.club.admin, "supervisor status")
    assert status.ephemeral and "this server" in status.text
    sessions = field(status, "Live sessions")
    assert sessions is not None and sessions.startswith("1 (")
    assert field(status, "Database pool") is None


async def test_supervisor_status_shows_an_admin_only_their_servers_sessions(world: World) -> None:
    """Another server's quiz (in a channel with the same id) is not counted for this server's admin."""
    await start_quiz(world, world.club.admin)
    await start_quiz(world, world.rival.admin)
    status = await use(world, world.club.admin, "supervisor status")
    sessions = field(status, "Live sessions")
    assert sessions is not None and sessions.startswith("1 (")


async def test_supervisor_status_gives_the_owner_global_figures(world: World) -> None:
    """The bot's owner sees every server's sessions, the pool and the shards."""
    await start_quiz(world, world.club.admin)
    await start_quiz(world, world.rival.admin)
    status = await use(world, world.club.guild.owner, "supervisor status")
    sessions = field(status, "Live sessions")
    assert sessions is not None and sessions.startswith("2 (")
    pool = field(status, "Database pool")
    assert pool is not None and "acquire p95" in pool and "ran dry" in pool
    assert field(status, "Shards owned") is not None
    assert field(status, "Snapshots set aside") == "0"
    assert field(status, "Journal entries waiting") is not None


async def test_supervisor_status_is_refused_to_a_player(world: World) -> None:
    """A player without Manage Server who is not the owner is refused."""
    refused = await use(world, world.club.players[0], "supervisor status")
    assert refused.ephemeral and REFUSED in refused.text
