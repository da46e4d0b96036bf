"""The one gate for what people send: every option and upload is checked here before any work is done.

Discord's client enforces `choices`, `max_length` and `min_value`, but a modified client or a raw
API call can send any JSON value in any option, so none of that is trusted. Each function takes
the option's name (as the user sees it) and the raw value, returns the clean value (None when the
option was left out), or raises Refused with a catalogue message that names the option. Refusals
repeat what was sent only when it is a short, plain choice value (a value may be huge or
invisible); every reply pings no one, so mentions in a value are harmless.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import time
from pathlib import PurePath
from typing import Any

import disnake
from disnake import OptionType
from disnake.ext import commands

from quizbot import i18n
from quizbot.bot.catalogue import Detail, Listed, Problem, Refused, problem, problem_of
from quizbot.bot.channel_language import known_language, language_name
from quizbot.bot.types import CommandInter
from quizbot.storage.guilds import canonical_time_zone

# Characters refused in any text: Unicode controls (category Cc: C0, DEL, C1), line and paragraph
# separators, and the bidirectional overrides and isolates that can make text read backwards.
_FORMATTING_TRAPS = frozenset("\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_FILE_LINE_BREAKS = frozenset("\t\n\r")  # the only controls a pack file may contain
SHOWN_LIMIT = 32  # a refused choice is quoted back only when it is this short
_CLOCK_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])", re.ASCII)


def _bad_character(char: str) -> str | None:
    """'control' or 'surrogate' when `char` may not appear in an option's text, else None."""
    category = unicodedata.category(char)
    if category == "Cs":
        return "surrogate"
    if category == "Cc" or char in _FORMATTING_TRAPS:
        return "control"
    return None


def _blank(text: str) -> bool:
    """True when nothing visible is left once whitespace and invisible format characters go."""
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in text)


def _shown(value: object) -> str | Problem:
    """A refused value quoted back when it is short, plain text; anything else is just "that value"."""
    plain = isinstance(value, str) and len(value) <= SHOWN_LIMIT and not any(map(_bad_character, value))
    return repr(value) if plain and not _blank(str(value)) else problem("reply.that_value")


def _refuse(key: str, /, **details: Detail) -> Refused:
    """The refusal `key`, worded when shown in the reader's language (numbers too, the reader's way)."""
    return Refused(problem_of(key, details))


class OptionsRefused(commands.CheckFailure):
    """A check's refusal, in the CommandError disnake routes to the cog's error handler; the cogs
    refuse its `original`, as they do a failed command's."""

    def __init__(self, refused: Refused) -> None:
        super().__init__(str(refused))
        self.original = refused


def required_options_given(inter: CommandInter) -> bool:
    """A bot-wide check: every required option was sent, and no option was sent as null.

    Discord's client insists on both, but a forged payload may not: a missing one would reach the
    handler as a missing argument, and disnake takes a null value for a subcommand's name."""
    try:
        _check_present(inter)
    except Refused as refused:
        raise OptionsRefused(refused) from None
    return True


def _check_present(inter: CommandInter) -> None:
    options = list(inter.data.options)
    command: Any = inter.application_command
    while options and options[0].type in (OptionType.sub_command, OptionType.sub_command_group):
        # the group's checks see the group, a subcommand's see the subcommand itself
        command = getattr(command, "children", {}).get(options[0].name, command)
        options = list(options[0].options)
    if empty := [option.name for option in options if option.value is None]:
        raise _refuse("option_empty", option=empty[0])
    given = {option.name for option in options}
    missing = [option.name for option in command.body.options if option.required and option.name not in given]
    if missing:
        raise _refuse("option_missing", option=missing[0])


