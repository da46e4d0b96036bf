"""Button custom_ids: they carry the session key, its epoch and the question, checked on every click.

Format: `qb:<kind>:<guild>:<channel>:<epoch>:<index>:<value>`, at most 100 characters (Discord's
limit). A forged or malformed id parses to None; a stale one (old epoch or question) is refused
by the caller, which compares it with the live session.

A team game's lobby buttons are `qb:t:<guild>:<channel>:<epoch>:0:<1-4|balance|start>`: join team
1 to 4, Balance, or Start (the question index is always 0).

Study buttons belong to no session: "Review what I missed" is `qb:m:<run id, 32 hex digits>` and
/study reset's are `qb:z:<user>:<yes|no>` (the user who asked, the only one who may press them).

Report buttons belong to no session either: a reveal's Report is `qb:p:<question identity>`, and so
is the modal it opens; /settings reports' buttons are `qb:v:<h|d>:<page>:<identity>` (hide, dismiss)
and `qb:v:g:<page>` (go to a page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from quizbot.game.questions import is_identity

PREFIX = "qb"
MAX_LENGTH = 100
SNOWFLAKE_MAX = 2**63 - 1
_NUMBER = "([0-9]{1,20})"
_PATTERN = re.compile(
    rf"qb:([art]):{_NUMBER}:{_NUMBER}:{_NUMBER}:([0-9]{{1,2}}):([a-z0-9]{{1,12}})", re.ASCII
)


class ButtonKind(StrEnum):
    """What a button does."""

    ANSWER = "a"  # value: the option number
    RECOVERY = "r"  # value: continue | new | cancel
    REVIEW = "m"  # Review what I missed: qb:m:<run id>
    RESET = "z"  # /study reset: qb:z:<user>:<yes|no>
    TEAM = "t"  # a team game's lobby: value 1-4 (join that team), balance or start
    REPORT = "p"  # a reveal's Report (and its modal): qb:p:<question identity>
    REPORTS = "v"  # /settings reports: qb:v:<h|d>:<page>:<identity> or qb:v:g:<page>


RECOVERY_CHOICES = ("continue", "new", "cancel")
RESET_CHOICES = ("yes", "no")
TEAM_CHOICES = ("1", "2", "3", "4", "balance", "start")
_REVIEW_PATTERN = re.compile(r"qb:m:([0-9a-f]{32})", re.ASCII)
_RESET_PATTERN = re.compile(rf"qb:z:{_NUMBER}:(yes|no)", re.ASCII)
_REPORT_PATTERN = re.compile(r"qb:p:(q1_[A-Za-z0-9_-]{22})", re.ASCII)
_PAGE = "(0|[1-9][0-9]{0,3})"  # a page number, 0 to 9999, as encoded (no leading zeros)
_REPORTS_PATTERN = re.compile(rf"qb:v:(?:([hd]):{_PAGE}:(q1_[A-Za-z0-9_-]{{22}})|g:{_PAGE})", re.ASCII)


@dataclass(frozen=True, slots=True)
class ButtonId:
    """The parts of a quizbot button's custom_id."""

    kind: ButtonKind
    guild_id: int
    channel_id: int
    epoch: int
    index: int
    value: str

    @property
    def key(self) -> tuple[int, int]:
        return (self.guild_id, self.channel_id)

    def encode(self) -> str:
        """The custom_id text (checked against Discord's 100-character limit)."""
        parts = (PREFIX, self.kind.value, self.guild_id, self.channel_id, self.epoch, self.index, self.value)
        text = ":".join(str(part) for part in parts)
        if len(text) > MAX_LENGTH or parse(text) != self:
            raise ValueError(f"cannot encode {self!r} as a custom_id")
        return text


def answer_id(key: tuple[int, int], epoch: int, index: int, option: int) -> str:
    """The custom_id of an answer button."""
    return ButtonId(ButtonKind.ANSWER, key[0], key[1], epoch, index, str(option)).encode()


def recovery_id(key: tuple[int, int], epoch: int, index: int, choice: str) -> str:
    """The custom_id of a recovery prompt button (continue, new or cancel)."""
    return ButtonId(ButtonKind.RECOVERY, key[0], key[1], epoch, index, choice).encode()


def team_id(key: tuple[int, int], epoch: int, choice: str) -> str:
    """The custom_id of a lobby button: a team's number (from 1), balance or start."""
    return ButtonId(ButtonKind.TEAM, key[0], key[1], epoch, 0, choice).encode()


def parse(custom_id: str) -> ButtonId | None:
    """The parts of a quizbot custom_id, or None if it is not one (malformed, forged, out of range)."""
    if len(custom_id) > MAX_LENGTH:
        return None
    match = _PATTERN.fullmatch(custom_id)
    if match is None:
        return None
    kind, guild, channel, epoch, index, value = match.groups()
    numbers = (int(guild), int(channel), int(epoch))
    if any(n > SNOWFLAKE_MAX for n in numbers) or int(index) >= 20:
        return None
    button = ButtonId(ButtonKind(kind), *numbers, int(index), value)
    return button if _value_fits(button) else None


