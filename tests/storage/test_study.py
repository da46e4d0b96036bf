"""Study cards over PostgreSQL: answers review their players' cards in the same write, and the
study plan and figures count in the player's own days (time zones, DST changes)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import asyncpg
import pytest

from quizbot.game.reviews import CardState, Recall
from quizbot.storage.answers import record_answers
from quizbot.storage.pool import Database
from quizbot.storage.records import AnswerBatch, AnswerRow
from quizbot.storage.study import carded, set_new_per_day, set_time_zone, study_plan, study_stats
from tests.storage.factories import NOON, answer, batch
from tests.storage.study_rows import cards_of, count, identity, put_card, put_review, reviews_of

QUESTION = identity(7)
DAY = timedelta(days=1)


def studied(*answers: AnswerRow, guild_id: int = 0, **fields: Any) -> AnswerBatch:
    """A closed question with an identity, in a study session (guild 0) unless told otherwise."""
    return dataclasses.replace(batch(*answers, guild_id=guild_id, **fields), question_id=QUESTION)


class CountingConnection:
    """Stands in for record_answers()'s connection and counts the statements it sends."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection
        self.statements: list[str] = []

    async def execute(self, sql: str, *args: object) -> str:
        self.statements.append(sql)
        return cast(str, await self.connection.execute(sql, *args))

    async def fetch(self, sql: str, *args: object) -> list[asyncpg.Record]:
        self.statements.append(sql)
        return cast(list[asyncpg.Record], await self.connection.fetch(sql, *args))


async def statements_of(db: Database, question: AnswerBatch) -> list[str]:
    """The statements one record_answers() call sends, in one transaction."""
    async with db.acquire() as conn, conn.transaction():
        counting = CountingConnection(conn)
        await record_answers(db, question, connection=cast(asyncpg.Connection, counting))
    return counting.statements


# --- cards written with the answers -----------------------------------------------------------------


async def test_a_first_answer_makes_a_card_for_each_player(db: Database) -> None:
    """A wrong answer makes a learning card due again within the day; a right one a card too."""
    await record_answers(db, studied(answer(1, correct=False), answer(2)))
    wrong, right = (await cards_of(db, 1))[QUESTION], (await cards_of(db, 2))[QUESTION]
    assert wrong["state"] == CardState.LEARNING
    assert NOON < wrong["due"] <= NOON + DAY
    assert (wrong["reviews"], wrong["last_review"]) == (1, NOON)
    assert right["due"] > wrong["due"]
    assert [(r["rating"], r["state_before"], r["study"]) for r in await reviews_of(db, 1)] == [(1, 0, True)]
    assert [(r["rating"], r["state_before"], r["study"]) for r in await reviews_of(db, 2)] == [(3, 0, True)]


async def test_a_second_answer_updates_the_card(db: Database) -> None:
    """The next game's answer to the same question reviews the same card: reviews 2, one more log row."""
    await record_answers(db, studied(answer(1, correct=False)))
    first = (await cards_of(db, 1))[QUESTION]
    later = first["due"] + timedelta(minutes=5)
    await record_answers(db, studied(answer(1, answered_at=later)))
    second = (await cards_of(db, 1))[QUESTION]
    assert (second["reviews"], second["last_review"]) == (2, later)
    assert second["due"] > later
    log = await reviews_of(db, 1)
    assert [(r["rating"], r["state_before"]) for r in log] == [(1, 0), (3, int(CardState.LEARNING))]
    assert await count(db, "review_cards") == 1


async def test_the_answers_recall_is_the_logged_rating(db: Database) -> None:
    """An Easy answer is logged as 4 and a new card answered Easy goes straight to review."""
    await record_answers(db, studied(answer(1, recall=Recall.EASY), answer(2, recall=Recall.HARD)))
    assert [r["rating"] for r in await reviews_of(db, 1)] == [4]
    assert [r["rating"] for r in await reviews_of(db, 2)] == [2]
    assert (await cards_of(db, 1))[QUESTION]["state"] == CardState.REVIEW


