"""The double's modals as Discord has them: Labels around a text input or a string select, checked
when the bot opens one, and submitted in Discord's shape through the real disnake client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import disnake
import pytest
from disnake.ext import commands

from quizbot.testing import DiscordDouble, DoubleError
from quizbot.testing._modals import modal_data, validate_modal
from quizbot.testing._store import ApiError

FLAVOURS = ("sweet", "sour", "bitter")


def flavour_components(**select: Any) -> list[disnake.ui.Label]:
    """A Label around a flavour select and one around an optional paragraph of at most 20."""
    choice = disnake.ui.StringSelect(
        custom_id="flavour",
        options=[disnake.SelectOption(label=f.title(), value=f) for f in FLAVOURS],
        **select,
    )
    note = disnake.ui.TextInput(
        custom_id="note", style=disnake.TextInputStyle.paragraph, max_length=20, required=False
    )
    return [disnake.ui.Label("Flavour", choice), disnake.ui.Label("Why", note, description="Optional")]


def modal_bot(received: asyncio.Queue[disnake.ModalInteraction], **select: Any) -> commands.InteractionBot:
    """A bot whose /taste opens the flavour modal and whose modal submits are kept."""
    bot = commands.InteractionBot(intents=disnake.Intents.default(), guild_ready_timeout=0.05)

    @bot.slash_command(name="taste", description="Opens a modal")
    async def taste(inter: disnake.ApplicationCommandInteraction) -> None:
        await inter.response.send_modal(
            title="Taste test", custom_id="taste:1", components=flavour_components(**select)
        )

    @bot.listen("on_modal_submit")
    async def submitted(inter: disnake.ModalInteraction) -> None:
        await received.put(inter)
        await inter.response.send_message("thanks", ephemeral=True)

    return bot


@pytest.fixture
async def double() -> AsyncIterator[DiscordDouble]:
    async with DiscordDouble() as started:
        yield started
        assert started.crashes == []
        assert started.unknown_routes == []


async def test_a_labelled_select_and_text_input_round_trip(double: DiscordDouble) -> None:
    """The modal is stored with Discord's ids; the submit reaches disnake as Labels around values."""
    club = double.standard_guild("Club")
    received: asyncio.Queue[disnake.ModalInteraction] = asyncio.Queue()
    async with double.running(modal_bot(received)):
        opened = await double.slash(club.guild, club.channel, club.players[0], "taste")
        await opened.wait_ack()
        assert opened.modal is not None
        assert [c["type"] for c in opened.modal["components"]] == [18, 18]
        assert [c["id"] for c in opened.modal["components"]] == [1, 3]
        submit = await double.submit_modal(opened, {"flavour": ["sour"], "note": "tangy"})
        await submit.wait_ack()
        inter = await asyncio.wait_for(received.get(), 3)
        assert inter.custom_id == "taste:1"
        assert inter.values == {"flavour": ["sour"], "note": "tangy"}
        assert inter.text_values == {"note": "tangy"}
        first = submit.payload["data"]["components"][0]
        assert first == {
            "type": 18,
            "id": 1,
            "component": {"type": 3, "id": 2, "custom_id": "flavour", "values": ["sour"]},
        }


async def test_the_client_s_rules_hold_unless_forged(double: DiscordDouble) -> None:
    """A person cannot skip a required select, pick what is not offered or type past max_length;
    a forged submit sends any of these, and another modal id, as given."""
    club = double.standard_guild("Club")
    received: asyncio.Queue[disnake.ModalInteraction] = asyncio.Queue()
    async with double.running(modal_bot(received)):
        opened = await double.slash(club.guild, club.channel, club.players[0], "taste")
        await opened.wait_ack()
        for values in ({"note": "x"}, {"flavour": ["umami"]}, {"flavour": ["sour"], "note": "x" * 21}):
            with pytest.raises(DoubleError):
                await double.submit_modal(opened, values)
        with pytest.raises(DoubleError, match="no fields"):
            await double.submit_modal(opened, {"colour": "red"})
        forged = await double.submit_modal(
            opened, {"flavour": ["umami", "x"], "note": "y" * 400}, forged=True, custom_id="taste:2"
        )
        await forged.wait_ack()
        inter = await asyncio.wait_for(received.get(), 3)
        assert inter.custom_id == "taste:2"
        assert inter.values == {"flavour": ["umami", "x"], "note": "y" * 400}


