"""Channel messages in every shipped locale: each event worded in the channel's language, and every
message inside Discord's limits there, with the longest texts and the biggest crowds."""

from __future__ import annotations

import disnake
import pytest

from quizbot import i18n
from quizbot.actors.ports import (
    AchievementSummary,
    AchievementsUnlocked,
    ChannelEvent,
    Notice,
    RecoveryPrompt,
)
from quizbot.bot.render import Rendered, closed_question, combine, hint_text, render
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
from quizbot.game.hints import Hint, HintKind, hints
from quizbot.game.progression import Difficulty
from quizbot.game.questions import MAX_EXPLANATION, MAX_OPTION_LABEL, MAX_TEXT, Question, QuestionKind
from quizbot.i18n.achievements import achievement_words

KEY, EPOCH = (111, 222), 7
LOCALES = i18n.SUPPORTED
NAME = "Ŵ" * 200  # longer than Discord allows a display name (32), in a wide letter
PLAYERS = 20

CHOICE = Question(
    "q1",
    "W" * MAX_TEXT,
    QuestionKind.MULTIPLE_CHOICE,
    "c" * 64,
    Difficulty.HARD,
    "E" * MAX_EXPLANATION,
    options=tuple(f"{i}" + "O" * (MAX_OPTION_LABEL - 1) for i in range(5)),
    answer_index=3,
    hints=("H" * 1000,),
)
TYPED = Question(
    "q2",
    "T" * MAX_TEXT,
    QuestionKind.SHORT_ANSWER,
    "science",
    Difficulty.EASY,
    "E" * MAX_EXPLANATION,
    accepted=("A" * 200,),
)
CROWD = tuple(Standing(n, NAME, 1_000_000 - n, 20, 0) for n in range(PLAYERS))
RESULTS = tuple(Result(n, NAME, True, 1000, 10, 0.0) for n in range(PLAYERS))
EVERYONE = tuple(AchievementsUnlocked(n, NAME, ACHIEVEMENTS) for n in range(PLAYERS))


def longest_events() -> dict[str, ChannelEvent]:
    """One of every channel event, each with the longest values it can carry."""
    typed_hints = hints(TYPED, typed=True)
    return {
        "question": PostQuestion(19, 20, CHOICE, 1_900_000_000.0),
        "typed_question": PostQuestion(0, 20, TYPED, 1_900_000_000.0),
        **{
            f"hint_{hint.kind.value}": ShowHint(19, level + 1, 4, hint.english, 0.4, hint)
            for level, hint in enumerate([*typed_hints, *hints(CHOICE, typed=False)])
        },
        "reveal": Reveal(19, CHOICE, RESULTS),
        "reveal_nobody": Reveal(0, TYPED, ()),
        "scores": ShowScores(CROWD),
        "no_scores": ShowScores(()),
        "finished": AnnounceEnd("finished", CROWD),
        "stopped": AnnounceEnd("stopped", (), stopped_by=5),
        "expired": AnnounceExpiry(86_400.0),
        "recovery": RecoveryPrompt(19, 20, 1, CROWD),
        "unlocked": AchievementsUnlocked(5, NAME, ACHIEVEMENTS),
        "summary": AchievementSummary(EVERYONE),
        "notice": Notice("session_set_aside"),
    }


EVENTS = longest_events()


