"""Slash commands in every shipped locale: Discord's naming rules, a key per text, what sync sends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import disnake
import pytest
import regex
from disnake.ext import commands

from quizbot import i18n
from quizbot.bot.bot import QuizBot
from quizbot.bot.cogs import add_cogs
from quizbot.bot.localized import CommandLocalizations, choices
from tests.bot.conftest import World

# Discord's rule for CHAT_INPUT command and option names (and their localisations).
NAME = regex.compile(r"^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$")
SUBCOMMANDS = (1, 2)  # option types SUB_COMMAND and SUB_COMMAND_GROUP
TRANSLATED = tuple(locale for locale in i18n.SUPPORTED if locale != i18n.DEFAULT)

# The English names players type: they never change, whatever is translated.
ENGLISH_NAMES = {
    "trivia": {
        "start": [
            "topic",
            "difficulty",
            "questions",
            "timeout",
            "provider",
            "mode",
            "single_answer",
            "teams",
            "screen",
        ],
        **{sub: [] for sub in ("stop", "skip", "hint", "scores", "packs", "providers")},
        "schedule": {
            "add": [
                "channel",
                "time",
                "days",
                "topic",
                "difficulty",
                "questions",
                "timeout",
                "mode",
                "provider",
                "single_answer",
                "ping_role",
                "minutes_before",
            ],
            "list": [],
            "remove": ["id"],
        },
    },
    "quiz": {"start": ["topic", "difficulty", "questions", "timeout"], "stop": []},
    "study": {
        "start": ["topic", "questions", "timeout"],
        "stop": [],
        "stats": [],
        "timezone": ["zone"],
        "new_cards": ["count"],
        "remind": {"at": ["time"], "off": []},
        "reset": [],
    },
    "leaderboard": ["scope", "category", "timeframe", "season"],
    "stats": ["user", "privacy"],
    "achievements": ["user"],
    "settings": {
        "show": [],
        "set": [
            "idle_timeout",
            "time_zone",
            "typed_answers",
            "default_questions",
            "default_timeout",
            "default_difficulty",
            "language",
            "daily_channel",
            "daily_hour",
            "daily_names",
            "daily_off",
            "web_board",
        ],
        "pack_add": ["file", "license"],
        "pack_remove": ["name"],
        "packs": [],
        "reports": [],
        "season": {"start": ["name"], "end": ["announce_channel"]},
        "roles": ["role", "level", "season_top", "remove"],
    },
    "supervisor": {"status": []},
}


@dataclass(frozen=True)
class Declared:
    """One localisable text of a command: a name, a description or a choice's name."""

    path: tuple[str, ...]  # English names from the command down ("trivia", "start", "topic")
    field: str  # "name", "description" or "choice.<value>"
    english: str  # the text in the code, Discord's default
    key: str | None  # its localisation key, None when it has none
    sent: dict[str, str]  # the localisations disnake sends for it

    @property
    def expected_key(self) -> str:
        """The key the scheme gives it: cmd.<path>.<field>."""
        return ".".join(("cmd", *self.path, self.field))


def loaded_bot() -> QuizBot:
    """A QuizBot with every cog, not started: its commands are built and localised as at start-up."""
    bot = QuizBot(command_sync_flags=commands.CommandSyncFlags.none())  # never started, never synced
    bot._context = object()  # type: ignore[assignment]  # setup only hands it to the cog
    add_cogs(bot)
    return bot


@pytest.fixture(scope="module")
def bot() -> QuizBot:
    return loaded_bot()


def declared(bot: QuizBot) -> list[Declared]:
    """Every localisable text of the bot's slash commands, in order."""
    found: list[Declared] = []
    for command in bot.slash_commands:
        body = command.body
        found += _texts((body.name,), body)
        found += _options((body.name,), body.options)
    return found


def _options(path: tuple[str, ...], options: list[disnake.Option]) -> Iterator[Declared]:
    for option in options:
        here = (*path, option.name)
        yield from _texts(here, option, described=option.type is not disnake.OptionType.sub_command_group)
        for choice in option.choices:
            value = choice.name_localizations
            yield Declared(here, f"choice.{choice.value}", choice.name, value._key, value.data or {})
        yield from _options(here, option.options)


def _texts(
    path: tuple[str, ...], item: disnake.SlashCommand | disnake.Option, *, described: bool = True
) -> Iterator[Declared]:
    """A command's or option's name and description; a subcommand group's description is disnake's
    own "-" (it takes none), so there is nothing of ours to localise there."""
    # LocalizationValue keeps its key privately; disnake offers no other way to read it back
    name, description = item.name_localizations, item.description_localizations
    yield Declared(path, "name", item.name, name._key, name.data or {})
    if described:
        yield Declared(path, "description", item.description, description._key, description.data or {})


