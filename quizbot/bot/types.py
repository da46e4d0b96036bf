"""Interaction types under short names, imported from where mypy can see them."""

from __future__ import annotations

from typing import Any

from disnake.interactions.application_command import ApplicationCommandInteraction
from disnake.interactions.message import MessageInteraction
from disnake.interactions.modal import ModalInteraction

CommandInter = ApplicationCommandInteraction[Any]
ButtonInter = MessageInteraction[Any]
ModalInter = ModalInteraction[Any]