def breaches(message: Rendered) -> list[str]:
    """Where a message breaks Discord's limits (written out here, not taken from disnake)."""
    found = []
    if message.content is not None and len(message.content) > 2000:
        found.append(f"content is {len(message.content)} characters")
    total = 0
    for embed in message.embeds:
        data = embed.to_dict()
        title, description = data.get("title", ""), data.get("description", "")
        footer = data.get("footer", {}).get("text", "")
        fields = data.get("fields", [])
        total += len(title) + len(description) + len(footer)
        total += sum(len(f["name"]) + len(f["value"]) for f in fields)
        for what, text, limit in (("title", title, 256), ("description", description, 4096)):
            if len(text) > limit:
                found.append(f"{what} is {len(text)} characters")
        if len(footer) > 2048:
            found.append(f"footer is {len(footer)} characters")
        if len(fields) > 25:
            found.append(f"{len(fields)} fields")
        for field in fields:
            if len(field["name"]) > 256 or len(field["value"]) > 1024:
                found.append(f"field {field['name'][:20]!r} is too long")
    if total > 6000:
        found.append(f"the embeds hold {total} characters")
    found += [f"a button's label is {len(b.label or '')}" for b in message.buttons if len(b.label or "") > 80]
    return found


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", list(EVENTS))
def test_every_event_stays_inside_discord_s_limits_in_every_locale(name: str, locale: str) -> None:
    """The longest questions, names, crowds and achievements fit, whatever the language."""
    for typed in (False, True):
        assert breaches(render(EVENTS[name], KEY, EPOCH, typed=typed, language=locale)) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_combined_messages_stay_inside_discord_s_limits_in_every_locale(locale: str) -> None:
    """A close (the question, its reveal and the scores in one edit) and the end (podium and
    achievement summary) fit in one message too."""
    question = render(EVENTS["question"], KEY, EPOCH, language=locale)
    reveal = EVENTS["reveal"]
    assert isinstance(reveal, Reveal)
    close = combine(
        closed_question(question, reveal, locale),
        render(reveal, KEY, EPOCH, language=locale),
        render(EVENTS["scores"], KEY, EPOCH, language=locale),
    )
    end = combine(
        render(EVENTS["finished"], KEY, EPOCH, language=locale),
        render(EVENTS["summary"], KEY, EPOCH, language=locale),
    )
    assert breaches(close) == breaches(end) == []


