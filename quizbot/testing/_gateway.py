"""The double's gateway: HELLO, IDENTIFY and READY, GUILD_CREATE, heartbeats, RESUME and dispatches."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from quizbot.testing._model import JSON, Guild
from quizbot.testing._records import Notifier
from quizbot.testing._world import World

log = logging.getLogger("quizbot.testing.gateway")

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE_STATE = range(5)
RESUME, RECONNECT, REQUEST_GUILD_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 6, 7, 8, 9, 10, 11


PayloadBuilder = Callable[["GatewaySession"], JSON | None]
"""Builds one session's copy of an event (None: that session does not receive it)."""


class Connection:
    """One websocket a client opened, speaking JSON text or zlib-stream binary frames."""

    def __init__(self, ws: web.WebSocketResponse, *, zlib_stream: bool) -> None:
        """Wrap an accepted websocket."""
        self.ws = ws
        self.lock = asyncio.Lock()
        self._deflate = zlib.compressobj() if zlib_stream else None

    async def send(self, frame: JSON) -> None:
        """Send one payload (the caller holds `lock` when order matters)."""
        text = json.dumps(frame, separators=(",", ":"))
        if self._deflate is None:
            await self.ws.send_str(text)
        else:
            await self.ws.send_bytes(
                self._deflate.compress(text.encode()) + self._deflate.flush(zlib.Z_SYNC_FLUSH)
            )


@dataclass(eq=False)
class GatewaySession:
    """An identified gateway session: survives its websocket so the client can RESUME it."""

    session_id: str
    intents: int
    shard: tuple[int, int]
    connection: Connection | None = None
    seq: int = 0
    sent: list[JSON] = field(default_factory=list)
    ready: bool = False
    presence: JSON | None = None
    resumes: int = 0

    def has_intent(self, flag: int) -> bool:
        """Whether the session's IDENTIFY asked for this intent bit."""
        return bool(self.intents & flag)

    def sees_guild(self, guild_id: int | None) -> bool:
        """Whether this shard receives the guild's events (DMs go to shard 0)."""
        shard_id, count = self.shard
        return shard_id == 0 if guild_id is None else (guild_id >> 22) % count == shard_id

    async def dispatch(self, event: str, data: JSON) -> None:
        """Number, keep (for RESUME) and send an event; sent later on resume when disconnected."""
        connection = self.connection
        if connection is None:
            self.seq += 1
            self.sent.append({"op": DISPATCH, "t": event, "s": self.seq, "d": data})
            return
        async with connection.lock:
            self.seq += 1
            frame = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
            self.sent.append(frame)
            if not connection.ws.closed:
                try:
                    await connection.send(frame)
                except (ConnectionError, RuntimeError):
                    # The client went away mid-send; the frame is kept for its RESUME.
                    log.info("gateway: %s not delivered, kept for resume", event)


