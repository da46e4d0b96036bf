"""Question reports and hidden questions over PostgreSQL: once per player, the hourly rate limit, bad
values refused with nothing stored, a guild's paged list, hiding per guild or everywhere, dismissing,
and the owner's flag once several servers report a question."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from quizbot.errors import InvalidValue
from quizbot.storage.pool import Database
from quizbot.storage.reports import (
    EVERYWHERE,
    FLAG_GUILDS,
    MAX_NOTE,
    REPORTS_PER_HOUR,
    Filed,
    count_flagged,
    count_open_reports,
    dismiss_reports,
    file_report,
    flagged_questions,
    has_reported,
    hidden_for,
    hide_question,
    is_hidden,
    is_rate_limited,
    open_reports,
)

GUILD = 42 << 22
OTHER = 43 << 22
ADMIN = 9
NOON = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
Q1 = "q1_" + "A" * 22
Q2 = "q1_" + "B" * 22
Q3 = "q1_" + "C" * 22


def question(n: int) -> str:
    """The n-th made-up identity, distinct from Q1 to Q3."""
    return f"q1_{n:022d}"


async def report(
    db: Database,
    question_id: str,
    user_id: int,
    *,
    guild_id: int = GUILD,
    reason: str = "wrong",
    note: str = "",
    now: datetime = NOON,
) -> Filed:
    return await file_report(
        db, question_id=question_id, user_id=user_id, guild_id=guild_id, reason=reason, note=note, now=now
    )


async def stored_reports(db: Database) -> int:
    async def read(conn: asyncpg.Connection) -> int:
        return int(await conn.fetchval("SELECT count(*) FROM question_reports"))

    return await db.run(read)


async def test_a_player_reports_a_question_once(db: Database) -> None:
    """The second report of the same question by the same player is refused as already filed."""
    assert not await has_reported(db, question_id=Q1, user_id=1)
    assert await report(db, Q1, 1, note="Canberra is the capital") is Filed.FILED
    assert await has_reported(db, question_id=Q1, user_id=1)
    assert await report(db, Q1, 1, reason="unclear", guild_id=OTHER) is Filed.ALREADY
    assert not await has_reported(db, question_id=Q1, user_id=2)
    assert await report(db, Q1, 2) is Filed.FILED
    assert await stored_reports(db) == 2


async def test_reports_are_rate_limited_per_user_across_guilds(db: Database) -> None:
    """REPORTS_PER_HOUR reports in an hour, in any guilds; the next is refused until an hour has passed."""
    for n in range(REPORTS_PER_HOUR):
        guild = GUILD if n % 2 else OTHER
        assert (
            await report(db, question(n), 7, guild_id=guild, now=NOON + timedelta(minutes=n)) is Filed.FILED
        )
    later = NOON + timedelta(minutes=30)
    assert await is_rate_limited(db, user_id=7, now=later)
    assert await report(db, Q1, 7, now=later) is Filed.RATE_LIMITED
    assert await report(db, Q1, 8, now=later) is Filed.FILED  # another player is not limited
    assert await stored_reports(db) == REPORTS_PER_HOUR + 1
    an_hour_on = NOON + timedelta(hours=1)  # the first report falls out of the window
    assert not await is_rate_limited(db, user_id=7, now=an_hour_on)
    assert await report(db, Q1, 7, now=an_hour_on) is Filed.FILED


async def test_a_repeat_while_rate_limited_says_already(db: Database) -> None:
    """A player who already reported the question hears that, not the rate limit."""
    for n in range(REPORTS_PER_HOUR):
        await report(db, question(n), 7)
    assert await report(db, question(0), 7) is Filed.ALREADY


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"reason": "boring"}, "reason"),
        ({"reason": ""}, "reason"),
        ({"note": "x" * (MAX_NOTE + 1)}, "note"),
        ({"note": "nul \x00 inside"}, "NUL"),
        ({"question_id": "science-012"}, "identity"),
        ({"question_id": Q1 + "\n"}, "identity"),
        ({"user_id": -1}, "user_id"),
        ({"guild_id": True}, "guild_id"),
        ({"now": datetime(2026, 11, 18, 12, 0)}, "time zone"),  # naive: refused
    ],
)
async def test_bad_values_are_refused_with_nothing_stored(
    db: Database, fields: dict[str, object], problem: str
) -> None:
    """A bad reason, an over-long note, a malformed identity or id: InvalidValue, no row."""
    values: dict[str, object] = {
        "question_id": Q1,
        "user_id": 1,
        "guild_id": GUILD,
        "reason": "wrong",
        "note": "",
        "now": NOON,
    } | fields
    with pytest.raises(InvalidValue, match=problem):
        await file_report(db, **values)  # type: ignore[arg-type]
    assert await stored_reports(db) == 0


async def test_a_note_of_exactly_the_limit_is_kept(db: Database) -> None:
    """MAX_NOTE characters (counted as PostgreSQL counts them: code points) is allowed."""
    note = "é" * MAX_NOTE
    assert await report(db, Q1, 1, note=note) is Filed.FILED
    [summary] = await open_reports(db, GUILD, limit=10)
    assert summary.notes == (note,)


async def test_the_guild_list_counts_reasons_and_keeps_the_latest_notes(db: Database) -> None:
    """Most reported first, then most recent; reasons counted in REASONS order; three latest notes."""
    notes = ["first", "", "second", "third", "fourth"]
    for n, note in enumerate(notes):
        reason = "outdated" if n % 2 else "wrong"
        await report(db, Q1, 100 + n, reason=reason, note=note, now=NOON + timedelta(minutes=n))
    await report(db, Q2, 1, reason="unclear", now=NOON + timedelta(hours=1))
    await report(db, Q3, 1, reason="offensive", now=NOON + timedelta(hours=2))
    await report(db, Q3, 2, guild_id=OTHER)  # another guild's report is not this guild's

    first, second, third = await open_reports(db, GUILD, limit=10)
    assert first.question_id == Q1 and first.count == 5
    assert list(first.reasons.items()) == [("wrong", 3), ("outdated", 2)]
    assert first.notes == ("fourth", "third", "second")
    assert (first.first_reported, first.last_reported) == (NOON, NOON + timedelta(minutes=4))
    assert [second.question_id, third.question_id] == [Q3, Q2]  # equal counts: most recent first
    assert await count_open_reports(db, GUILD) == 3
    assert await count_open_reports(db, OTHER) == 1
    page = await open_reports(db, GUILD, limit=1, offset=1)
    assert [s.question_id for s in page] == [Q3]
    assert await open_reports(db, GUILD, limit=1, offset=3) == []


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (101, 0), (10, -1), (True, 0)])
async def test_a_bad_page_is_refused(db: Database, limit: int, offset: int) -> None:
    with pytest.raises(InvalidValue):
        await open_reports(db, GUILD, limit=limit, offset=offset)


async def test_hiding_for_a_guild_settles_its_reports_only(db: Database) -> None:
    """A guild's hide takes the question out of that guild's play and list; the other guild's stays."""
    await report(db, Q1, 1)
    await report(db, Q1, 2, guild_id=OTHER)
    assert await hide_question(db, guild_id=GUILD, question_id=Q1, hidden_by=ADMIN, reason="")
    assert not await hide_question(db, guild_id=GUILD, question_id=Q1, hidden_by=ADMIN, reason="again")
    assert await hidden_for(db, GUILD) == {Q1}
    assert await hidden_for(db, OTHER) == frozenset()
    assert await is_hidden(db, guild_id=GUILD, question_id=Q1)
    assert not await is_hidden(db, guild_id=OTHER, question_id=Q1)
    assert await count_open_reports(db, GUILD) == 0
    assert [s.question_id for s in await open_reports(db, OTHER, limit=5)] == [Q1]


