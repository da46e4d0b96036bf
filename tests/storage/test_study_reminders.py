"""Study reminders over PostgreSQL (each claimed once, by one process, in the player's zone), the
questions a player missed in a game, and /study reset."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest

from quizbot.storage.answers import record_answers
from quizbot.storage.pool import Database
from quizbot.storage.study import (
    cards_due,
    claim_reminders,
    missed_questions,
    reset_study,
    set_new_per_day,
    set_reminder,
    set_time_zone,
    stop_reminders,
    study_settings,
)
from tests.database import connect_to_schema
from tests.storage.factories import NOON, answer, batch
from tests.storage.study_rows import count, identity, put_card, put_review

DAY = timedelta(days=1)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def remind_next(db: Database, user_id: int) -> datetime | None:
    return (await study_settings(db, user_id)).remind_next


# --- setting a reminder ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "now", "at", "first"),
    [
        ("Europe/Berlin", utc(2026, 11, 18, 6, 0), time(8, 0), utc(2026, 11, 18, 7, 0)),  # still ahead
        ("Europe/Berlin", utc(2026, 11, 18, 6, 0), time(6, 30), utc(2026, 11, 19, 5, 30)),  # passed
        ("Europe/Berlin", utc(2026, 11, 18, 6, 0), time(7, 0), utc(2026, 11, 19, 6, 0)),  # it is 7:00
        ("Asia/Tokyo", utc(2026, 11, 18, 16, 0), time(0, 30), utc(2026, 11, 18, 15, 30) + DAY),
        # The day the clocks change: 08:00 on 29 March is CEST, 1 November 09:00 in New York is EST.
        ("Europe/Berlin", utc(2026, 3, 28, 12, 0), time(8, 0), utc(2026, 3, 29, 6, 0)),
        ("America/New_York", utc(2026, 10, 31, 16, 0), time(9, 0), utc(2026, 11, 1, 14, 0)),
    ],
)
async def test_a_reminder_falls_at_the_next_local_time(
    db: Database, zone: str, now: datetime, at: time, first: datetime
) -> None:
    """Today if that time is still ahead in the player's zone, else tomorrow; DST days included."""
    await set_time_zone(db, 1, zone, now)
    assert await set_reminder(db, 1, at, now) == first
    assert await remind_next(db, 1) == first


async def test_a_reminder_with_no_zone_uses_the_servers_then_utc(db: Database) -> None:
    """No setting of their own: the server's zone where they asked, else UTC."""
    now = utc(2026, 11, 18, 6, 0)
    assert await set_reminder(db, 1, time(8, 0), now) == utc(2026, 11, 18, 8, 0)
    assert await set_reminder(db, 2, time(8, 0), now, server_zone="Asia/Tokyo") == utc(2026, 11, 18, 23, 0)


async def test_changing_the_time_zone_moves_a_pending_reminder(db: Database) -> None:
    """A reminder at 08:00 UTC becomes 08:00 in Tokyo when the player moves there; a player with no
    reminder gets none from a zone change."""
    now = utc(2026, 11, 18, 12, 0)  # 21:00 in Tokyo
    await set_reminder(db, 1, time(8, 0), now)
    assert await remind_next(db, 1) == utc(2026, 11, 19, 8, 0)
    await set_time_zone(db, 1, "Asia/Tokyo", now)
    assert await remind_next(db, 1) == utc(2026, 11, 18, 23, 0)
    await set_time_zone(db, 2, "Asia/Tokyo", now)
    assert (await study_settings(db, 2)).remind_next is None
    await set_new_per_day(db, 1, 3)  # other settings leave the reminder where it is
    settings = await study_settings(db, 1)
    assert (settings.remind_next, settings.remind_at, settings.time_zone) == (
        utc(2026, 11, 18, 23, 0),
        time(8, 0),
        "Asia/Tokyo",
    )


async def test_stopping_reminders(db: Database) -> None:
    """After stop, a reminder that was due is never claimed; stopping twice says there was none."""
    now = utc(2026, 11, 18, 6, 0)
    await set_reminder(db, 1, time(7, 0), now)
    assert await stop_reminders(db, 1) is True
    assert await stop_reminders(db, 1) is False
    assert await stop_reminders(db, 2) is False
    assert await claim_reminders(db, now + DAY) == []
    settings = await study_settings(db, 1)
    assert (settings.remind_at, settings.remind_next) == (None, None)


# --- claiming reminders ---------------------------------------------------------------------------


async def test_each_due_reminder_is_claimed_once_and_moves_to_the_next_day(db: Database) -> None:
    """Claimed at its moment with its zone (cards due are counted apart), then due the next local day."""
    now = utc(2026, 11, 18, 6, 0)
    await set_time_zone(db, 1, "Europe/Berlin", now)
    await set_reminder(db, 1, time(8, 0), now)  # 07:00 UTC
    await set_reminder(db, 2, time(7, 0), now)  # UTC, 07:00 UTC
    await set_reminder(db, 3, time(9, 0), now)  # not yet due
    await put_card(db, 1, 1, now - DAY)
    await put_card(db, 1, 2, now + timedelta(minutes=30))
    await put_card(db, 1, 3, now + DAY)
    sweep = utc(2026, 11, 18, 7, 0)
    claimed = {r.user_id: r for r in await claim_reminders(db, sweep)}
    assert set(claimed) == {1, 2}
    assert (claimed[1].scheduled, claimed[1].time_zone) == (sweep, "Europe/Berlin")
    assert (claimed[2].scheduled, claimed[2].time_zone) == (sweep, "UTC")
    assert await cards_due(db, [1, 2], sweep) == {1: 2}  # 2 has none due: absent
    assert await cards_due(db, [], sweep) == {}
    assert await claim_reminders(db, sweep) == []
    assert await remind_next(db, 1) == sweep + DAY
    assert sorted(r.user_id for r in await claim_reminders(db, sweep + DAY)) == [1, 2, 3]


