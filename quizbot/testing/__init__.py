"""Test support: a loopback Discord double that the real disnake client logs in to and talks to."""

from quizbot.testing._bot import route_base
from quizbot.testing._model import Channel, Guild, Member, Overwrite, Role, User
from quizbot.testing._people import DoubleError
from quizbot.testing._records import (
    Attachment,
    Callback,
    FaultRule,
    InteractionRecord,
    MessageRecord,
    RequestRecord,
    TranscriptEntry,
)
from quizbot.testing._world import World
from quizbot.testing.discord_double import DiscordDouble, StandardGuild

__all__ = [
    "Attachment",
    "Callback",
    "Channel",
    "DiscordDouble",
    "DoubleError",
    "FaultRule",
    "Guild",
    "InteractionRecord",
    "Member",
    "MessageRecord",
    "Overwrite",
    "RequestRecord",
    "Role",
    "StandardGuild",
    "TranscriptEntry",
    "User",
    "World",
    "route_base",
]
