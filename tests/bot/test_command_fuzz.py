"""Every slash command, driven through the real client with arbitrary option values of any JSON type.

A modified client or a raw API call can put any value in any option, ignoring choices, bounds,
lengths and types. Whatever arrives, each handler answers with a success or a private catalogue
refusal, never an unhandled exception, a generic error or silence.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loguru import logger

from quizbot.bot.catalogue import MESSAGES
from quizbot.testing._people import (
    ATTACHMENT,
    BOOLEAN,
    CHANNEL,
    GROUP,
    INTEGER,
    ROLE,
    STRING,
    SUBCOMMAND,
    USER,
)
from tests.bot.conftest import World
from tests.bot.test_privacy import REFUSAL, final, settled

EXPECTED = {
    "trivia start", "trivia stop", "trivia skip", "trivia hint", "trivia scores", "trivia packs",
    "trivia providers", "quiz start", "quiz stop", "leaderboard", "stats", "achievements",
    "settings show", "settings set", "settings pack_add", "settings pack_remove", "settings packs",
    "supervisor status", "study start", "study stop", "study stats", "study timezone",
    "study new_cards", "study remind at", "study remind off", "study reset",
    "trivia schedule add", "trivia schedule list", "trivia schedule remove",
    "settings season start", "settings season end", "settings roles", "settings reports",
}  # fmt: skip
AWKWARD_TEXT = [
    "",
    " ",
    "\x00",
    "science\x00",
    "\u202eevil",
    "x" * 5000,
    "@everyone <@&123>",
    "../../etc/passwd",
    "Europe/Paris",
    "🦖" * 60,
    "\u200b",
]
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=120)
    | st.sampled_from(AWKWARD_TEXT)
)
ANY_JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def commands_of(world: World) -> dict[str, list[dict[str, Any]]]:
    """Every registered command and subcommand ("trivia start", "study remind at"), with its options'
    schema."""
    found: dict[str, list[dict[str, Any]]] = {}
    for command in world.double.commands():
        found.update(_leaves(command["name"], list(command.get("options") or [])))
    return found


def _leaves(path: str, options: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The commands under `path`: itself when it takes options, else each subcommand, groups opened."""
    subs = [o for o in options if o["type"] in (SUBCOMMAND, GROUP)]
    if not subs:
        return {path: options}
    found: dict[str, list[dict[str, Any]]] = {}
    for sub in subs:
        found.update(_leaves(f"{path} {sub['name']}", list(sub.get("options") or [])))
    return found


def option_values(world: World, option: dict[str, Any]) -> st.SearchStrategy[Any]:
    """What may arrive in an option: fitting values (choices, numbers near the bounds) and anything at all."""
    fitting: st.SearchStrategy[Any] = st.nothing()
    if option.get("choices"):
        fitting = st.sampled_from([c["value"] for c in option["choices"]])
    elif option["type"] == STRING:
        fitting = st.text(max_size=70) | st.sampled_from(AWKWARD_TEXT)
    elif option["type"] == INTEGER:
        fitting = st.integers(min_value=-2, max_value=1500)
    elif option["type"] == BOOLEAN:
        fitting = st.booleans()
    elif option["type"] == USER:
        fitting = st.sampled_from([world.club.admin, *world.club.players])
    elif option["type"] == CHANNEL:
        fitting = st.sampled_from(world.club.guild.channels)
    elif option["type"] == ROLE:
        fitting = st.sampled_from(world.club.guild.roles)
    elif option["type"] == ATTACHMENT:
        fitting = st.builds(
            world.double.attachment,
            st.sampled_from(["pack.yaml", "pack.yml", "pack.txt", "p\x00.yaml", "x" * 150 + ".yaml"]),
            st.binary(max_size=200) | st.sampled_from([b"pack: x\n", b"questions: [\x00]", b"\xff\xfe"]),
        )
    return fitting | ANY_JSON


@pytest.fixture
def logged_errors() -> Iterator[list[str]]:
    """Errors logged during the test (an unhandled exception in a handler is logged as one); one
    sink for all of a test's examples, since adding a loguru sink costs a few milliseconds."""
    errors: list[str] = []
    sink = logger.add(lambda message: errors.append(str(message)), level="ERROR")
    try:
        yield errors
    finally:
        logger.remove(sink)


def test_the_fuzz_covers_every_command_of_every_cog(world: World) -> None:
    """The commands driven below are exactly the bot's: a new command is fuzzed without being listed."""
    assert set(commands_of(world)) == EXPECTED


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_any_option_values_get_a_success_or_a_private_catalogue_refusal(
    world: World, logged_errors: list[str], data: st.DataObject
) -> None:
    """Arbitrary values in every option of every command: answered in time, never a generic error."""
    schemas = commands_of(world)
    command = data.draw(st.sampled_from(sorted(schemas)), label="command")
    values = {
        option["name"]: data.draw(option_values(world, option), label=option["name"])
        for option in schemas[command]
        if data.draw(st.booleans(), label=f"send {option['name']}")
    }
    club = world.club
    logged_before = len(logged_errors)
    record = await world.double.slash(club.guild, club.channel, club.admin, command, values, forged=True)
    await record.wait_ack(timeout=3.0)
    await record.wait_until(settled, timeout=5.0, what="the bot's final answer")
    errors = logged_errors[logged_before:]
    last = final(record)
    assert last is not None
    assert MESSAGES["generic_error"] not in last.text, (command, values)
    if REFUSAL in last.text:
        assert last.ephemeral, (command, values)
    assert errors == [], errors
    # disnake cannot parse some forged payloads at all (a user option that is not an id): the bot's
    # on_gateway_error refuses those itself, which is how this interaction was answered above.
    assert all(e.startswith("INTERACTION_CREATE: ") for e in world.double.gateway_errors)
    assert world.double.crashes == []
