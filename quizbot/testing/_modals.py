"""Modals as Discord takes and gives them: the bot's modal checked like Discord checks it, and a
person's submit built as Discord sends it.

A modal's top level holds up to five Labels (type 18: a label of at most 45 characters, an optional
description of at most 100, and one component: a text input or a string select here), Text Displays
(10), or (deprecated, still accepted) action rows of one text input. Discord numbers components
without an `id` in order, and a submit names every one by it: a Label as
`{"type": 18, "id": 1, "component": {"type": 4, "id": 2, "custom_id": ..., "value": ...}}`, a string
select's answer as `"values": [...]`, a text display as `{"type": 10, "id": 3}`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from quizbot.testing._model import JSON
from quizbot.testing._people import DoubleError
from quizbot.testing._store import invalid

ACTION_ROW, STRING_SELECT, TEXT_INPUT, TEXT_DISPLAY, LABEL = 1, 3, 4, 10, 18
OTHER_LABEL_CHILDREN = {5, 6, 7, 8, 19, 21, 22, 23}  # selects of users etc., uploads, radios, checkboxes
TITLE_MAX, LABEL_MAX, DESCRIPTION_MAX = 45, 45, 100
TEXT_MAX, TEXT_PLACEHOLDER_MAX, SELECT_PLACEHOLDER_MAX = 4000, 100, 150
OPTIONS_MAX, OPTION_TEXT_MAX = 25, 100


def validate_modal(data: JSON) -> None:
    """Refuse a modal Discord refuses (400 Invalid Form Body, naming the field), then number its
    components as Discord does (ids in order, skipping those the bot chose)."""
    custom_id = data.get("custom_id")
    if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= 100:
        raise invalid("data.custom_id", "Must be between 1 and 100 in length.")
    title = data.get("title")
    if not isinstance(title, str) or not 1 <= len(title) <= TITLE_MAX:
        raise invalid("data.title", f"Must be between 1 and {TITLE_MAX} in length.")
    top = data.get("components")
    if not isinstance(top, list) or not 1 <= len(top) <= 5:
        raise invalid("data.components", "Must be between 1 and 5 in length.")
    for index, component in enumerate(top):
        _check_top(component, f"data.components.{index}")
    ids = [c["custom_id"] for c in _fields(top)]
    if len(ids) != len(set(ids)):
        raise invalid("data.components", "Component custom id cannot be duplicated.")
    _number(top)


def _check_top(component: Any, path: str) -> None:
    """One top-level component: a Label, a Text Display, or an action row of one text input."""
    kind = component.get("type") if isinstance(component, dict) else None
    if kind == LABEL:
        label = component.get("label")
        if not isinstance(label, str) or not 1 <= len(label) <= LABEL_MAX:
            raise invalid(f"{path}.label", f"Must be between 1 and {LABEL_MAX} in length.")
        if len(component.get("description") or "") > DESCRIPTION_MAX:
            raise invalid(f"{path}.description", f"Must be {DESCRIPTION_MAX} or fewer in length.")
        child = component.get("component")
        child_kind = child.get("type") if isinstance(child, dict) else None
        if child_kind == TEXT_INPUT:
            _check_text_input(child, f"{path}.component", labelled=True)
        elif child_kind == STRING_SELECT:
            _check_string_select(child, f"{path}.component")
        elif child_kind not in OTHER_LABEL_CHILDREN:
            raise invalid(f"{path}.component", "Component type is not allowed in a label.")
    elif kind == TEXT_DISPLAY:
        if not isinstance(component.get("content"), str) or not component["content"]:
            raise invalid(f"{path}.content", "This field is required.")
    elif kind == ACTION_ROW:  # the old way: one text input in a row
        children = component.get("components")
        if not isinstance(children, list) or len(children) != 1 or children[0].get("type") != TEXT_INPUT:
            raise invalid(f"{path}.components", "A modal's action row holds exactly one text input.")
        _check_text_input(children[0], f"{path}.components.0", labelled=False)
    else:
        raise invalid(f"{path}.type", "Component type is not allowed at a modal's top level.")


def _check_text_input(child: JSON, path: str, *, labelled: bool) -> None:
    """A text input's style, lengths, value and placeholder (and, in a row, its own label)."""
    _check_custom_id(child, path)
    if child.get("style") not in (1, 2):
        raise invalid(f"{path}.style", "Value must be one of {1, 2}.")
    low, high = child.get("min_length", 0), child.get("max_length", TEXT_MAX)
    if not (isinstance(low, int) and 0 <= low <= TEXT_MAX):
        raise invalid(f"{path}.min_length", f"Must be between 0 and {TEXT_MAX}.")
    if not (isinstance(high, int) and 1 <= high <= TEXT_MAX) or low > high:
        raise invalid(f"{path}.max_length", f"Must be between 1 and {TEXT_MAX}, and at least min_length.")
    if len(child.get("value") or "") > high:
        raise invalid(f"{path}.value", f"Must be {high} or fewer in length.")
    if len(child.get("placeholder") or "") > TEXT_PLACEHOLDER_MAX:
        raise invalid(f"{path}.placeholder", f"Must be {TEXT_PLACEHOLDER_MAX} or fewer in length.")
    if not labelled:
        label = child.get("label")
        if not isinstance(label, str) or not 1 <= len(label) <= LABEL_MAX:
            raise invalid(f"{path}.label", f"Must be between 1 and {LABEL_MAX} in length.")