async def test_only_solo_play_counts_as_study(db: Database) -> None:
    """A channel game's answers review the card too, but only guild 0's are study in the log."""
    await record_answers(db, studied(answer(1), guild_id=5))
    await record_answers(db, studied(answer(1, answered_at=NOON + DAY)))
    assert [r["study"] for r in await reviews_of(db, 1)] == [False, True]
    assert (await cards_of(db, 1))[QUESTION]["reviews"] == 2


async def test_a_replayed_batch_reviews_nothing(db: Database) -> None:
    """A restart replays the same batch: no card changes and nothing is logged; in a partial
    replay only the player not yet recorded gets a card."""
    run = uuid.uuid4()
    await record_answers(db, studied(answer(1, correct=False), run_id=run))
    before = await cards_of(db, 1)
    later = NOON + timedelta(hours=3)  # what a card reviewed again now would show
    assert await record_answers(db, studied(answer(1, answered_at=later), answer(2), run_id=run)) != []
    assert await cards_of(db, 1) == before
    assert len(await reviews_of(db, 1)) == 1
    assert QUESTION in await cards_of(db, 2)
    assert await record_answers(db, studied(answer(1), answer(2), run_id=run)) == []
    assert await count(db, "review_log") == 2


async def test_a_batch_without_an_identity_writes_no_card(db: Database) -> None:
    """Answers to a question with no identity are recorded, and review nothing."""
    await record_answers(db, batch(answer(1), answer(2, correct=False), guild_id=0))
    assert await count(db, "answers") == 2
    assert await count(db, "review_cards") == 0
    assert await count(db, "review_log") == 0


async def test_two_players_cards_ride_in_the_answers_one_statement(db: Database) -> None:
    """Two players' cards and log rows are written by the one statement that writes the answers:
    as many statements as a batch with no identity sends."""
    plain = await statements_of(db, batch(answer(1), answer(2), guild_id=0))
    with_cards = await statements_of(db, studied(answer(3), answer(4, correct=False)))
    assert len(with_cards) == len(plain)
    writers = [sql for sql in with_cards if "INSERT INTO review_cards" in sql]
    assert len(writers) == 1
    assert "INSERT INTO answers" in writers[0]
    assert "INSERT INTO review_log" in writers[0]
    assert set(await cards_of(db, 3)) == set(await cards_of(db, 4)) == {QUESTION}


# --- the study plan ------------------------------------------------------------------------------


async def test_due_cards_come_most_overdue_first_within_the_limit(db: Database) -> None:
    """Only cards due by now (now included), oldest due first, at most `limit`; not others' cards."""
    for question, due in ((1, NOON - DAY), (2, NOON - 3 * DAY), (3, NOON), (4, NOON + timedelta(seconds=1))):
        await put_card(db, 1, question, due)
    await put_card(db, 2, 5, NOON - 9 * DAY)
    assert (await study_plan(db, 1, NOON, limit=10)).due == (identity(2), identity(1), identity(3))
    assert (await study_plan(db, 1, NOON, limit=2)).due == (identity(2), identity(1))
    assert (await study_plan(db, 3, NOON, limit=10)).due == ()


async def test_new_cards_left_today_count_only_new_study_cards_of_today(db: Database) -> None:
    """The cap less today's new cards in study sessions; never below 0."""
    assert (await study_plan(db, 1, NOON, limit=5)).new_allowed == 10
    await set_new_per_day(db, 1, 5)
    await put_review(db, 1, NOON - timedelta(hours=1))  # counted
    await put_review(db, 1, NOON - timedelta(hours=2), question=2)  # counted
    await put_review(db, 1, NOON - DAY, question=3)  # yesterday
    await put_review(db, 1, NOON - timedelta(hours=1), question=4, study=False)  # a channel game
    await put_review(db, 1, NOON - timedelta(hours=1), question=5, state_before=1)  # not new
    await put_review(db, 2, NOON - timedelta(hours=1), question=6)  # someone else's
    assert (await study_plan(db, 1, NOON, limit=5)).new_allowed == 3
    for question in range(10, 14):
        await put_review(db, 1, NOON - timedelta(minutes=question), question=question)
    assert (await study_plan(db, 1, NOON, limit=5)).new_allowed == 0


