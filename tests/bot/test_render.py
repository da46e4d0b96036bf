"""Rendering: every channel event becomes a message within Discord's limits, with working button ids."""

from __future__ import annotations

import pytest

from quizbot.actors.ports import AchievementsUnlocked, ChannelEvent, Notice, RecoveryPrompt
from quizbot.bot.custom_ids import ButtonKind, parse
from quizbot.bot.render import render
from quizbot.game.achievements import ACHIEVEMENTS
from quizbot.game.effects import (
    AnnounceEnd,
    AnnounceExpiry,
    PostQuestion,
    Result,
    Reveal,
    ShowHint,
    ShowScores,
    Standing,
)
from quizbot.game.progression import Difficulty
from quizbot.game.questions import Question, QuestionKind

KEY, EPOCH = (111, 222), 7
LONG = "x" * 80
QUESTION = Question(
    "q1",
    "W" * 1000,
    QuestionKind.MULTIPLE_CHOICE,
    "science",
    Difficulty.HARD,
    "E" * 1024,
    options=tuple(f"{i}{LONG[1:]}" for i in range(5)),
    answer_index=3,
)
CROWD = tuple(Standing(n, "N" * 200, 1000 - n, 3, 1) for n in range(40))
RESULTS = tuple(Result(n, "N" * 200, n % 2 == 0, 100, 10, 0.0) for n in range(40))

EVENTS: list[ChannelEvent] = [
    PostQuestion(0, 20, QUESTION, 1_900_000_000.0),
    ShowHint(0, 1, 4, "H" * 5000, 0.8),
    Reveal(0, QUESTION, RESULTS),
    Reveal(0, QUESTION, ()),
    ShowScores(CROWD),
    ShowScores(()),
    AnnounceEnd("finished", CROWD),
    AnnounceEnd("stopped", (), stopped_by=5),
    AnnounceExpiry(1800.0),
    RecoveryPrompt(3, 10, 1, CROWD),
    AchievementsUnlocked(5, "ann", ACHIEVEMENTS),
    Notice("n" * 5000),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_every_event_renders_within_discords_limits(event: ChannelEvent) -> None:
    """Even with the longest texts and the biggest crowds, each message passes Discord's checks."""
    rendered = render(event, KEY, EPOCH)
    assert rendered.embed is not None or rendered.content
    if rendered.content is not None:
        assert len(rendered.content) <= 2000
    assert all(len(b.label or "") <= 80 for b in rendered.buttons)


def test_answer_buttons_carry_the_session_epoch_and_question() -> None:
    """Each option gets a button whose id names this session, its epoch, the question and the option."""
    rendered = render(EVENTS[0], KEY, EPOCH)
    parsed = [parse(b.custom_id or "") for b in rendered.buttons]
    assert [(p.kind, p.key, p.epoch, p.index, p.value) for p in parsed if p] == [
        (ButtonKind.ANSWER, KEY, EPOCH, 0, str(option)) for option in range(5)
    ]


def test_typed_questions_have_no_buttons() -> None:
    """In typed mode players answer in the channel, so no buttons are sent."""
    assert render(EVENTS[0], KEY, EPOCH, typed=True).buttons == []


def test_the_recovery_prompt_offers_continue_new_and_cancel() -> None:
    """The prompt's three buttons are recovery ids for this session's new epoch."""
    rendered = render(EVENTS[9], KEY, EPOCH)
    parsed = [parse(b.custom_id or "") for b in rendered.buttons]
    assert [(p.kind, p.epoch, p.value) for p in parsed if p] == [
        (ButtonKind.RECOVERY, EPOCH, choice) for choice in ("continue", "new", "cancel")
    ]
