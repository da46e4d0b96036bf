"""The Discord double drives the REAL disnake client: login, command sync, interactions, messages, faults."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import disnake
import pytest
from disnake.ext import commands
from disnake.http import Route

from quizbot.testing import DiscordDouble, DoubleError, MessageRecord, Overwrite, route_base

MESSAGE_ROUTE = "POST /channels/{channel_id}/messages"
CALLBACK_ROUTE = "POST /interactions/{interaction_id}/{token}/callback"


class AnswerView(disnake.ui.View):
    """A persistent view: no timeout, fixed custom ids, so it survives restarts."""

    def __init__(self, seen: Seen) -> None:
        super().__init__(timeout=None)
        self.seen = seen

    @disnake.ui.button(label="A", custom_id="quiz:answer:A", style=disnake.ButtonStyle.primary)
    async def answer_a(self, button: disnake.ui.Button[Any], inter: disnake.MessageInteraction) -> None:
        self.seen.clicks.append((inter.author.id, button.custom_id))
        await inter.response.edit_message(content=f"{inter.author.name} answered A", view=None)

    @disnake.ui.button(label="B", custom_id="quiz:answer:B", style=disnake.ButtonStyle.secondary)
    async def answer_b(self, button: disnake.ui.Button[Any], inter: disnake.MessageInteraction) -> None:
        self.seen.clicks.append((inter.author.id, button.custom_id))
        await inter.response.defer()
        await inter.edit_original_response(content="B (edited after a deferred update)")


class TopicModal(disnake.ui.Modal):
    """A one-field modal."""

    def __init__(self) -> None:
        field_ = disnake.ui.TextInput(label="Topic", custom_id="topic", max_length=50)
        super().__init__(title="Custom quiz", custom_id="quiz:topic", components=[field_])

    async def callback(self, inter: disnake.ModalInteraction) -> None:
        await inter.response.send_message(f"topic set to {inter.text_values['topic']}")


@dataclass
class Seen:
    """What the test bot observed."""

    messages: asyncio.Queue[disnake.Message] = field(default_factory=asyncio.Queue)
    clicks: list[tuple[int, str]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    failed: asyncio.Event = field(default_factory=asyncio.Event)
    contexts: list[tuple[int | None, int, int | None]] = field(default_factory=list)


def build_bot(
    seen: Seen, *, message_content: bool = True, members: bool = False, **options: Any
) -> commands.InteractionBot:
    """An InteractionBot with the commands, view and listeners the tests use."""
    intents = disnake.Intents.default()
    intents.message_content = message_content
    intents.members = members
    options.setdefault("guild_ready_timeout", 0.05)
    bot = commands.InteractionBot(intents=intents, **options)

    @bot.slash_command(name="trivia", description="Play trivia")
    async def trivia(inter: disnake.ApplicationCommandInteraction) -> None:
        pass

    @trivia.sub_command(name="start", description="Start a quiz")
    async def start(
        inter: disnake.ApplicationCommandInteraction,
        count: commands.Range[int, 1, 20] = 5,
        difficulty: str = commands.Param("easy", choices=["easy", "medium", "hard"]),
    ) -> None:
        guild_id = inter.guild.id if inter.guild else None
        channel_guild = getattr(inter.channel, "guild", None)
        seen.contexts.append((guild_id, inter.channel.id, channel_guild.id if channel_guild else None))
        await inter.response.send_message(f"Starting {count} {difficulty} questions in {inter.guild}")

    @trivia.sub_command(name="post", description="Post in the channel")
    async def post(inter: disnake.ApplicationCommandInteraction, text: str) -> None:
        await inter.response.send_message("posting", ephemeral=True)
        await inter.channel.send(text)

    @trivia.sub_command(name="quiz", description="A question with buttons")
    async def quiz(inter: disnake.ApplicationCommandInteraction) -> None:
        await inter.response.send_message("Q1: pick one", view=AnswerView(seen))

    @trivia.sub_command(name="topic", description="Pick a topic")
    async def topic(inter: disnake.ApplicationCommandInteraction, name: str) -> None:
        await inter.response.send_message(f"topic {name}")

    @topic.autocomplete("name")
    async def topic_names(inter: disnake.ApplicationCommandInteraction, typed: str) -> list[str]:
        return [t for t in ("history", "geography", "science") if t.startswith(typed)]

    @trivia.sub_command(name="custom", description="Open a modal")
    async def custom(inter: disnake.ApplicationCommandInteraction) -> None:
        await inter.response.send_modal(TopicModal())

    @bot.slash_command(name="reset", description="Admins only", default_member_permissions=32)
    async def reset(inter: disnake.ApplicationCommandInteraction) -> None:
        await inter.response.send_message("reset done")

    @bot.slash_command(name="slow", description="Deferred")
    async def slow(inter: disnake.ApplicationCommandInteraction) -> None:
        await inter.response.defer()
        await asyncio.sleep(0.01)
        await inter.edit_original_response(content="done thinking")
        await inter.followup.send("and a follow-up")

    @bot.slash_command(name="think", description="Deferred, answered by a follow-up")
    async def think(inter: disnake.ApplicationCommandInteraction) -> None:
        await inter.response.defer(ephemeral=True)
        await inter.followup.send("the answer")

    @bot.slash_command(name="late", description="Answers too late")
    async def late(inter: disnake.ApplicationCommandInteraction) -> None:
        await asyncio.sleep(0.3)
        await inter.response.send_message("too late")

    @bot.slash_command(name="upload", description="Sends a file")
    async def upload(inter: disnake.ApplicationCommandInteraction) -> None:
        await inter.response.send_message("here", file=disnake.File(io.BytesIO(b"q,a\n1,2\n"), "pack.csv"))
        await inter.channel.send("and again", file=disnake.File(io.BytesIO(b"xyz"), "b.txt"))

    @bot.listen("on_slash_command_error")
    async def on_error(inter: disnake.ApplicationCommandInteraction, error: BaseException) -> None:
        seen.errors.append(error)
        seen.failed.set()

    @bot.listen("on_message")
    async def on_message(message: disnake.Message) -> None:
        if not message.author.bot:
            await seen.messages.put(message)

    return bot


@pytest.fixture
async def double() -> AsyncIterator[DiscordDouble]:
    """A started double; afterwards it must have seen no unknown route and no crash of its own."""
    async with DiscordDouble() as started:
        yield started
        assert started.crashes == []
        assert started.unknown_routes == []
        assert started.gateway_errors == []


@pytest.fixture
def seen() -> Seen:
    return Seen()


async def test_bot_logs_in_and_receives_its_guilds(double: DiscordDouble, seen: Seen) -> None:
    """IDENTIFY gets READY and a GUILD_CREATE per guild: the bot knows guilds, channels and members."""
    club = double.standard_guild("Quiz Club")
    original_base = Route.BASE
    async with double.running(build_bot(seen)) as bot:
        assert double.api_base == Route.BASE
        assert bot.user is not None and bot.user.id == double.bot_user.id
        guild = bot.get_guild(club.guild.id)
        assert guild is not None and guild.name == "Quiz Club"
        assert guild.get_channel(club.channel.id) is not None
        assert guild.me is not None and guild.me.id == double.bot_user.id
        assert guild.owner_id == club.guild.owner.id
        assert double.gateway.identifies == 1 and double.gateway.heartbeats >= 1
        assert double.requests["GET /users/@me"] == 1
        assert double.requests["GET /gateway/bot"] == 1
    assert original_base == Route.BASE


async def test_command_sync_reaches_the_double(double: DiscordDouble, seen: Seen) -> None:
    """The bot's bulk overwrite lands in the double with ids, subcommands and options."""
    double.standard_guild("Quiz Club")
    async with double.running(build_bot(seen)) as bot:
        registered = {c["name"]: c for c in double.commands()}
        assert {"trivia", "reset", "slow", "think", "late", "upload"} <= set(registered)
        subcommands = {o["name"]: o for o in registered["trivia"]["options"]}
        assert subcommands["start"]["type"] == 1
        count = next(o for o in subcommands["start"]["options"] if o["name"] == "count")
        assert (count["min_value"], count["max_value"]) == (1, 20)
        assert registered["reset"]["default_member_permissions"] == "32"
        assert bot.get_global_command_named("trivia") is not None
        assert double.requests["PUT /applications/{application_id}/commands"] == 1


