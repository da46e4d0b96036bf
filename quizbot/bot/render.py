"""Turns what a session shows into Discord messages: embeds and buttons, checked against Discord's limits."""

from __future__ import annotations

from dataclasses import dataclass, field

import disnake

from quizbot.actors.ports import (
    AchievementSummary,
    AchievementsUnlocked,
    ChannelEvent,
    Notice,
    RecoveryPrompt,
)
from quizbot.bot.catalogue import MESSAGES, problem
from quizbot.bot.custom_ids import RECOVERY_CHOICES, answer_id, recovery_id
from quizbot.game.effects import (
    AnnounceEnd,
    AnnounceExpiry,
    PostQuestion,
    Reveal,
    ShowHint,
    ShowScores,
    Standing,
)
from quizbot.game.questions import QuestionKind

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


def mentioning(*user_ids: int) -> disnake.AllowedMentions:
    """AllowedMentions that ping exactly these users (none when empty), never @everyone or roles."""
    users = [disnake.Object(user_id) for user_id in user_ids]
    return disnake.AllowedMentions(everyone=False, users=users or False, roles=False, replied_user=False)


def render(event: ChannelEvent, key: tuple[int, int], epoch: int, *, typed: bool = False) -> Rendered:
    """The message for one channel event; every embed is checked against Discord's limits."""
    return checked(_render(event, key, epoch, typed))


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


def closed_question(question: Rendered, reveal: Reveal) -> Rendered:
    """A question's own message once it has closed: marked closed, its buttons disabled (the right
    answer's green), ready to be combined with the reveal and the scores into one edit."""
    embed = question.embed.copy() if question.embed is not None else None
    if embed is not None:
        progress = (embed.footer.text or "").split(" · ")[0]
        closed = MESSAGES["question_closed_footer"]
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


def _render(event: ChannelEvent, key: tuple[int, int], epoch: int, typed: bool) -> Rendered:  # noqa: PLR0911
    match event:
        case PostQuestion():
            return _question(event, key, epoch, typed)
        case ShowHint(index, level, available, text, share):
            embed = disnake.Embed(
                title=f"💡 Hint {level}/{available}", description=_cut(text, 1000), colour=GOLD
            )
            embed.set_footer(text=f"Question {index + 1} is now worth {share:.0%} of its points.")
            return Rendered(embed=embed)
        case Reveal():
            return _reveal(event)
        case ShowScores(standings):
            return Rendered(
                embed=disnake.Embed(title="📊 Scores", description=_table(standings), colour=GREY)
            )
        case AnnounceEnd():
            return _podium(event)
        case AnnounceExpiry(idle):
            text = f"⏰ This quiz expired after {round(idle / 60)} minutes without activity."
            return Rendered(embed=disnake.Embed(description=text, colour=GREY))
        case RecoveryPrompt():
            return _recovery(event, key, epoch)
        case AchievementsUnlocked(user_id, _, achievements):
            lines = "\n".join(f"🏅 **{_cut(a.name, 60)}** — {_cut(a.description, 120)}" for a in achievements)
            return Rendered(
                content=f"<@{user_id}>",
                embed=disnake.Embed(description=lines, colour=GOLD),
                pings=(user_id,),
            )
        case AchievementSummary(unlocked):
            return _summary(unlocked)
        case Notice(notice):
            return Rendered(content=_cut(problem(notice).text, 2000))
    raise TypeError(f"nothing renders {type(event).__name__}")


def _summary(unlocked: tuple[AchievementsUnlocked, ...]) -> Rendered:
    """Everyone's achievements of one game: one line a player, then what each achievement means."""
    players = [u for u in unlocked if u.achievements]
    if not players:
        return Rendered()
    lines = [
        f"<@{u.user_id}>: " + ", ".join(f"**{_cut(a.name, 60)}**" for a in u.achievements) for u in players
    ]
    meanings = {
        a.achievement_id: f"🏅 **{_cut(a.name, 60)}** — {_cut(a.description, 120)}"
        for u in players
        for a in u.achievements
    }
    description = _cut("\n".join(lines), 2000) + "\n\n" + _cut("\n".join(meanings.values()), 1400)
    mentions, pings = "", []
    for u in players:  # ping only whom the text names, within Discord's 2,000 characters
        if len(mentions) + len(f" <@{u.user_id}>") > 2000:
            break
        mentions += f" <@{u.user_id}>"
        pings.append(u.user_id)
    return Rendered(
        content=mentions.strip(),
        embed=disnake.Embed(title=MESSAGES["achievements_unlocked"], description=description, colour=GOLD),
        pings=tuple(pings),
    )


