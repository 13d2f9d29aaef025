"""The gateway side of the emulator: one websocket per connection, sessions that survive them.

A *session* (created by IDENTIFY) owns the sequence counter and the history of every dispatch it
was sent; a *connection* is one websocket. Keeping the two apart is what makes RESUME honest: when a
connection drops, dispatches keep being numbered and stored on the session, and a RESUME on a new
connection replays everything after the sequence number the client last saw, whether it was queued
while nobody was connected or sent into a socket that died before delivering it.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

# Opcodes (discord.com/developers/docs/topics/opcodes-and-status-codes).
DISPATCH = 0
HEARTBEAT = 1
IDENTIFY = 2
PRESENCE_UPDATE = 3
VOICE_STATE_UPDATE = 4
RESUME = 6
RECONNECT = 7
REQUEST_GUILD_MEMBERS = 8
INVALID_SESSION = 9
HELLO = 10
HEARTBEAT_ACK = 11

OP_NAMES = {
    0: "DISPATCH",
    1: "HEARTBEAT",
    2: "IDENTIFY",
    3: "PRESENCE_UPDATE",
    4: "VOICE_STATE_UPDATE",
    6: "RESUME",
    7: "RECONNECT",
    8: "REQUEST_GUILD_MEMBERS",
    9: "INVALID_SESSION",
    10: "HELLO",
    11: "HEARTBEAT_ACK",
}

INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15


class _Compressor:
    """Per-connection transport compression, as Discord does it.

    zlib-stream: ONE deflate stream for the whole connection; every message is `compress()` plus a
    Z_SYNC_FLUSH, so each frame ends in 00 00 ff ff, which is how discord.py knows a message is whole.
    zstd-stream: likewise one zstd stream, flushed per message (a block flush, not a frame end).
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._zlib: Any = None
        self._zstd: Callable[[bytes], bytes] | None = None
        if kind == "zlib-stream":
            self._zlib = zlib.compressobj()
        elif kind == "zstd-stream":
            self._zstd = _zstd_stream()

    def encode(self, text: str) -> str | bytes:
        data = text.encode("utf-8")
        if self._zlib is not None:
            out: bytes = self._zlib.compress(data) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
            return out
        if self._zstd is not None:
            return self._zstd(data)
        return text


def _zstd_stream() -> Callable[[bytes], bytes]:
    """A zstd stream compressor, from whichever module discord.py itself would use.

    discord.py only asks for zstd-stream when it can import `compression.zstd` (Python 3.14) or the
    `zstandard` package, and it runs in this same process, so the same module is available here.
    Untested on this machine (neither is installed); zlib-stream is what runs in CI.
    """
    try:
        from compression import zstd  # type: ignore[import-not-found]

        compressor = zstd.ZstdCompressor()
        return lambda data: bytes(compressor.compress(data, zstd.ZstdCompressor.FLUSH_BLOCK))
    except ImportError:
        pass
    import zstandard  # type: ignore[import-not-found]

    cobj = zstandard.ZstdCompressor().compressobj()
    return lambda data: bytes(cobj.compress(data) + cobj.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK))


def zstd_available() -> bool:
    try:
        _zstd_stream()
    except ImportError:
        return False
    return True


@dataclass(eq=False)
class GatewayConnection:
    id: int
    ws: web.WebSocketResponse
    request: web.Request
    path: str
    compressor: _Compressor
    opened_at: float
    session: GatewaySession | None = None
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    closed: bool = False

    async def send(self, frame: dict[str, Any]) -> None:
        if self.closed or self.ws.closed:
            raise ConnectionResetError("gateway connection is closed")
        text = json.dumps(frame, separators=(",", ":"))
        data = self.compressor.encode(text)
        # One lock per connection: the zlib stream must see messages in the order they go out.
        async with self.send_lock:
            if isinstance(data, bytes):
                await self.ws.send_bytes(data)
            else:
                await self.ws.send_str(data)


@dataclass(eq=False)
class GatewaySession:
    session_id: str
    identify: dict[str, Any]
    seq: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    connection: GatewayConnection | None = None
    invalid: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def intents(self) -> int:
        value = self.identify.get("intents", 0)
        return value if isinstance(value, int) else 0

    @property
    def shard(self) -> list[int] | None:
        shard = self.identify.get("shard")
        return shard if isinstance(shard, list) else None


@dataclass
class GatewayEvent:
    """One frame in the gateway log: what went in or out, on which connection, and when."""

    time: float
    direction: str  # "send" (emulator -> bot) or "recv"
    connection_id: int
    op: int
    t: str | None = None
    s: int | None = None