async def test_slash_command_with_options_gets_a_message_response(double: DiscordDouble, seen: Seen) -> None:
    """A type-4 callback becomes the original response; the test reads its content."""
    club = double.standard_guild("Quiz Club")
    async with double.running(build_bot(seen)):
        record = await double.slash(
            club.guild, club.channel, club.players[0], "trivia start", {"count": 7, "difficulty": "hard"}
        )
        await record.wait_ack(timeout=3.0)
        assert record.response_type == 4
        assert record.content == "Starting 7 hard questions in Quiz Club"
        assert record.original is not None and record.original.interaction is record
        assert double.last_message(club.channel) is record.original
        assert [m.content for m in double.messages(club.channel)] == [
            "Starting 7 hard questions in Quiz Club"
        ]


async def test_options_and_visibility_are_checked_as_discord_would(double: DiscordDouble, seen: Seen) -> None:
    """Out-of-range values, unknown options and hidden commands cannot be sent by a person."""
    club = double.standard_guild("Quiz Club")
    async with double.running(build_bot(seen)):
        player = club.players[0]
        with pytest.raises(DoubleError, match="at most 20"):
            await double.slash(club.guild, club.channel, player, "trivia start", {"count": 50})
        with pytest.raises(DoubleError, match="one of"):
            await double.slash(club.guild, club.channel, player, "trivia start", {"difficulty": "insane"})
        with pytest.raises(DoubleError, match="unknown option"):
            await double.slash(club.guild, club.channel, player, "trivia start", {"rounds": 2})
        with pytest.raises(DoubleError, match="subcommands"):
            await double.slash(club.guild, club.channel, player, "trivia")
        with pytest.raises(DoubleError, match="cannot see /reset"):
            await double.slash(club.guild, club.channel, player, "reset")
        record = await double.slash(club.guild, club.channel, club.admin, "reset")
        await record.wait_ack(timeout=3.0)
        assert record.content == "reset done"


