"""Gateway v10 over a real websocket: sessions, sequence numbers, backlog replay on RESUME.

Every dispatch is appended to each live session's backlog with that session's next ``s``;
a per-connection writer drains the backlog. That single path makes "events sent while the
client was disconnected are replayed on RESUME" fall out naturally.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import WSMsgType, web

from .ids import Intent

_log = logging.getLogger(__name__)

BACKLOG_LIMIT = 5000


class Op:
    """Gateway opcodes."""

    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE = 3
    VOICE_STATE = 4
    RESUME = 6
    RECONNECT = 7
    REQUEST_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11


class GatewayHost(Protocol):
    """What the gateway needs from the server that owns it."""

    token: str
    bot_user_id: int

    def ready_data(self, session_id: str, resume_url: str) -> dict[str, Any]: ...

    def guild_create_payloads(self) -> list[dict[str, Any]]: ...

    def member_chunks(self, request: dict[str, Any]) -> list[dict[str, Any]]: ...


@dataclass
class Session:
    """A gateway session; it outlives connections so it can be resumed."""

    id: str
    intents: int
    seq: int = 0
    backlog: list[tuple[int, str]] = field(default_factory=list)
    conn: Connection | None = None
    valid: bool = True
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def append(self, event: str, data: Any) -> None:
        """Number the event for this session and queue it."""
        self.seq += 1
        frame = json.dumps({"op": Op.DISPATCH, "t": event, "s": self.seq, "d": data}, separators=(",", ":"))
        self.backlog.append((self.seq, frame))
        if len(self.backlog) > BACKLOG_LIMIT:
            del self.backlog[: len(self.backlog) - BACKLOG_LIMIT]
        self.wake.set()


class Connection:
    """One websocket; compresses with zlib-stream when the client asked for it."""

    def __init__(self, ws: web.WebSocketResponse, compress: str | None) -> None:
        self.ws = ws
        self._zlib = zlib.compressobj() if compress == "zlib-stream" else None
        self.compression = "zlib-stream" if self._zlib else None
        self._lock = asyncio.Lock()
        self.session: Session | None = None
        self.sent_upto = 0
        self.writer: asyncio.Task[None] | None = None

    async def send_text(self, text: str) -> None:
        """Send one gateway payload (compressed as a stream if negotiated)."""
        async with self._lock:
            if self.ws.closed:
                return
            if self._zlib is not None:
                chunk = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(chunk)
            else:
                await self.ws.send_str(text)

    async def send(self, op: int, d: Any) -> None:
        """Send a non-dispatch opcode."""
        await self.send_text(json.dumps({"op": op, "d": d, "s": None, "t": None}))

    async def drain(self) -> None:
        """Write the session backlog past ``sent_upto`` until the connection is replaced."""
        session = self.session
        assert session is not None
        while session.conn is self and not self.ws.closed:
            pending = [(s, f) for s, f in session.backlog if s > self.sent_upto]
            for seq, frame in pending:
                await self.send_text(frame)
                self.sent_upto = seq
            if self.sent_upto >= session.seq:
                session.wake.clear()
                await session.wake.wait()


class Gateway:
    """Accepts gateway websockets and dispatches events to sessions."""

    def __init__(self, host: GatewayHost, heartbeat_interval_ms: int = 41250) -> None:
        self.host = host
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.url = ""
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeat_count = 0
        self.compressions: list[str | None] = []
        self._accepting = asyncio.Event()
        self._accepting.set()

    # ---- control ---------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Whether a live session currently has an open websocket."""
        return any(s.conn is not None and not s.conn.ws.closed for s in self.sessions.values() if s.valid)

    def live_sessions(self) -> list[Session]:
        """Sessions that still receive dispatches."""
        return [s for s in self.sessions.values() if s.valid]

    def dispatch(self, event: str, data: Any, *, intent: int | None = None,
                 transform: Callable[[Session, Any], Any] | None = None) -> None:
        """Queue an event for every session whose intents allow it."""
        for session in self.live_sessions():
            if intent is not None and not session.intents & intent:
                continue
            payload = transform(session, data) if transform else data
            session.append(event, payload)

    async def drop(self, code: int = 4000) -> None:
        """Close every websocket with ``code`` (4000 is resumable without backoff)."""
        for conn in list(self.connections):
            await conn.ws.close(code=code, message=b"dropped by localdiscord")

    async def send_reconnect(self) -> None:
        """Op 7: ask the client to reconnect and resume."""
        for conn in list(self.connections):
            await conn.send(Op.RECONNECT, None)

    async def invalidate(self, resumable: bool = False) -> None:
        """Op 9; a non-resumable invalidation forgets the session, so the client re-IDENTIFYs."""
        for conn in list(self.connections):
            if conn.session is not None and not resumable:
                conn.session.valid = False
                self.sessions.pop(conn.session.id, None)
            await conn.send(Op.INVALID_SESSION, resumable)

    def pause(self) -> None:
        """Hold new websocket handshakes (the client waits), e.g. to queue events during a drop."""
        self._accepting.clear()

    def unpause(self) -> None:
        """Let held handshakes proceed."""
        self._accepting.set()

    async def close_all(self) -> None:
        """Close everything (server shutdown)."""
        await self.drop(1001)

    # ---- websocket handler -----------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """aiohttp handler for the gateway URL."""
        await self._accepting.wait()
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        compress = request.query.get("compress")
        conn = Connection(ws, compress)
        self.compressions.append(conn.compression)
        self.connections.add(conn)
        try:
            await conn.send(Op.HELLO, {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["localdiscord"]})
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_payload(conn, json.loads(msg.data))
                elif msg.type is WSMsgType.ERROR:
                    break
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.connections.discard(conn)
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
                conn.session.wake.set()
            if conn.writer is not None:
                conn.writer.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionResetError):
                    await conn.writer
        return ws

    async def _on_payload(self, conn: Connection, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        d = payload.get("d")
        if op == Op.HEARTBEAT:
            self.heartbeat_count += 1
            await conn.send(Op.HEARTBEAT_ACK, None)
        elif op == Op.IDENTIFY:
            await self._identify(conn, d or {})
        elif op == Op.RESUME:
            await self._resume(conn, d or {})
        elif op == Op.REQUEST_MEMBERS:
            if conn.session is not None:
                for chunk in self.host.member_chunks(d or {}):
                    conn.session.append("GUILD_MEMBERS_CHUNK", chunk)
        elif op in (Op.PRESENCE, Op.VOICE_STATE):
            return
        else:
            await conn.ws.close(code=4001, message=b"Unknown opcode.")

    def _attach(self, conn: Connection, session: Session, sent_upto: int) -> None:
        old = session.conn
        session.conn = conn
        conn.session = session
        conn.sent_upto = sent_upto
        if old is not None and old is not conn:
            session.wake.set()
        conn.writer = asyncio.create_task(conn.drain(), name=f"localdiscord-gateway-{session.id}")

    async def _identify(self, conn: Connection, d: dict[str, Any]) -> None:
        if conn.session is not None:
            await conn.ws.close(code=4005, message=b"Already authenticated.")
            return
        if d.get("token") != self.host.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if "intents" not in d:
            await conn.ws.close(code=4013, message=b"Invalid intent(s).")
            return
        for old in self.sessions.values():
            old.valid = False
        self.sessions.clear()
        session = Session(id=secrets.token_hex(16), intents=int(d["intents"]))
        self.sessions[session.id] = session
        self.identify_count += 1
        self._attach(conn, session, 0)
        session.append("READY", self.host.ready_data(session.id, self.url))
        for guild in self.host.guild_create_payloads():
            session.append("GUILD_CREATE", guild)

    async def _resume(self, conn: Connection, d: dict[str, Any]) -> None:
        session = self.sessions.get(str(d.get("session_id")))
        if d.get("token") != self.host.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if session is None or not session.valid:
            await conn.send(Op.INVALID_SESSION, False)
            return
        self.resume_count += 1
        self._attach(conn, session, int(d.get("seq") or 0))
        session.append("RESUMED", {"_trace": ["localdiscord"]})


def content_gate(bot_user_id: int) -> Callable[[Session, Any], Any]:
    """Blank message content for sessions without MESSAGE_CONTENT, with Discord's exemptions."""

    def gate(session: Session, msg: Any) -> Any:
        if session.intents & Intent.MESSAGE_CONTENT or not isinstance(msg, dict):
            return msg
        if "guild_id" not in msg or msg.get("author", {}).get("id") == str(bot_user_id):
            return msg
        if any(u.get("id") == str(bot_user_id) for u in msg.get("mentions", [])):
            return msg
        blanked = {k: v for k, v in msg.items() if k != "poll"}
        blanked.update(content="", embeds=[], attachments=[], components=[])
        return blanked

    return gate