async def test_todays_new_cards_are_counted_from_local_midnight(db: Database) -> None:
    """At 22:00 in New York (03:00 UTC the next day), a review at 15:00 New York time is today there
    and yesterday in UTC; the server's zone stands in when the player set none."""
    now = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)  # 17 Nov 22:00 EST
    for user in (1, 2, 3):
        await put_review(db, user, datetime(2026, 11, 17, 4, 0, tzinfo=UTC), question=1)  # 16th 23:00 EST
        await put_review(db, user, datetime(2026, 11, 17, 20, 0, tzinfo=UTC), question=2)  # 17th 15:00 EST
        await put_review(db, user, datetime(2026, 11, 18, 1, 0, tzinfo=UTC), question=3)  # 17th 20:00 EST
    await set_time_zone(db, 1, "America/New_York", now)
    assert await study_plan(db, 1, now, limit=5) == dataclasses.replace(
        await study_plan(db, 1, now, limit=5), new_allowed=8, time_zone="America/New_York"
    )
    assert (await study_plan(db, 2, now, limit=5)).new_allowed == 9
    assert (await study_plan(db, 2, now, limit=5)).time_zone == "UTC"
    by_server = await study_plan(db, 3, now, limit=5, server_zone="America/New_York")
    assert (by_server.new_allowed, by_server.time_zone) == (8, "America/New_York")
    own_zone = await study_plan(db, 1, now, limit=5, server_zone="Asia/Tokyo")
    assert own_zone.time_zone == "America/New_York"


@pytest.mark.parametrize(
    ("zone", "now", "yesterday", "today"),
    [
        # Berlin springs forward on 29 March 2026: that day begins at 23:00 UTC, in CET (+1).
        (
            "Europe/Berlin",
            datetime(2026, 3, 29, 20, 0),
            datetime(2026, 3, 28, 22, 30),
            datetime(2026, 3, 28, 23, 30),
        ),
        # New York falls back on 1 November 2026: that day begins at 04:00 UTC, in EDT (-4).
        (
            "America/New_York",
            datetime(2026, 11, 2, 4, 0),
            datetime(2026, 11, 1, 3, 30),
            datetime(2026, 11, 1, 4, 30),
        ),
    ],
)
async def test_a_dst_day_begins_at_its_own_midnight(
    db: Database, zone: str, now: datetime, yesterday: datetime, today: datetime
) -> None:
    """On a day the clocks change, local midnight has the offset of before the change, not of now."""
    now, yesterday, today = (moment.replace(tzinfo=UTC) for moment in (now, yesterday, today))
    await set_time_zone(db, 1, zone, now)
    await put_review(db, 1, yesterday, question=1)
    await put_review(db, 1, today, question=2)
    assert (await study_plan(db, 1, now, limit=5)).new_allowed == 9


async def test_carded_tells_known_questions_from_new_ones(db: Database) -> None:
    """Which of the asked identities the player has a card for; another player's cards do not count."""
    await put_card(db, 1, 1, NOON)
    await put_card(db, 2, 2, NOON)
    assert await carded(db, 1, [identity(1), identity(2), identity(3)]) == {identity(1)}
    assert await carded(db, 1, []) == set()


# --- study figures --------------------------------------------------------------------------------