async def test_deferred_response_then_edit_and_follow_up(double: DiscordDouble, seen: Seen) -> None:
    """Type 5 shows a thinking message; the edit to @original fills it; the follow-up is a new message."""
    club = double.standard_guild("Quiz Club")
    async with double.running(build_bot(seen)):
        record = await double.slash(club.guild, club.channel, club.players[0], "slow")
        followups = await record.wait_followups(1, timeout=3.0)
        assert record.response_type == 5
        assert record.original_edits == [
            {
                "content": "done thinking",
                **{k: v for k, v in record.original_edits[0].items() if k != "content"},
            }
        ]
        assert record.content == "done thinking"
        assert [m.content for m in followups] == ["and a follow-up"]
        assert [m.content for m in double.messages(club.channel)] == ["done thinking", "and a follow-up"]
        actions = [(e.action, e.snapshot["content"]) for e in double.transcript(club.channel)]
        assert actions == [("create", ""), ("edit", "done thinking"), ("create", "and a follow-up")]

        thinking = await double.slash(club.guild, club.channel, club.players[1], "think")
        await thinking.wait_followups(1, timeout=3.0)
        assert thinking.original is not None and thinking.original.ephemeral
        assert thinking.followups == [thinking.original] and thinking.content == "the answer"


async def test_button_click_reaches_a_persistent_view(double: DiscordDouble, seen: Seen) -> None:
    """A click on the bot's message is dispatched by custom id; the update (type 7) is recorded."""
    club = double.standard_guild("Quiz Club")
    bot = build_bot(seen)
    async with double.running(bot):
        bot.add_view(AnswerView(seen))
        question = await double.slash(club.guild, club.channel, club.players[0], "trivia quiz")
        await question.wait_ack(timeout=3.0)
        message = question.original
        assert message is not None and message.custom_ids == ["quiz:answer:A", "quiz:answer:B"]

        click = await double.click(message, "quiz:answer:A", club.players[1])
        await click.wait_ack(timeout=3.0)
        assert click.response_type == 7
        assert seen.clicks == [(club.players[1].id, "quiz:answer:A")]
        assert message.content == f"{club.players[1].user.name} answered A"
        assert message.components == []
        assert message.history[0]["content"] == "Q1: pick one"
        with pytest.raises(KeyError):
            await double.click(message, "quiz:answer:B", club.players[2])

        second = await double.slash(club.guild, club.channel, club.players[0], "trivia quiz")
        await second.wait_ack(timeout=3.0)
        assert second.original is not None
        deferred = await double.click(second.original, "quiz:answer:B", club.players[2])
        await deferred.wait_original_edit(timeout=3.0)
        assert deferred.response_type == 6
        assert second.original.content == "B (edited after a deferred update)"


