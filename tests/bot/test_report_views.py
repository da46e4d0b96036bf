"""Reports' ids, form and list as Discord takes them: strict ids, and every text within Discord's
limits in every shipped locale (every plural form), with no placeholder left."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import disnake
import pytest

from quizbot import i18n
from quizbot.bot.catalogue import Refused
from quizbot.bot.custom_ids import (
    ReportsAction,
    ReportsButton,
    is_report_button,
    is_study_button,
    parse,
    parse_report,
    parse_reports,
    report_id,
)
from quizbot.bot.render import EMBEDS_TOTAL
from quizbot.bot.report_form import report_form, submitted
from quizbot.bot.report_list import PAGE_SIZE, Reported, ReportsPage, reports_message
from quizbot.bot.reveal_view import report_button
from quizbot.storage.reports import MAX_NOTE, REASONS, ReportSummary
from quizbot.testing._modals import validate_modal
from tests.game.factories import mc_question

IDENTITY = mc_question().identity


def test_a_report_id_names_its_question_and_nothing_else_parses() -> None:
    """qb:p:<identity> round-trips; anything else (another shape, more, less) parses to None."""
    assert parse_report(report_id(IDENTITY)) == IDENTITY and is_report_button(report_id(IDENTITY))
    for forged in (
        f"qb:p:{IDENTITY}x",
        f"qb:p:{IDENTITY[:-1]}",
        f"qb:P:{IDENTITY}",
        f"qb:p:{IDENTITY} ",
        f"xqb:p:{IDENTITY}",
        "qb:p:q1_" + "é" * 22,
        "qb:p:" + "q1_A" * 30,
        IDENTITY,
    ):
        assert parse_report(forged) is None, forged
    assert parse(report_id(IDENTITY)) is None and not is_study_button(report_id(IDENTITY))
    with pytest.raises(ValueError, match="report id"):
        report_id("not-an-identity")


@pytest.mark.parametrize("page", [0, 1, 42, 9999])
@pytest.mark.parametrize("action", list(ReportsAction))
def test_list_ids_round_trip(action: ReportsAction, page: int) -> None:
    """Hide and Dismiss carry their page and question; a page turn carries its page only."""
    button = ReportsButton(action, page, None if action is ReportsAction.PAGE else IDENTITY)
    text = button.encode()
    assert parse_reports(text) == button and len(text) <= 100 and is_report_button(text)


@pytest.mark.parametrize(
    "forged",
    [
        f"qb:v:h:01:{IDENTITY}",
        f"qb:v:h:10000:{IDENTITY}",
        "qb:v:h:1",
        f"qb:v:g:1:{IDENTITY}",
        f"qb:v:x:1:{IDENTITY}",
        "qb:v:g:-1",
        "qb:v:g:",
        f"qb:v:d:1:{IDENTITY}:more",
    ],
)
def test_malformed_list_ids_parse_to_none(forged: str) -> None:
    assert parse_reports(forged) is None


def test_a_button_that_does_not_fit_is_not_encoded() -> None:
    with pytest.raises(ValueError, match="custom_id"):
        ReportsButton(ReportsAction.HIDE, 10_000, IDENTITY).encode()


def as_sent(form: dict[str, Any]) -> dict[str, Any]:
    """The modal's payload as disnake sends it."""
    return {
        "custom_id": form["custom_id"],
        "title": form["title"],
        "components": [label.to_component_dict() for label in form["components"]],
    }


@pytest.mark.parametrize("locale", i18n.SUPPORTED)
def test_the_form_is_one_discord_takes_in_every_locale(locale: str) -> None:
    """Title, labels, description, placeholders and the reasons fit Discord's limits uncut (the
    double checks the modal as Discord does); the note takes MAX_NOTE characters and may be empty."""
    form = report_form(IDENTITY, locale)
    payload = as_sent(form)
    validate_modal(payload)
    reason, note = (label["component"] for label in payload["components"])
    texts = [
        payload["title"],
        *(label["label"] for label in payload["components"]),
        payload["components"][1]["description"],
        reason["placeholder"],
        note["placeholder"],
        *(o[k] for o in reason["options"] for k in ("label", "description")),
    ]
    assert all(text and "{" not in text and not text.endswith("…") for text in texts), texts
    assert [o["value"] for o in reason["options"]] == list(REASONS)
    assert (note["max_length"], note["required"], reason["min_values"], reason["max_values"]) == (
        MAX_NOTE,
        False,
        1,
        1,
    )
    assert str(MAX_NOTE) in payload["components"][1]["description"].replace("\u202f", "").replace(",", "")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"reason": ["wrong"], "note": " fine "}, ("wrong", "fine")),
        ({"reason": ("unclear",)}, ("unclear", "")),
        ({"reason": ["outdated"], "note": "n" * MAX_NOTE}, ("outdated", "n" * MAX_NOTE)),
    ],
)
def test_a_submit_as_a_client_sends_it_is_a_report(values: dict[str, Any], expected: tuple[str, str]) -> None:
    report = submitted(report_id(IDENTITY), values)
    assert (report.identity, report.reason, report.note) == (IDENTITY, *expected)