def _check_string_select(child: JSON, path: str) -> None:
    """A string select's options (unique values), how many may be chosen, and no `disabled`."""
    _check_custom_id(child, path)
    if child.get("disabled"):
        raise invalid(f"{path}.disabled", "Modals cannot have disabled components.")
    options = child.get("options")
    if not isinstance(options, list) or not 1 <= len(options) <= OPTIONS_MAX:
        raise invalid(f"{path}.options", f"Must be between 1 and {OPTIONS_MAX} in length.")
    for number, option in enumerate(options):
        for name in ("label", "value"):
            text = option.get(name)
            if not isinstance(text, str) or not 1 <= len(text) <= OPTION_TEXT_MAX:
                raise invalid(f"{path}.options.{number}.{name}", f"Must be 1 to {OPTION_TEXT_MAX} long.")
        if len(option.get("description") or "") > OPTION_TEXT_MAX:
            raise invalid(f"{path}.options.{number}.description", f"Must be {OPTION_TEXT_MAX} or fewer.")
    if len({option["value"] for option in options}) != len(options):
        raise invalid(f"{path}.options", "Option values must be unique.")
    low, high = child.get("min_values", 1), child.get("max_values", 1)
    if not (isinstance(low, int) and 0 <= low <= OPTIONS_MAX):
        raise invalid(f"{path}.min_values", f"Must be between 0 and {OPTIONS_MAX}.")
    if child.get("required", True) and low < 1:
        raise invalid(f"{path}.min_values", "Must be at least 1 when the select is required.")
    if not (isinstance(high, int) and 1 <= high <= len(options)) or low > high:
        raise invalid(f"{path}.max_values", "Must be at least min_values and at most the options.")
    if len(child.get("placeholder") or "") > SELECT_PLACEHOLDER_MAX:
        raise invalid(f"{path}.placeholder", f"Must be {SELECT_PLACEHOLDER_MAX} or fewer in length.")


def _check_custom_id(child: JSON, path: str) -> None:
    custom_id = child.get("custom_id")
    if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= 100:
        raise invalid(f"{path}.custom_id", "Must be between 1 and 100 in length.")


def _walk(top: list[JSON]) -> Iterator[JSON]:
    """Every component of a modal, each container before what it holds."""
    for component in top:
        yield component
        if isinstance(component.get("component"), dict):
            yield component["component"]
        yield from component.get("components") or []