async def test_a_reminder_set_in_the_servers_zone_stays_in_it(db: Database) -> None:
    """A player with no zone of their own who set 08:00 in a Tokyo server is reminded at 08:00 Tokyo
    time every day, not at 08:00 UTC after the first."""
    now = utc(2026, 11, 18, 12, 0)
    first = await set_reminder(db, 1, time(8, 0), now, server_zone="Asia/Tokyo")
    [claimed] = await claim_reminders(db, first)
    assert claimed.time_zone == "Asia/Tokyo"
    assert await remind_next(db, 1) == first + DAY


async def test_a_reminder_missed_during_downtime_is_claimed_once(db: Database) -> None:
    """Due three days ago: claimed once with its old moment (the sender judges whether it is still
    that day), then next due at the local time after now, not at the days it missed."""
    set_at = utc(2026, 11, 15, 6, 0)
    await set_time_zone(db, 1, "Europe/Berlin", set_at)
    missed = await set_reminder(db, 1, time(8, 0), set_at)
    now = utc(2026, 11, 18, 12, 0)
    [claimed] = await claim_reminders(db, now)
    assert claimed.scheduled == missed == utc(2026, 11, 15, 7, 0)
    assert await remind_next(db, 1) == utc(2026, 11, 19, 7, 0)
    assert await claim_reminders(db, now) == []


async def test_claims_come_in_pages_oldest_first(db: Database) -> None:
    """`limit` at a time, the longest overdue first, until none is left."""
    for user in range(1, 8):
        await set_reminder(db, user, time(user, 0), utc(2026, 11, 18, 0, 0))
    now = utc(2026, 11, 18, 12, 0)
    pages = [[r.user_id for r in await claim_reminders(db, now, limit=3)] for _ in range(4)]
    assert pages == [[1, 2, 3], [4, 5, 6], [7], []]


async def test_two_processes_racing_never_claim_the_same_reminder(
    db: Database, server_url: str, schema_name: str
) -> None:
    """Two processes sweeping 300 due reminders at once, in pages, on connections of their own:
    every reminder is claimed, and by one of them only."""
    first = await connect_to_schema(server_url, schema_name, max_size=2)
    second = await connect_to_schema(server_url, schema_name, max_size=2)
    try:
        await db.pool.execute(
            "INSERT INTO study_settings (user_id, remind_at, remind_next)"
            " SELECT u, time '08:00', $1::timestamptz - u * interval '1 second'"
            " FROM generate_series(1, 300) AS u",
            utc(2026, 11, 18, 8, 0),
        )
        now = utc(2026, 11, 18, 9, 0)

        async def sweep(db: Database) -> list[int]:
            claimed: list[int] = []
            while page := await claim_reminders(db, now, limit=7):
                claimed += [r.user_id for r in page]
                await asyncio.sleep(0)
            return claimed

        for _ in range(3):  # three rounds: the same 300, due again each next day
            one, other = await asyncio.gather(sweep(first), sweep(second))
            assert not set(one) & set(other)
            assert sorted(one + other) == list(range(1, 301))
            now += DAY
    finally:
        await first.close()
        await second.close()


# --- missed questions and reset -------------------------------------------------------------------


async def test_missed_questions_are_that_players_wrong_answers_in_that_game(db: Database) -> None:
    """In question order; not right answers, not another player's, not another game's."""
    run, other_run = uuid.uuid4(), uuid.uuid4()
    for index, right in ((2, False), (0, False), (1, True), (3, False)):
        players = [answer(1, correct=right), answer(2, correct=not right)]
        await record_answers(
            db,
            dataclasses.replace(
                batch(*players, run_id=run, question_index=index), question_id=identity(index)
            ),
        )
    await record_answers(
        db, dataclasses.replace(batch(answer(1, correct=False), run_id=other_run), question_id=identity(9))
    )
    assert await missed_questions(db, run, 1) == [identity(0), identity(2), identity(3)]
    assert await missed_questions(db, run, 2) == [identity(1)]
    assert await missed_questions(db, uuid.uuid4(), 1) == []


async def test_reset_removes_only_that_players_study(db: Database) -> None:
    """Cards, reviews and settings of the player go; another player's, and everyone's answers, stay."""
    for user in (1, 2):
        await record_answers(
            db, dataclasses.replace(batch(answer(user), guild_id=0), question_id=identity(user))
        )
        await put_card(db, user, 5, NOON)
        await put_review(db, user, NOON)
        await set_reminder(db, user, time(8, 0), NOON)
    answers, members = await count(db, "answers"), await count(db, "guild_members")
    removed = await reset_study(db, 1)
    assert (removed.cards, removed.reviews, removed.settings) == (2, 2, 1)
    left = await db.pool.fetch(
        "SELECT 'cards' AS t, user_id FROM review_cards UNION ALL SELECT 'log', user_id FROM review_log"
        " UNION ALL SELECT 'settings', user_id FROM study_settings"
    )
    assert sorted((r["t"], r["user_id"]) for r in left) == [
        ("cards", 2),
        ("cards", 2),
        ("log", 2),
        ("log", 2),
        ("settings", 2),
    ]
    assert (await count(db, "answers"), await count(db, "guild_members")) == (answers, members)
    assert await claim_reminders(db, NOON + DAY) != []
    assert [r.user_id for r in await claim_reminders(db, NOON + 2 * DAY)] == [2]
    assert await reset_study(db, 1) == dataclasses.replace(removed, cards=0, reviews=0, settings=0)