async def test_message_create_reaches_on_message_with_content(double: DiscordDouble, seen: Seen) -> None:
    """A typed answer reaches on_message, with its text when the bot has the message_content intent."""
    club = double.standard_guild("Quiz Club")
    async with double.running(build_bot(seen)):
        sent = await double.say(club.guild, club.channel, club.players[0], "Paris")
        message = await asyncio.wait_for(seen.messages.get(), 3.0)
        assert message.id == sent.id and message.content == "Paris"
        assert message.guild is not None and message.guild.id == club.guild.id
        assert isinstance(message.author, disnake.Member) and message.author.id == club.players[0].id
        assert double.transcript(club.channel)[-1].message is sent


async def test_without_message_content_the_text_is_hidden(double: DiscordDouble, seen: Seen) -> None:
    """Without the privileged intent the bot gets empty content, unless the message mentions it."""
    club = double.standard_guild("Quiz Club")
    async with double.running(build_bot(seen, message_content=False)):
        await double.say(club.guild, club.channel, club.players[0], "Paris")
        assert (await asyncio.wait_for(seen.messages.get(), 3.0)).content == ""
        await double.say(club.guild, club.channel, club.players[0], f"{double.bot_user.mention} Paris")
        assert (await asyncio.wait_for(seen.messages.get(), 3.0)).content.endswith("Paris")


async def test_guilds_whose_channels_share_an_id_stay_distinct(double: DiscordDouble, seen: Seen) -> None:
    """Two guilds, one channel id: interactions and transcripts are keyed by (guild, channel)."""
    shared = 424242424242424242
    first = double.standard_guild("First", channel_id=shared)
    second = double.standard_guild("Second", channel_id=shared)
    async with double.running(build_bot(seen)) as bot:
        for club in (first, second):
            guild = bot.get_guild(club.guild.id)
            assert guild is not None and guild.get_channel(shared) is not None
        one = await double.slash(first.guild, first.channel, first.players[0], "trivia start")
        two = await double.slash(second.guild, second.channel, second.players[0], "trivia start")
        await one.wait_ack(timeout=3.0)
        await two.wait_ack(timeout=3.0)
        assert seen.contexts == [
            (first.guild.id, shared, first.guild.id),
            (second.guild.id, shared, second.guild.id),
        ]
        assert first.channel.key != second.channel.key
        assert [m.content for m in double.messages(first.channel)] == ["Starting 5 easy questions in First"]
        assert [m.content for m in double.messages((second.guild.id, shared))] == [
            "Starting 5 easy questions in Second"
        ]
        # A plain channel post carries no guild: the double attributes it to the channel most
        # recently active and marks it ambiguous.
        post = await double.slash(
            second.guild, second.channel, second.players[0], "trivia post", {"text": "hi"}
        )
        await post.wait_ack(timeout=3.0)
        posted = await double.wait_for_message(lambda m: m.content == "hi", timeout=3.0)
        assert posted.key == second.channel.key and posted.ambiguous


async def test_rate_limited_send_is_retried_and_delivered_once(double: DiscordDouble, seen: Seen) -> None:
    """A 429 with Via on the message route: disnake sleeps retry_after and sends again, once."""
    club = double.standard_guild("Quiz Club")
    async with double.running(build_bot(seen)) as bot:
        guild = bot.get_guild(club.guild.id)
        assert guild is not None
        channel = guild.get_channel(club.channel.id)
        assert isinstance(channel, disnake.TextChannel)
        rule = double.rate_limit_next(1, route=MESSAGE_ROUTE, retry_after=0.05)
        started = time.monotonic()
        sent = await asyncio.wait_for(channel.send("Question 1"), 3.0)
        assert time.monotonic() - started >= 0.05
        assert rule.remaining == 0
        assert [m.content for m in double.messages(club.channel)] == ["Question 1"]
        assert sent.id == double.messages(club.channel)[0].id
        assert double.requests[MESSAGE_ROUTE] == 2
        assert [r.status for r in double.request_log if r.route == MESSAGE_ROUTE] == [429, 200]

        double.fail_next(1, route=MESSAGE_ROUTE, via=False)
        with pytest.raises(disnake.HTTPException) as banned:
            await asyncio.wait_for(channel.send("Question 2"), 3.0)
        assert banned.value.status == 429
        assert len(double.messages(club.channel)) == 1