def _question(event: PostQuestion, key: tuple[int, int], epoch: int, typed: bool) -> Rendered:
    question = event.question
    done = round(BAR_LENGTH * event.index / event.total)
    progress = "▰" * done + "▱" * (BAR_LENGTH - done)
    embed = disnake.Embed(
        title=f"Question {event.index + 1} of {event.total}",
        description=f"**{_cut(question.text, 1000)}**",
        colour=BLURPLE,
    )
    embed.add_field("Category", question.category.title(), inline=True)
    embed.add_field("Difficulty", question.difficulty.value.title(), inline=True)
    embed.add_field("Closes", disnake.utils.format_dt(event.deadline, "R"), inline=True)
    if typed or question.kind is QuestionKind.SHORT_ANSWER:
        embed.set_footer(text=f"{progress} · Type your answer in this channel.")
        return Rendered(embed=embed)
    lines = [f"**{LETTERS[i]}.** {_cut(option, 80)}" for i, option in enumerate(question.options)]
    embed.add_field("Options", "\n".join(lines), inline=False)
    embed.set_footer(text=f"{progress} · Pick an answer; you can change it until the question closes.")
    buttons = [
        disnake.ui.Button(
            style=disnake.ButtonStyle.primary,
            label=_cut(f"{LETTERS[i]}. {option}", 80),
            custom_id=answer_id(key, epoch, event.index, i),
        )
        for i, option in enumerate(question.options)
    ]
    return Rendered(embed=embed, buttons=buttons)


def _reveal(event: Reveal) -> Rendered:
    question = event.question
    right = [r for r in event.results if r.correct]
    embed = disnake.Embed(
        title=f"✅ The answer: {_cut(question.correct_text, 200)}",
        description=_cut(question.explanation, 1000) or None,
        colour=GREEN,
    )
    if right:
        names = ", ".join(f"{_cut(r.name, 32)} (+{r.points})" for r in right[:TOP])
        more = f" and {len(right) - TOP} more" if len(right) > TOP else ""
        embed.add_field("Got it right", _cut(names + more, 1000), inline=False)
    else:
        embed.add_field("Got it right", "Nobody this time.", inline=False)
    return Rendered(embed=embed)


def _podium(event: AnnounceEnd) -> Rendered:
    title = "🏁 The quiz is over!" if event.outcome == "finished" else "🛑 The quiz was stopped."
    embed = disnake.Embed(title=title, colour=GOLD)
    podium = "\n".join(
        f"{MEDALS[place]} **{_cut(s.name, 32)}** — {s.points} points"
        for place, s in enumerate(event.standings[:3])
    )
    embed.description = podium or "Nobody answered."
    if len(event.standings) > 3:
        embed.add_field("Everyone", _table(event.standings), inline=False)
    return Rendered(embed=embed)


def _recovery(event: RecoveryPrompt, key: tuple[int, int], epoch: int) -> Rendered:
    embed = disnake.Embed(
        title="🔄 The quiz was interrupted by a restart",
        description=(
            f"It stopped at question {event.index + 1} of {event.total}, with every score kept.\n"
            "The host or a moderator can continue it, start a new one, or cancel it."
        ),
        colour=BLURPLE,
    )
    if event.standings:
        embed.add_field("Scores so far", _table(event.standings), inline=False)
    styles = {"continue": disnake.ButtonStyle.success, "new": disnake.ButtonStyle.primary}
    buttons = [
        disnake.ui.Button(
            style=styles.get(choice, disnake.ButtonStyle.danger),
            label={"continue": "Continue", "new": "Start new", "cancel": "Cancel"}[choice],
            custom_id=recovery_id(key, epoch, event.index, choice),
        )
        for choice in RECOVERY_CHOICES
    ]
    return Rendered(embed=embed, buttons=buttons)


def _table(standings: tuple[Standing, ...]) -> str:
    rows = [
        f"`{place + 1:>2}.` {_cut(s.name, 32)} — **{s.points}** ({s.correct}✓ {s.wrong}✗)"
        for place, s in enumerate(standings[:TOP])
    ]
    if len(standings) > TOP:
        rows.append(f"…and {len(standings) - TOP} more")
    return _cut("\n".join(rows), 1024) or "No scores yet."


def _cut(text: str, limit: int) -> str:
    """`text` shortened to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
