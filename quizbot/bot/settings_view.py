"""How /settings shows and checks settings: the settings embed, a refused setting's words, zones."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import replace
from functools import cache

import disnake

from quizbot import i18n
from quizbot.bot.catalogue import Detail, Problem, invalid, problem, say
from quizbot.bot.localized import command_word
from quizbot.bot.render import BLURPLE, GREEN
from quizbot.errors import InvalidValue
from quizbot.i18n import DEFAULT, LocaleLike
from quizbot.storage.guilds import GuildSettings

MAX_CHOICES = 25  # Discord's limit on autocomplete choices
_RANGE = re.compile(r"from (\d+) to (\d+)")


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA time zone this system knows, sorted (read once)."""
    return tuple(sorted(zoneinfo.available_timezones()))


def matching_zones(typed: str) -> list[str]:
    """Up to 25 zones containing `typed`, those starting with it first ("paris" finds Europe/Paris)."""
    text = typed.strip().lower().replace(" ", "_")
    found = [zone for zone in time_zones() if text in zone.lower()]
    found.sort(key=lambda zone: not (zone.lower().startswith(text) or f"/{text}" in zone.lower()))
    return found[:MAX_CHOICES]


def bad_setting(name: str, error: InvalidValue, *, minutes: bool = False) -> Problem:
    """A refusal naming the setting (as /settings set names its option, in the reader's language);
    a range in seconds is shown in the minutes the user typed."""
    detail = str(error)
    if bounds := _RANGE.search(detail):
        low, high = (int(bound) // 60 if minutes else int(bound) for bound in bounds.groups())
        key = "reply.option_range_minutes" if minutes else "option_range"
        return problem(key, option=name, low=str(low), high=str(high))
    if detail.startswith(name):
        detail = detail[len(name) :].strip()
    found = invalid(detail)
    if found.key == "invalid_input" and found.details.get("detail") == detail:  # no words of its own
        key = f"cmd.settings.set.{name}.name"
        label: Detail = problem(key) if key in i18n.active() else name
        return problem("invalid_input", detail=problem("option.detail", option=label, detail=detail))
    if "option" in found.details:  # the setting's own option, not the word the core used for it
        return replace(found, details={**found.details, "option": name})
    return found


def setting_label(name: str, locale: LocaleLike) -> str:
    """A setting as /settings set names its option in `locale` (the option's own name elsewhere)."""
    return command_word(locale, "settings", "set", name)


def settings_embed(
    settings: GuildSettings,
    *,
    title: str,
    changed: frozenset[str] = frozenset(),
    locale: LocaleLike = DEFAULT,
    language: str | None = None,
) -> disnake.Embed:
    """A guild's settings in `locale`, one field each (`language`, the channels' language, as
    shown); the ones just changed are marked."""
    words = i18n.active()
    shown = {
        "idle_timeout": say("reply.minutes_value", locale, minutes=settings.idle_timeout // 60),
        "time_zone": settings.time_zone,
        "typed_answers": say("reply.on" if settings.typed_answers else "reply.off", locale),
        "default_questions": words.number(locale, settings.default_questions),
        "default_timeout": say("reply.seconds_value", locale, seconds=settings.default_timeout),
        "default_difficulty": say(f"reply.difficulty_{settings.default_difficulty.value}", locale),
    }
    if language is not None:
        shown["language"] = language
    embed = disnake.Embed(title=title, colour=GREEN if changed else BLURPLE)
    for name, value in shown.items():
        label = setting_label(name, locale)
        embed.add_field(f"{label} ✏️" if name in changed else label, value, inline=True)
    embed.set_footer(text=say("reply.settings_footer", locale))
    return embed
