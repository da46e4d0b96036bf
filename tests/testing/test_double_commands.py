"""The double checks registered commands as Discord does: names, texts and their localisations."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import regex

from quizbot.testing import DiscordDouble
from quizbot.testing._commands import command_problem, name_character

DISCORD_NAME_CHARACTER = regex.compile(r"[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]")


def command(**changes: Any) -> dict[str, Any]:
    """/trivia start with a localised option and choice; `changes` replace its top-level fields."""
    choice = {"name": "easy", "value": "easy", "name_localizations": {"de": "leicht"}}
    option = {
        "type": 3,
        "name": "difficulty",
        "description": "How hard",
        "name_localizations": {"de": "schwierigkeit", "ja": "難易度"},
        "description_localizations": {"de": "Wie schwer"},
        "choices": [choice],
    }
    start = {"type": 1, "name": "start", "description": "Start", "options": [option]}
    start["name_localizations"] = {"de": "starten", "hi": "शुरू", "th": "เริ่ม"}
    base = {"type": 1, "name": "trivia", "description": "Trivia", "options": [start]}
    base["name_localizations"] = {"de": "quiz", "ru": "викторина"}
    return base | changes


def option_of(payload: dict[str, Any]) -> dict[str, Any]:
    option: dict[str, Any] = payload["options"][0]["options"][0]
    return option


def test_the_name_rule_is_discord_s_regex_for_every_assigned_character() -> None:
    """Letters, numbers, - and _, and Devanagari and Thai marks: the same set as \\p{...} gives."""
    differ = [
        hex(point)
        for point in range(0x110000)
        if not 0xD800 <= point <= 0xDFFF
        and unicodedata.category(chr(point)) != "Cn"  # unassigned in this Python's Unicode
        and bool(DISCORD_NAME_CHARACTER.fullmatch(chr(point))) != name_character(chr(point))
    ]
    assert differ == []


def test_a_well_formed_localised_command_passes() -> None:
    """Localised names in several scripts, descriptions and choices: nothing to refuse."""
    assert command_problem(command()) is None


@pytest.mark.parametrize(
    ("where", "bad", "path"),
    [
        ("command", {"de": "Quiz"}, "name_localizations.de"),
        ("command", {"de": "zwei wörter"}, "name_localizations.de"),
        ("command", {"de": "x" * 33}, "name_localizations.de"),
        ("command", {"de": ""}, "name_localizations.de"),
        ("command", {"xx-YY": "quiz"}, "name_localizations.xx-YY"),
        ("option", {"de": "Schwierigkeit"}, "options.0.options.0.name_localizations.de"),
    ],
)
def test_a_bad_localised_name_is_refused(where: str, bad: dict[str, str], path: str) -> None:
    """Uppercase, a space, over 32 characters, empty, an unknown locale: 400 for that field."""
    payload = command()
    (payload if where == "command" else option_of(payload))["name_localizations"] = bad
    found = command_problem(payload)
    assert found is not None and found[0] == path


def test_long_texts_are_refused_in_every_locale() -> None:
    """Descriptions and choice names stay within 100 characters, localised or not."""
    payload = command(description_localizations={"de": "x" * 101})
    assert command_problem(payload) == ("description_localizations.de", "must be text of 1 to 100 characters")
    payload = command()
    option_of(payload)["choices"][0]["name_localizations"] = {"fr": "y" * 101}
    assert command_problem(payload) == (
        "options.0.options.0.choices.0.name_localizations.fr",
        "must be text of 1 to 100 characters",
    )


def test_two_options_may_not_share_a_name_in_any_locale() -> None:
    """Siblings are told apart in every language: the same German name twice is refused."""
    payload = command()
    twin = {**option_of(payload), "name": "level", "name_localizations": {"de": "schwierigkeit"}}
    payload["options"][0]["options"].append(twin)
    assert command_problem(payload) == (
        "options.0.options",
        "two of these share the name 'schwierigkeit' in de",
    )


def test_user_and_message_commands_keep_their_own_naming() -> None:
    """Context-menu commands may use capitals and spaces, in every locale."""
    assert (
        command_problem({"type": 2, "name": "Quiz Stats", "name_localizations": {"de": "Quiz-Werte"}}) is None
    )


@pytest.fixture
async def double() -> AsyncIterator[DiscordDouble]:
    async with DiscordDouble() as started:
        yield started


async def test_registration_stores_localisations_and_lists_them_when_asked(double: DiscordDouble) -> None:
    """PUT keeps every localisation; GET returns them with ?with_localizations=true, else leaves them out;
    a bad one is a 400 Invalid Form Body and nothing is stored."""
    url = f"{double.api_base}/applications/{double.bot_user.id}/commands"
    auth = {"Authorization": f"Bot {double.token}"}
    async with aiohttp.ClientSession(headers=auth) as session:
        async with session.put(url, json=[command(name_localizations={"de": "Quiz"})]) as response:
            assert response.status == 400
            body = await response.json()
            assert body["code"] == 50035 and "name_localizations.de" in body["errors"]
        assert double.commands() == []
        async with session.put(url, json=[command()]) as response:
            assert response.status == 200
        async with session.get(url, params={"with_localizations": "true"}) as response:
            [listed] = await response.json()
        assert listed["name_localizations"] == {"de": "quiz", "ru": "викторина"}
        assert option_of(listed)["choices"][0]["name_localizations"] == {"de": "leicht"}
        async with session.get(url) as response:
            [plain] = await response.json()
        assert "name_localizations" not in plain
        assert "description_localizations" not in option_of(plain)
        assert option_of(plain)["name"] == "difficulty"
