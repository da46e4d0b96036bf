"""The double's HTTP plumbing: JSON answers, rate-limit headers, bodies, faults and the request log."""

from __future__ import annotations

import json
import logging
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from quizbot.testing._records import FaultRule, RequestRecord
from quizbot.testing._store import ApiError

log = logging.getLogger("quizbot.testing.rest")

API_PREFIX = "/api/v10"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON answer whose Content-Type is exactly application/json, as disnake insists."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def bucket_headers(route: str, *, remaining: int, reset_after: float) -> dict[str, str]:
    """X-RateLimit-* headers for a bucket named after the route."""
    return {
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": f"{abs(hash(route)):x}"[:16],
    }


def fault_response(rule: FaultRule, route: str) -> web.Response:
    """The injected answer: a Discord-shaped 429 (with Via unless told otherwise) or a 5xx."""
    if rule.status != 429:
        return json_response({"message": f"{rule.status}: Internal Server Error", "code": 0}, rule.status)
    if not rule.via:
        # What a Cloudflare ban looks like: HTML, no Via.
        return web.Response(status=429, text="<html>banned</html>", headers={"Content-Type": "text/html"})
    headers = bucket_headers(route, remaining=0, reset_after=rule.retry_after)
    headers |= {
        "Retry-After": str(max(1, math.ceil(rule.retry_after))),
        "X-RateLimit-Scope": "global" if rule.is_global else "user",
        "Via": "1.1 google",
    }
    if rule.is_global:
        headers["X-RateLimit-Global"] = "true"
    body = {"message": "You are being rate limited.", "retry_after": rule.retry_after}
    return json_response(body | {"global": rule.is_global}, 429, headers)


@dataclass
class RawFile:
    """A file part of a multipart body."""

    index: int
    filename: str
    data: bytes
    content_type: str | None


async def read_body(request: web.Request) -> tuple[Any, list[RawFile]]:
    """The JSON body, or payload_json and files[n] of a multipart body (disnake's uploads)."""
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        files: list[RawFile] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            if name == "payload_json":
                payload = json.loads(await part.text())
            elif name.startswith("files["):
                index = int(name[len("files[") : -1])
                data = bytes(await part.read(decode=False))
                content_type = part.headers.get("Content-Type")
                files.append(RawFile(index, part.filename or f"file{index}", data, content_type))
            else:
                log.error("discord double: unexpected multipart field %r on %s", name, request.path)
        return payload, files
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError as exc:
        raise ApiError(400, 50109, "The request body contains invalid JSON.") from exc


class Traffic:
    """Counts and logs every request, injects faults, checks the token and shapes errors."""

    def __init__(self, token: str) -> None:
        """Traffic for a double that accepts `token`."""
        self.token = token
        self.counts: Counter[str] = Counter()
        self.log: list[RequestRecord] = []
        self.faults: list[FaultRule] = []
        self.unknown: list[str] = []
        self.crashes: list[str] = []
        self.bodies: dict[int, Any] = {}
        """The parsed body of each request in flight, by id(request), for the request log."""

    @staticmethod
    def route_of(request: web.Request) -> str:
        """'METHOD /template' for a known route ('' when no route matches)."""
        resource = request.match_info.route.resource
        if resource is None or request.match_info.http_exception is not None:
            return ""
        canonical = resource.canonical
        if canonical.startswith(API_PREFIX):
            canonical = canonical[len(API_PREFIX) :] or "/"
        return f"{request.method} {canonical}"

    def _take_fault(self, route: str) -> FaultRule | None:
        for rule in self.faults:
            if rule.matches(route):
                rule.remaining -= 1
                return rule
        return None

    def _authorised(self, request: web.Request, route: str) -> bool:
        if " /webhooks/" in route or " /interactions/" in route:
            return True
        return request.headers.get("Authorization") == f"Bot {self.token}"

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Wrap every /api request: count, maybe fault, check auth, answer errors as Discord does."""
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        route = self.route_of(request)
        self.counts[route or f"{request.method} {request.path}"] += 1
        started = time.monotonic()
        try:
            rule = self._take_fault(route or f"{request.method} {request.path}")
            if rule is not None:
                response: web.StreamResponse = fault_response(rule, route)
            elif not route:
                self.unknown.append(f"{request.method} {request.path}")
                log.error(
                    "DISCORD DOUBLE: no route for %s %s (query %s); answering 404 (add it to the double)",
                    request.method,
                    request.path,
                    dict(request.query),
                )
                raise ApiError(404, 0, "404: Not Found")
            elif not self._authorised(request, route):
                raise ApiError(401, 0, "401: Unauthorized")
            else:
                response = await handler(request)
                response.headers.update(bucket_headers(route, remaining=4, reset_after=1.0))
        except ApiError as error:
            response = json_response(error.body(), error.status)
        except Exception as exc:
            # A bug in the double: answer 400 so disnake fails fast instead of retrying a 500 for 25 s.
            log.exception("DISCORD DOUBLE crashed on %s %s", request.method, request.path)
            self.crashes.append(f"{request.method} {request.path}: {exc!r}")
            response = json_response({"message": f"discord double crashed: {exc!r}", "code": 0}, 400)
        body = self.bodies.pop(id(request), None)
        self.log.append(RequestRecord(request.method, route, request.path_qs, body, response.status, started))
        return response