async def test_server_errors_are_handled_as_disnake_does(double: DiscordDouble, seen: Seen) -> None:
    """503 surfaces at once as DiscordServerError; 500 is retried (after 1 s) and delivered once."""
    club = double.standard_guild("Quiz Club")
    async with double.running(build_bot(seen)) as bot:
        guild = bot.get_guild(club.guild.id)
        assert guild is not None
        channel = guild.get_channel(club.channel.id)
        assert isinstance(channel, disnake.TextChannel)
        double.server_error_next(1, status=503)
        with pytest.raises(disnake.DiscordServerError):
            await asyncio.wait_for(channel.send("lost"), 3.0)
        double.server_error_next(1, status=500)
        await asyncio.wait_for(channel.send("kept"), 3.0)
        assert [m.content for m in double.messages(club.channel)] == ["kept"]
        assert [r.status for r in double.request_log if r.route == MESSAGE_ROUTE] == [503, 500, 200]


@pytest.mark.slow
async def test_acknowledgement_time_is_measured_and_late_answers_fail(seen: Seen) -> None:
    """ack_latency is the time to the first callback; after the window Discord answers 10062."""
    async with DiscordDouble(ack_window=0.2) as double:
        club = double.standard_guild("Quiz Club")
        async with double.running(build_bot(seen)):
            quick = await double.slash(club.guild, club.channel, club.players[0], "trivia start")
            await quick.wait_ack(timeout=3.0)
            assert quick.ack_latency is not None and 0 <= quick.ack_latency < 0.2

            late = await double.slash(club.guild, club.channel, club.players[0], "late")
            await late.wait_until(lambda r: bool(r.callbacks), timeout=3.0, what="the late callback")
            await asyncio.wait_for(seen.failed.wait(), 3.0)
            assert not late.acknowledged and late.callbacks[0].status == 404
            assert late.ack_latency is not None and late.ack_latency >= 0.2
            assert isinstance(seen.errors[0], commands.CommandInvokeError)
            assert isinstance(seen.errors[0].original, disnake.InteractionTimedOut)


async def test_a_second_callback_is_rejected(double: DiscordDouble, seen: Seen) -> None:
    """Discord accepts one callback per interaction (40060 for the next)."""
    club = double.standard_guild("Quiz Club")
    async with double.running(build_bot(seen)):
        record = await double.slash(club.guild, club.channel, club.players[0], "trivia start")
        await record.wait_ack(timeout=3.0)
        url = f"{double.api_base}/interactions/{record.id}/{record.token}/callback"
        payload = {"type": 4, "data": {"content": "again"}}
        async with aiohttp.ClientSession() as session, session.post(url, json=payload) as response:
            assert response.status == 400
            assert response.headers["Content-Type"] == "application/json"
            assert (await response.json())["code"] == 40060
    assert len(record.callbacks) == 2 and record.response_data["content"].startswith("Starting")


async def test_autocomplete_and_modal_round_trips(double: DiscordDouble, seen: Seen) -> None:
    """Type-4 interactions get choices (callback 8); a modal (9) is filled in and submitted."""
    club = double.standard_guild("Quiz Club")
    async with double.running(build_bot(seen)):
        typing = await double.autocomplete(
            club.guild, club.channel, club.players[0], "trivia topic", focused="name", options={"name": "g"}
        )
        await typing.wait_ack(timeout=3.0)
        assert typing.response_type == 8
        assert [c["value"] for c in typing.choices] == ["geography"]

        opened = await double.slash(club.guild, club.channel, club.players[0], "trivia custom")
        await opened.wait_ack(timeout=3.0)
        assert opened.modal is not None and opened.modal["custom_id"] == "quiz:topic"
        submitted = await double.submit_modal(opened, {"topic": "volcanoes"})
        await submitted.wait_ack(timeout=3.0)
        assert submitted.content == "topic set to volcanoes"


