"""Interactions as Discord builds them when a person uses a command, a component or a modal."""

from __future__ import annotations

import secrets
from typing import Any

from quizbot.testing._model import ADMINISTRATOR, JSON, Channel, Guild, Member, Role, User
from quizbot.testing._records import Attachment, MessageRecord
from quizbot.testing._world import World

SUBCOMMAND, GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER = range(1, 11)
ATTACHMENT = 11
SELECTS = {3, 5, 6, 7, 8}


class DoubleError(Exception):
    """A test asked for something a person could not do in Discord (or the double cannot do)."""


def interaction_payload(
    world: World,
    kind: int,
    channel: Channel,
    person: User,
    *,
    member: Member | None,
    data: JSON,
    message: MessageRecord | None,
    locale: str,
) -> JSON:
    """INTERACTION_CREATE's data for `person` in `channel` (its id is filled in by the caller)."""
    guild = channel.guild
    bot_member = guild.bot_member if guild is not None else None
    payload: JSON = {
        "id": "0",
        "application_id": str(world.application_id),
        "type": kind,
        "token": secrets.token_urlsafe(48),
        "version": 1,
        "data": data,
        "channel_id": str(channel.id),
        "channel": channel.payload(viewer=member),
        "locale": locale,
        "app_permissions": str(bot_member.permissions_in(channel) if bot_member else 0),
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild.id) if guild else "0"},
        "context": 0 if guild is not None else 1,
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if guild is not None and member is not None:
        payload |= {
            "guild_id": str(guild.id),
            "guild_locale": guild.preferred_locale,
            "member": member.payload(channel=channel),
        }
    else:
        payload["user"] = person.payload()
    if message is not None:
        payload["message"] = message.payload(world.application_id)
    return payload


class Resolved:
    """The `resolved` block of an interaction: users, members, roles and channels named by options."""

    def __init__(self, guild: Guild | None, channel: Channel) -> None:
        """An empty block for an interaction in `channel`."""
        self.guild = guild
        self.channel = channel
        self.data: dict[str, JSON] = {}

    def add_user(self, user: User) -> str:
        """Add a user (and their member, in a guild); returns the id string."""
        self.data.setdefault("users", {})[str(user.id)] = user.payload()
        if self.guild is not None and user.id in self.guild.members:
            member = self.guild.members[user.id]
            self.data.setdefault("members", {})[str(user.id)] = member.payload(
                with_user=False, channel=self.channel
            )
        return str(user.id)

    def add_role(self, role: Role) -> str:
        """Add a role; returns the id string."""
        self.data.setdefault("roles", {})[str(role.id)] = role.payload()
        return str(role.id)

    def add_attachment(self, file: Attachment) -> str:
        """Add an attached file; returns the id string."""
        self.data.setdefault("attachments", {})[str(file.id)] = file.payload()
        return str(file.id)

    def add_channel(self, channel: Channel, viewer: Member | None) -> str:
        """Add a channel; returns the id string."""
        self.data.setdefault("channels", {})[str(channel.id)] = channel.payload(viewer=viewer)
        return str(channel.id)


def check_choice(option: JSON, value: Any) -> None:
    """Reject what Discord's client would not let a person send: a non-choice, or out of bounds."""
    name = option["name"]
    choices = option.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise DoubleError(f"option {name!r} must be one of {[c['value'] for c in choices]}, not {value!r}")
    if option.get("min_value") is not None and value < option["min_value"]:
        raise DoubleError(f"option {name!r} must be at least {option['min_value']}, not {value!r}")
    if option.get("max_value") is not None and value > option["max_value"]:
        raise DoubleError(f"option {name!r} must be at most {option['max_value']}, not {value!r}")
    if option.get("min_length") is not None and len(value) < option["min_length"]:
        raise DoubleError(f"option {name!r} must be at least {option['min_length']} long")
    if option.get("max_length") is not None and len(value) > option["max_length"]:
        raise DoubleError(f"option {name!r} must be at most {option['max_length']} long")


def option_value(option: JSON, value: Any, resolved: Resolved, viewer: Member | None) -> Any:  # noqa: PLR0911
    """The wire value of one option, adding what it names to `resolved`."""
    kind, name = option["type"], option["name"]
    if kind == STRING and isinstance(value, str):
        check_choice(option, value)
        return value
    if kind == INTEGER and isinstance(value, int) and not isinstance(value, bool):
        check_choice(option, value)
        return value
    if kind == NUMBER and isinstance(value, int | float) and not isinstance(value, bool):
        check_choice(option, value)
        return value
    if kind == BOOLEAN and isinstance(value, bool):
        return value
    if kind in (USER, MENTIONABLE) and isinstance(value, User | Member):
        return resolved.add_user(value if isinstance(value, User) else value.user)
    if kind in (ROLE, MENTIONABLE) and isinstance(value, Role):
        return resolved.add_role(value)
    if kind == CHANNEL and isinstance(value, Channel):
        allowed = option.get("channel_types")
        if allowed and value.type not in allowed:
            raise DoubleError(f"option {name!r} takes channel types {allowed}, not {value.type}")
        return resolved.add_channel(value, viewer)
    if kind == ATTACHMENT and isinstance(value, Attachment):
        return resolved.add_attachment(value)
    raise DoubleError(f"option {name!r} (type {kind}) cannot take {value!r}")