async def test_due_now_today_and_this_week_end_at_local_midnights(db: Database) -> None:
    """At 21:00 in Tokyo, today ends at 15:00 UTC and the seventh day at 15:00 UTC six days on;
    the same cards counted in UTC days give more."""
    now = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # 21:00 JST
    dues = [
        now - 2 * DAY,  # overdue
        now,  # due now exactly
        datetime(2026, 11, 18, 14, 59, tzinfo=UTC),  # later today in Tokyo
        datetime(2026, 11, 18, 15, 0, tzinfo=UTC),  # tomorrow in Tokyo, today in UTC
        datetime(2026, 11, 24, 14, 59, tzinfo=UTC),  # the seventh day in Tokyo
        datetime(2026, 11, 24, 15, 0, tzinfo=UTC),  # the eighth in Tokyo, the seventh in UTC
        datetime(2026, 11, 25, 0, 0, tzinfo=UTC),  # the eighth in both
    ]
    for user in (1, 2):
        for question, due in enumerate(dues):
            await put_card(db, user, question, due)
    await set_time_zone(db, 1, "Asia/Tokyo", now)
    tokyo, utc = await study_stats(db, 1, now), await study_stats(db, 2, now)
    assert (tokyo.due_now, tokyo.due_today, tokyo.due_week, tokyo.time_zone) == (2, 3, 5, "Asia/Tokyo")
    assert (utc.due_now, utc.due_today, utc.due_week, utc.time_zone) == (2, 4, 6, "UTC")


async def test_the_week_ahead_spans_a_dst_change_in_local_days(db: Database) -> None:
    """From 27 March in Berlin, the seventh day ends at midnight CEST (22:00 UTC), an hour earlier
    than the offset of the first day would say."""
    now = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
    await set_time_zone(db, 1, "Europe/Berlin", now)
    await put_card(db, 1, 1, datetime(2026, 4, 2, 21, 59, tzinfo=UTC))  # 2 April 23:59 CEST
    await put_card(db, 1, 2, datetime(2026, 4, 2, 22, 30, tzinfo=UTC))  # 3 April 00:30 CEST
    assert (await study_stats(db, 1, now)).due_week == 1


async def test_retention_counts_reviews_of_learned_cards_in_the_last_30_days(db: Database) -> None:
    """Passed (Hard, Good or Easy) over all reviews of cards in review, in 30 days; reviews counts all."""
    for rating in (3, 1, 2):
        await put_review(db, 1, NOON - timedelta(days=rating), rating=rating, state_before=2)
    await put_review(db, 1, NOON - DAY, rating=1, state_before=1)  # learning
    await put_review(db, 1, NOON - DAY, rating=1, state_before=3)  # relearning
    await put_review(db, 1, NOON - DAY, rating=3, state_before=0)  # new
    await put_review(db, 1, NOON - timedelta(days=31), rating=1, state_before=2)  # too long ago
    await put_review(db, 2, NOON - DAY, rating=1, state_before=2)  # someone else
    stats = await study_stats(db, 1, NOON)
    assert stats.reviews == 7
    assert stats.retention == pytest.approx(2 / 3)
    assert (await study_stats(db, 3, NOON)).retention is None
    assert (await study_stats(db, 3, NOON)).reviews == 0


async def test_the_longest_streak_counts_consecutive_days_with_a_review(db: Database) -> None:
    """Three days in a row, a day off, two days: 3; several reviews in a day count once."""
    for day in (1, 2, 2, 3, 5, 6):
        await put_review(db, 1, NOON - timedelta(days=day), question=day)
    assert (await study_stats(db, 1, NOON)).longest_streak == 3
    assert (await study_stats(db, 2, NOON)).longest_streak == 0


async def test_the_streak_counts_local_days_across_a_dst_change(db: Database) -> None:
    """In New York, 31 October 00:30 EDT, 1 November 23:30 EST and 2 November 00:30 EST are three
    days in a row, across the fall back; in UTC the same moments are 31 October and 2 November."""
    moments = [
        datetime(2026, 10, 31, 4, 30, tzinfo=UTC),
        datetime(2026, 11, 2, 4, 30, tzinfo=UTC),
        datetime(2026, 11, 2, 5, 30, tzinfo=UTC),
    ]
    now = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
    for user in (1, 2):
        for question, moment in enumerate(moments):
            await put_review(db, user, moment, question=question)
    await set_time_zone(db, 1, "America/New_York", now)
    assert (await study_stats(db, 1, now)).longest_streak == 3
    assert (await study_stats(db, 2, now)).longest_streak == 1
