"""Turns what a session shows into Discord messages: embeds and buttons, checked against Discord's limits."""

from __future__ import annotations

from dataclasses import dataclass, field

import disnake
from babel.numbers import format_percent

from quizbot import i18n
from quizbot.actors.ports import (
    AchievementSummary,
    AchievementsUnlocked,
    ChannelEvent,
    Notice,
    RecoveryPrompt,
)
from quizbot.bot import teams_view
from quizbot.bot.catalogue import problem
from quizbot.bot.custom_ids import RECOVERY_CHOICES, answer_id, recovery_id, review_id
from quizbot.bot.reveal_view import cut as _cut
from quizbot.bot.reveal_view import report_button, reveal_embed, shown_options
from quizbot.game.achievements import Achievement
from quizbot.game.effects import (
    AnnounceEnd,
    AnnounceExpiry,
    OpenLobby,
    PostQuestion,
    Reveal,
    ShowHint,
    ShowScores,
    ShowTeams,
    Standing,
)
from quizbot.game.hints import Hint, HintKind
from quizbot.game.questions import QuestionKind
from quizbot.i18n import DEFAULT, LocaleLike, Param
from quizbot.i18n.achievements import achievement_words
from quizbot.i18n.languages import babel_name

BLURPLE, GREEN, GOLD, GREY, RED = 0x5865F2, 0x57F287, 0xFEE75C, 0x99AAB5, 0xED4245
MEDALS = ("🥇", "🥈", "🥉")
LETTERS = "ABCDE"
BAR_LENGTH = 10
TOP = 10
EMBEDS_TOTAL = 6000  # Discord's limit on all of a message's embeds together


@dataclass(frozen=True, slots=True)
class Rendered:
    """One Discord message: text, an embed, buttons, and the users it means to ping (no one else)."""

    content: str | None = None
    embed: disnake.Embed | None = None
    buttons: list[disnake.ui.Button[None]] = field(default_factory=list)
    pings: tuple[int, ...] = ()
    more: tuple[disnake.Embed, ...] = ()  # embeds after the first, when messages are combined

    @property
    def embeds(self) -> list[disnake.Embed]:
        """Every embed, in order."""
        return ([self.embed] if self.embed is not None else []) + list(self.more)

    @property
    def empty(self) -> bool:
        """Nothing to send (an achievement summary of a game where nobody unlocked anything)."""
        return self.content is None and self.embed is None and not self.more and not self.buttons

    @property
    def allowed_mentions(self) -> disnake.AllowedMentions:
        """Only `pings` may be pinged: never @everyone, @here or a role, whatever the text says."""
        return mentioning(*self.pings)


def display(name: str) -> str:
    """A stored or member name as plain text in a message: no markdown, no mentions."""
    return disnake.utils.escape_mentions(disnake.utils.escape_markdown(name))


def mentioning(*user_ids: int) -> disnake.AllowedMentions:
    """AllowedMentions that ping exactly these users (none when empty), never @everyone or roles."""
    users = [disnake.Object(user_id) for user_id in user_ids]
    return disnake.AllowedMentions(everyone=False, users=users or False, roles=False, replied_user=False)


def render(
    event: ChannelEvent,
    key: tuple[int, int],
    epoch: int,
    *,
    typed: bool = False,
    language: LocaleLike = DEFAULT,
) -> Rendered:
    """The message for one channel event, worded in `language` (the channel's); every embed is
    checked against Discord's limits."""
    return checked(_render(event, key, epoch, typed, i18n.resolve(language)))


def checked(rendered: Rendered) -> Rendered:
    """`rendered`, once each embed and all of them together are within Discord's limits."""
    for embed in rendered.embeds:
        embed.check_limits()
    if (total := sum(len(embed) for embed in rendered.embeds)) > EMBEDS_TOTAL:
        raise ValueError(f"the message's embeds hold {total} characters; Discord allows {EMBEDS_TOTAL}")
    return rendered