def forged_value(value: Any, resolved: Resolved) -> Any:
    """What a modified client or a raw API call can send: any JSON value, unchecked against the option.

    People, roles, channels and files given as objects still travel as their ids, resolved."""
    if isinstance(value, User | Member):
        return resolved.add_user(value if isinstance(value, User) else value.user)
    if isinstance(value, Role):
        return resolved.add_role(value)
    if isinstance(value, Channel):
        return resolved.add_channel(value, None)
    if isinstance(value, Attachment):
        return resolved.add_attachment(value)
    return value


def build_options(
    schema: list[JSON],
    path: list[str],
    given: dict[str, Any],
    *,
    resolved: Resolved,
    viewer: Member | None,
    focused: str | None,
    forged: bool = False,
) -> list[JSON]:
    """The interaction's options for `path` (subcommand group / subcommand names) and `given` values.

    `forged`: skip every client-side check (types, choices, bounds, lengths, required options)."""
    if path:
        name = path[0]
        sub = next((o for o in schema if o["name"] == name and o["type"] in (SUBCOMMAND, GROUP)), None)
        if sub is None:
            names = [o["name"] for o in schema if o["type"] in (SUBCOMMAND, GROUP)]
            raise DoubleError(f"no subcommand {name!r}; there are {names}")
        inner = build_options(
            sub.get("options") or [],
            path[1:],
            given,
            resolved=resolved,
            viewer=viewer,
            focused=focused,
            forged=forged,
        )
        return [{"name": name, "type": sub["type"], "options": inner}]
    nested = [o["name"] for o in schema if o["type"] in (SUBCOMMAND, GROUP)]
    if nested:
        raise DoubleError(f"the command needs one of its subcommands {nested}")
    known = {o["name"]: o for o in schema}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise DoubleError(f"unknown option(s) {unknown}; the command takes {sorted(known)}")
    options = []
    for option in schema:
        name = option["name"]
        if name == focused:
            if not option.get("autocomplete"):
                raise DoubleError(f"option {name!r} has no autocomplete")
            options.append(
                {"name": name, "type": option["type"], "value": str(given.get(name, "")), "focused": True}
            )
        elif name in given and forged:
            options.append(
                {"name": name, "type": option["type"], "value": forged_value(given[name], resolved)}
            )
        elif name in given:
            value = given[name]
            if focused is not None and option["type"] in (STRING, INTEGER, NUMBER):
                # While typing, Discord sends the other options as they stand, unchecked.
                options.append({"name": name, "type": option["type"], "value": value})
                continue
            options.append(
                {"name": name, "type": option["type"], "value": option_value(option, value, resolved, viewer)}
            )
        elif option.get("required") and focused is None and not forged:
            raise DoubleError(f"option {name!r} is required")
    return options


def check_visible(command: JSON, member: Member | None, channel: Channel) -> None:
    """Discord hides a command from people without its default permissions, and guild-only ones in DMs."""
    if member is None:
        contexts = command.get("contexts")
        if (contexts is not None and 1 not in contexts) or (
            contexts is None and command.get("dm_permission") is False
        ):
            raise DoubleError(f"/{command['name']} cannot be used in DMs")
        return
    needed = int(command.get("default_member_permissions") or 0)
    have = member.permissions_in(channel)
    if command.get("default_member_permissions") == "0" and not have & ADMINISTRATOR:
        raise DoubleError(f"/{command['name']} is for administrators only")
    if have & needed != needed and not have & ADMINISTRATOR:
        raise DoubleError(f"{member.user.name} cannot see /{command['name']} (needs permissions {needed})")


def component_data(component: JSON, values: list[Any] | None, resolved: Resolved) -> JSON:
    """The `data` of a component interaction: custom id, type, and chosen values for selects."""
    kind = component["type"]
    if component.get("disabled"):
        raise DoubleError(f"component {component.get('custom_id')!r} is disabled")
    data: JSON = {"custom_id": component["custom_id"], "component_type": kind}
    if "id" in component:
        data["id"] = component["id"]
    if kind == 2:
        if values is not None:
            raise DoubleError("a button takes no values")
        return data
    if kind not in SELECTS:
        raise DoubleError(f"component type {kind} cannot be clicked")
    chosen = list(values or [])
    low, high = component.get("min_values", 1), component.get("max_values", 1)
    if not low <= len(chosen) <= high:
        raise DoubleError(
            f"select {component['custom_id']!r} takes {low} to {high} values, not {len(chosen)}"
        )
    if kind == 3:
        offered = [o["value"] for o in component.get("options") or []]
        if any(v not in offered for v in chosen):
            raise DoubleError(f"select {component['custom_id']!r} offers {offered}, not {chosen}")
        data["values"] = chosen
    else:
        data["values"] = [select_value(component, value, resolved) for value in chosen]
        data["resolved"] = resolved.data
    return data


def select_value(component: JSON, value: Any, resolved: Resolved) -> str:
    """The id a user, role, mentionable or channel select sends for a picked object."""
    if isinstance(value, Role):
        return resolved.add_role(value)
    if isinstance(value, Channel):
        return resolved.add_channel(value, None)
    if isinstance(value, User | Member):
        return resolved.add_user(value if isinstance(value, User) else value.user)
    raise DoubleError(f"select {component['custom_id']!r} cannot take {value!r}")
