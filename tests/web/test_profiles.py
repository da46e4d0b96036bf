"""Profile pages: shown only on a public board's server and never once the player hid theirs."""

from __future__ import annotations

import pytest

from quizbot.game.achievements import ACHIEVEMENTS
from quizbot.storage.achievements import AchievementDefinition, grant_achievements, sync_achievements
from quizbot.storage.answers import record_answers
from quizbot.storage.pool import Database
from quizbot.storage.web import set_profile_hidden, set_public_board
from tests.storage.factories import NOON, answer, batch
from tests.web.conftest import Client, MakeClient
from tests.web.test_server import assert_secure

GUILD, PLAYER = 1, 2
PROFILE = f"/profile/{GUILD}/{PLAYER}"


@pytest.fixture
async def client(make_client: MakeClient) -> Client:
    return await make_client(now=lambda: NOON)


async def played(db: Database) -> None:
    """PLAYER answered three science questions and one history question in GUILD."""
    await record_answers(db, batch(answer(PLAYER, points=100), guild_id=GUILD, category="science"))
    await record_answers(db, batch(answer(PLAYER, points=100), guild_id=GUILD, question_index=1))
    await record_answers(db, batch(answer(PLAYER, correct=False), guild_id=GUILD, question_index=2))
    await record_answers(db, batch(answer(PLAYER, points=50), guild_id=GUILD, category="history"))


async def test_a_profile_shows_progress_achievements_categories_and_study(
    db: Database, client: Client
) -> None:
    await set_public_board(db, GUILD, True, "Club")
    await played(db)
    await sync_achievements(
        db, [AchievementDefinition(a.achievement_id, a.name, a.description) for a in ACHIEVEMENTS]
    )
    await grant_achievements(db, GUILD, PLAYER, ["first_quiz"])
    response = await client.get(PROFILE)
    assert response.status == 200
    assert_secure(response)
    body = await response.text()
    assert "<h1>user2 on Club</h1>" in body
    assert '<span class="avatar hue-2 large" aria-hidden="true">U</span>' in body
    assert "<dt>Points</dt><dd>250</dd>" in body
    assert "<dt>Accuracy</dt><dd>75%</dd>" in body
    assert "<dt>Rank</dt><dd>#1 in this server</dd>" in body
    assert "<strong>First Steps</strong>: Finish your first quiz." in body
    assert f"Achievements: 1 of {len(ACHIEVEMENTS)}" in body
    assert '<tr><td>science</td><td class="number">3</td><td class="number">67%</td></tr>' in body
    assert '<tr><td>history</td><td class="number">1</td><td class="number">100%</td></tr>' in body
    assert "<dt>Cards due now</dt>" in body and "Not enough reviews yet" in body
    assert 'href="/board/1"' in body


async def test_a_profile_speaks_the_readers_language(db: Database, client: Client) -> None:
    await set_public_board(db, GUILD, True, "Club")
    await played(db)
    body = await (await client.get(PROFILE, params={"lang": "ja"})).text()
    assert '<html lang="ja">' in body and "Club の user2" in body and "カテゴリ別の正答率" in body


async def test_every_private_case_is_the_same_404(db: Database, client: Client) -> None:
    """A private board, a hidden profile and a stranger all read alike: nothing tells them apart."""
    await played(db)
    private_board = await client.get(PROFILE)
    await set_public_board(db, GUILD, True, "Club")
    assert (await client.get(PROFILE)).status == 200
    await set_profile_hidden(db, PLAYER, True)
    hidden = await client.get(PROFILE)
    stranger = await client.get(f"/profile/{GUILD}/999")
    other_server = await client.get(f"/profile/5/{PLAYER}")
    bodies = set()
    for response in (private_board, hidden, stranger, other_server):
        assert response.status == 404
        body = await response.text()
        assert "user2" not in body and "250" not in body
        bodies.add(body)
    assert len(bodies) == 1
    await set_profile_hidden(db, PLAYER, False)
    assert (await client.get(PROFILE)).status == 200


@pytest.mark.parametrize(
    "path", ["/profile/1/x", "/profile/0/2", "/profile/1/99999999999999999999", "/profile/1"]
)
async def test_malformed_profile_addresses_are_404_pages(client: Client, path: str) -> None:
    response = await client.get(path)
    assert response.status == 404
    assert "Traceback" not in await response.text()