def words(locale: str, key: str, /, **params: i18n.Param) -> str:
    return i18n.text(locale, key, **params)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_question_frame_speaks_the_channel_s_language(locale: str) -> None:
    """Title, field names, the difficulty and the footer come from the locale; the question is content."""
    event = PostQuestion(0, 3, CHOICE, 1_900_000_000.0)
    embed = render(event, KEY, EPOCH, language=locale).embed
    assert embed is not None
    assert embed.title == words(locale, "channel.question.title", number=1, total=3)
    assert [f.name for f in embed.fields] == [
        words(locale, f"channel.question.{name}") for name in ("category", "difficulty", "closes", "options")
    ]
    assert embed.fields[1].value == words(locale, "channel.difficulty.hard")
    assert embed.fields[2].value == "<t:1900000000:R>"  # Discord words relative times itself
    assert (embed.footer.text or "").endswith(words(locale, "channel.question.pick_answer"))
    typed = render(event, KEY, EPOCH, typed=True, language=locale).embed
    assert typed is not None and (typed.footer.text or "").endswith(
        words(locale, "channel.question.type_answer")
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_hints_are_worded_in_the_channel_s_language(locale: str) -> None:
    """Length, first letter, some letters and struck options are the locale's words; the worth is
    a percentage written the locale's way."""
    event = ShowHint(1, 2, 4, "ignored", 0.6, Hint(HintKind.LENGTH, letters=7, words=2))
    embed = render(event, KEY, EPOCH, language=locale).embed
    assert embed is not None
    assert embed.title == words(locale, "channel.hint.title", level=2, available=4)
    letters = words(locale, "channel.hint.letters", count=7)
    assert embed.description == words(
        locale,
        "channel.hint.length_words",
        letters=letters,
        words=words(locale, "channel.hint.words", count=2),
    )
    percent = i18n.active().number(locale, 60)
    assert percent in (embed.footer.text or "")
    assert hint_text(Hint(HintKind.NOT, struck=("a", "b")), locale) == words(
        locale, "channel.hint.not", options=words(locale, "channel.separator").join(("a", "b"))
    )
    assert hint_text(Hint(HintKind.OWN, "As written."), locale) == "As written."


@pytest.mark.parametrize("locale", LOCALES)
def test_the_reveal_scores_and_podium_speak_the_channel_s_language(locale: str) -> None:
    """Reveal title and field, the score table, the podium with its plural points."""
    reveal = render(Reveal(0, CHOICE, ()), KEY, EPOCH, language=locale).embed
    assert reveal is not None
    assert reveal.title == words(locale, "channel.reveal.title", answer=CHOICE.correct_text)[:256]
    assert (reveal.fields[0].name, reveal.fields[0].value) == (
        words(locale, "channel.reveal.right"),
        words(locale, "channel.reveal.nobody"),
    )
    scores = render(ShowScores(()), KEY, EPOCH, language=locale).embed
    assert scores is not None
    assert (scores.title, scores.description) == (
        words(locale, "channel.scores.title"),
        words(locale, "channel.table.empty"),
    )
    standings = (Standing(1, "Ann", 1, 1, 0), Standing(2, "Bo", 2500, 3, 1))
    podium = render(AnnounceEnd("finished", standings), KEY, EPOCH, language=locale).embed
    assert podium is not None
    assert podium.title == words(locale, "channel.end.finished")
    assert (podium.description or "").splitlines() == [
        words(locale, "channel.end.podium", medal="🥇", name="Ann", count=1),
        words(locale, "channel.end.podium", medal="🥈", name="Bo", count=2500),
    ]
    stopped = render(AnnounceEnd("stopped", ()), KEY, EPOCH, language=locale).embed
    assert stopped is not None
    assert (stopped.title, stopped.description) == (
        words(locale, "channel.end.stopped"),
        words(locale, "channel.end.nobody"),
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_the_recovery_prompt_and_its_buttons_speak_the_channel_s_language(locale: str) -> None:
    """Title, text, the scores field and the three buttons' labels."""
    rendered = render(RecoveryPrompt(2, 5, 1, CROWD[:2]), KEY, EPOCH, language=locale)
    assert rendered.embed is not None
    assert rendered.embed.title == words(locale, "channel.recovery.title")
    assert (rendered.embed.description or "").startswith(
        words(locale, "channel.recovery.stopped_at", number=3, total=5)
    )
    assert rendered.embed.fields[0].name == words(locale, "channel.recovery.scores")
    assert [b.label for b in rendered.buttons] == [
        words(locale, f"channel.recovery.{choice}") for choice in ("continue", "new", "cancel")
    ]


@pytest.mark.parametrize("locale", LOCALES)
def test_expiry_notices_and_achievements_speak_the_channel_s_language(locale: str) -> None:
    """The expiry's plural minutes, a notice from the catalogue, achievements' names and title."""
    expired = render(AnnounceExpiry(60.0), KEY, EPOCH, language=locale).embed
    assert expired is not None and expired.description == words(locale, "channel.expired", count=1)
    notice = render(Notice("channel_lost"), KEY, EPOCH, language=locale)
    assert notice.content == words(locale, "channel_lost")
    summary = render(AchievementSummary(EVERYONE[:1]), KEY, EPOCH, language=locale)
    assert summary.embed is not None and summary.embed.title == words(locale, "achievements_unlocked")
    name, _ = achievement_words(ACHIEVEMENTS[0], locale)
    assert f"**{name}**" in (summary.embed.description or "")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_closed_question_footer_speaks_the_channel_s_language(locale: str) -> None:
    """Once closed, a question keeps its progress bar and says so in the channel's language."""
    question = render(PostQuestion(0, 3, CHOICE, 1_900_000_000.0), KEY, EPOCH, language=locale)
    closed = closed_question(question, Reveal(0, CHOICE, ()), locale)
    assert closed.embed is not None
    assert (closed.embed.footer.text or "").endswith(words(locale, "question_closed_footer"))
    assert all(b.disabled for b in closed.buttons)
    assert [b.style for b in closed.buttons].count(disnake.ButtonStyle.success) == 1


@pytest.mark.parametrize("locale", LOCALES)
def test_every_channel_key_is_the_locale_s_own(locale: str) -> None:
    """No channel text of a shipped locale falls back to English."""
    assert [key for key in i18n.active().missing(locale) if key.startswith("channel.")] == []


def test_every_achievement_has_its_words_and_english_reads_as_the_game_s() -> None:
    """Each achievement the game defines has a name and description in the catalogue; English's
    are the game core's own."""
    for achievement in ACHIEVEMENTS:
        assert f"channel.achievement.{achievement.achievement_id}.name" in i18n.active()
        assert achievement_words(achievement, i18n.DEFAULT) == (achievement.name, achievement.description)


def test_numbers_are_written_the_locale_s_way() -> None:
    """Points in the podium go through the catalogue's number formatting (1,000 in English)."""
    podium = render(AnnounceEnd("finished", (Standing(1, "Ann", 12_345, 1, 0),)), KEY, EPOCH).embed
    assert podium is not None and "12,345 points" in (podium.description or "")


def test_english_reads_as_it_did() -> None:
    """en-US words the channel's messages as before translation (bar real plurals and numbers)."""
    question = render(PostQuestion(0, 3, CHOICE, 1_900_000_000.0), KEY, EPOCH).embed
    assert question is not None and question.title == "Question 1 of 3"
    hint = render(ShowHint(0, 1, 4, "x", 0.8, Hint(HintKind.LENGTH, letters=7, words=1)), KEY, EPOCH).embed
    assert hint is not None
    assert (hint.description, hint.footer.text) == (
        "The answer has 7 letters.",
        "Question 1 is now worth 80% of its points.",
    )
    recovery = render(RecoveryPrompt(2, 5, 1, ()), KEY, EPOCH).embed
    assert recovery is not None and recovery.description == (
        "It stopped at question 3 of 5, with every score kept.\n"
        "The host or a moderator can continue it, start a new one, or cancel it."
    )


def test_british_english_has_its_own_words_where_it_differs() -> None:
    """en-GB quotes a letter with single marks, and lists without a serial comma."""
    hint = Hint(HintKind.FIRST_LETTER, "J _ _", first="J")
    assert hint_text(hint, "en-US") == "It starts with “J”: J _ _"
    assert hint_text(hint, "en-GB") == "It starts with \u2018J\u2019: J _ _"  # ‘J’  # noqa: RUF003
    recovery = render(RecoveryPrompt(2, 5, 1, ()), KEY, EPOCH, language="en-GB").embed
    assert recovery is not None and "start a new one or cancel it." in (recovery.description or "")


def test_a_locale_quizbot_does_not_ship_speaks_its_nearest() -> None:
    """A language without a file of its own reads English, never a key name."""
    embed = render(PostQuestion(0, 3, CHOICE, 1_900_000_000.0), KEY, EPOCH, language="xx-YY").embed
    assert embed is not None and embed.title == "Question 1 of 3"


@pytest.mark.parametrize("locale", i18n.SUPPORTED)
def test_a_true_false_question_speaks_the_channel_s_language(locale: str) -> None:
    """True/false options, their buttons and the reveal use the channel's words for true and false."""
    question = Question(
        question_id="tf-1",
        text="Water boils at 100 °C at sea level.",
        kind=QuestionKind.TRUE_FALSE,
        category="science",
        difficulty=Difficulty.EASY,
        explanation="At one atmosphere.",
        options=("True", "False"),
        answer_index=0,
    )
    yes, no = i18n.text(locale, "channel.option.true"), i18n.text(locale, "channel.option.false")
    posted = render(PostQuestion(0, 1, question, 1_800_000_030.0), (1 << 22, 5), 1, language=locale)
    assert [button.label for button in posted.buttons] == [f"A. {yes}", f"B. {no}"]
    revealed = render(Reveal(0, question, ()), (1 << 22, 5), 1, language=locale)
    assert revealed.embed is not None and yes in (revealed.embed.title or "")
