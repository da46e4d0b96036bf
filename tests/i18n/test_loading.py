"""A malformed locale file stops loading, naming its file and line, as a bad setting does."""

from __future__ import annotations

from collections.abc import Coroutine
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

import quizbot.__main__ as cli
from quizbot import i18n
from quizbot.bot.app import running_bot
from quizbot.config import Settings
from quizbot.errors import ConfigError, LocaleFileError
from quizbot.i18n import LOCALES, SUPPORTED, Catalogue
from quizbot.storage.pool import Database
from tests.i18n.conftest import ENGLISH, GERMAN, POLISH, WriteLocales, as_json

BROKEN_JSON = '{\n  "busy": "Gerade beschäftigt.",\n  "hello" "Hallo, {name}!"\n}\n'
NOT_UTF8 = b'{\n  "busy": "ok",\n  "hello": "Hallo, \xff{name}!"\n}\n'

# (what is wrong, the German file's text, the line reported, words the message must hold)
BAD_GERMAN: list[tuple[str, str, int, str]] = [
    ("syntax", BROKEN_JSON, 3, "is not valid JSON: Expecting ':' delimiter"),
    ("number", as_json({**GERMAN, "hello": 3}), 3, "'hello' must be text, not 3"),
    ("null", as_json({**GERMAN, "busy": None}), 2, "'busy' must be text, not null"),
    ("nested", '{\n  "busy": {"text": "x"}\n}\n', 2, "'busy' must be text, not an object"),
    ("empty", as_json({**GERMAN, "busy": " "}), 2, "'busy' is empty"),
    ("unknown key", as_json({**GERMAN, "bye": "Tschüss!"}), 6, "'bye' is not a key of en-US"),
    ("renamed placeholder", as_json({**GERMAN, "hello": "Hallo, {nom}!"}), 3, "has placeholders {nom}"),
    (
        "lost placeholder",
        as_json({**GERMAN, "hello": "Hallo!"}),
        3,
        "has placeholders none; en-US has {name}",
    ),
    ("broken brace", as_json({**GERMAN, "hello": "Hallo, {name!"}), 3, "braces do not pair up"),
    ("format spec", as_json({**GERMAN, "hello": "Hallo, {name:>9}!"}), 3, "takes no format spec"),
    ("plural made plain", as_json({"question_count": "{count} Fragen"}), 2, "is a plural message in en-US"),
    ("plain made plural", as_json({"busy#one": "x", "busy#other": "y"}), 2, "is a plain message in en-US"),
    (
        "unknown category",
        as_json({**GERMAN, "question_count#lots": "x"}),
        6,
        "after '#' comes a plural category",
    ),
    (
        "form de lacks",
        as_json({**GERMAN, "question_count#few": "{count} Fragen"}),
        6,
        "de has no plural form 'few'",
    ),
    (
        "twice",
        '{\n  "busy": "a",\n  "hello": "Hallo, {name}!",\n  "busy": "b"\n}\n',
        4,
        "defines 'busy' twice",
    ),
    ("not an object", '[\n  "busy"\n]\n', 1, "must hold one JSON object"),
]


@pytest.mark.parametrize(("fault", "text", "line", "words"), BAD_GERMAN, ids=[case[0] for case in BAD_GERMAN])
def test_a_malformed_file_is_refused_with_its_file_and_line(
    locales: WriteLocales, fault: str, text: str, line: int, words: str
) -> None:
    """Each kind of fault raises LocaleFileError, a ConfigError, at the file and line it is on."""
    folder = locales(en_US=ENGLISH, de=text)
    with pytest.raises(LocaleFileError) as raised:
        Catalogue.load(folder, ("en-US", "de"))
    error = raised.value
    assert isinstance(error, ConfigError)
    assert (error.path, error.line) == (str(folder / "de.json"), line), str(error)
    assert words in error.problem, str(error)
    assert str(error).startswith(f"{folder / 'de.json'}, line {line}: ")


def test_a_missing_plural_form_is_named_with_the_forms_it_needs(locales: WriteLocales) -> None:
    """Polish without question_count#many is refused, listing what Polish's CLDR rules require."""
    polish = {key: text for key, text in POLISH.items() if key != "question_count#many"}
    folder = locales(en_US=ENGLISH, pl=polish)
    with pytest.raises(LocaleFileError) as raised:
        Catalogue.load(folder, ("en-US", "pl"))
    assert raised.value.line == 3
    assert "'question_count' lacks the plural forms pl needs: question_count#many" in str(raised.value)