def text(option: str, value: object, *, limit: int) -> str | None:
    """A text option, stripped: no control characters or lone surrogates, not blank, at most `limit`."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _refuse("option_not_text", option=option)
    if len(value) > limit:
        raise _refuse("option_too_long", option=option, limit=limit)
    for char in value:
        if (kind := _bad_character(char)) is not None:
            raise _refuse(f"option_{kind}", option=option)
    if _blank(value):
        raise _refuse("option_blank", option=option)
    return value.strip()


def choice(option: str, value: object, choices: Sequence[str]) -> str | None:
    """One of the offered `choices`, exactly as offered (Discord sends the choice's value)."""
    if value is None:
        return None
    if not isinstance(value, str) or value not in choices:
        offered = Listed(tuple(choices), plain=True)  # the edge names them as the reader's client does
        raise _refuse("option_not_a_choice", option=option, value=_shown(value), choices=offered)
    return value


def language(option: str, value: object) -> str | None:
    """A language quizbot ships (its code or its own name, any letter case), or "default" for the
    server's own; anything else is refused naming every shipped language, by its own name."""
    typed = text(option, value, limit=100)
    if typed is None:
        return None
    known = known_language(typed)
    if known is None:
        names = tuple(language_name(locale) for locale in i18n.SUPPORTED)
        raise _refuse(
            "channel.language.unknown",
            option=option,
            value=_shown(value),
            languages=Listed(names, either=True),
            default=problem("channel.language.default_phrase"),
        )
    return known


def whole_number(option: str, value: object, low: int, high: int, *, key: str = "option_range") -> int | None:
    """An integer from `low` to `high`; JSON true/false, floats and numeric strings are refused.

    `key` words the refusal (its placeholders: option, low, high); bounds are written as typed."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _refuse(key, option=option, low=str(low), high=str(high))
    return value


def flag(option: str, value: object) -> bool | None:
    """A true/false option: only JSON true or false."""
    if value is None or isinstance(value, bool):
        return value
    raise _refuse("option_not_a_flag", option=option)


def time_zone(option: str, value: object) -> str | None:
    """An IANA time zone name from the system's list, in its canonical spelling; never opens a file."""
    typed = text(option, value, limit=64)
    if typed is None:
        return None
    known = canonical_time_zone(typed)
    if known is None:
        raise _refuse("unknown_time_zone", option=option)
    return known


def clock_time(option: str, value: object) -> time | None:
    """A time of day written HH:MM, 00:00 to 23:59, two digits each (ASCII), nothing else around it."""
    if value is None:
        return None
    match = _CLOCK_TIME.fullmatch(value) if isinstance(value, str) and len(value) == 5 else None
    if match is None:
        raise _refuse("invalid_clock_time", option=option, value=_shown(value))
    return time(int(match.group(1)), int(match.group(2)))


def person(option: str, value: object) -> disnake.User | disnake.Member | None:
    """A user option that Discord resolved to a user or member (an unresolved id is refused)."""
    if value is None or isinstance(value, disnake.User | disnake.Member):
        return value
    raise _refuse("option_not_a_user", option=option)


def upload(option: str, value: object, *, limit: int, suffixes: Sequence[str]) -> disnake.Attachment:
    """An attached file, judged by what Discord reports before anything is downloaded."""
    if not isinstance(value, disnake.Attachment):
        raise _refuse("option_not_a_file", option=option)
    name = text(option, PurePath(value.filename).name, limit=100)
    if not name or not name.lower().endswith(tuple(suffixes)):
        raise _refuse("file_wrong_kind", option=option, suffixes=Listed(tuple(suffixes), either=True))
    if value.size > limit:
        raise _too_big(option, name, value.size, limit)
    if value.size <= 0:
        raise _refuse("file_empty", option=option)
    return value


def upload_text(option: str, filename: str, data: bytes, *, limit: int) -> bytes:
    """The downloaded file, checked again: its real size, UTF-8, no NUL or other control characters.

    Returns the bytes unchanged, for the parser."""
    name = PurePath(filename).name
    if len(data) > limit:
        raise _too_big(option, name, len(data), limit)
    if not data.strip():
        raise _refuse("file_empty", option=option)
    if b"\x00" in data:
        raise _refuse("file_has_controls", option=option)
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse("file_not_utf8", option=option) from None
    if any(unicodedata.category(c) == "Cc" and c not in _FILE_LINE_BREAKS for c in decoded):
        raise _refuse("file_has_controls", option=option)
    return data


def _too_big(option: str, filename: str, size: int, limit: int) -> Refused:
    return _refuse("file_too_big", option=option, filename=filename, size=size, limit=limit)


POSTING = disnake.Permissions(view_channel=True, send_messages=True, embed_links=True)


def postable_channel(
    inter: CommandInter, option: str, value: object, *, not_a_channel: str, cannot_post: str
) -> disnake.TextChannel:
    """A text channel of this server (as the bot's cache sees it) where the bot may post embeds;
    refused with `not_a_channel` (naming the option) or `cannot_post` (naming the channel)."""
    guild = inter.guild
    found = (
        guild.get_channel(value.id)
        if guild is not None and isinstance(value, disnake.abc.GuildChannel)
        else None
    )
    if guild is None or not isinstance(found, disnake.TextChannel):
        raise _refuse(not_a_channel, option=option)
    if not found.permissions_for(guild.me) >= POSTING:
        raise _refuse(cannot_post, channel=found.mention)
    return found


def typed_so_far(value: object, *, limit: int = 100) -> str | None:
    """What someone is typing into an autocompleted option, or None when it is not usable text.

    Autocomplete cannot refuse (Discord shows only choices), so bad text simply offers nothing."""
    if not isinstance(value, str) or len(value) > limit or any(_bad_character(c) for c in value):
        return None
    return value