def _value_fits(button: ButtonId) -> bool:
    """Whether a button's value is one its kind has: an option 0-4, a recovery choice, or a lobby's
    team, balance or start (at index 0)."""
    match button.kind:
        case ButtonKind.ANSWER:
            return button.value.isdigit() and int(button.value) < 5
        case ButtonKind.RECOVERY:
            return button.value in RECOVERY_CHOICES
        case ButtonKind.TEAM:
            return button.value in TEAM_CHOICES and button.index == 0
    return False


def review_id(run_id: UUID) -> str:
    """The custom_id of a podium's "Review what I missed" button: the game's run id."""
    return f"{PREFIX}:{ButtonKind.REVIEW.value}:{run_id.hex}"


def parse_review(custom_id: str) -> UUID | None:
    """The run id of a "Review what I missed" button, or None if the id is not exactly one."""
    match = _REVIEW_PATTERN.fullmatch(custom_id) if len(custom_id) <= MAX_LENGTH else None
    return None if match is None else UUID(hex=match.group(1))


@dataclass(frozen=True, slots=True)
class ResetButton:
    """A /study reset button: whose data it deletes, and whether it confirms or cancels."""

    user_id: int
    confirm: bool

    def encode(self) -> str:
        """The custom_id text."""
        choice = RESET_CHOICES[0] if self.confirm else RESET_CHOICES[1]
        return f"{PREFIX}:{ButtonKind.RESET.value}:{self.user_id}:{choice}"


def parse_reset(custom_id: str) -> ResetButton | None:
    """The parts of a /study reset button's id, or None if it is not exactly one (a user id out of
    range included)."""
    match = _RESET_PATTERN.fullmatch(custom_id) if len(custom_id) <= MAX_LENGTH else None
    if match is None or not 0 < int(match.group(1)) <= SNOWFLAKE_MAX:
        return None
    return ResetButton(int(match.group(1)), match.group(2) == RESET_CHOICES[0])


def is_study_button(custom_id: str) -> bool:
    """True for an id of the study kinds (well-formed or not), which the study cog answers alone."""
    return _of_kinds(custom_id, ButtonKind.REVIEW, ButtonKind.RESET)


def is_report_button(custom_id: str) -> bool:
    """True for an id of the report kinds (well-formed or not), which the reports cog answers alone."""
    return _of_kinds(custom_id, ButtonKind.REPORT, ButtonKind.REPORTS)


def _of_kinds(custom_id: str, *kinds: ButtonKind) -> bool:
    return any(custom_id.startswith(f"{PREFIX}:{kind.value}:") for kind in kinds)


def report_id(identity: str) -> str:
    """The custom_id of a reveal's Report button, and of the modal it opens: the question's identity."""
    if not is_identity(identity):
        raise ValueError(f"cannot encode {identity!r} as a report id")
    return f"{PREFIX}:{ButtonKind.REPORT.value}:{identity}"


def parse_report(custom_id: str) -> str | None:
    """The question identity a Report button (or its modal) names, or None if it is not exactly one."""
    match = _REPORT_PATTERN.fullmatch(custom_id) if len(custom_id) <= MAX_LENGTH else None
    return None if match is None else match.group(1)


class ReportsAction(StrEnum):
    """What a /settings reports button does."""

    HIDE = "h"  # hide the question in this server
    DISMISS = "d"  # dismiss its reports
    PAGE = "g"  # show another page


@dataclass(frozen=True, slots=True)
class ReportsButton:
    """A /settings reports button: its action, the page it was shown on (or goes to), its question."""

    action: ReportsAction
    page: int
    identity: str | None = None

    def encode(self) -> str:
        """The custom_id text (checked by parsing it back)."""
        tail = f"{self.page}" if self.identity is None else f"{self.page}:{self.identity}"
        text = f"{PREFIX}:{ButtonKind.REPORTS.value}:{self.action.value}:{tail}"
        if parse_reports(text) != self:
            raise ValueError(f"cannot encode {self!r} as a custom_id")
        return text


def parse_reports(custom_id: str) -> ReportsButton | None:
    """The parts of a /settings reports button's id, or None if it is not exactly one."""
    match = _REPORTS_PATTERN.fullmatch(custom_id) if len(custom_id) <= MAX_LENGTH else None
    if match is None:
        return None
    action, page, identity, goes_to = match.groups()
    if goes_to is not None:
        return ReportsButton(ReportsAction.PAGE, int(goes_to))
    return ReportsButton(ReportsAction(action), int(page), identity)