async def test_direct_messages_both_ways(double: DiscordDouble, seen: Seen) -> None:
    """A DM reaches on_message; the bot's user.send opens the DM channel and posts there."""
    club = double.standard_guild("Quiz Club")
    async with double.running(build_bot(seen)):
        await double.dm(club.players[0], "hello bot")
        message = await asyncio.wait_for(seen.messages.get(), 3.0)
        assert message.guild is None and message.content == "hello bot"
        await asyncio.wait_for(message.author.send("hello human"), 3.0)
        dm = double.dm_channel(club.players[0])
        assert dm.key == (None, dm.id)
        last = double.last_message(dm)
        assert last is not None and last.content == "hello human"
        assert double.requests["POST /users/@me/channels"] == 1

        in_dm = await double.slash(None, None, club.players[0], "trivia start", {"count": 2})
        await in_dm.wait_ack(timeout=3.0)
        assert in_dm.channel is dm and in_dm.content == "Starting 2 easy questions in None"


async def test_uploads_are_understood(double: DiscordDouble, seen: Seen) -> None:
    """Multipart bodies (payload_json + files[n]) on callbacks and channel posts keep their bytes."""
    club = double.standard_guild("Quiz Club")
    async with double.running(build_bot(seen)):
        record = await double.slash(club.guild, club.channel, club.players[0], "upload")
        await record.wait_ack(timeout=3.0)
        again = await double.wait_for_message(lambda m: m.content == "and again", timeout=3.0)
        assert record.original is not None
        assert [(a.filename, a.data) for a in record.original.attachments] == [("pack.csv", b"q,a\n1,2\n")]
        assert [(a.filename, a.data) for a in again.attachments] == [("b.txt", b"xyz")]
        async with aiohttp.ClientSession() as session, session.get(again.attachments[0].url) as response:
            assert await response.read() == b"xyz"


async def test_reconnect_resumes_and_the_bot_keeps_answering(double: DiscordDouble, seen: Seen) -> None:
    """After op 7 the client RESUMEs on resume_gateway_url and interactions still flow."""
    club = double.standard_guild("Quiz Club")
    async with double.running(build_bot(seen)):
        (session,) = double.gateway.sessions.values()
        await double.reconnect()
        await double.notifier.wait_for(lambda: session.resumes or None, 3.0, "a RESUME")
        await double.wait_until_connected(timeout=3.0)
        record = await double.slash(club.guild, club.channel, club.players[0], "trivia start")
        await record.wait_ack(timeout=3.0)
        assert double.gateway.identifies == 1


async def test_plain_json_gateway_without_compression(double: DiscordDouble, seen: Seen) -> None:
    """With zlib off the gateway speaks JSON text frames; the bot works the same."""
    club = double.standard_guild("Quiz Club")
    bot = build_bot(seen, gateway_params=disnake.GatewayParams(zlib=False))
    async with double.running(bot):
        record = await double.slash(club.guild, club.channel, club.players[0], "trivia start")
        await record.wait_ack(timeout=3.0)
        assert record.content is not None


async def test_missing_permissions_and_unknown_routes_answer_like_discord(seen: Seen) -> None:
    """The bot cannot post where it may not (403 50013); unknown routes are 404 JSON and listed."""
    async with DiscordDouble() as double:
        club = double.standard_guild("Quiz Club")
        muted = club.guild.add_text_channel("announcements")
        muted.overwrites.append(
            Overwrite(club.guild.id, 0, deny=disnake.Permissions(send_messages=True).value)
        )
        async with double.running(build_bot(seen)) as bot:
            guild = bot.get_guild(club.guild.id)
            assert guild is not None
            channel = guild.get_channel(muted.id)
            assert isinstance(channel, disnake.TextChannel)
            with pytest.raises(disnake.Forbidden) as forbidden:
                await asyncio.wait_for(channel.send("nope"), 3.0)
            assert forbidden.value.code == 50013
            with pytest.raises(disnake.NotFound):
                await asyncio.wait_for(bot.fetch_invite("abcdef"), 3.0)
        assert double.unknown_routes == ["GET /api/v10/invites/abcdef"]
        assert double.crashes == []