async def test_a_report_after_the_hide_does_not_list_it_again(db: Database) -> None:
    """A report from an old message of a question hidden in that guild stays off its list."""
    await hide_question(db, guild_id=GUILD, question_id=Q1, hidden_by=ADMIN, reason="")
    assert await report(db, Q1, 1) is Filed.FILED
    assert await open_reports(db, GUILD, limit=5) == []
    assert await count_open_reports(db, GUILD) == 0


async def test_hiding_everywhere_hides_it_in_every_guild_and_dms(db: Database) -> None:
    """The owner's hide (guild 0) is in every guild's hidden set, a DM's too, and settles every report."""
    await report(db, Q1, 1)
    await report(db, Q1, 2, guild_id=OTHER)
    await hide_question(db, guild_id=GUILD, question_id=Q2, hidden_by=ADMIN, reason="")
    assert await hide_question(db, guild_id=EVERYWHERE, question_id=Q1, hidden_by=0, reason="wrong capital")
    assert await hidden_for(db, GUILD) == {Q1, Q2}
    assert await hidden_for(db, OTHER) == {Q1}
    assert await hidden_for(db, 0) == {Q1}
    assert await count_open_reports(db, GUILD) == 0
    assert await count_open_reports(db, OTHER) == 0


async def test_an_over_long_hide_reason_is_refused(db: Database) -> None:
    with pytest.raises(InvalidValue, match="reason"):
        await hide_question(db, guild_id=GUILD, question_id=Q1, hidden_by=ADMIN, reason="x" * (MAX_NOTE + 1))
    assert await hidden_for(db, GUILD) == frozenset()


