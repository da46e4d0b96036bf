"""The base of the double's REST routes: shared state and helpers for request bodies and answers."""

from __future__ import annotations

import mimetypes
from typing import Any

from aiohttp import web

from quizbot.testing._gateway import Gateway
from quizbot.testing._http import RawFile, Traffic, json_response, read_body
from quizbot.testing._model import JSON
from quizbot.testing._records import Attachment, MessageRecord
from quizbot.testing._store import ApiError, Store
from quizbot.testing._world import World


def snowflake(request: web.Request, name: str) -> int:
    """A snowflake path parameter (404 when it is not a number)."""
    try:
        return int(request.match_info[name])
    except ValueError as exc:
        raise ApiError(404, 0, "404: Not Found") from exc


def content_type(file: RawFile) -> str | None:
    """An upload's type as Discord reports it: the part's own, or from the file name when the client
    sent none in particular (disnake sends application/octet-stream for every file)."""
    if file.content_type and file.content_type != "application/octet-stream":
        return file.content_type
    return mimetypes.guess_type(file.filename)[0] or file.content_type


def no_content() -> web.Response:
    """204 No Content."""
    return web.Response(status=204)


class Routes:
    """What every route handler needs: the world, the store, the gateway and the traffic log."""

    def __init__(self, world: World, store: Store, gateway: Gateway, traffic: Traffic) -> None:
        """Routes over `world` and `store`; `traffic` wraps them (counts, faults, auth)."""
        self.world = world
        self.store = store
        self.gateway = gateway
        self.traffic = traffic
        self.origin = ""
        self.ack_window = 3.0
        self.shards = 1

    async def body(self, request: web.Request) -> tuple[Any, list[RawFile]]:
        """The request's JSON (or payload_json) and files, kept for the request log."""
        payload, files = await read_body(request)
        self.traffic.bodies[id(request)] = payload
        return payload, files

    def attachments(self, raw: list[RawFile], payload: JSON) -> list[Attachment]:
        """Stored attachments for uploaded files, with descriptions from payload['attachments']."""
        described = {str(a.get("id")): a for a in payload.get("attachments") or [] if isinstance(a, dict)}
        stored = []
        for file in raw:
            ident = self.world.snowflakes.next()
            meta = described.get(str(file.index), {})
            url = f"{self.origin}/attachments/{ident}/{file.filename}"
            attachment = Attachment(
                ident, file.filename, file.data, url, meta.get("description"), content_type(file)
            )
            self.store.files[ident] = attachment
            stored.append(attachment)
        return stored

    def message_json(self, record: MessageRecord) -> web.Response:
        """A message as a JSON answer."""
        return json_response(record.payload(self.world.application_id))
