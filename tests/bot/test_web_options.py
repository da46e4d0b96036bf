"""/settings set web_board and /stats privacy through disnake and the loopback Discord."""

from __future__ import annotations

from quizbot.storage.web import profile_hidden, public_board
from tests.bot.conftest import World
from tests.bot.test_admin_cog import field, use, use_raw


async def test_web_board_is_off_until_an_admin_turns_it_on(world: World) -> None:
    """/settings show says off; web_board:true stores the server's name with it; false makes it private."""
    club = world.club
    shown = await use(world, club.admin, "settings show")
    assert field(shown, "Leaderboard on the web") == "off (private)"
    assert await public_board(world.db, club.guild.id) is None
    saved = await use(world, club.admin, "settings set", {"web_board": True})
    assert saved.ephemeral and "Settings saved" in saved.text
    assert field(saved, "Leaderboard on the web ✏️") == "public: anyone with the link can see it"
    board = await public_board(world.db, club.guild.id)
    assert board is not None and board.name == club.guild.name
    assert await public_board(world.db, world.rival.guild.id) is None  # the other server is untouched
    await use(world, club.admin, "settings set", {"web_board": False})
    assert await public_board(world.db, club.guild.id) is None


async def test_a_forged_web_board_value_is_refused_and_nothing_stored(world: World) -> None:
    refused = await use_raw(
        world, world.club.admin, "settings set", {"name": "web_board", "type": 5, "value": "yes"}
    )
    assert refused.ephemeral and "web_board" in refused.text
    assert await public_board(world.db, world.club.guild.id) is None


async def test_players_cannot_make_the_board_public(world: World) -> None:
    player = world.club.players[0]
    refused = await use_raw(world, player, "settings set", {"name": "web_board", "type": 5, "value": True})
    assert refused.ephemeral
    assert await public_board(world.db, world.club.guild.id) is None


async def test_a_player_hides_and_shows_their_own_profile(world: World) -> None:
    player = world.club.players[0]
    hidden = await use(world, player, "stats", {"privacy": "hidden"})
    assert hidden.ephemeral and "hidden from the web view" in hidden.text
    assert await profile_hidden(world.db, player.id)
    shown = await use(world, player, "stats", {"privacy": "shown"})
    assert shown.ephemeral and "can be seen on the web view again" in shown.text
    assert not await profile_hidden(world.db, player.id)


async def test_nobody_sets_another_players_privacy(world: World) -> None:
    player, other = world.club.players[0], world.club.players[1]
    refused = await use(world, player, "stats", {"privacy": "hidden", "user": other})
    assert refused.ephemeral and "only hide or show your own profile" in refused.text
    assert not await profile_hidden(world.db, other.id)
    assert not await profile_hidden(world.db, player.id)


async def test_privacy_is_answered_in_the_players_language(world: World) -> None:
    player = world.club.players[0]
    player.user.locale = "de"
    hidden = await use(world, player, "stats", {"privacy": "hidden"})
    assert "Dein Profil ist jetzt im Web verborgen" in hidden.text