class Gateway:
    """Accepts gateway websockets and dispatches events to every identified session."""

    def __init__(self, world: World, token: str, notifier: Notifier, *, heartbeat_interval_ms: int) -> None:
        """A gateway for `world` that accepts `token`."""
        self.world = world
        self.token = token
        self.notifier = notifier
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: set[Connection] = set()
        self.url = ""
        self.heartbeats = 0
        self.identifies = 0
        self.received: list[JSON] = []

    def live_sessions(self) -> list[GatewaySession]:
        """The sessions that are ready and currently connected."""
        return [s for s in self.sessions.values() if s.ready and s.connection is not None]

    async def dispatch(self, event: str, build: JSON | PayloadBuilder, guild_id: int | None = None) -> int:
        """Send an event to every ready session on the guild's shard; returns how many got it."""
        count = 0
        for session in list(self.sessions.values()):
            if not session.ready or not session.sees_guild(guild_id):
                continue
            data = build(session) if callable(build) else build
            if data is not None:
                await session.dispatch(event, data)
                count += 1
        return count

    async def guild_create(self, guild: Guild) -> None:
        """Send GUILD_CREATE for `guild` (a join, or the guild becoming available)."""
        await self.dispatch("GUILD_CREATE", guild.payload(all_members=False), guild.id)

    async def reconnect_all(self) -> None:
        """Ask every connected client to reconnect and RESUME (op 7)."""
        for connection in list(self.connections):
            async with connection.lock:
                await connection.send({"op": RECONNECT, "d": None})

    async def close(self) -> None:
        """Close every websocket with 1001 (going away)."""
        for connection in list(self.connections):
            await connection.ws.close(code=1001, message=b"double stopping")

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The websocket endpoint: checks the query, sends HELLO and serves the connection."""
        query = request.query
        if query.get("encoding", "json") != "json":
            log.error("gateway: unsupported encoding %r (the double speaks JSON only)", query.get("encoding"))
            raise web.HTTPBadRequest(text="unsupported encoding")
        compress = query.get("compress")
        if compress not in (None, "zlib-stream"):
            log.error("gateway: unsupported compress=%r", compress)
            raise web.HTTPBadRequest(text="unsupported compression")
        if query.get("v", "10") != "10":
            log.warning("gateway: client asked for API v%s; the double speaks v10", query.get("v"))
        ws = web.WebSocketResponse(autoping=True, compress=False, max_msg_size=0)
        await ws.prepare(request)
        connection = Connection(ws, zlib_stream=compress == "zlib-stream")
        self.connections.add(connection)
        session: GatewaySession | None = None
        try:
            async with connection.lock:
                await connection.send({"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    log.error("gateway: unexpected %s frame from the client", message.type)
                    await ws.close(code=4002, message=b"Decode error")
                    break
                session = await self._receive(connection, session, message.data)
        finally:
            self.connections.discard(connection)
            if session is not None and session.connection is connection:
                session.connection = None
            self.notifier.notify()
        return ws

    async def _receive(
        self, connection: Connection, session: GatewaySession | None, text: str
    ) -> GatewaySession | None:
        """Handle one client payload; returns the connection's session (new after IDENTIFY/RESUME)."""
        try:
            frame = json.loads(text)
            op = frame["op"]
        except (ValueError, KeyError, TypeError):
            await connection.ws.close(code=4002, message=b"Decode error")
            return session
        self.received.append(frame)
        data = frame.get("d")
        if op == HEARTBEAT:
            self.heartbeats += 1
            async with connection.lock:
                await connection.send({"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            if session is not None:
                await connection.ws.close(code=4005, message=b"Already authenticated")
                return session
            return await self._identify(connection, data)
        elif op == RESUME:
            return await self._resume(connection, data)
        elif session is None:
            await connection.ws.close(code=4003, message=b"Not authenticated")
        elif op == REQUEST_GUILD_MEMBERS:
            await self._members_chunk(session, data)
        elif op == PRESENCE:
            session.presence = data
        elif op != VOICE_STATE:
            log.error("gateway: unknown opcode %s: %s", op, frame)
            await connection.ws.close(code=4001, message=b"Unknown opcode")
        return session

    async def _identify(self, connection: Connection, data: JSON) -> GatewaySession | None:
        """Check the token, then send READY and one GUILD_CREATE per guild on the shard.

        GUILD_CREATE lists only the bot's own member, as for a large guild: other members arrive with
        interactions and messages, or through chunking (op 8) when the bot has the members intent."""
        self.identifies += 1
        if data.get("token") != self.token:
            await connection.ws.close(code=4004, message=b"Authentication failed")
            return None
        shard_id, count = data.get("shard") or (0, 1)
        session = GatewaySession(secrets.token_hex(16), int(data.get("intents", 0)), (shard_id, count))
        session.connection = connection
        session.presence = data.get("presence")
        self.sessions[session.session_id] = session
        guilds = [g for g in self.world.guilds.values() if session.sees_guild(g.id)]
        bot = self.world.bot.payload() | {"verified": True, "mfa_enabled": False, "flags": 0, "email": None}
        ready: JSON = {
            "v": 10,
            "user": bot,
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": f"{self.url}/resume",
            "shard": [shard_id, count],
            "application": {"id": str(self.world.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["quizbot-discord-double"],
        }
        await session.dispatch("READY", ready)
        for guild in guilds:
            await session.dispatch("GUILD_CREATE", guild.payload(all_members=False))
        session.ready = True
        self.notifier.notify()
        return session

    async def _resume(self, connection: Connection, data: JSON) -> GatewaySession | None:
        """Re-attach a known session and replay what it missed, or invalidate it (op 9)."""
        session = self.sessions.get(data.get("session_id", ""))
        if data.get("token") != self.token:
            await connection.ws.close(code=4004, message=b"Authentication failed")
            return None
        if session is None:
            async with connection.lock:
                await connection.send({"op": INVALID_SESSION, "d": False})
            return None
        async with connection.lock:
            session.connection = connection
            for frame in session.sent:
                if frame["s"] > int(data.get("seq") or 0):
                    await connection.send(frame)
        session.resumes += 1
        await session.dispatch("RESUMED", {"_trace": ["quizbot-discord-double"]})
        self.notifier.notify()
        return session

    async def _members_chunk(self, session: GatewaySession, data: JSON) -> None:
        """Answer REQUEST_GUILD_MEMBERS with one GUILD_MEMBERS_CHUNK."""
        guild = self.world.guilds.get(int(data["guild_id"]))
        if guild is None:
            return
        members = list(guild.members.values())
        if data.get("user_ids"):
            wanted = {int(u) for u in data["user_ids"]}
            members = [m for m in members if m.id in wanted]
        elif data.get("query"):
            members = [m for m in members if m.user.name.lower().startswith(str(data["query"]).lower())]
        if data.get("limit"):
            members = members[: int(data["limit"])]
        chunk: JSON = {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if "nonce" in data:
            chunk["nonce"] = data["nonce"]
        await session.dispatch("GUILD_MEMBERS_CHUNK", chunk)