def combine(*parts: Rendered) -> Rendered:
    """Several messages as one: their text on separate lines, their embeds, buttons and pings in order."""
    texts = [part.content for part in parts if part.content]
    embeds = [embed for part in parts for embed in part.embeds]
    return checked(
        Rendered(
            content=_cut("\n".join(texts), 2000) if texts else None,
            embed=embeds[0] if embeds else None,
            buttons=[button for part in parts for button in part.buttons],
            pings=tuple(dict.fromkeys(user for part in parts for user in part.pings)),
            more=tuple(embeds[1:]),
        )
    )


def closed_question(question: Rendered, reveal: Reveal, language: LocaleLike = DEFAULT) -> Rendered:
    """A question's own message once it has closed: marked closed, its buttons disabled (the right
    answer's green), ready to be combined with the reveal and the scores into one edit."""
    embed = question.embed.copy() if question.embed is not None else None
    if embed is not None:
        progress = (embed.footer.text or "").split(" · ")[0]
        closed = i18n.text(language, "question_closed_footer")
        embed.set_footer(text=f"{progress} · {closed}" if progress else closed)
        embed.colour = GREY
    right = reveal.question.answer_index
    buttons = [
        disnake.ui.Button(
            style=disnake.ButtonStyle.success if number == right else disnake.ButtonStyle.secondary,
            label=button.label,
            custom_id=button.custom_id,
            disabled=True,
        )
        for number, button in enumerate(question.buttons)
    ]
    return Rendered(embed=embed, buttons=buttons)


def _render(event: ChannelEvent, key: tuple[int, int], epoch: int, typed: bool, lang: str) -> Rendered:  # noqa: PLR0911
    match event:
        case PostQuestion():
            return _question(event, key, epoch, typed, lang)
        case ShowHint():
            return _hint(event, lang)
        case Reveal():  # every revealed question can be reported
            return Rendered(embed=reveal_embed(event, lang), buttons=[report_button(event.question, lang)])
        case ShowScores() | OpenLobby() | ShowTeams():
            return _scores_or_teams(event, key, epoch, lang)
        case AnnounceEnd():
            return _podium(event, key, lang)
        case AnnounceExpiry(idle):
            text = _t(lang, "channel.expired", count=round(idle / 60))
            return Rendered(embed=disnake.Embed(description=text, colour=GREY))
        case RecoveryPrompt():
            return _recovery(event, key, epoch, lang)
        case AchievementsUnlocked(user_id, _, achievements):
            lines = "\n".join(_achievement_line(a, lang) for a in achievements)
            return Rendered(
                content=f"<@{user_id}>",
                embed=disnake.Embed(description=lines, colour=GOLD),
                pings=(user_id,),
            )
        case AchievementSummary(unlocked):
            return _summary(unlocked, lang)
        case Notice(notice):
            return Rendered(content=_cut(problem(notice, lang).text, 2000))
    raise TypeError(f"nothing renders {type(event).__name__}")


def _scores_or_teams(
    event: ShowScores | OpenLobby | ShowTeams, key: tuple[int, int], epoch: int, lang: str
) -> Rendered:
    """The scores so far (with a team game's teams), a team game's lobby, or its line-up."""
    match event:
        case OpenLobby():
            embed, buttons = teams_view.lobby(event, key, epoch, lang)
            return Rendered(embed=embed, buttons=buttons)
        case ShowTeams():
            return Rendered(embed=teams_view.lineup(event, lang))
    title = _t(lang, "channel.scores.title")
    embed = disnake.Embed(title=title, description=_table(event.standings, lang), colour=GREY)
    if event.teams:
        embed.add_field(
            _t(lang, "channel.teams.scores"), teams_view.team_table(event.teams, lang), inline=False
        )
    return Rendered(embed=embed)


def _achievement_line(achievement: Achievement, lang: str) -> str:
    name, about = achievement_words(achievement, lang)
    return _t(lang, "channel.achievement.line", name=_cut(name, 60), description=_cut(about, 120))