def test_english_must_give_its_own_plural_forms(locales: WriteLocales) -> None:
    """The reference is checked too: English with only question_count#one is refused."""
    english = {key: text for key, text in ENGLISH.items() if key != "question_count#other"}
    with pytest.raises(LocaleFileError, match=r"en-US\.json, line 4: .*question_count#other"):
        Catalogue.load(locales(en_US=english), ("en-US",))


def test_forms_of_one_message_must_share_placeholders(locales: WriteLocales) -> None:
    """A plural form with other placeholders than its siblings is refused at its line."""
    english = {**ENGLISH, "question_count#other": "{n} questions"}
    with pytest.raises(LocaleFileError, match=r"line 5: 'question_count#other' has placeholders \{n\}"):
        Catalogue.load(locales(en_US=english), ("en-US",))


def test_text_that_is_not_utf8_is_refused_at_its_line(locales: WriteLocales) -> None:
    """A byte that is not UTF-8 is reported on the line it is on."""
    folder = locales(en_US=ENGLISH)
    (folder / "de.json").write_bytes(NOT_UTF8)
    with pytest.raises(LocaleFileError, match=r"de\.json, line 3: is not UTF-8 text"):
        Catalogue.load(folder, ("en-US", "de"))


def test_a_listed_locale_without_its_file_is_refused(locales: WriteLocales) -> None:
    """A locale in the list whose file is missing stops loading, naming the file."""
    with pytest.raises(LocaleFileError, match=r"fr\.json, line 1: cannot be read"):
        Catalogue.load(locales(en_US=ENGLISH), ("en-US", "fr"))


def test_a_locale_babel_does_not_know_is_refused(locales: WriteLocales) -> None:
    """A file named for no real locale is refused rather than given English's plural rules."""
    with pytest.raises(LocaleFileError, match="'xx-YY' is not a locale babel knows"):
        Catalogue.load(locales(en_US=ENGLISH, xx_YY=ENGLISH), ("en-US", "xx-YY"))


def test_a_missing_key_is_not_a_fault(locales: WriteLocales) -> None:
    """A translation lacking a message loads: that message falls back to English when shown."""
    catalogue = Catalogue.load(locales(en_US=ENGLISH, pl=POLISH), ("en-US", "pl"))
    assert catalogue.missing("pl") == ["hello"]
    assert catalogue.missing("en-US") == []


def test_start_up_stopped_by_a_bad_file_exits_as_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`quizbot run` meeting a malformed locale file prints its file and line and exits with code 2."""

    def run(coroutine: Coroutine[Any, Any, int]) -> int:  # no real loop: asyncio.run would unset the tests'
        coroutine.close()
        raise LocaleFileError("quizbot/i18n/locales/de.json", 3, "is not valid JSON")

    monkeypatch.setattr(cli, "asyncio", SimpleNamespace(run=run))
    monkeypatch.setattr(cli, "configure_logging", lambda level: None)  # keep the tests' own sinks
    assert cli.main(["run"]) == cli.EXIT_CONFIG
    assert (
        "configuration error: quizbot/i18n/locales/de.json, line 3: is not valid JSON"
        in capsys.readouterr().err
    )


async def test_the_bot_does_not_start_with_a_malformed_locale_file(
    monkeypatch: pytest.MonkeyPatch, locales: WriteLocales
) -> None:
    """running_bot reads the locale files before it builds anything: a bad one stops it there."""
    folder = locales(en_US='{\n  "busy": "Busy.",\n  "hello": \n}\n')
    real = Catalogue.load
    monkeypatch.setattr(i18n, "Catalogue", SimpleNamespace(load=lambda: real(folder, ("en-US",))))
    monkeypatch.setattr(i18n, "_shipped", None)  # as in a new process: nothing read yet
    with pytest.raises(LocaleFileError, match=r"en-US\.json, line 4: is not valid JSON"):
        async with running_bot(Settings(), cast(Database, None)):
            pass


def test_load_reads_the_files_again_only_when_one_changed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A second start in one process reuses what the first read, unless a file's size or time changed."""
    for locale in SUPPORTED:
        (tmp_path / f"{locale}.json").write_bytes((LOCALES / f"{locale}.json").read_bytes())
    reads: list[Path] = []
    real = Catalogue.load

    def counted() -> Catalogue:
        reads.append(tmp_path)
        return real(tmp_path)

    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    monkeypatch.setattr(i18n, "Catalogue", SimpleNamespace(load=counted))
    monkeypatch.setattr(i18n, "_shipped", None)
    first = i18n.load()
    assert i18n.load() is first and len(reads) == 1
    english = tmp_path / "en-US.json"
    english.write_text(english.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert i18n.load() is not first and len(reads) == 2