async def test_an_empty_optional_text_input_is_sent_empty(double: DiscordDouble) -> None:
    """An optional text input left empty comes back as an empty value, as Discord sends it."""
    club = double.standard_guild("Club")
    received: asyncio.Queue[disnake.ModalInteraction] = asyncio.Queue()
    async with double.running(modal_bot(received)):
        opened = await double.slash(club.guild, club.channel, club.players[0], "taste")
        await opened.wait_ack()
        await (await double.submit_modal(opened, {"flavour": ["sweet"]})).wait_ack()
        inter = await asyncio.wait_for(received.get(), 3)
        assert inter.text_values == {"note": ""}


async def test_a_modal_discord_refuses_is_refused(double: DiscordDouble) -> None:
    """Opening a modal with a disabled select is a 400 from the double, as from Discord."""
    club = double.standard_guild("Club")
    received: asyncio.Queue[disnake.ModalInteraction] = asyncio.Queue()
    async with double.running(modal_bot(received, disabled=True)):
        opened = await double.slash(club.guild, club.channel, club.players[0], "taste")
        await opened.wait_until(lambda r: bool(r.callbacks))
        assert opened.callbacks[0].status == 400 and opened.modal is None


def labelled(child: dict[str, Any], label: str = "Reason", **more: Any) -> dict[str, Any]:
    return {
        "custom_id": "m",
        "title": "Report",
        "components": [{"type": 18, "label": label, "component": child, **more}],
    }


SELECT = {
    "type": 3,
    "custom_id": "s",
    "options": [{"label": "A", "value": "a"}, {"label": "B", "value": "b"}],
}
TEXT = {"type": 4, "custom_id": "t", "style": 2, "max_length": 300}


@pytest.mark.parametrize(
    ("modal", "field"),
    [
        (labelled(TEXT, label="L" * 46), "data.components.0.label"),
        (labelled(TEXT, description="D" * 101), "data.components.0.description"),
        ({**labelled(TEXT), "title": "T" * 46}, "data.title"),
        ({**labelled(TEXT), "components": []}, "data.components"),
        (labelled({**TEXT, "style": 3}), "data.components.0.component.style"),
        (labelled({**TEXT, "max_length": 4001}), "data.components.0.component.max_length"),
        (labelled({**TEXT, "min_length": 10, "max_length": 5}), "data.components.0.component.max_length"),
        (labelled({**TEXT, "placeholder": "p" * 101}), "data.components.0.component.placeholder"),
        (labelled({**SELECT, "options": []}), "data.components.0.component.options"),
        (
            labelled({**SELECT, "options": [{"label": "A", "value": "a"}] * 2}),
            "data.components.0.component.options",
        ),
        (labelled({**SELECT, "min_values": 0}), "data.components.0.component.min_values"),
        (labelled({**SELECT, "max_values": 3}), "data.components.0.component.max_values"),
        (labelled({"type": 2, "custom_id": "b", "style": 1, "label": "B"}), "data.components.0.component"),
        ({"custom_id": "m", "title": "R", "components": [SELECT]}, "data.components.0.type"),
    ],
)
def test_what_discord_refuses_in_a_modal(modal: dict[str, Any], field: str) -> None:
    """Each rule Discord applies to a modal, refused naming the field it broke."""
    with pytest.raises(ApiError) as refused:
        validate_modal(modal)
    assert refused.value.status == 400 and refused.value.errors is not None and field in refused.value.errors


def test_a_select_that_is_not_required_may_be_left_empty() -> None:
    """required false allows min_values 0, and a submit with nothing chosen."""
    modal = labelled({**SELECT, "required": False, "min_values": 0})
    validate_modal(modal)
    assert modal_data(modal, {"s": []})["components"][0]["component"]["values"] == []
