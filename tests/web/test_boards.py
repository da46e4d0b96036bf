"""Board pages: a server's only once public, by category and period, paged, hidden players unnamed."""

from __future__ import annotations

import re

import pytest

from quizbot.storage.answers import record_answers
from quizbot.storage.pool import Database
from quizbot.storage.web import set_profile_hidden, set_public_board
from tests.storage.factories import NOON, answer, batch
from tests.web.conftest import Client, MakeClient
from tests.web.test_server import assert_secure

GUILD = 1


@pytest.fixture
async def client(make_client: MakeClient) -> Client:
    """The web app, reading boards at noon on the day the factories' answers were given."""
    return await make_client(now=lambda: NOON)


def player_names(body: str) -> list[str]:
    """The players named in the board's rows, in order."""
    return re.findall(r'<span class="avatar[^"]*" aria-hidden="true">.</span>([^<]+)<', body)


async def test_a_server_board_is_private_until_its_admins_opt_in(db: Database, client: Client) -> None:
    """Before web_board is set, the board is the same 404 as a server that does not exist."""
    await record_answers(db, batch(answer(2, points=100), guild_id=GUILD))
    private = await client.get(f"/board/{GUILD}")
    assert private.status == 404
    private_body = await private.text()
    assert "user2" not in private_body and "not made its board public" in private_body
    missing = await client.get("/board/999")
    assert missing.status == 404
    await set_public_board(db, GUILD, True, "Science Club <b>")
    public = await client.get(f"/board/{GUILD}")
    assert public.status == 200
    body = await public.text()
    assert "Science Club &lt;b&gt;: leaderboard" in body  # the stored name, escaped
    assert player_names(body) == ["user2"]
    assert_secure(public)
    await set_public_board(db, GUILD, False, "Science Club")
    assert (await client.get(f"/board/{GUILD}")).status == 404


async def test_the_front_page_lists_only_public_boards(db: Database, client: Client) -> None:
    await set_public_board(db, 1, True, "Open Club")
    await set_public_board(db, 2, False, "Closed Club")
    body = await (await client.get("/")).text()
    assert 'href="/board/1"' in body and "Open Club" in body
    assert "Closed Club" not in body and 'href="/board/2"' not in body


async def test_rows_show_rank_name_avatar_points_and_accuracy(db: Database, client: Client) -> None:
    await set_public_board(db, GUILD, True, "Club")
    await record_answers(db, batch(answer(2, points=300), answer(3, correct=False), guild_id=GUILD))
    await record_answers(db, batch(answer(3, points=100), question_index=1, guild_id=GUILD))
    body = await (await client.get(f"/board/{GUILD}")).text()
    assert player_names(body) == ["user2", "user3"]
    assert 'href="/profile/1/2"' in body
    assert '<span class="avatar hue-2" aria-hidden="true">U</span>' in body
    assert ">300<" in body and ">100%<" in body and ">50%<" in body
    assert '<th scope="col">Player</th>' in body


async def test_a_hidden_player_keeps_their_rank_but_not_their_name(db: Database, client: Client) -> None:
    await set_public_board(db, GUILD, True, "Club")
    await record_answers(db, batch(answer(2, points=300), answer(3, points=100), guild_id=GUILD))
    await set_profile_hidden(db, 2, True)
    body = await (await client.get(f"/board/{GUILD}")).text()
    assert "user2" not in body and 'href="/profile/1/2"' not in body
    assert player_names(body) == ["A player who keeps their profile private", "user3"]
    world = await (await client.get("/board/global")).text()
    assert "user2" not in world and "user3" in world


async def test_a_board_by_category_and_period(db: Database, client: Client) -> None:
    await set_public_board(db, GUILD, True, "Club")
    await record_answers(db, batch(answer(2, points=100), category="history", guild_id=GUILD))
    await record_answers(db, batch(answer(3, points=100), category="science", guild_id=GUILD))
    history = await (await client.get(f"/board/{GUILD}", params={"category": "History"})).text()
    assert player_names(history) == ["user2"]
    assert '<option value="history" selected>' in history
    today = await (await client.get(f"/board/{GUILD}", params={"timeframe": "day"})).text()
    assert sorted(player_names(today)) == ["user2", "user3"]
    empty = await (await client.get(f"/board/{GUILD}", params={"timeframe": "season"})).text()
    assert player_names(empty) == [] and "No one has scored this season yet." in empty


async def test_pages_of_twenty_with_links_both_ways(db: Database, client: Client) -> None:
    await set_public_board(db, GUILD, True, "Club")
    players = [answer(user_id, points=1000 - user_id) for user_id in range(2, 47)]  # 45 players
    await record_answers(db, batch(*players, guild_id=GUILD))
    first = await (await client.get(f"/board/{GUILD}")).text()
    assert len(player_names(first)) == 20 and 'rel="next"' in first and 'rel="prev"' not in first
    third = await client.get(f"/board/{GUILD}", params={"page": "3"})
    names = player_names(await third.text())
    assert names == [f"user{n}" for n in range(42, 47)]
    beyond = await client.get(f"/board/{GUILD}", params={"page": "4"})
    assert beyond.status == 404
    assert "This board has only 3 pages." in await beyond.text()


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "6", "99999999999999999999", "٣", " "])
async def test_a_bad_page_number_is_a_clear_400(db: Database, client: Client, page: str) -> None:
    await set_public_board(db, GUILD, True, "Club")
    response = await client.get(f"/board/{GUILD}", params={"page": page})
    assert response.status == 400
    body = await response.text()
    assert "The page number must be a whole number from 1 to 5." in body
    assert "Traceback" not in body


@pytest.mark.parametrize(
    ("params", "status", "why"),
    [
        ({"category": "astrology"}, 404, "There is no category called “astrology”."),
        ({"category": "<script>alert(1)</script>"}, 404, "“&lt;script&gt;alert(1)&lt;/script&gt;”"),
        ({"category": "x" * 65}, 400, "at most 64 characters"),
        ({"timeframe": "year"}, 400, "The period must be one of: day, week, month, all, season."),
    ],
)
async def test_unknown_categories_and_periods_are_refused_clearly(
    db: Database, client: Client, params: dict[str, str], status: int, why: str
) -> None:
    await set_public_board(db, GUILD, True, "Club")
    response = await client.get(f"/board/{GUILD}", params=params)
    assert response.status == status
    body = await response.text()
    assert why in body and "<script>" not in body


async def test_the_global_board_has_no_season(client: Client) -> None:
    response = await client.get("/board/global", params={"timeframe": "season"})
    assert response.status == 400
    assert "day, week, month, all." in await response.text()


@pytest.mark.parametrize("guild", ["0", "abc", "1e3", "\uff19", "99999999999999999999", "-5"])
async def test_a_malformed_server_id_is_a_404(client: Client, guild: str) -> None:
    response = await client.get(f"/board/{guild}")
    assert response.status == 404
    assert "Traceback" not in await response.text()


async def test_a_board_in_german(db: Database, client: Client) -> None:
    await set_public_board(db, GUILD, True, "Club")
    await record_answers(db, batch(answer(2, points=1234), guild_id=GUILD))
    body = await (await client.get(f"/board/{GUILD}", headers={"Accept-Language": "de-DE"})).text()
    assert "Club: Bestenliste" in body and ">1.234<" in body and "Alle Kategorien" in body