def english_file() -> dict[str, str]:
    data = json.loads((i18n.LOCALES / f"{i18n.DEFAULT}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def payloads(bot: QuizBot) -> list[dict[str, Any]]:
    """The commands as disnake sends them in its bulk overwrite."""
    return [dict(command.body.to_dict()) for command in bot.slash_commands]


def in_locale(item: dict[str, Any], field: str, locale: str) -> str:
    """What a user with `locale` sees for `field`: its localisation, else the default."""
    text = (item.get(f"{field}_localizations") or {}).get(locale) or item[field]
    assert isinstance(text, str)
    return text


def rule_breaches(siblings: list[dict[str, Any]], locale: str, where: str = "") -> Iterator[str]:
    """Where `siblings` (commands, or one command's options) break Discord's rules in `locale`."""
    names = [in_locale(item, "name", locale) for item in siblings]
    if twice := sorted({name for name in names if names.count(name) > 1}):
        yield f"{where or '/'}: {twice} named twice"
    for item, name in zip(siblings, names, strict=True):
        at = f"{where}/{item['name']}"
        if not NAME.fullmatch(name):
            yield f"{at}: {name!r} is not 1-32 letters, numbers, - or _"
        if name != name.lower():
            yield f"{at}: {name!r} is not lowercase"
        if not 1 <= len(in_locale(item, "description", locale)) <= 100:
            yield f"{at}: its description is not 1-100 characters"
        for choice in item.get("choices") or []:
            if not 1 <= len(in_locale(choice, "name", locale)) <= 100:
                yield f"{at}: its choice {choice['value']!r} is not named in 1-100 characters"
        if not where or item.get("type") in SUBCOMMANDS:  # a command's options, a subcommand's
            yield from rule_breaches(item.get("options") or [], locale, at)


def test_english_command_and_option_names_are_the_ones_players_type(bot: QuizBot) -> None:
    """Localising adds names; the English ones stay exactly as they were."""
    assert {command.name: names(command.body.options) for command in bot.slash_commands} == ENGLISH_NAMES


def names(options: list[disnake.Option]) -> Any:
    """Options by name: a list of a command's own, or subcommands (and groups) by name, nested."""
    nested = (disnake.OptionType.sub_command, disnake.OptionType.sub_command_group)
    if options and all(o.type in nested for o in options):
        return {o.name: names(o.options) for o in options}
    return [o.name for o in options]


def test_every_name_description_and_choice_has_the_key_its_path_gives(bot: QuizBot) -> None:
    """cmd.<command>.<subcommand>.<option>.name / .description / .choice.<value>, none left out."""
    wrong = [(d.expected_key, d.key) for d in declared(bot) if d.key != d.expected_key]
    assert wrong == []


def test_en_us_json_holds_the_english_written_in_the_cogs(bot: QuizBot) -> None:
    """Each declaration's key is in en-US.json, with the very text the code gives Discord as default."""
    english = english_file()
    texts = declared(bot)
    assert {d.key: english.get(d.key or "") for d in texts} == {d.key: d.english for d in texts}


def test_every_cmd_key_in_english_is_used_by_a_command(bot: QuizBot) -> None:
    """No orphans: a cmd. key no command declares would be translated for nothing."""
    used = {d.key for d in declared(bot)}
    assert sorted(key for key in english_file() if key.startswith("cmd.") and key not in used) == []


def test_every_translated_locale_is_sent_and_english_is_the_default(bot: QuizBot) -> None:
    """Each text carries every shipped locale but en-US, whose words are the default itself."""
    sent = {d.expected_key: sorted(d.sent) for d in declared(bot)}
    assert sent == {d.expected_key: sorted(TRANSLATED) for d in declared(bot)}


@pytest.mark.parametrize("locale", i18n.SUPPORTED)
def test_names_follow_discord_s_rules_in_every_shipped_locale(bot: QuizBot, locale: str) -> None:
    """Lowercase, 1-32 allowed characters, unique among siblings; texts 1-100 characters."""
    assert list(rule_breaches(payloads(bot), locale)) == []


@pytest.mark.parametrize("locale", i18n.SUPPORTED)
def test_the_payload_holds_each_locale_s_own_words(bot: QuizBot, locale: str) -> None:
    """What a user of `locale` sees is that locale's file (English for en-US)."""
    words = json.loads((i18n.LOCALES / f"{locale}.json").read_text(encoding="utf-8"))
    for item in declared(bot):
        shown = item.sent.get(locale, item.english)
        assert shown == words.get(item.expected_key, item.english), item.expected_key


def test_the_rules_catch_what_discord_refuses() -> None:
    """The check itself: uppercase, a space, 33 characters, a clash in one locale, a long text."""
    option = {"type": 3, "name": "topic", "description": "d", "name_localizations": {"de": "thema"}}
    clash = {"type": 3, "name": "subject", "description": "d", "name_localizations": {"de": "thema"}}
    command = {"name": "trivia", "description": "d", "type": 1, "options": [option, clash]}
    assert list(rule_breaches([command], "de")) == ["/trivia: ['thema'] named twice"]
    assert list(rule_breaches([command], "fr")) == []
    for bad in ("Thema", "two words", "x" * 33, "a.b"):
        named = {**command, "options": [], "name_localizations": {"de": bad}}
        assert list(rule_breaches([named], "de")), bad
    assert list(rule_breaches([{**command, "options": [], "description": "x" * 101}], "de"))
    for fine in ("тривия", "クイズ", "ज्ञान", "ควิซ", "straße", "quiz_2-b"):
        named = {**command, "options": [], "name_localizations": {"de": fine}}
        assert list(rule_breaches([named], "de")) == [], fine


def test_a_key_no_locale_file_has_stops_start_up() -> None:
    """The store is strict: a mistyped key fails when the command is added, not silently later."""
    bot = QuizBot()

    @commands.slash_command(name=disnake.Localized("nope", key="cmd.nope.name"), description="d")
    async def nope(inter: disnake.ApplicationCommandInteraction) -> None:
        """Never run."""

    with pytest.raises(disnake.LocalizationKeyError):
        bot.add_slash_command(nope)


def test_the_store_reads_every_shipped_locale_and_leaves_english_to_the_default() -> None:
    """CommandLocalizations gives a key's text in each translated locale, without en-US."""
    store = CommandLocalizations()
    assert store.get("cmd.trivia.name") == {
        locale: json.loads((i18n.LOCALES / f"{locale}.json").read_text(encoding="utf-8"))["cmd.trivia.name"]
        for locale in TRANSLATED
    }


def test_choices_are_named_by_value_under_their_option_s_key() -> None:
    """choices() names each choice in English by its value, keyed <option key>.choice.<value>."""
    made = choices("cmd.trivia.start.mode", ["buttons", "typed"])
    assert [(c.name, c.value, c.name_localizations._key) for c in made] == [
        ("buttons", "buttons", "cmd.trivia.start.mode.choice.buttons"),
        ("typed", "typed", "cmd.trivia.start.mode.choice.typed"),
    ]
    with pytest.raises(ValueError, match=r"starts with 'cmd\.'"):
        choices("trivia.start.mode", ["buttons"])


async def test_the_command_sync_carries_every_translated_locale(world: World) -> None:
    """Through the loopback Discord: the bulk overwrite holds name and description localisations
    (en-GB among them) for commands, subcommands, options and choices, and Discord's rules hold."""
    registered = {c["name"]: c for c in world.double.commands()}
    expected = {c["name"]: c for c in payloads(loaded_bot())}
    assert set(registered) == set(expected)
    for name, command in registered.items():
        assert command["name_localizations"] == expected[name]["name_localizations"]
        assert command["description_localizations"] == expected[name]["description_localizations"]
        assert command["options"] == expected[name]["options"]
    start = next(o for o in registered["trivia"]["options"] if o["name"] == "start")
    topic = next(o for o in start["options"] if o["name"] == "topic")
    for locale in TRANSLATED:
        assert "en-GB" in TRANSLATED
        assert registered["trivia"]["name_localizations"][locale]
        assert start["description_localizations"][locale]
        assert topic["name_localizations"][locale] and topic["description_localizations"][locale]
        assert "en-US" not in topic["name_localizations"]
    for locale in i18n.SUPPORTED:
        assert list(rule_breaches(list(registered.values()), locale)) == []


async def test_disnake_reads_the_localisations_back_as_synced(world: World) -> None:
    """Asked with localisations (as disnake's sync asks) the double returns them as sent, so a restart
    finds nothing to sync again; asked without, it leaves the dictionaries out, as Discord does."""
    bot = world.running.bot
    fetched = {c.name: c for c in await bot.fetch_global_commands(with_localizations=True)}
    assert set(fetched["trivia"].name_localizations.data or {}) == set(TRANSLATED)
    for command in bot.slash_commands:
        assert command.body == fetched[command.name], command.name  # disnake's own sync comparison
    without = {c.name: c for c in await bot.fetch_global_commands(with_localizations=False)}
    assert not without["trivia"].name_localizations.data
    assert not without["trivia"].options[0].description_localizations.data