async def test_dismissing_keeps_the_question_in_play(db: Database) -> None:
    """Dismiss settles only that guild's open reports; the question is not hidden, the player not freed."""
    await report(db, Q1, 1)
    await report(db, Q1, 2)
    await report(db, Q1, 3, guild_id=OTHER)
    assert await dismiss_reports(db, guild_id=GUILD, question_id=Q1) == 2
    assert await dismiss_reports(db, guild_id=GUILD, question_id=Q1) == 0
    assert await hidden_for(db, GUILD) == frozenset()
    assert await count_open_reports(db, GUILD) == 0
    assert await count_open_reports(db, OTHER) == 1
    assert await report(db, Q1, 1) is Filed.ALREADY


async def test_a_question_is_flagged_once_enough_servers_report_it(db: Database) -> None:
    """FLAG_GUILDS distinct servers flag it; DMs and many reports from one server do not."""
    guilds = [GUILD + n for n in range(FLAG_GUILDS)]
    for user, guild in enumerate(guilds[:-1]):
        await report(db, Q1, user, guild_id=guild)
    for user in range(10, 15):
        await report(db, Q1, user, guild_id=GUILD)  # one server, many players
    await report(db, Q1, 20, guild_id=0, reason="unclear")  # a DM is not a server
    assert await flagged_questions(db) == []
    assert await count_flagged(db) == 0

    await report(db, Q1, 30, guild_id=guilds[-1], reason="outdated")
    [flagged] = await flagged_questions(db)
    assert (flagged.question_id, flagged.guilds, flagged.reports) == (Q1, FLAG_GUILDS, FLAG_GUILDS + 6)
    assert flagged.reasons == {"wrong": FLAG_GUILDS + 4, "unclear": 1, "outdated": 1}
    assert await count_flagged(db) == 1


async def test_a_guild_hide_still_counts_towards_the_flag_but_a_dismissal_does_not(db: Database) -> None:
    """Servers that hid the question still say it is wrong; a server that dismissed it does not."""
    guilds = [GUILD + n for n in range(FLAG_GUILDS)]
    for user, guild in enumerate(guilds):
        await report(db, Q1, user, guild_id=guild)
    await hide_question(db, guild_id=guilds[0], question_id=Q1, hidden_by=ADMIN, reason="")
    assert [f.question_id for f in await flagged_questions(db)] == [Q1]
    await dismiss_reports(db, guild_id=guilds[1], question_id=Q1)
    assert await flagged_questions(db) == []
    assert [f.question_id for f in await flagged_questions(db, min_guilds=FLAG_GUILDS - 1)] == [Q1]


async def test_hiding_everywhere_clears_the_flag(db: Database) -> None:
    for user in range(FLAG_GUILDS):
        await report(db, Q1, user, guild_id=GUILD + user)
    assert await count_flagged(db) == 1
    await hide_question(db, guild_id=EVERYWHERE, question_id=Q1, hidden_by=0, reason="fixed in the bank")
    assert await flagged_questions(db) == []
    assert await count_flagged(db) == 0


async def test_reports_sent_at_once_never_pass_the_limit_together(db: Database) -> None:
    """Twice the hour's allowance sent at the same moment: exactly REPORTS_PER_HOUR are filed."""
    outcomes = await asyncio.gather(
        *(report(db, question(n), 7, now=NOON) for n in range(2 * REPORTS_PER_HOUR))
    )
    assert outcomes.count(Filed.FILED) == REPORTS_PER_HOUR
    assert outcomes.count(Filed.RATE_LIMITED) == REPORTS_PER_HOUR
    assert await stored_reports(db) == REPORTS_PER_HOUR
