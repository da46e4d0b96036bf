"""The edge's one validator: what it refuses, with which catalogue message, and what it lets through."""

from __future__ import annotations

import zoneinfo
from types import SimpleNamespace
from typing import Any

import disnake
import pytest

from quizbot.bot import validation
from quizbot.bot.catalogue import MESSAGES, Refused, problem_for
from quizbot.errors import InvalidValue
from quizbot.storage.guilds import GuildSettings


def refusal(call: Any, *args: Any, **kwargs: Any) -> str:
    """The catalogue key of the refusal `call(*args)` raises (failing the test if it raises none)."""
    with pytest.raises(Refused) as raised:
        call(*args, **kwargs)
    found = problem_for(raised.value)
    assert found.key in MESSAGES and found.text == raised.value.problem.text
    return found.key


def attachment(filename: str, size: int) -> disnake.Attachment:
    """An Attachment as disnake builds it from an interaction's resolved data."""
    data: Any = {"id": "1", "filename": filename, "size": size, "url": "u", "proxy_url": "u"}
    state = SimpleNamespace(http=None)  # never downloaded here
    return disnake.Attachment(data=data, state=state)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("sci\x00ence", "option_control"),
        ("two\nlines", "option_control"),
        ("tab\there", "option_control"),
        ("del\x7f", "option_control"),
        ("c1\x85", "option_control"),
        ("evil\u202etxt.exe", "option_control"),
        ("line\u2028separator", "option_control"),
        ("lone \ud800 surrogate", "option_surrogate"),
        ("x" * 101, "option_too_long"),
        ("   ", "option_blank"),
        ("\u3000\u200b\u2060", "option_blank"),
        ("", "option_blank"),
        (42, "option_not_text"),
        (["science"], "option_not_text"),
        ({"a": 1}, "option_not_text"),
    ],
)
def test_text_is_refused_with_a_message_naming_the_option(value: object, key: str) -> None:
    """Controls, lone surrogates, over-long, blank and non-text values each get their catalogue entry."""
    with pytest.raises(Refused) as raised:
        validation.text("topic", value, limit=100)
    assert raised.value.problem.key == key
    assert "**topic**" in raised.value.problem.text


@pytest.mark.parametrize("value", ["science", "  Ancient Rome  ", "日本の歴史", "🦖 dinosaurs", "x" * 100])
def test_plain_text_passes_stripped(value: str) -> None:
    """Any printable text within the limit passes, with surrounding spaces removed."""
    assert validation.text("topic", value, limit=100) == value.strip()


def test_a_left_out_option_is_none() -> None:
    """None (the option was not given) passes through every check as None."""
    assert validation.text("topic", None, limit=10) is None
    assert validation.choice("mode", None, ["a"]) is None
    assert validation.whole_number("questions", None, 1, 2) is None
    assert validation.flag("single_answer", None) is None
    assert validation.time_zone("time_zone", None) is None
    assert validation.person("user", None) is None


@pytest.mark.parametrize("value", ["evil", "Bank", "bank ", "", 1, None.__class__, ["bank"], True])
def test_a_value_outside_the_choices_is_refused(value: object) -> None:
    """Only a choice exactly as offered passes; the refusal names the option and lists the choices."""
    with pytest.raises(Refused) as raised:
        validation.choice("provider", value, ["bank", "openai"])
    assert raised.value.problem.key == "option_not_a_choice"
    assert "provider" in raised.value.problem.text and "bank, openai" in raised.value.problem.text


def test_a_refused_choice_is_quoted_only_when_short_and_plain() -> None:
    """A short typo is shown back; a long or invisible value is not."""
    assert "'year'" in refusal_text(validation.choice, "timeframe", "year", ["all"])
    assert "y" * 40 not in refusal_text(validation.choice, "timeframe", "y" * 40, ["all"])
    assert "\x00" not in refusal_text(validation.choice, "timeframe", "a\x00", ["all"])


def refusal_text(call: Any, *args: Any) -> str:
    with pytest.raises(Refused) as raised:
        call(*args)
    return raised.value.problem.text