async def test_route_base_is_restored_even_after_an_error() -> None:
    """route_base sets disnake's Route.BASE for a block and always puts it back."""
    original = Route.BASE
    with pytest.raises(RuntimeError), route_base("http://127.0.0.1:1/api/v10"):
        assert Route.BASE == "http://127.0.0.1:1/api/v10"
        raise RuntimeError("boom")
    assert original == Route.BASE


async def test_records_serialise_as_json(double: DiscordDouble, seen: Seen) -> None:
    """Embeds and components are kept as the JSON the bot sent."""
    club = double.standard_guild("Quiz Club")
    async with double.running(build_bot(seen)) as bot:
        guild = bot.get_guild(club.guild.id)
        assert guild is not None
        channel = guild.get_channel(club.channel.id)
        assert isinstance(channel, disnake.TextChannel)
        embed = disnake.Embed(title="Question 1", description="Capital of France?")
        embed.add_field(name="Points", value="10")
        await asyncio.wait_for(channel.send(embed=embed, view=AnswerView(seen)), 3.0)
        message: MessageRecord = await double.wait_for_message(lambda m: bool(m.embeds), timeout=3.0)
        assert message.embeds[0]["title"] == "Question 1"
        assert "Capital of France?" in message.text and "Points" in message.text
        assert json.loads(json.dumps(message.components))[0]["type"] == 1


async def test_http_answers_have_discord_shapes(double: DiscordDouble) -> None:
    """Exact JSON content type, token checks, rate-limit headers and a 429 body as Discord sends them."""
    me = f"{double.api_base}/users/@me"
    auth = {"Authorization": f"Bot {double.token}"}
    async with aiohttp.ClientSession() as session:
        async with session.get(me, headers=auth) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "application/json"
            assert response.headers["X-RateLimit-Remaining"] == "4"
            assert (await response.json())["id"] == str(double.bot_user.id)
        async with session.get(me) as response:
            assert response.status == 401 and (await response.json())["message"] == "401: Unauthorized"
        double.fail_next(1, route="GET /users/@me", retry_after=0.25, is_global=True)
        async with session.get(me, headers=auth) as response:
            assert response.status == 429
            assert response.headers["Via"] == "1.1 google"
            assert response.headers["Retry-After"] == "1"
            assert response.headers["X-RateLimit-Scope"] == "global"
            assert response.headers["X-RateLimit-Remaining"] == "0"
            assert await response.json() == {
                "message": "You are being rate limited.",
                "retry_after": 0.25,
                "global": True,
            }
    assert double.requests["GET /users/@me"] == 3


async def test_a_wrong_token_fails_login(double: DiscordDouble) -> None:
    """REST answers 401 to a wrong token, which disnake reports as LoginFailure."""
    client = disnake.Client()
    with route_base(double.api_base):
        try:
            with pytest.raises(disnake.LoginFailure):
                await asyncio.wait_for(client.login("not-the-token"), 3.0)
        finally:
            await client.close()


async def test_members_intent_gets_every_member_through_chunking(double: DiscordDouble, seen: Seen) -> None:
    """With the members intent disnake chunks the guild at start-up (op 8) and caches every member."""
    club = double.standard_guild("Quiz Club")
    async with double.running(build_bot(seen, members=True)) as running:
        guild = running.get_guild(club.guild.id)
        assert guild is not None and guild.chunked
        member = guild.get_member(club.admin.id)
        assert member is not None and member.guild_permissions.manage_guild
        assert [f["op"] for f in double.gateway.received].count(8) == 1


async def test_events_the_bot_cannot_parse_are_reported(double: DiscordDouble, seen: Seen) -> None:
    """A malformed event shows up in gateway_errors instead of vanishing into a log."""
    club = double.standard_guild("Quiz Club")
    async with double.running(build_bot(seen)):
        await double.gateway.dispatch("MESSAGE_CREATE", {"channel_id": "1", "guild_id": str(club.guild.id)})
        await double.notifier.wait_for(lambda: double.gateway_errors or None, 0.5, "a gateway error")
        record = await double.slash(club.guild, club.channel, club.players[0], "trivia start")
        await record.wait_ack(timeout=3.0)
    assert double.gateway_errors[0].startswith("MESSAGE_CREATE: KeyError")
    double.gateway_errors.clear()