def _fields(top: list[JSON]) -> Iterator[JSON]:
    """The components a person fills in (those with a custom id)."""
    return (c for c in _walk(top) if "custom_id" in c)


def _number(top: list[JSON]) -> None:
    """Give every component without an id the next free one, in order, as Discord does."""
    taken = {c["id"] for c in _walk(top) if isinstance(c.get("id"), int) and c["id"]}
    following = 1
    for component in _walk(top):
        if isinstance(component.get("id"), int) and component["id"]:
            continue
        while following in taken:
            following += 1
        component["id"] = following
        taken.add(following)


def modal_data(
    modal: JSON, values: dict[str, Any], *, forged: bool = False, custom_id: str | None = None
) -> JSON:
    """The `data` of a modal submit: each field of the modal with what the person entered (a text
    input's text, a string select's list of chosen values), in Discord's shape.

    A person's client enforces the modal's rules (required fields, lengths, the select's options and
    how many to choose): a test asking for what it would not send fails here, unless `forged`, which
    sends any values as given (and `custom_id` in place of the modal's), as a modified client could."""
    fields = {c["custom_id"]: c for c in _fields(modal.get("components") or [])}
    if unknown := sorted(set(values) - set(fields)):
        raise DoubleError(f"the modal has no fields {unknown}; it has {sorted(fields)}")
    components = [_answered(top, values, forged) for top in modal.get("components") or []]
    return {"custom_id": custom_id if forged and custom_id else modal["custom_id"], "components": components}


def _answered(top: JSON, values: dict[str, Any], forged: bool) -> JSON:
    """One top-level component of a submit."""
    if top["type"] == LABEL:
        return {"type": LABEL, "id": top["id"], "component": _field(top["component"], values, forged)}
    if top["type"] == ACTION_ROW:
        children = [_field(child, values, forged) for child in top["components"]]
        return {"type": ACTION_ROW, "id": top["id"], "components": children}
    return {"type": top["type"], "id": top["id"]}


def _field(child: JSON, values: dict[str, Any], forged: bool) -> JSON:
    """A filled-in text input or string select (checked as the client checks it, unless forged)."""
    name, kind = child["custom_id"], child["type"]
    answer: JSON = {"type": kind, "id": child["id"], "custom_id": name}
    if kind == TEXT_INPUT:
        text = values.get(name, child.get("value") or "")
        if not forged:
            _check_typed(child, text)
        answer["value"] = text
    elif kind == STRING_SELECT:
        chosen = values.get(name, [o["value"] for o in child["options"] if o.get("default")])
        if not forged:
            _check_chosen(child, chosen)
        answer["values"] = chosen
    else:
        raise DoubleError(f"the double cannot fill in a component of type {kind}")
    return answer


def _check_typed(child: JSON, text: Any) -> None:
    name = child["custom_id"]
    if not isinstance(text, str):
        raise DoubleError(f"text input {name!r} takes text, not {text!r}")
    if not text:
        if child.get("required", True):
            raise DoubleError(f"text input {name!r} is required")
        return
    low, high = child.get("min_length", 0), child.get("max_length", TEXT_MAX)
    if not low <= len(text) <= high:
        raise DoubleError(f"text input {name!r} takes {low} to {high} characters, not {len(text)}")


def _check_chosen(child: JSON, chosen: Any) -> None:
    name = child["custom_id"]
    if not isinstance(chosen, list):
        raise DoubleError(f"string select {name!r} takes a list of values, not {chosen!r}")
    offered = [option["value"] for option in child["options"]]
    if any(value not in offered for value in chosen) or len(set(chosen)) != len(chosen):
        raise DoubleError(f"string select {name!r} offers {offered}, not {chosen}")
    low, high = child.get("min_values", 1), child.get("max_values", 1)
    if not chosen and not child.get("required", True):
        return
    if not max(low, 1 if child.get("required", True) else 0) <= len(chosen) <= high:
        raise DoubleError(f"string select {name!r} takes {low} to {high} values, not {len(chosen)}")
