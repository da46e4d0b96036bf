"""Mention safety: whatever players, packs or topics say, quizbot's messages ping only whom it means to."""

from __future__ import annotations

import re
from typing import Any

from quizbot.testing import RequestRecord
from tests.bot.conftest import World
from tests.bot.play import answer_buttons, finish, next_question, start_quiz

HOSTILE = "@everyone @here <@&123> <@456> <@!789>"
PACK = f"""\
pack: mentions
name: "Mentions {HOSTILE}"
description: "{HOSTILE}"
questions:
  - id: mentions-1
    difficulty: medium
    kind: multiple_choice
    text: "Which of these pings? {HOSTILE}"
    options: ["@everyone", "<@&123>", "<@456>", "@here"]
    answer: 0
    explanation: "Nothing should: {HOSTILE}"
    hints: ["{HOSTILE}"]
"""
USER = re.compile(r"<@!?(\d+)>")
ROLE = re.compile(r"<@&(\d+)>")


def message_payloads(log: list[RequestRecord]) -> list[dict[str, Any]]:
    """Every message body the bot sent: channel messages, interaction responses, follow-ups and edits."""
    found = []
    for request in log:
        body = request.body
        if not isinstance(body, dict):
            continue
        if request.route.endswith("/callback"):
            body = body.get("data") or {}
        if {"content", "embeds", "components"} & set(body):
            found.append(body)
    return found


def pinged(body: dict[str, Any]) -> tuple[bool, set[str], set[str]]:
    """(everyone or here, user ids, role ids) Discord would ping for this body, by its rules.

    Without allowed_mentions, Discord parses every mention in the content; with it, only the kinds
    in `parse` and the ids listed in `users` / `roles`."""
    content = body.get("content") or ""
    allowed = body.get("allowed_mentions")
    parse = {"everyone", "users", "roles"} if allowed is None else set(allowed.get("parse") or [])
    users = set() if allowed is None else {str(u) for u in allowed.get("users") or []}
    roles = set() if allowed is None else {str(r) for r in allowed.get("roles") or []}
    everyone = "everyone" in parse and ("@everyone" in content or "@here" in content)
    user_pings = {u for u in USER.findall(content) if "users" in parse or u in users}
    role_pings = {r for r in ROLE.findall(content) if "roles" in parse or r in roles}
    return everyone, user_pings, role_pings


async def test_hostile_pack_topic_and_names_ping_no_one_but_the_congratulated_player(world: World) -> None:
    """A pack, a topic and a display name full of mentions: every payload sets allowed_mentions, and
    the only pings are achievement announcements to the player who earned them."""
    club = world.club
    player = club.guild.add_member(HOSTILE)
    await world.double.announce_guild(club.guild)
    file = world.double.attachment("mentions.yaml", PACK.encode(), content_type="application/x-yaml")
    added = await world.double.slash(
        club.guild, club.channel, club.admin, "settings pack_add", {"file": file}
    )
    await added.wait_followups(1, timeout=5.0)
    assert "Pack added" in added.followups[0].text, added.followups[0].text
    await start_quiz(world, club, topic="mentions", questions=1)
    question = await next_question(world, club)
    click = await world.double.click(question, answer_buttons(question)[0], player)
    await click.wait_ack()
    hint = await world.double.slash(club.guild, club.channel, player, "trivia hint")
    await hint.wait_ack()
    await finish(world, 5)
    await world.double.wait_for_message(lambda m: "🏅" in m.text, timeout=5, channel=club.channel)
    for command in ("trivia packs", "settings packs", "leaderboard"):
        record = await world.double.slash(club.guild, club.channel, club.admin, command)
        await record.wait_ack()
    stats = await world.double.slash(club.guild, club.channel, club.admin, "stats", {"user": player})
    await stats.wait_ack()
    await start_quiz(world, world.rival, topic=HOSTILE, questions=1)
    await world.settle()
    bodies = message_payloads(world.double.request_log)
    assert len(bodies) > 10
    assert all("allowed_mentions" in body for body in bodies), [
        b for b in bodies if "allowed_mentions" not in b
    ]
    pings = [pinged(body) for body in bodies]
    assert not any(everyone or roles for everyone, _, roles in pings)
    users = set().union(*(found for _, found, _ in pings))
    assert users == {str(player.user.id)}  # the achievement announcement, and nothing else
    assert any(
        HOSTILE in (body.get("content") or "") or HOSTILE in str(body.get("embeds")) for body in bodies
    )