class Gateway:
    def __init__(self, emulator: DiscordEmulator) -> None:
        self.emu = emulator
        self.sessions: dict[str, GatewaySession] = {}
        self.current: GatewaySession | None = None
        self.connections: list[GatewayConnection] = []
        self.log: list[GatewayEvent] = []
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeat_count = 0
        self._next_conn_id = 1

    # ------------------------------------------------------------------ outgoing

    def _note(self, conn: GatewayConnection, direction: str, frame: dict[str, Any]) -> None:
        self.log.append(
            GatewayEvent(time.monotonic(), direction, conn.id, int(frame.get("op", -1)), frame.get("t"), frame.get("s"))
        )
        self.emu._changed()

    async def _send(self, conn: GatewayConnection, frame: dict[str, Any]) -> None:
        await conn.send(frame)
        self._note(conn, "send", frame)

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Number a dispatch, keep it for replay, and send it if the session is connected."""
        session = self.current
        if session is None:
            raise RuntimeError(f"cannot dispatch {event}: no bot has IDENTIFIed with the emulator yet")
        async with session.lock:
            return await self._dispatch_locked(session, event, data)

    async def _dispatch_locked(self, session: GatewaySession, event: str, data: dict[str, Any]) -> int:
        session.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.history.append(frame)
        conn = session.connection
        if conn is not None:
            try:
                await self._send(conn, frame)
            except (ConnectionResetError, RuntimeError):
                # The socket died under us; the frame stays in history for the RESUME replay.
                session.connection = None
        return session.seq

    async def send_op(self, op: int, d: Any) -> GatewayConnection:
        session = self.current
        if session is None or session.connection is None:
            raise RuntimeError("no live gateway connection")
        conn = session.connection
        await self._send(conn, {"op": op, "d": d, "s": None, "t": None})
        return conn

    # ------------------------------------------------------------------ faults

    async def drop(self) -> None:
        """Kill the current connection without a close frame, as a network failure would."""
        session = self.current
        if session is None or session.connection is None:
            raise RuntimeError("no live gateway connection to drop")
        conn = session.connection
        session.connection = None
        conn.closed = True
        transport = conn.request.transport
        if transport is not None:
            transport.abort()
        self.emu._changed()

    async def request_reconnect(self) -> None:
        conn = await self.send_op(RECONNECT, None)
        # Discord stops sending on this connection once it has asked for a reconnect.
        if self.current is not None and self.current.connection is conn:
            self.current.connection = None

    async def invalidate(self, resumable: bool) -> None:
        session = self.current
        conn = await self.send_op(INVALID_SESSION, resumable)
        if session is not None:
            if session.connection is conn:
                session.connection = None
            if not resumable:
                session.invalid = True

    # ------------------------------------------------------------------ incoming

    async def handle(self, request: web.Request) -> web.StreamResponse:
        emu = self.emu
        query = request.query
        problems: list[str] = []
        if query.get("v") != "10":
            problems.append(f"gateway: connected with v={query.get('v')!r}, expected 10")
        encoding = query.get("encoding", "json")
        compress = query.get("compress")
        # No permessage-deflate (Discord compresses at the payload level instead) and a short close
        # handshake timeout, so stopping the emulator under a live client is quick.
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True, compress=False, timeout=2.0)
        await ws.prepare(request)
        conn = GatewayConnection(
            id=self._next_conn_id,
            ws=ws,
            request=request,
            path=request.path,
            compressor=_Compressor(compress or ""),
            opened_at=time.monotonic(),
        )
        self._next_conn_id += 1
        self.connections.append(conn)
        emu._changed()
        if encoding != "json":
            emu.violation(f"gateway: encoding={encoding!r} is not supported by the emulator (json only)")
            await ws.close(code=4002, message=b"unsupported encoding")
            return ws
        if compress not in (None, "zlib-stream", "zstd-stream"):
            problems.append(f"gateway: unknown compress={compress!r}")
        if compress == "zstd-stream" and not zstd_available():
            emu.violation("gateway: zstd-stream asked for but no zstd module is importable")
            await ws.close(code=4000, message=b"zstd unavailable")
            return ws
        for problem in problems:
            emu.violation(problem)

        await self._send(
            conn, {"op": HELLO, "d": {"heartbeat_interval": emu.heartbeat_interval_ms}, "s": None, "t": None}
        )
        try:
            async for msg in ws:
                if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    raw = msg.data if isinstance(msg.data, str) else msg.data.decode("utf-8")
                    try:
                        frame = json.loads(raw)
                    except ValueError:
                        emu.violation(f"gateway: undecodable frame {raw[:100]!r}")
                        await ws.close(code=4002, message=b"decode error")
                        break
                    await self._on_frame(conn, frame)
                elif msg.type == WSMsgType.ERROR:
                    break
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            conn.closed = True
            for session in self.sessions.values():
                if session.connection is conn:
                    session.connection = None
            emu._changed()
        return ws

    async def _on_frame(self, conn: GatewayConnection, frame: Any) -> None:
        if not isinstance(frame, dict) or "op" not in frame:
            self.emu.violation(f"gateway: frame without op: {str(frame)[:100]}")
            return
        self._note(conn, "recv", frame)
        op = frame["op"]
        d = frame.get("d")
        handlers: dict[int, Callable[[GatewayConnection, Any], Awaitable[None]]] = {
            HEARTBEAT: self._on_heartbeat,
            IDENTIFY: self._on_identify,
            RESUME: self._on_resume,
            REQUEST_GUILD_MEMBERS: self._on_request_members,
            PRESENCE_UPDATE: self._on_ignored,
            VOICE_STATE_UPDATE: self._on_ignored,
        }
        handler = handlers.get(op)
        if handler is None:
            self.emu.violation(f"gateway: unknown opcode {op!r}")
            await conn.ws.close(code=4001, message=b"unknown opcode")
            return
        await handler(conn, d)

    async def _on_ignored(self, conn: GatewayConnection, d: Any) -> None:
        return None

    async def _on_heartbeat(self, conn: GatewayConnection, d: Any) -> None:
        self.heartbeat_count += 1
        await self._send(conn, {"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})

    async def _on_identify(self, conn: GatewayConnection, d: Any) -> None:
        emu = self.emu
        if not isinstance(d, dict):
            emu.violation("gateway: IDENTIFY without a payload")
            await conn.ws.close(code=4002)
            return
        if conn.session is not None:
            emu.violation("gateway: IDENTIFY sent twice on one connection")
            await conn.ws.close(code=4005, message=b"already authenticated")
            return
        for key in ("token", "properties", "intents"):
            if key not in d:
                emu.violation(f"gateway: IDENTIFY without {key!r}")
        if not d.get("token"):
            await conn.ws.close(code=4004, message=b"authentication failed")
            return
        self.identify_count += 1
        session = GatewaySession(session_id=secrets.token_hex(16), identify=d)
        self.sessions[session.session_id] = session
        self.current = session
        conn.session = session
        ready: dict[str, Any] = {
            "v": 10,
            "user": emu.bot_user.to_payload(),
            "user_settings": {},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in emu.guilds.values()],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": emu.resume_gateway_url,
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "guild_join_requests": [],
            "application": {"id": str(emu.application.id), "flags": emu.application.flags},
            "_trace": ['["emulator"]'],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        async with session.lock:
            session.connection = conn
            await self._dispatch_locked(session, "READY", ready)
            for guild in emu.guilds.values():
                await self._dispatch_locked(session, "GUILD_CREATE", guild.create_payload())

    async def _on_resume(self, conn: GatewayConnection, d: Any) -> None:
        emu = self.emu
        if not isinstance(d, dict):
            emu.violation("gateway: RESUME without a payload")
            await conn.ws.close(code=4002)
            return
        session = self.sessions.get(str(d.get("session_id")))
        if session is None or session.invalid:
            # Discord's answer to a stale session: op 9 with d=false, then the client re-IDENTIFYs.
            await self._send(conn, {"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        if conn.path != emu.resume_gateway_path:
            emu.violation(f"gateway: RESUME on {conn.path}, not on READY's resume_gateway_url")
        self.resume_count += 1
        last_seen = d.get("seq") or 0
        async with session.lock:
            old = session.connection
            if old is not None and old is not conn:
                old.closed = True
                await old.ws.close(code=4000)
            conn.session = session
            session.connection = conn
            for frame in session.history:
                if frame["s"] > last_seen:
                    await self._send(conn, frame)
            await self._dispatch_locked(session, "RESUMED", {"_trace": ['["emulator"]']})

    async def _on_request_members(self, conn: GatewayConnection, d: Any) -> None:
        emu = self.emu
        if not isinstance(d, dict):
            return
        guild = emu.guilds.get(int(d.get("guild_id", 0)))
        if guild is None or conn.session is None:
            return
        members = list(guild.members.values())
        if d.get("user_ids"):
            wanted = {int(u) for u in d["user_ids"]}
            members = [m for m in members if m.user.id in wanted]
        elif d.get("query"):
            members = [m for m in members if m.user.username.lower().startswith(str(d["query"]).lower())]
        limit = d.get("limit") or 0
        if limit:
            members = members[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [m.to_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if d.get("nonce"):
            chunk["nonce"] = d["nonce"]
        async with conn.session.lock:
            await self._dispatch_locked(conn.session, "GUILD_MEMBERS_CHUNK", chunk)

    async def close_all(self) -> None:
        for conn in self.connections:
            if not conn.closed and not conn.ws.closed:
                conn.closed = True
                await conn.ws.close(code=1001, message=b"emulator stopping")