@pytest.mark.parametrize(
    ("custom_id", "values", "key"),
    [
        ("qb:p:nope", {"reason": ["wrong"]}, "report.form_unknown"),
        (report_id(IDENTITY), {}, "report.bad_reason"),
        (report_id(IDENTITY), {"reason": None}, "report.bad_reason"),
        (report_id(IDENTITY), {"reason": [""]}, "report.bad_reason"),
        (report_id(IDENTITY), {"reason": ["WRONG"]}, "report.bad_reason"),
        (report_id(IDENTITY), {"reason": ["wrong"], "note": ["a list"]}, "report.note_unreadable"),
        (report_id(IDENTITY), {"reason": ["wrong"], "note": "x" * (MAX_NOTE + 1)}, "report.note_too_long"),
    ],
)
def test_a_bad_submit_is_refused_with_its_catalogue_entry(
    custom_id: str, values: dict[str, Any], key: str
) -> None:
    with pytest.raises(Refused) as refused:
        submitted(custom_id, values)
    assert refused.value.problem.key == key


@pytest.mark.parametrize("locale", i18n.SUPPORTED)
def test_the_report_button_fits_in_every_locale(locale: str) -> None:
    button = report_button(mc_question(), locale)
    assert button.label and len(button.label) <= 80 and not button.label.endswith("…")
    assert button.custom_id == report_id(mc_question().identity) and not button.disabled


def summary(n: int, count: int) -> ReportSummary:
    moment = datetime(2026, 5, 1, tzinfo=UTC)
    reasons = {reason: count for reason in REASONS}
    notes = tuple(f"<@{10**17 + n}> **note** {'ü' * 280} {n}"[:MAX_NOTE] for _ in range(3))
    return ReportSummary(f"q1_{n:022d}", count * len(REASONS), reasons, notes, moment, moment)


@pytest.mark.parametrize("locale", i18n.SUPPORTED)
@pytest.mark.parametrize("count", [1, 2, 5, 22, 1_000_001])
def test_a_full_page_is_within_discord_limits_in_every_locale(locale: str, count: int) -> None:
    """Four questions of 1,000 characters, every reason, three long notes each, huge counts and
    page numbers: within an embed's limits and 6,000 characters in all, rows of Discord's size."""
    reported = tuple(Reported(summary(n, count), "Q" * 1000, in_play=n % 2 == 0) for n in range(PAGE_SIZE))
    shown = ReportsPage(reported, page=9998, pages=9999, total=count)
    message = reports_message(shown, locale, done="x" * 200)
    embed: disnake.Embed = message["embed"]
    embed.check_limits()
    assert len(embed) <= EMBEDS_TOTAL and len(embed.fields) == PAGE_SIZE
    words = [
        embed.title or "",
        embed.description or "",
        embed.footer.text or "",
        *(f.name + f.value for f in embed.fields),
    ]
    assert all(text and "{" not in text for text in words)
    assert all("<@" not in f.value or "<@\u200b" in f.value for f in embed.fields)  # notes are plain text
    rows = message["components"]
    assert len(rows) == 5 and all(len(row.children) <= 5 for row in rows)
    labels = [button.label or "" for row in rows for button in row.children]
    assert all(0 < len(label) <= 80 and "{" not in label for label in labels)


@pytest.mark.parametrize("locale", i18n.SUPPORTED)
def test_an_empty_list_says_how_players_report(locale: str) -> None:
    message = reports_message(ReportsPage((), 0, 1, 0), locale)
    assert message["embed"].description == i18n.text(locale, "reports.empty") and message["components"] == []