def _summary(unlocked: tuple[AchievementsUnlocked, ...], lang: str) -> Rendered:
    """Everyone's achievements of one game: one line a player, then what each achievement means."""
    players = [u for u in unlocked if u.achievements]
    if not players:
        return Rendered()
    separator = _t(lang, "channel.separator")
    lines = [
        _t(
            lang,
            "channel.achievement.player",
            mention=f"<@{u.user_id}>",
            names=separator.join(f"**{_cut(achievement_words(a, lang)[0], 60)}**" for a in u.achievements),
        )
        for u in players
    ]
    meanings = {a.achievement_id: _achievement_line(a, lang) for u in players for a in u.achievements}
    description = _cut("\n".join(lines), 2000) + "\n\n" + _cut("\n".join(meanings.values()), 1400)
    mentions, pings = "", []
    for u in players:  # ping only whom the text names, within Discord's 2,000 characters
        if len(mentions) + len(f" <@{u.user_id}>") > 2000:
            break
        mentions += f" <@{u.user_id}>"
        pings.append(u.user_id)
    return Rendered(
        content=mentions.strip(),
        embed=disnake.Embed(title=_t(lang, "achievements_unlocked"), description=description, colour=GOLD),
        pings=tuple(pings),
    )


def _question(event: PostQuestion, key: tuple[int, int], epoch: int, typed: bool, lang: str) -> Rendered:
    question = event.question
    done = round(BAR_LENGTH * event.index / event.total)
    progress = "▰" * done + "▱" * (BAR_LENGTH - done)
    embed = disnake.Embed(
        title=_t(lang, "channel.question.title", number=event.index + 1, total=event.total),
        description=f"**{_cut(question.text, 1000)}**",
        colour=BLURPLE,
    )
    embed.add_field(_t(lang, "channel.question.category"), _cut(question.category.title(), 1024), inline=True)
    difficulty = _t(lang, f"channel.difficulty.{question.difficulty.value}")
    embed.add_field(_t(lang, "channel.question.difficulty"), difficulty, inline=True)
    embed.add_field(
        _t(lang, "channel.question.closes"), disnake.utils.format_dt(event.deadline, "R"), inline=True
    )
    if typed or question.kind is QuestionKind.SHORT_ANSWER:
        embed.set_footer(text=f"{progress} · {_t(lang, 'channel.question.type_answer')}")
        return Rendered(embed=embed)
    options = shown_options(question, lang)
    lines = [f"**{LETTERS[i]}.** {_cut(option, 80)}" for i, option in enumerate(options)]
    embed.add_field(_t(lang, "channel.question.options"), "\n".join(lines), inline=False)
    embed.set_footer(text=f"{progress} · {_t(lang, 'channel.question.pick_answer')}")
    buttons = [
        disnake.ui.Button(
            style=disnake.ButtonStyle.primary,
            label=_cut(f"{LETTERS[i]}. {option}", 80),
            custom_id=answer_id(key, epoch, event.index, i),
        )
        for i, option in enumerate(options)
    ]
    return Rendered(embed=embed, buttons=buttons)


def _hint(event: ShowHint, lang: str) -> Rendered:
    title = _t(lang, "channel.hint.title", level=event.level, available=event.available)
    text = event.text if event.hint is None else hint_text(event.hint, lang)
    embed = disnake.Embed(title=title, description=_cut(text, 1000), colour=GOLD)
    percent = format_percent(event.points_share, locale=babel_name(lang))
    embed.set_footer(text=_t(lang, "channel.hint.worth", number=event.index + 1, percent=percent))
    return Rendered(embed=embed)


def hint_text(hint: Hint, language: LocaleLike = DEFAULT) -> str:
    """A hint worded in `language`; the question's own hints and the masked answers are content."""
    match hint.kind:
        case HintKind.LENGTH:
            letters = _t(language, "channel.hint.letters", count=hint.letters)
            if hint.words <= 1:
                return _t(language, "channel.hint.length", letters=letters)
            words = _t(language, "channel.hint.words", count=hint.words)
            return _t(language, "channel.hint.length_words", letters=letters, words=words)
        case HintKind.FIRST_LETTER:
            return _t(language, "channel.hint.first_letter", letter=hint.first, masked=hint.text)
        case HintKind.SOME_LETTERS:
            return _t(language, "channel.hint.some_letters", masked=hint.text)
        case HintKind.NOT:
            options = _t(language, "channel.separator").join(hint.struck)
            return _t(language, "channel.hint.not", options=options)
    return hint.text