@pytest.mark.parametrize(
    "value", [0, 21, -1, 2**70, -(2**70), True, False, 5.0, 5.5, "5", "", [5], None.__class__]
)
def test_whole_numbers_out_of_range_or_of_another_type_are_refused(value: object) -> None:
    """Bools, floats, numeric strings and huge integers are refused like out-of-range ones."""
    with pytest.raises(Refused) as raised:
        validation.whole_number("questions", value, 1, 20, key="invalid_count")
    assert raised.value.problem.key == "invalid_count"
    assert "**questions**" in raised.value.problem.text and "between 1 and 20" in raised.value.problem.text


def test_a_whole_number_in_range_passes() -> None:
    assert validation.whole_number("questions", 20, 1, 20) == 20


@pytest.mark.parametrize("value", ["true", 1, 0, "false", [], 1.0])
def test_a_flag_must_be_true_or_false(value: object) -> None:
    assert refusal(validation.flag, "single_answer", value) == "option_not_a_flag"


@pytest.mark.parametrize(
    "value", ["x" * 5000, "Mars/Olympus", "../../../etc/passwd", "/etc/localtime", "Europe/Paris\x00", "."]
)
def test_an_unknown_time_zone_is_refused_without_touching_a_file(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Names are looked up in the IANA list; nothing builds a ZoneInfo (a path) from user text."""

    def no_files(*args: object, **kwargs: object) -> None:
        raise AssertionError("a time zone was opened from user text")

    monkeypatch.setattr(zoneinfo, "ZoneInfo", no_files)
    assert refusal(validation.time_zone, "time_zone", value) in {
        "unknown_time_zone",
        "option_too_long",
        "option_control",
    }
    with pytest.raises(InvalidValue):
        GuildSettings(time_zone=value)


def test_a_time_zone_is_taken_in_any_case_and_stored_canonically() -> None:
    assert validation.time_zone("time_zone", " europe/PARIS ") == "Europe/Paris"
    assert GuildSettings(time_zone="Europe/Paris").time_zone == "Europe/Paris"
    with pytest.raises(InvalidValue):
        GuildSettings(time_zone="europe/paris")  # stored names are canonical


def test_a_user_option_must_be_resolved() -> None:
    """An id string or anything else Discord did not resolve to a user is refused."""
    assert refusal(validation.person, "user", "123456789") == "option_not_a_user"
    assert refusal(validation.person, "user", 123456789) == "option_not_a_user"


@pytest.mark.parametrize(
    ("name", "size", "key"),
    [
        ("pack.txt", 10, "file_wrong_kind"),
        ("pack.yaml.exe", 10, "file_wrong_kind"),
        ("pack.yaml", 256 * 1024 + 1, "file_too_big"),
        ("pack.yaml", 0, "file_empty"),
        ("pa\x00ck.yaml", 10, "option_control"),
        ("p" * 200 + ".yaml", 10, "option_too_long"),
    ],
)
def test_an_upload_is_judged_before_it_is_downloaded(name: str, size: int, key: str) -> None:
    """Suffix, reported size and the file's name are checked from what Discord reports."""
    assert (
        refusal(
            validation.upload, "file", attachment(name, size), limit=256 * 1024, suffixes=(".yaml", ".yml")
        )
        == key
    )


def test_an_upload_option_must_be_a_file() -> None:
    assert (
        refusal(validation.upload, "file", "pack.yaml", limit=10, suffixes=(".yaml",)) == "option_not_a_file"
    )


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b"pack: a\x00\n", "file_has_controls"),
        (b"pack: a\x1b[31m\n", "file_has_controls"),
        (b"pack: \xff\xfe\n", "file_not_utf8"),
        (b"pack: \xed\xa0\x80\n", "file_not_utf8"),  # a UTF-8-encoded lone surrogate
        (b"   \n\t", "file_empty"),
        (b"#" * 101, "file_too_big"),
    ],
)
def test_downloaded_bytes_are_checked_again(data: bytes, key: str) -> None:
    """The real size (Discord's report may differ), UTF-8, NUL and other controls, before parsing."""
    assert refusal(validation.upload_text, "file", "pack.yaml", data, limit=100) == key


def test_a_good_file_passes_unchanged() -> None:
    data = "pack: café\r\nquestions:\n\t- x\n".encode()
    assert validation.upload_text("file", "pack.yaml", data, limit=100) is data


@pytest.mark.parametrize("value", [None, 5, "a\x00", "x" * 101, "\ud800"])
def test_autocomplete_text_that_is_not_usable_offers_nothing(value: object) -> None:
    assert validation.typed_so_far(value) is None
