"""Through the loopback Discord: a refusal names options, their choices and the bank's categories as
the reader's client shows them (German, Japanese), and English readers get the English they always did."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from quizbot.bot.catalogue import Listed, Problem
from quizbot.bot.cogs.admin import bad_setting
from quizbot.bot.cogs.stats import StatsCog
from quizbot.errors import InvalidValue
from quizbot.testing import InteractionRecord, Member, MessageRecord
from tests.bot.conftest import World

COUNT = {
    "de": "Die Anzahl der Fragen (**fragen**) muss eine ganze Zahl zwischen 1 und 20 sein.",
    "ja": "**問題数** は1〜20の整数で指定してください。",
    "en-US": "The question count (**questions**) must be a whole number between 1 and 20.",
}
TIMEOUT = {
    "de": "Das Zeitlimit (**zeitlimit**) muss eine ganze Zahl zwischen 5 und 120 Sekunden sein.",
    "ja": "**制限時間** は5〜120秒の整数で指定してください。",
    "en-US": "The timeout (**timeout**) must be a whole number between 5 and 120 seconds.",
}
TIMEFRAME = {
    "de": "zeitraum 'year' ist unbekannt; wähle aus tag, woche, monat, insgesamt, saison",
    "ja": "期間 に 'year' は指定できません。今日、今週、今月、全期間、シーズン から選んでください",
    "en-US": "unknown timeframe 'year'; choose one of day, week, month, all, season",
}
SETTING = {  # the core's own refusal, in its English, framed and its option named the reader's way
    "de": "Da stimmt etwas nicht: **geschriebene_antworten** must be true or false",
    "ja": "入力内容が正しくありません：**入力回答** must be true or false",  # noqa: RUF001
    "en-US": "That didn't look right: **typed_answers** must be true or false",
}
BOARD_IN_DMS = {
    "de": "eine Server-Rangliste braucht einen Server; nutze in DMs bereich: global",
    "ja": "サーバーランキングはサーバー内でのみ使えます。DMでは 範囲: 全体 を指定してください",
    "en-US": "a server leaderboard needs a server; in DMs use scope: global",
}
UNKNOWN_SCOPE = {
    "de": "Da stimmt etwas nicht: unbekannter Bereich 'planet'; wähle server oder global",
    "ja": "入力内容が正しくありません：範囲 'planet' は指定できません。サーバーまたは全体を選んでください",  # noqa: RUF001
    "en-US": "That didn't look right: unknown scope 'planet'; choose server or global",
}


def speaking(member: Member, locale: str) -> Member:
    """`member`, their Discord client set to `locale`."""
    member.user.locale = locale
    return member


async def refused(
    world: World, member: Member, command: str, options: dict[str, Any], dm: bool = False
) -> str:
    """`command` used by `member` (in the club's #trivia, or in their DMs), sent as a modified client
    could; the text of the private refusal they get."""
    guild, channel = (None, None) if dm else (world.club.guild, world.club.channel)
    record = await world.double.slash(guild, channel, member, command, options, forged=True)
    record = await record.wait_until(answered, timeout=5.0, what="the refusal")
    message: MessageRecord | None = record.followups[-1] if record.followups else record.original
    assert message is not None and message.ephemeral
    return message.text


def answered(record: InteractionRecord) -> bool:
    """The bot answered at once, filled its deferred reply, or followed up."""
    return record.response_type == 4 or bool(record.original_edits or record.followups)


@pytest.mark.parametrize("locale", COUNT)
async def test_a_question_count_out_of_range_names_the_option_as_the_client_does(
    world: World, locale: str
) -> None:
    """invalid_count names /trivia start's questions option in the reader's language."""
    text = await refused(world, speaking(world.club.players[0], locale), "trivia start", {"questions": 50})
    assert COUNT[locale] in text


@pytest.mark.parametrize("locale", TIMEOUT)
async def test_a_timeout_out_of_range_names_the_option_as_the_client_does(world: World, locale: str) -> None:
    """invalid_timeout names /quiz start's timeout option in the reader's language."""
    text = await refused(world, speaking(world.club.players[0], locale), "quiz start", {"timeout": 1})
    assert TIMEOUT[locale] in text


@pytest.mark.parametrize("locale", TIMEFRAME)
async def test_a_refused_choice_lists_the_choices_as_the_client_names_them(world: World, locale: str) -> None:
    """option_not_a_choice: the option and every choice by its localised name, listed the reader's way."""
    text = await refused(world, speaking(world.club.players[0], locale), "leaderboard", {"timeframe": "year"})
    assert TIMEFRAME[locale] in text
    if locale != "en-US":
        assert not {"timeframe", "day", "week", "month"} & set(text.replace(",", " ").split())


@pytest.mark.parametrize("locale", SETTING)
async def test_a_setting_only_the_core_refuses_is_named_as_its_option(
    world: World, locale: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A value the validator let through and the core refused names /settings set's option."""
    monkeypatch.setattr("quizbot.bot.validation.flag", lambda option, value: value)
    admin = speaking(world.club.admin, locale)
    assert SETTING[locale] in await refused(world, admin, "settings set", {"typed_answers": "yes"})


def test_a_choice_only_the_core_refuses_names_the_settings_option() -> None:
    """The core's word for an option ("mode") gives way to the setting's own, which the edge names."""
    found = bad_setting("default_difficulty", InvalidValue("unknown mode 'x'; choose one of easy, hard"))
    assert found.key == "option_not_a_choice" and found.details["option"] == "default_difficulty"
    assert found.details["choices"] == Listed(("easy", "hard"), plain=True)
    assert (
        found.text_for("en-US")
        == "That didn't look right: unknown default_difficulty 'x'; choose one of easy, hard"
    )


@pytest.mark.parametrize("locale", BOARD_IN_DMS)
async def test_a_server_board_in_dms_says_to_choose_global_as_the_client_names_it(
    world: World, locale: str
) -> None:
    """why_board_needs_server names the scope option and its global choice in the reader's language."""
    player = speaking(world.club.players[0], locale)
    text = await refused(world, player, "leaderboard", {"scope": "server"}, dm=True)
    assert BOARD_IN_DMS[locale] in text


@pytest.mark.parametrize("locale", ["de", "ja", "en-US"])
async def test_the_known_categories_are_listed_the_readers_way(world: World, locale: str) -> None:
    """why_no_category lists the bank's categories (names players type, as they are) the reader's way."""
    text = await refused(
        world, speaking(world.club.players[0], locale), "leaderboard", {"category": "cooking"}
    )
    categories = world.running.bot.context.bank.categories
    assert ("、" if locale == "ja" else ", ").join(categories) in text


@pytest.mark.parametrize("locale", UNKNOWN_SCOPE)
def test_an_unknown_scope_offers_the_scopes_as_the_client_names_them(locale: str) -> None:
    """why_unknown_scope: the scopes by their localised names, joined with the reader's "or"."""
    board = StatsCog(context=None)._board_query(SimpleNamespace(guild_id=1), "planet", None, "all")
    assert isinstance(board, Problem)
    assert board.text_for(locale) == UNKNOWN_SCOPE[locale]