def _podium(event: AnnounceEnd, key: tuple[int, int], lang: str) -> Rendered:
    title = _t(lang, "channel.end.finished" if event.outcome == "finished" else "channel.end.stopped")
    embed = disnake.Embed(title=title, colour=GOLD)
    podium = "\n".join(
        _t(lang, "channel.end.podium", medal=MEDALS[place], name=_cut(s.name, 32), count=s.points)
        for place, s in enumerate(event.standings[:3])
    )
    embed.description = podium or _t(lang, "channel.end.nobody")
    if event.teams:  # a team game: the winning team and its best player first, then every team's score
        won = teams_view.winner(event.teams, lang)
        embed.description = f"{won}\n\n{embed.description}" if won else embed.description
        embed.add_field(
            _t(lang, "channel.teams.scores"), teams_view.team_table(event.teams, lang), inline=False
        )
    if len(event.standings) > 3:
        embed.add_field(_t(lang, "channel.end.everyone"), _table(event.standings, lang), inline=False)
    return Rendered(embed=embed, buttons=_review_button(event, key, lang))


def _review_button(event: AnnounceEnd, key: tuple[int, int], lang: str) -> list[disnake.ui.Button[None]]:
    """A channel game's "Review what I missed", when someone got a question wrong (not in a study
    session's DM, guild 0)."""
    if key[0] == 0 or event.run_id is None or not any(s.wrong for s in event.standings):
        return []
    label = _cut(_t(lang, "channel.end.review"), 80)
    return [
        disnake.ui.Button(style=disnake.ButtonStyle.primary, label=label, custom_id=review_id(event.run_id))
    ]


def _recovery(event: RecoveryPrompt, key: tuple[int, int], epoch: int, lang: str) -> Rendered:
    where = _t(lang, "channel.recovery.stopped_at", number=event.index + 1, total=event.total)
    embed = disnake.Embed(
        title=_t(lang, "channel.recovery.title"),
        description=f"{where}\n{_t(lang, 'channel.recovery.choices')}",
        colour=BLURPLE,
    )
    if event.teams:  # a team game: its teams as they stand, and their buttons for late joiners
        embed.add_field(
            _t(lang, "channel.teams.scores"), teams_view.team_table(event.teams, lang), inline=False
        )
    if event.standings:
        embed.add_field(_t(lang, "channel.recovery.scores"), _table(event.standings, lang), inline=False)
    styles = {"continue": disnake.ButtonStyle.success, "new": disnake.ButtonStyle.primary}
    buttons = [
        disnake.ui.Button(
            style=styles.get(choice, disnake.ButtonStyle.danger),
            label=_cut(_t(lang, f"channel.recovery.{choice}"), 80),
            custom_id=recovery_id(key, epoch, event.index, choice),
        )
        for choice in RECOVERY_CHOICES
    ]
    return Rendered(
        embed=embed, buttons=buttons + teams_view.team_buttons(len(event.teams), key, epoch, lang)
    )


def _table(standings: tuple[Standing, ...], lang: str) -> str:
    words = i18n.active()
    rows = [
        words.text(
            lang,
            "channel.table.row",
            place=words.number(lang, place + 1).rjust(2),
            name=_cut(s.name, 32),
            points=s.points,
            correct=s.correct,
            wrong=s.wrong,
        )
        for place, s in enumerate(standings[:TOP])
    ]
    if len(standings) > TOP:
        rows.append(words.text(lang, "channel.table.more", count=len(standings) - TOP))
    return _cut("\n".join(rows), 1024) or words.text(lang, "channel.table.empty")


def _t(language: LocaleLike, key: str, /, **params: Param) -> str:
    """Message `key` of the channel's words in `language`."""
    return i18n.text(language, key, **params)
