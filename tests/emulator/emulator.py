"""An in-process Discord: REST API and gateway on 127.0.0.1, for end-to-end tests of a discord.py bot.

The real, unmodified discord.py client connects to it (see `client.connect_client`). The emulator
plays the Discord side of every exchange the bot depends on, records every request, validates every
body against Discord's OpenAPI spec and the limits Discord enforces, and can inject the faults a bot
meets in production (429, 403, 404, 5xx, a dropped gateway, op 7, op 9).

Anything the emulator does not know is answered with Discord's 404 and recorded as a violation, so
a test notices when the bot starts using an endpoint nobody has modelled.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import re
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import BodyPartReader, web

from . import validation as v
from .gateway import INTENT_DIRECT_MESSAGES, INTENT_GUILD_MESSAGES, INTENT_MESSAGE_CONTENT, Gateway, GatewayEvent
from .interactions import (
    ALLOWED_CALLBACKS,
    APPLICATION_COMMAND,
    APPLICATION_COMMAND_AUTOCOMPLETE,
    APPLICATION_COMMAND_AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE_WITH_SOURCE,
    DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
    DEFERRED_UPDATE_MESSAGE,
    MESSAGE_COMPONENT,
    MODAL,
    UPDATE_MESSAGE,
    InteractionHandle,
)
from .models import (
    DEFAULT_EVERYONE_PERMISSIONS,
    DM,
    GUILD_TEXT,
    MANAGE_GUILD,
    MANAGE_MESSAGES,
    MENTION_EVERYONE,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    FakeApplication,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    iso_now,
    new_snowflake,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

# Option types (discord.com/developers/docs/interactions/application-commands#application-command-object).
OPT_SUB_COMMAND = 1
OPT_SUB_COMMAND_GROUP = 2
OPT_STRING = 3
OPT_INTEGER = 4
OPT_BOOLEAN = 5
OPT_USER = 6
OPT_CHANNEL = 7
OPT_ROLE = 8
OPT_MENTIONABLE = 9
OPT_NUMBER = 10

MSG_DEFAULT = 0
MSG_CHAT_INPUT_COMMAND = 20

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

# Discord's own error bodies, so discord.py builds the same exceptions it would in production.
ERRORS: dict[int, dict[str, Any]] = {
    400: {"code": 50035, "message": "Invalid Form Body"},
    401: {"code": 0, "message": "401: Unauthorized"},
    403: {"code": 50001, "message": "Missing Access"},
    404: {"code": 10003, "message": "Unknown Channel"},
    500: {"code": 0, "message": "500: Internal Server Error"},
    502: {"code": 0, "message": "502: Bad Gateway"},
}


class ApiError(Exception):
    """Raised by a route handler to answer with a Discord-style error body."""

    def __init__(
        self, status: int, code: int, message: str, violation: str | None = None, details: list[str] | None = None
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.violation = violation
        self.details = details

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            # Discord's nested `errors` shape, so discord.py's HTTPException text names the problems.
            body["errors"] = {"emulator": {"_errors": [{"code": "EMULATOR_CHECK", "message": d} for d in self.details]}}
        return body


def _rejecting(problems: list[str]) -> list[str]:
    """The problems Discord would answer 400 to; unknown fields it silently ignores, so do we."""
    return [p for p in problems if "unknown field" not in p]


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class RecordedRequest:
    method: str
    path: str  # relative to /api/v10, e.g. "/channels/123/messages"
    route: str | None  # the spec's template, e.g. "/channels/{channel_id}/messages"
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    time: float  # time.monotonic()
    files: list[dict[str, Any]] = field(default_factory=list)
    status: int = 0
    response: Any = None
    fault: Fault | None = None
    problems: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"<{self.method} {self.path} -> {self.status}>"


@dataclass
class Fault:
    """A canned error for requests whose method and path match; see `DiscordEmulator.inject`."""

    method: str
    pattern: re.Pattern[str]
    status: int
    retry_after: float
    times: int | None
    is_global: bool
    body: dict[str, Any] | None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        return (self.method == "*" or self.method == method) and self.pattern.search(path) is not None

    def reply(self) -> Reply:
        if self.status == 429:
            # discord.py treats a 429 without `Via` as a Cloudflare ban and gives up, so send it.
            body = self.body or {
                "message": "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": self.is_global,
                "code": 0,
            }
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(max(1, round(self.retry_after))),
                "X-RateLimit-Scope": "global" if self.is_global else "user",
            }
            if self.is_global:
                headers["X-RateLimit-Global"] = "true"
            return Reply(429, body, headers)
        return Reply(self.status, self.body or ERRORS.get(self.status, {"code": 0, "message": f"{self.status}"}))


@dataclass
class StoredMessage:
    payload: dict[str, Any]
    interaction_id: int | None = None
    deleted: bool = False
    # Every body that created or edited it, in order.
    bodies: list[Any] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def channel_id(self) -> int:
        return int(self.payload["channel_id"])

    @property
    def ephemeral(self) -> bool:
        return bool(self.payload["flags"] & v.FLAG_EPHEMERAL)


@dataclass
class _Ctx:
    request: web.Request
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    files: list[dict[str, Any]]
    record: RecordedRequest


_Handler = Callable[[_Ctx], Awaitable[Reply]]


@dataclass
class _Route:
    method: str
    template: str
    regex: re.Pattern[str]
    handler: _Handler
    bot_auth: bool


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[a-z_]+\})", template)
    pattern = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{pattern}$")


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes")


class DiscordEmulator:
    """A fake Discord for one test. See the module docstring and tests/emulator/README in the report."""

    def __init__(
        self,
        *,
        heartbeat_interval_ms: int = 41250,
        interaction_deadline: float = 3.0,
        followup_lifetime: float = 15 * 60.0,
        validate_responses: bool = False,
        spec_path: Path = v.SPEC_PATH,
        bot_name: str = "Hansard",
        populate: bool = True,
    ) -> None:
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.interaction_deadline = interaction_deadline
        self.followup_lifetime = followup_lifetime
        # Off by default: checking the emulator's own answers is for the emulator's tests.
        self.validate_responses = validate_responses
        self._spec_path = spec_path

        self.requests: list[RecordedRequest] = []
        self.unexpected: list[RecordedRequest] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self.interactions: dict[int, InteractionHandle] = {}
        self.messages: dict[int, StoredMessage] = {}
        self.global_commands: dict[int, dict[str, Any]] = {}
        self.guild_commands: dict[int, dict[int, dict[str, Any]]] = {}
        self._command_ids: dict[tuple[int | None, int, str], int] = {}
        self._synthetic_command_ids: dict[str, int] = {}
        self.guilds: dict[int, FakeGuild] = {}
        self.users: dict[int, FakeUser] = {}
        self.dm_channels: dict[int, FakeChannel] = {}
        self.token: str | None = None

        self.gateway = Gateway(self)
        self._waiters: list[asyncio.Future[None]] = []
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._routes = self._build_routes()

        owner = self._new_user("owner", global_name="Guild Owner")
        self.bot_user = self._new_user(bot_name, bot=True)
        # Modern applications share their id with their bot user.
        self.application = FakeApplication(id=self.bot_user.id, name=bot_name, owner=owner)
        if populate:
            self._populate(owner)

    # ------------------------------------------------------------------ the fake world

    def _new_user(self, username: str, *, global_name: str | None = None, bot: bool = False) -> FakeUser:
        user = FakeUser(id=new_snowflake(), username=username, global_name=global_name, bot=bot)
        self.users[user.id] = user
        return user

    def _populate(self, owner: FakeUser) -> None:
        guild = self.add_guild("Test Guild", owner=owner)
        self.add_channel(guild, "general")
        self.add_channel(guild, "hansard")
        moderator = self.add_role(guild, "Moderator", MANAGE_GUILD | MANAGE_MESSAGES)
        self.add_user("alice", guild=guild, global_name="Alice")
        self.add_user("bob", guild=guild, global_name="Bob")
        self.add_user("mod", guild=guild, roles=[moderator], global_name="Moderator")

    def add_guild(self, name: str, *, owner: FakeUser | None = None) -> FakeGuild:
        owner = owner or self.application.owner
        guild = FakeGuild(id=new_snowflake(), name=name, owner_id=owner.id)
        guild.roles[guild.id] = FakeRole(id=guild.id, name="@everyone", permissions=DEFAULT_EVERYONE_PERMISSIONS)
        # The bot's managed role; MENTION_EVERYONE so that an unguarded @everyone really would ping.
        bot_role = FakeRole(
            id=new_snowflake(),
            name=self.bot_user.username,
            permissions=DEFAULT_EVERYONE_PERMISSIONS | MENTION_EVERYONE,
            position=1,
        )
        guild.roles[bot_role.id] = bot_role
        guild.members[owner.id] = FakeMember(user=owner, guild_id=guild.id)
        guild.members[self.bot_user.id] = FakeMember(user=self.bot_user, guild_id=guild.id, roles=[bot_role.id])
        self.guilds[guild.id] = guild
        return guild

    def add_channel(self, guild: FakeGuild, name: str, *, topic: str | None = None) -> FakeChannel:
        channel = FakeChannel(
            id=new_snowflake(), name=name, guild_id=guild.id, position=len(guild.channels), topic=topic
        )
        guild.channels[channel.id] = channel
        return channel

    def add_role(self, guild: FakeGuild, name: str, permissions: int = 0, *, mentionable: bool = False) -> FakeRole:
        role = FakeRole(
            id=new_snowflake(), name=name, permissions=permissions, position=len(guild.roles), mentionable=mentionable
        )
        guild.roles[role.id] = role
        return role

    def add_user(
        self,
        username: str,
        *,
        guild: FakeGuild | None = None,
        roles: Iterable[FakeRole] = (),
        global_name: str | None = None,
    ) -> FakeUser:
        """A user who is a member of `guild` (the default guild unless told otherwise)."""
        user = self._new_user(username, global_name=global_name)
        guild = guild or self.guild
        guild.members[user.id] = FakeMember(user=user, guild_id=guild.id, roles=[r.id for r in roles])
        return user

    @property
    def guild(self) -> FakeGuild:
        """The first guild (the default for interactions)."""
        return next(iter(self.guilds.values()))

    @property
    def channel(self) -> FakeChannel:
        """The default guild's first text channel."""
        return next(c for c in self.guild.channels.values() if c.type == GUILD_TEXT)

    def user(self, username: str) -> FakeUser:
        for user in self.users.values():
            if user.username == username:
                return user
        raise KeyError(f"no user named {username!r}")

    def find_channel(self, channel_id: int) -> FakeChannel | None:
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild.channels[channel_id]
        return self.dm_channels.get(channel_id)

    # ------------------------------------------------------------------ life cycle

    async def start(self) -> DiscordEmulator:
        self.spec = v.load_spec(self._spec_path)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get(self.resume_gateway_path, self.gateway.handle)
        app.router.add_route("*", "/{tail:.*}", self._outside_api)
        # A short shutdown_timeout: a test that leaves a client connected must not hang stop() for 60 s.
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
        await self._runner.setup()
        # Bind the socket ourselves: port 0 gives an ephemeral port and we can read it back publicly.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def stop(self) -> None:
        """Stop serving; interactions nobody answered become violations."""
        now = time.monotonic()
        for handle in self.interactions.values():
            if handle.callback is None and not handle.no_response_expected:
                self.violation(
                    f"interaction {handle!r} was never acknowledged ({now - handle.created_at:.2f}s old); "
                    "the user would see 'The application did not respond'"
                )
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        for fut in self._waiters:
            if not fut.done():
                fut.cancel()

    async def __aenter__(self) -> DiscordEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the emulator is not started")
        return self._port

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    resume_gateway_path = "/resume-gateway"

    @property
    def resume_gateway_url(self) -> str:
        # A different path from gateway_url, so a test can tell that the client resumed where READY said.
        return f"ws://127.0.0.1:{self.port}{self.resume_gateway_path}"

    # ------------------------------------------------------------------ bookkeeping and waiting

    def violation(self, message: str) -> None:
        log.warning("emulator violation: %s", message)
        self.violations.append(message)
        self._changed()

    def take_violations(self) -> list[str]:
        """Return and clear the violations (for tests that provoke them on purpose)."""
        out, self.violations = self.violations, []
        return out

    def _changed(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait_until(self, predicate: Callable[[], T], timeout: float = 5.0, what: str = "condition") -> T:
        """Wait until `predicate()` is truthy and return its value.

        Re-checked at once whenever the emulator's state changes, and every 10 ms anyway, because
        predicates often look at the bot's side (what the client recorded), which the emulator
        cannot observe.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"emulator: timed out after {timeout}s waiting for {what}")
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.append(fut)
            await asyncio.wait({fut}, timeout=min(remaining, 0.01))
            if not fut.done():
                fut.cancel()
                self._waiters.remove(fut)

    def requests_to(self, method: str, path_regex: str) -> list[RecordedRequest]:
        pattern = re.compile(path_regex)
        return [r for r in self.requests if r.method == method and pattern.search(r.path)]

    async def wait_for_request(
        self, method: str, path_regex: str, count: int = 1, timeout: float = 5.0
    ) -> RecordedRequest:
        def enough() -> list[RecordedRequest]:
            found = self.requests_to(method, path_regex)
            return found if len(found) >= count else []

        found = await self.wait_until(enough, timeout, f"{count} x {method} {path_regex}")
        return found[count - 1]

    def channel_messages(self, channel: FakeChannel | int) -> list[dict[str, Any]]:
        """Messages currently visible in a channel, oldest first (ephemeral ones included)."""
        cid = channel if isinstance(channel, int) else channel.id
        return [copy.deepcopy(m.payload) for m in self.messages.values() if m.channel_id == cid and not m.deleted]

    # ------------------------------------------------------------------ gateway controls

    @property
    def identify_count(self) -> int:
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        return self.gateway.resume_count

    @property
    def gateway_log(self) -> list[GatewayEvent]:
        return self.gateway.log

    @property
    def connected(self) -> bool:
        session = self.gateway.current
        return session is not None and session.connection is not None

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Send any gateway dispatch to the bot; returns its sequence number."""
        return await self.gateway.dispatch(event, data)

    async def drop_gateway(self) -> None:
        """Close the bot's websocket abruptly; dispatches queue until it RESUMEs."""
        await self.gateway.drop()

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT; the client should close and RESUME."""
        await self.gateway.request_reconnect()

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; with resumable=False the client must IDENTIFY again."""
        await self.gateway.invalidate(resumable)

    async def wait_for_resume(self, count: int = 1, timeout: float = 10.0) -> None:
        await self.wait_until(lambda: self.resume_count >= count and self.connected, timeout, f"RESUME #{count}")

    async def wait_for_identify(self, count: int = 1, timeout: float = 10.0) -> None:
        await self.wait_until(lambda: self.identify_count >= count and self.connected, timeout, f"IDENTIFY #{count}")

    # ------------------------------------------------------------------ faults

    def inject(
        self,
        method: str,
        path_regex: str,
        status: int = 429,
        *,
        retry_after: float = 0.2,
        times: int | None = 1,
        is_global: bool = False,
        body: dict[str, Any] | None = None,
    ) -> Fault:
        """Answer the next `times` requests matching `method` ("*" for any) and `path_regex` with an error.

        `path_regex` is searched in the path relative to /api/v10 (e.g. r"^/webhooks/"). Defaults:
        429 with `retry_after` and a Via header; 403 Missing Access (50001); 404 Unknown Channel
        (10003); 5xx a plain server error. `times=None` keeps the fault forever. The faulted
        request is still recorded and validated but has no effect.
        """
        fault = Fault(method.upper(), re.compile(path_regex), status, retry_after, times, is_global, body)
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    # ------------------------------------------------------------------ REST plumbing

    def _build_routes(self) -> list[_Route]:
        # Order matters: literal segments (@me, @original) before the {id} that would also match them.
        table: list[tuple[str, str, _Handler, bool]] = [
            ("GET", "/gateway", self._get_gateway, False),
            ("GET", "/gateway/bot", self._get_gateway_bot, True),
            ("GET", "/users/@me", self._get_me, True),
            ("POST", "/users/@me/channels", self._create_dm, True),
            ("GET", "/users/{user_id}", self._get_user, True),
            ("GET", "/oauth2/applications/@me", self._get_application, True),
            ("GET", "/applications/{application_id}/commands", self._list_commands, True),
            ("PUT", "/applications/{application_id}/commands", self._put_commands, True),
            ("POST", "/applications/{application_id}/commands", self._post_command, True),
            ("GET", "/applications/{application_id}/commands/{command_id}", self._get_command, True),
            ("PATCH", "/applications/{application_id}/commands/{command_id}", self._patch_command, True),
            ("DELETE", "/applications/{application_id}/commands/{command_id}", self._delete_command, True),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self._list_commands, True),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self._put_commands, True),
            ("POST", "/applications/{application_id}/guilds/{guild_id}/commands", self._post_command, True),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}", self._get_command, True),
            (
                "PATCH",
                "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
                self._patch_command,
                True,
            ),
            (
                "DELETE",
                "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
                self._delete_command,
                True,
            ),
            ("POST", "/interactions/{interaction_id}/{interaction_token}/callback", self._callback, False),
            ("POST", "/webhooks/{webhook_id}/{webhook_token}", self._followup, False),
            ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self._get_original, False),
            ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self._edit_original, False),
            ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self._delete_original, False),
            ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self._get_webhook_message, False),
            (
                "PATCH",
                "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
                self._edit_webhook_message,
                False,
            ),
            (
                "DELETE",
                "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
                self._delete_webhook_message,
                False,
            ),
            ("GET", "/channels/{channel_id}", self._get_channel, True),
            ("GET", "/channels/{channel_id}/messages", self._list_channel_messages, True),
            ("POST", "/channels/{channel_id}/messages", self._create_channel_message, True),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self._get_channel_message, True),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self._edit_channel_message, True),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self._delete_channel_message, True),
            ("GET", "/guilds/{guild_id}", self._get_guild, True),
            ("GET", "/guilds/{guild_id}/channels", self._get_guild_channels, True),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member, True),
            ("GET", "/guilds/{guild_id}/roles", self._get_roles, True),
        ]
        return [_Route(m, t, _template_regex(t), h, auth) for m, t, h, auth in table]

    def _match(self, method: str, path: str) -> tuple[_Route | None, dict[str, str], bool]:
        """The route for (method, path), its parameters, and whether the path exists with another method."""
        path_known = False
        for route in self._routes:
            m = route.regex.match(path)
            if m is None:
                continue
            path_known = True
            if route.method == method:
                return route, m.groupdict(), True
        return None, {}, path_known

    async def _read_body(self, request: web.Request, record: RecordedRequest) -> tuple[Any, list[dict[str, Any]]]:
        content_type = request.headers.get("Content-Type", "")
        files: list[dict[str, Any]] = []
        if content_type.startswith("multipart/"):
            body: Any = None
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue  # nested multipart: discord.py never sends one
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                else:
                    data = await part.read()
                    files.append(
                        {
                            "name": part.name,
                            "filename": part.filename,
                            "size": len(data),
                            "content_type": part.headers.get("Content-Type"),
                        }
                    )
            return body, files
        raw = await request.read()
        if not raw:
            return None, files
        if content_type != "application/json":
            record.problems.append(f"body sent with Content-Type {content_type!r}, not application/json")
        try:
            return json.loads(raw), files
        except ValueError as exc:
            raise ApiError(400, 50109, "The request body contains invalid JSON.", f"invalid JSON body: {exc}") from exc

    def _json_response(self, reply: Reply) -> web.Response:
        headers = dict(reply.headers)
        if reply.status == 204 or reply.body is None:
            return web.Response(status=204 if reply.status < 300 else reply.status, headers=headers)
        # Exactly "application/json": discord.py compares the header verbatim and would treat
        # "application/json; charset=utf-8" (aiohttp's json_response) as plain text.
        headers["Content-Type"] = "application/json"
        return web.Response(status=reply.status, body=json.dumps(reply.body).encode(), headers=headers)

    async def _outside_api(self, request: web.Request) -> web.Response:
        record = RecordedRequest(
            request.method, request.path, None, dict(request.query), None, dict(request.headers), time.monotonic()
        )
        record.status = 404
        self.requests.append(record)
        self.unexpected.append(record)
        self.violation(f"unexpected request outside /api/v10: {request.method} {request.path}")
        return self._json_response(Reply(404, {"code": 0, "message": "404: Not Found"}))

    async def _rest(self, request: web.Request) -> web.Response:
        method = request.method.upper()
        path = "/" + request.match_info["tail"]
        record = RecordedRequest(
            method=method,
            path=path,
            route=None,
            query=dict(request.query),
            json=None,
            headers=dict(request.headers),
            time=time.monotonic(),
        )
        self.requests.append(record)
        try:
            reply = await self._handle_rest(request, method, path, record)
        except ApiError as err:
            if err.violation:
                record.problems.append(err.violation)
            reply = Reply(err.status, err.body())
        except Exception as exc:
            # A bug in the emulator (or a body it cannot digest). Not a 500: discord.py would retry
            # those for ~20 s. A 400 fails the bot's call at once and the violation fails the test.
            log.exception("emulator crashed on %s %s", method, path)
            record.problems.append(f"emulator error while handling the request: {exc!r}")
            reply = Reply(400, {"code": 0, "message": f"emulator error: {exc!r}"})
        for problem in record.problems:
            self.violation(f"{method} {path}: {problem}")
        record.status = reply.status
        record.response = copy.deepcopy(reply.body)
        if self.validate_responses and record.route is not None and reply.body is not None and reply.status < 300:
            for problem in self.spec.validate_response(record.route, method, reply.status, reply.body):
                self.violation(f"emulator answered {method} {path} off-spec: {problem}")
        self._changed()
        return self._json_response(reply)

    async def _handle_rest(self, request: web.Request, method: str, path: str, record: RecordedRequest) -> Reply:
        body, files = await self._read_body(request, record)
        record.json = body
        record.files = files
        route, params, path_known = self._match(method, path)
        if route is None:
            self.unexpected.append(record)
            if path_known:
                raise ApiError(405, 0, "405: Method Not Allowed", "method not modelled by the emulator")
            raise ApiError(404, 0, "404: Not Found", "unexpected request: no such route in the emulator")
        record.route = route.template
        spec_problems = self.spec.validate_request(route.template, method, body) if body is not None else []
        record.problems += spec_problems
        if route.bot_auth:
            auth = request.headers.get("Authorization", "")
            if not auth.startswith("Bot ") or len(auth) <= 4:
                raise ApiError(401, 0, "401: Unauthorized", "missing 'Authorization: Bot <token>' header")
            if not request.headers.get("User-Agent", "").startswith("DiscordBot"):
                record.problems.append("User-Agent does not start with 'DiscordBot' (Discord requires it)")
            self.token = auth[4:]
        for fault in self.faults:
            if fault.matches(method, path):
                fault.hits += 1
                record.fault = fault
                return fault.reply()
        if spec_problems:
            # Discord rejects a body that breaks its schema; checked after rate limits, as Discord does.
            raise ApiError(400, 50035, "Invalid Form Body", details=spec_problems)
        ctx = _Ctx(request, method, path, params, dict(request.query), body, files, record)
        return await route.handler(ctx)

    # ------------------------------------------------------------------ REST: identity

    async def _get_gateway(self, ctx: _Ctx) -> Reply:
        return Reply(200, {"url": self.gateway_url})

    async def _get_gateway_bot(self, ctx: _Ctx) -> Reply:
        return Reply(
            200,
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14_400_000,
                    "max_concurrency": 1,
                },
            },
        )

    async def _get_me(self, ctx: _Ctx) -> Reply:
        payload = self.bot_user.to_payload()
        payload.update({"mfa_enabled": True, "locale": "en-GB", "verified": True, "email": None})
        return Reply(200, payload)

    async def _get_user(self, ctx: _Ctx) -> Reply:
        user = self.users.get(int(ctx.params["user_id"]))
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return Reply(200, user.to_payload())

    async def _create_dm(self, ctx: _Ctx) -> Reply:
        body = ctx.body or {}
        user = self.users.get(int(body.get("recipient_id", 0)))
        if user is None:
            raise ApiError(400, 50035, "Invalid Form Body", "DM to an unknown user")
        for channel in self.dm_channels.values():
            if channel.recipient is user:
                return Reply(200, channel.to_payload())
        channel = FakeChannel(id=new_snowflake(), name="", guild_id=None, type=DM, recipient=user)
        self.dm_channels[channel.id] = channel
        return Reply(200, channel.to_payload())

    async def _get_application(self, ctx: _Ctx) -> Reply:
        return Reply(200, self.application.to_payload(self.bot_user))

    # ------------------------------------------------------------------ REST: commands

    def _check_app(self, ctx: _Ctx) -> None:
        if int(ctx.params["application_id"]) != self.application.id:
            raise ApiError(404, 10002, "Unknown Application", "application id does not match the bot's")

    def _command_scope(self, ctx: _Ctx) -> tuple[int | None, dict[int, dict[str, Any]]]:
        self._check_app(ctx)
        gid = ctx.params.get("guild_id")
        if gid is None:
            return None, self.global_commands
        guild_id = int(gid)
        if guild_id not in self.guilds:
            raise ApiError(403, 50001, "Missing Access", "command sync for a guild the bot is not in")
        return guild_id, self.guild_commands.setdefault(guild_id, {})

    def _store_command(self, guild_id: int | None, body: dict[str, Any]) -> dict[str, Any]:
        ctype = body.get("type", 1)
        # Discord keeps a command's id across overwrites as long as its name and type stay the same.
        key = (guild_id, ctype, str(body.get("name")))
        cid = self._command_ids.setdefault(key, new_snowflake())
        perms = body.get("default_member_permissions")
        stored: dict[str, Any] = {
            "id": str(cid),
            "application_id": str(self.application.id),
            "version": str(new_snowflake()),
            "type": ctype,
            "name": body.get("name"),
            "name_localizations": body.get("name_localizations"),
            "description": body.get("description") or "",
            "description_localizations": body.get("description_localizations"),
            "default_member_permissions": None if perms is None else str(perms),
            "nsfw": bool(body.get("nsfw", False)),
            "integration_types": body.get("integration_types") or [0],
            "options": copy.deepcopy(body.get("options") or []),
        }
        if guild_id is None:
            stored["contexts"] = body.get("contexts")
            stored["dm_permission"] = body.get("dm_permission", True)
        else:
            stored["guild_id"] = str(guild_id)
            stored["contexts"] = None
        return stored

    async def _list_commands(self, ctx: _Ctx) -> Reply:
        _, scope = self._command_scope(ctx)
        return Reply(200, list(scope.values()))

    async def _put_commands(self, ctx: _Ctx) -> Reply:
        guild_id, scope = self._command_scope(ctx)
        self._reject(v.check_commands(ctx.body, "commands"), ctx)
        scope.clear()
        for body in ctx.body:
            stored = self._store_command(guild_id, body)
            scope[int(stored["id"])] = stored
        return Reply(200, list(scope.values()))

    async def _post_command(self, ctx: _Ctx) -> Reply:
        guild_id, scope = self._command_scope(ctx)
        self._reject(v.check_command(ctx.body or {}, f"command {(ctx.body or {}).get('name')!r}"), ctx)
        stored = self._store_command(guild_id, ctx.body)
        existed = int(stored["id"]) in scope
        scope[int(stored["id"])] = stored
        return Reply(200 if existed else 201, stored)

    def _get_scoped_command(self, ctx: _Ctx) -> tuple[int | None, dict[int, dict[str, Any]], dict[str, Any]]:
        guild_id, scope = self._command_scope(ctx)
        command = scope.get(int(ctx.params["command_id"]))
        if command is None:
            raise ApiError(404, 10063, "Unknown application command")
        return guild_id, scope, command

    async def _get_command(self, ctx: _Ctx) -> Reply:
        return Reply(200, self._get_scoped_command(ctx)[2])

    async def _patch_command(self, ctx: _Ctx) -> Reply:
        guild_id, scope, command = self._get_scoped_command(ctx)
        merged = {**command, **(ctx.body or {})}
        self._reject(v.check_command({k: val for k, val in merged.items() if k in v.COMMAND_FIELDS}, "command"), ctx)
        stored = self._store_command(guild_id, merged)
        scope[int(stored["id"])] = stored
        return Reply(200, stored)

    async def _delete_command(self, ctx: _Ctx) -> Reply:
        _, scope, command = self._get_scoped_command(ctx)
        del scope[int(command["id"])]
        return Reply(204)

    # ------------------------------------------------------------------ messages

    def _normalise_components(self, components: Any) -> list[Any]:
        """Components as Discord echoes them: every component gets a numeric `id`, selects get defaults."""
        if not isinstance(components, list):
            return []
        counter = 0

        def walk(items: list[Any]) -> list[Any]:
            nonlocal counter
            out = []
            for item in items:
                if not isinstance(item, dict):
                    continue
                comp = {k: val for k, val in item.items() if val is not None}
                counter += 1
                comp.setdefault("id", counter)
                if comp.get("type") in v.SELECT_TYPES:
                    comp.setdefault("min_values", 1)
                    comp.setdefault("max_values", 1)
                if isinstance(comp.get("components"), list):
                    comp["components"] = walk(comp["components"])
                out.append(comp)
            return out

        return walk(components)

    @staticmethod
    def _normalise_embeds(embeds: Any) -> list[dict[str, Any]]:
        out = []
        for embed in embeds or []:
            if not isinstance(embed, dict):
                continue
            clean = {k: val for k, val in copy.deepcopy(embed).items() if val is not None}
            clean["type"] = "rich"
            clean.setdefault("content_scan_version", 0)
            out.append(clean)
        return out

    def _mentions(
        self, content: str, allowed: Any, guild: FakeGuild | None
    ) -> tuple[list[dict[str, Any]], list[str], bool]:
        """Who a message would really ping: users, roles, @everyone, after `allowed_mentions`.

        Without `allowed_mentions` Discord pings everything mentioned; with it, only what `parse`
        or the explicit id lists allow. The bot needs MENTION_EVERYONE for @everyone/@here and for
        roles that are not mentionable.
        """
        user_ids = [int(x) for x in re.findall(r"<@!?(\d+)>", content)]
        role_ids = [int(x) for x in re.findall(r"<@&(\d+)>", content)]
        everyone = "@everyone" in content or "@here" in content
        if isinstance(allowed, dict):
            parse = allowed.get("parse") or []
            ok_users = {int(u) for u in allowed.get("users") or []}
            ok_roles = {int(r) for r in allowed.get("roles") or []}
            user_ids = [u for u in user_ids if "users" in parse or u in ok_users]
            role_ids = [r for r in role_ids if "roles" in parse or r in ok_roles]
            everyone = everyone and "everyone" in parse
        bot_perms = guild.permissions_for(self.bot_user.id) if guild else 0
        users = []
        for uid in dict.fromkeys(user_ids):
            user = self.users.get(uid)
            if user is not None:
                users.append(user.to_payload())
        roles = []
        for rid in dict.fromkeys(role_ids):
            role = guild.roles.get(rid) if guild else None
            if role is not None and (role.mentionable or bot_perms & MENTION_EVERYONE):
                roles.append(str(rid))
        everyone = everyone and bool(bot_perms & MENTION_EVERYONE)
        return users, roles, everyone

    def _build_attachments(self, body: dict[str, Any], files: list[dict[str, Any]]) -> list[dict[str, Any]]:
        by_index: dict[int, dict[str, Any]] = {}
        for upload in files:
            m = re.match(r"files\[(\d+)\]", str(upload.get("name")))
            if m:
                by_index[int(m.group(1))] = upload
        out = []
        for att in body.get("attachments") or []:
            if not isinstance(att, dict):
                continue
            index = str(att.get("id", ""))
            f = by_index.get(int(index)) if index.isdigit() else None
            if f is None:
                continue
            aid = new_snowflake()
            filename = att.get("filename") or f.get("filename") or "file"
            url = f"http://127.0.0.1:{self.port}/attachments/{aid}/{filename}"
            attachment = {
                "id": str(aid),
                "filename": filename,
                "size": f["size"],
                "url": url,
                "proxy_url": url,
                "content_type": f.get("content_type") or "application/octet-stream",
            }
            if att.get("description"):
                attachment["description"] = att["description"]
            out.append(attachment)
        return out

    def _create_message(
        self,
        channel_id: int,
        author: FakeUser,
        body: dict[str, Any],
        *,
        msg_type: int = MSG_DEFAULT,
        flags: int = 0,
        interaction: InteractionHandle | None = None,
        files: list[dict[str, Any]] | None = None,
        followup_of: int | None = None,
    ) -> StoredMessage:
        channel = self.find_channel(channel_id)
        guild = self.guilds.get(channel.guild_id) if channel and channel.guild_id else None
        content = body.get("content") or ""
        users, roles, everyone = self._mentions(content, body.get("allowed_mentions"), guild)
        mid = new_snowflake()
        payload: dict[str, Any] = {
            "id": str(mid),
            "type": msg_type,
            "channel_id": str(channel_id),
            "author": author.to_payload(),
            "content": content,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "mention_everyone": everyone,
            "mentions": users,
            "mention_roles": roles,
            "attachments": self._build_attachments(body, files or []),
            "embeds": self._normalise_embeds(body.get("embeds")),
            "components": self._normalise_components(body.get("components")),
            "pinned": False,
            "flags": flags,
        }
        if body.get("nonce") is not None:
            payload["nonce"] = body["nonce"]
        if interaction is not None:
            payload["webhook_id"] = str(self.application.id)
            payload["application_id"] = str(self.application.id)
            metadata: dict[str, Any] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": interaction.user.to_payload(),
                "authorizing_integration_owners": interaction.payload.get("authorizing_integration_owners", {}),
            }
            data = interaction.payload.get("data") or {}
            if interaction.type == APPLICATION_COMMAND:
                metadata["name"] = data.get("name")
                metadata["command_type"] = data.get("type", 1)
            if interaction.source_message_id is not None:
                metadata["interacted_message_id"] = str(interaction.source_message_id)
            if followup_of is not None:
                metadata["original_response_message_id"] = str(followup_of)
            payload["interaction_metadata"] = metadata
            if interaction.type == APPLICATION_COMMAND:
                payload["interaction"] = {
                    "id": str(interaction.id),
                    "type": interaction.type,
                    "name": data.get("name"),
                    "user": interaction.user.to_payload(),
                }
        stored = StoredMessage(payload=payload, interaction_id=interaction.id if interaction else None)
        stored.bodies.append(copy.deepcopy(body))
        self.messages[mid] = stored
        if channel is not None:
            channel.last_message_id = mid
        return stored

    def _edit_message(self, stored: StoredMessage, body: dict[str, Any], files: list[dict[str, Any]]) -> None:
        payload = stored.payload
        channel = self.find_channel(stored.channel_id)
        guild = self.guilds.get(channel.guild_id) if channel and channel.guild_id else None
        if "content" in body:
            payload["content"] = body["content"] or ""
            users, roles, everyone = self._mentions(payload["content"], body.get("allowed_mentions"), guild)
            payload.update(mentions=users, mention_roles=roles, mention_everyone=everyone)
        if "embeds" in body:
            payload["embeds"] = self._normalise_embeds(body["embeds"])
        if "components" in body:
            payload["components"] = self._normalise_components(body["components"])
        if "attachments" in body:
            kept_ids = {str(a.get("id")) for a in body["attachments"] or [] if isinstance(a, dict)}
            kept = [a for a in payload["attachments"] if a["id"] in kept_ids]
            payload["attachments"] = kept + self._build_attachments(body, files)
        if isinstance(body.get("flags"), int):
            # Only SUPPRESS_EMBEDS (and the components-v2 switch) can change on an edit.
            mutable = v.FLAG_SUPPRESS_EMBEDS | v.FLAG_IS_COMPONENTS_V2
            payload["flags"] = (payload["flags"] & ~mutable) | (body["flags"] & mutable)
        # An edit resolves a "thinking..." placeholder.
        payload["flags"] &= ~v.FLAG_LOADING
        payload["edited_timestamp"] = iso_now()
        stored.bodies.append(copy.deepcopy(body))

    async def _announce(self, stored: StoredMessage, event: str = "MESSAGE_CREATE") -> None:
        """Echo a message on the gateway the way Discord does, if the bot's intents ask for it."""
        session = self.gateway.current
        if session is None or stored.ephemeral:
            return
        channel = self.find_channel(stored.channel_id)
        if channel is None:
            return
        wanted = INTENT_DIRECT_MESSAGES if channel.type == DM else INTENT_GUILD_MESSAGES
        if not session.intents & wanted:
            return
        data = copy.deepcopy(stored.payload)
        if channel.guild_id is not None:
            data["guild_id"] = str(channel.guild_id)
            member = self.guilds[channel.guild_id].members.get(int(data["author"]["id"]))
            if member is not None:
                member_payload = member.to_payload()
                member_payload.pop("user")
                data["member"] = member_payload
        author_id = int(data["author"]["id"])
        mentioned = any(int(u["id"]) == self.bot_user.id for u in data["mentions"])
        if (
            author_id != self.bot_user.id
            and channel.type != DM
            and not mentioned
            and not session.intents & INTENT_MESSAGE_CONTENT
        ):
            # Without the privileged MESSAGE_CONTENT intent Discord blanks other users' messages.
            data.update(content="", embeds=[], attachments=[], components=[])
        await self.gateway.dispatch(event, data)

    def _message_problems(
        self, body: Any, where: str, known: frozenset[str], *, require_content: bool, ctx: _Ctx
    ) -> None:
        problems = v.check_message_body(body, where, known, require_content=require_content)
        if any("empty message" in p for p in problems):
            ctx.record.problems += problems
            raise ApiError(400, 50006, "Cannot send an empty message")
        self._reject(problems, ctx)

    @staticmethod
    def _reject(problems: list[str], ctx: _Ctx) -> None:
        """Record every problem; answer 400 if any of them is one Discord would refuse."""
        ctx.record.problems += problems
        rejecting = _rejecting(problems)
        if rejecting:
            raise ApiError(400, 50035, "Invalid Form Body", details=rejecting)

    # ------------------------------------------------------------------ REST: channels

    def _channel_or_404(self, ctx: _Ctx) -> FakeChannel:
        channel = self.find_channel(int(ctx.params["channel_id"]))
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return channel

    def _channel_message_or_404(self, ctx: _Ctx) -> StoredMessage:
        channel = self._channel_or_404(ctx)
        stored = self.messages.get(int(ctx.params["message_id"]))
        # Ephemeral messages do not exist as far as the channel routes are concerned.
        if stored is None or stored.deleted or stored.channel_id != channel.id or stored.ephemeral:
            raise ApiError(404, 10008, "Unknown Message")
        return stored

    async def _get_channel(self, ctx: _Ctx) -> Reply:
        return Reply(200, self._channel_or_404(ctx).to_payload())

    async def _list_channel_messages(self, ctx: _Ctx) -> Reply:
        channel = self._channel_or_404(ctx)
        limit = int(ctx.query.get("limit", "50"))
        visible = [m.payload for m in self.messages.values() if m.channel_id == channel.id and not m.deleted]
        visible = [m for m in visible if not m["flags"] & v.FLAG_EPHEMERAL]
        return Reply(200, list(reversed(visible))[:limit])

    async def _create_channel_message(self, ctx: _Ctx) -> Reply:
        channel = self._channel_or_404(ctx)
        self._message_problems(
            ctx.body, "channel message", v.MESSAGE_CREATE_FIELDS, require_content=not ctx.files, ctx=ctx
        )
        body = ctx.body or {}
        if channel.guild_id is not None:
            perms = self.guilds[channel.guild_id].permissions_for(self.bot_user.id)
            if not perms & VIEW_CHANNEL:
                raise ApiError(403, 50001, "Missing Access")
            if not perms & SEND_MESSAGES:
                raise ApiError(403, 50013, "Missing Permissions")
        flags = int(body.get("flags") or 0) & (
            v.FLAG_SUPPRESS_EMBEDS | v.FLAG_SUPPRESS_NOTIFICATIONS | v.FLAG_IS_COMPONENTS_V2
        )
        if body.get("flags") and int(body["flags"]) & v.FLAG_EPHEMERAL:
            ctx.record.problems.append("channel messages cannot be ephemeral (flag 64 ignored by Discord)")
        stored = self._create_message(channel.id, self.bot_user, body, flags=flags, files=ctx.files)
        await self._announce(stored)
        return Reply(200, stored.payload)

    async def _get_channel_message(self, ctx: _Ctx) -> Reply:
        return Reply(200, self._channel_message_or_404(ctx).payload)

    async def _edit_channel_message(self, ctx: _Ctx) -> Reply:
        stored = self._channel_message_or_404(ctx)
        if int(stored.payload["author"]["id"]) != self.bot_user.id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        self._message_problems(ctx.body, "message edit", v.MESSAGE_EDIT_FIELDS, require_content=False, ctx=ctx)
        self._edit_message(stored, ctx.body or {}, ctx.files)
        await self._announce(stored, "MESSAGE_UPDATE")
        return Reply(200, stored.payload)

    async def _delete_channel_message(self, ctx: _Ctx) -> Reply:
        stored = self._channel_message_or_404(ctx)
        stored.deleted = True
        return Reply(204)

    # ------------------------------------------------------------------ REST: guilds

    def _guild_or_404(self, ctx: _Ctx) -> FakeGuild:
        guild = self.guilds.get(int(ctx.params["guild_id"]))
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        return guild

    async def _get_guild(self, ctx: _Ctx) -> Reply:
        payload = self._guild_or_404(ctx).create_payload()
        for key in ("channels", "members", "threads", "presences", "voice_states", "joined_at", "large", "lazy"):
            payload.pop(key, None)
        # Fields REST has and GUILD_CREATE lacks.
        payload.update(
            region="deprecated", widget_channel_id=None, max_presences=None, nsfw=False, incidents_data=None,
            home_header=None,
        )  # fmt: skip
        return Reply(200, payload)

    async def _get_guild_channels(self, ctx: _Ctx) -> Reply:
        return Reply(200, [c.to_payload() for c in self._guild_or_404(ctx).channels.values()])

    async def _get_member(self, ctx: _Ctx) -> Reply:
        member = self._guild_or_404(ctx).members.get(int(ctx.params["user_id"]))
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        return Reply(200, member.to_payload())

    async def _get_roles(self, ctx: _Ctx) -> Reply:
        return Reply(200, [r.to_payload() for r in self._guild_or_404(ctx).roles.values()])

    # ------------------------------------------------------------------ REST: interactions

    def _interaction_for_webhook(self, ctx: _Ctx) -> InteractionHandle:
        if int(ctx.params["webhook_id"]) != self.application.id:
            raise ApiError(404, 10015, "Unknown Webhook", "webhook id is not the application id")
        token = ctx.params["webhook_token"]
        handle = next((h for h in self.interactions.values() if h.token == token), None)
        if handle is None:
            raise ApiError(404, 10015, "Unknown Webhook", "interaction token not issued by the emulator")
        if time.monotonic() - handle.created_at > self.followup_lifetime:
            raise ApiError(401, 50027, "Invalid Webhook Token", "interaction token used after 15 minutes")
        if handle.callback is None:
            raise ApiError(
                404, 10015, "Unknown Webhook", "webhook used before the interaction was acknowledged (callback)"
            )
        return handle

    async def _callback(self, ctx: _Ctx) -> Reply:
        now = time.monotonic()
        handle = self.interactions.get(int(ctx.params["interaction_id"]))
        if handle is None or handle.token != ctx.params["interaction_token"]:
            raise ApiError(404, 10062, "Unknown interaction", "callback for an interaction the emulator never sent")
        body = ctx.body
        if not isinstance(body, dict):
            raise ApiError(400, 50035, "Invalid Form Body", "callback body is not an object")
        ctx.record.problems += v.unknown_fields(body, v.CALLBACK_FIELDS, "callback")
        if handle.callback is not None:
            raise ApiError(
                400, 40060, "Interaction has already been acknowledged.", "second callback for one interaction"
            )
        elapsed = now - handle.created_at
        if elapsed > self.interaction_deadline:
            # What Discord does with a late callback: the token is gone.
            raise ApiError(
                404,
                10062,
                "Unknown interaction",
                f"callback after {elapsed:.2f}s (limit {self.interaction_deadline}s)",
            )
        ctype = body.get("type")
        if ctype not in ALLOWED_CALLBACKS.get(handle.type, frozenset()):
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                f"callback type {ctype} is not valid for interaction type {handle.type}",
            )
        data = body.get("data")
        where = f"callback(type {ctype})"
        if ctype == CHANNEL_MESSAGE_WITH_SOURCE:
            self._message_problems(data, where, v.CALLBACK_MESSAGE_FIELDS, require_content=not ctx.files, ctx=ctx)
        elif ctype == UPDATE_MESSAGE:
            self._message_problems(data or {}, where, v.CALLBACK_MESSAGE_FIELDS, require_content=False, ctx=ctx)
        elif ctype == DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE:
            ctx.record.problems += v.unknown_fields(data, {"flags"}, f"{where}.data")
        elif ctype == APPLICATION_COMMAND_AUTOCOMPLETE_RESULT:
            self._reject(v.check_autocomplete(data, where), ctx)
        elif ctype == MODAL:
            ctx.record.problems += v.unknown_fields(data, v.MODAL_DATA_FIELDS, f"{where}.data")

        handle.callback = copy.deepcopy(body)
        handle.callback_at = now
        data = data or {}
        flags = int(data.get("flags") or 0)
        message: StoredMessage | None = None
        if ctype == CHANNEL_MESSAGE_WITH_SOURCE:
            keep = v.FLAG_EPHEMERAL | v.FLAG_SUPPRESS_EMBEDS | v.FLAG_SUPPRESS_NOTIFICATIONS | v.FLAG_IS_COMPONENTS_V2
            msg_type = MSG_CHAT_INPUT_COMMAND if handle.type == APPLICATION_COMMAND else MSG_DEFAULT
            message = self._create_message(
                handle.channel_id,
                self.bot_user,
                data,
                msg_type=msg_type,
                flags=flags & keep,
                interaction=handle,
                files=ctx.files,
            )
            handle.original_message_id = message.id
        elif ctype == DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE:
            msg_type = MSG_CHAT_INPUT_COMMAND if handle.type == APPLICATION_COMMAND else MSG_DEFAULT
            message = self._create_message(
                handle.channel_id,
                self.bot_user,
                {},
                msg_type=msg_type,
                flags=v.FLAG_LOADING | (flags & v.FLAG_EPHEMERAL),
                interaction=handle,
            )
            handle.original_message_id = message.id
        elif ctype in (UPDATE_MESSAGE, DEFERRED_UPDATE_MESSAGE) and handle.source_message_id is not None:
            message = self.messages.get(handle.source_message_id)
            handle.original_message_id = handle.source_message_id
            if message is not None and ctype == UPDATE_MESSAGE:
                self._edit_message(message, data, ctx.files)
        if message is not None:
            await self._announce(message, "MESSAGE_UPDATE" if ctype in (6, 7) else "MESSAGE_CREATE")

        if not _truthy(ctx.query.get("with_response")):
            return Reply(204)
        interaction_part: dict[str, Any] = {"id": str(handle.id), "type": handle.type}
        if message is not None:
            interaction_part["response_message_id"] = str(message.id)
            interaction_part["response_message_loading"] = bool(message.payload["flags"] & v.FLAG_LOADING)
            interaction_part["response_message_ephemeral"] = message.ephemeral
        answer: dict[str, Any] = {"interaction": interaction_part}
        # Discord returns a `resource` (with the message) only for callbacks that produce a message
        # straight away (4 and 7); a defer is described by `response_message_loading` instead.
        if message is not None and ctype in (CHANNEL_MESSAGE_WITH_SOURCE, UPDATE_MESSAGE):
            answer["resource"] = {"type": ctype, "message": copy.deepcopy(message.payload)}
        return Reply(200, answer)

    def _original_or_404(self, handle: InteractionHandle) -> StoredMessage:
        stored = self.messages.get(handle.original_message_id) if handle.original_message_id else None
        if stored is None or stored.deleted or handle.original_deleted:
            raise ApiError(404, 10008, "Unknown Message", "no original response to read or edit")
        return stored

    async def _followup(self, ctx: _Ctx) -> Reply:
        handle = self._interaction_for_webhook(ctx)
        self._message_problems(ctx.body, "follow-up", v.WEBHOOK_EXECUTE_FIELDS, require_content=not ctx.files, ctx=ctx)
        body = ctx.body or {}
        original = self.messages.get(handle.original_message_id) if handle.original_message_id else None
        if original is not None and not original.deleted and original.payload["flags"] & v.FLAG_LOADING:
            # Discord: the first follow-up after a deferred reply replaces the "thinking..." message,
            # and its ephemerality is the one chosen at defer time.
            self._edit_message(original, {k: val for k, val in body.items() if k != "flags"}, ctx.files)
            handle.followup_ids.append(original.id)
            stored = original
            await self._announce(stored, "MESSAGE_UPDATE")
        else:
            flags = int(body.get("flags") or 0)
            keep = v.FLAG_EPHEMERAL | v.FLAG_SUPPRESS_EMBEDS | v.FLAG_SUPPRESS_NOTIFICATIONS | v.FLAG_IS_COMPONENTS_V2
            stored = self._create_message(
                handle.channel_id,
                self.bot_user,
                body,
                flags=flags & keep,
                interaction=handle,
                files=ctx.files,
                followup_of=handle.original_message_id,
            )
            handle.followup_ids.append(stored.id)
            await self._announce(stored)
        if not _truthy(ctx.query.get("wait")):
            return Reply(204)
        return Reply(200, stored.payload)

    async def _get_original(self, ctx: _Ctx) -> Reply:
        handle = self._interaction_for_webhook(ctx)
        return Reply(200, self._original_or_404(handle).payload)

    async def _edit_original(self, ctx: _Ctx) -> Reply:
        handle = self._interaction_for_webhook(ctx)
        stored = self._original_or_404(handle)
        self._message_problems(ctx.body, "edit @original", v.MESSAGE_EDIT_FIELDS, require_content=False, ctx=ctx)
        self._edit_message(stored, ctx.body or {}, ctx.files)
        handle.original_edits += 1
        await self._announce(stored, "MESSAGE_UPDATE")
        return Reply(200, stored.payload)

    async def _delete_original(self, ctx: _Ctx) -> Reply:
        handle = self._interaction_for_webhook(ctx)
        stored = self._original_or_404(handle)
        stored.deleted = True
        handle.original_deleted = True
        return Reply(204)

    def _webhook_message_or_404(self, ctx: _Ctx) -> tuple[InteractionHandle, StoredMessage]:
        handle = self._interaction_for_webhook(ctx)
        stored = self.messages.get(int(ctx.params["message_id"]))
        ours = stored is not None and (stored.interaction_id == handle.id or stored.id == handle.original_message_id)
        if stored is None or stored.deleted or not ours:
            raise ApiError(404, 10008, "Unknown Message")
        return handle, stored

    async def _get_webhook_message(self, ctx: _Ctx) -> Reply:
        return Reply(200, self._webhook_message_or_404(ctx)[1].payload)

    async def _edit_webhook_message(self, ctx: _Ctx) -> Reply:
        handle, stored = self._webhook_message_or_404(ctx)
        self._message_problems(ctx.body, "edit follow-up", v.MESSAGE_EDIT_FIELDS, require_content=False, ctx=ctx)
        self._edit_message(stored, ctx.body or {}, ctx.files)
        if stored.id == handle.original_message_id:
            handle.original_edits += 1
        await self._announce(stored, "MESSAGE_UPDATE")
        return Reply(200, stored.payload)

    async def _delete_webhook_message(self, ctx: _Ctx) -> Reply:
        handle, stored = self._webhook_message_or_404(ctx)
        stored.deleted = True
        if stored.id == handle.original_message_id:
            handle.original_deleted = True
        return Reply(204)

    # ------------------------------------------------------------------ driving: users act

    def find_command(self, name: str, guild: FakeGuild | None = None, ctype: int = 1) -> dict[str, Any] | None:
        """A command the bot synced, preferring the guild's own over a global one (as Discord does)."""
        if guild is not None:
            for command in self.guild_commands.get(guild.id, {}).values():
                if command["name"] == name and command.get("type", 1) == ctype:
                    return command
        for command in self.global_commands.values():
            if command["name"] == name and command.get("type", 1) == ctype:
                return command
        return None

    def _resolve_scope(
        self, user: FakeUser | str | None, guild: FakeGuild | None, channel: FakeChannel | None
    ) -> tuple[FakeUser, FakeGuild | None, FakeChannel]:
        if isinstance(user, str):
            user = self.user(user)
        if user is None:
            try:
                user = self.user("alice")
            except KeyError:
                raise ValueError("no user given and the emulator has no default user 'alice'") from None
        if channel is not None and channel.type == DM:
            return user, None, channel
        guild = guild or (self.guilds[channel.guild_id] if channel and channel.guild_id else self.guild)
        channel = channel or next(c for c in guild.channels.values() if c.type == GUILD_TEXT)
        if user.id not in guild.members:
            raise ValueError(f"{user.username} is not a member of {guild.name}")
        return user, guild, channel

    def dm_channel_for(self, user: FakeUser) -> FakeChannel:
        for channel in self.dm_channels.values():
            if channel.recipient is user:
                return channel
        channel = FakeChannel(id=new_snowflake(), name="", guild_id=None, type=DM, recipient=user)
        self.dm_channels[channel.id] = channel
        return channel

    def _base_interaction(
        self,
        itype: int,
        data: dict[str, Any],
        user: FakeUser,
        guild: FakeGuild | None,
        channel: FakeChannel,
        locale: str,
    ) -> dict[str, Any]:
        iid = new_snowflake()
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application.id),
            "type": itype,
            "token": f"emu.{iid}.{secrets.token_urlsafe(24)}",
            "version": 1,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "data": data,
            "channel_id": str(channel.id),
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
        }
        if guild is not None:
            member = guild.members[user.id]
            user_perms = guild.permissions_for(user.id)
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
                guild_locale=guild.preferred_locale,
                channel={**channel.to_payload(), "permissions": str(user_perms)},
                member={**member.to_payload(), "permissions": str(user_perms)},
                app_permissions=str(guild.permissions_for(self.bot_user.id)),
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            payload.update(
                channel={**channel.to_payload(), "permissions": "0"},
                user=user.to_payload(),
                app_permissions=str(DEFAULT_EVERYONE_PERMISSIONS),
                # For a guild-installed app used in the bot's DM the owner id is "0".
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        return payload

    async def _deliver(
        self,
        payload: dict[str, Any],
        user: FakeUser,
        guild: FakeGuild | None,
        channel: FakeChannel,
        source_message_id: int | None = None,
    ) -> InteractionHandle:
        handle = InteractionHandle(
            emulator=self,
            id=int(payload["id"]),
            token=payload["token"],
            type=payload["type"],
            payload=payload,
            user=user,
            guild_id=guild.id if guild else None,
            channel_id=channel.id,
            created_at=time.monotonic(),
            source_message_id=source_message_id,
        )
        self.interactions[handle.id] = handle
        await self.gateway.dispatch("INTERACTION_CREATE", copy.deepcopy(payload))
        return handle

    def _option_value(
        self,
        definition: dict[str, Any] | None,
        name: str,
        value: Any,
        resolved: dict[str, dict[str, Any]],
        guild: FakeGuild | None,
    ) -> dict[str, Any]:
        otype = definition.get("type") if definition else None
        if otype is None:
            if isinstance(value, bool):
                otype = OPT_BOOLEAN
            elif isinstance(value, int):
                otype = OPT_INTEGER
            elif isinstance(value, float):
                otype = OPT_NUMBER
            elif isinstance(value, FakeUser):
                otype = OPT_USER
            elif isinstance(value, FakeChannel):
                otype = OPT_CHANNEL
            elif isinstance(value, FakeRole):
                otype = OPT_ROLE
            else:
                otype = OPT_STRING
        raw: Any = value
        if isinstance(value, FakeUser):
            raw = str(value.id)
            resolved.setdefault("users", {})[raw] = value.to_payload()
            if guild is not None and value.id in guild.members:
                member = guild.members[value.id].to_payload()
                member.pop("user")
                member["permissions"] = str(guild.permissions_for(value.id))
                resolved.setdefault("members", {})[raw] = member
        elif isinstance(value, FakeChannel):
            raw = str(value.id)
            perms = guild.permissions_for(self.bot_user.id) if guild else 0
            resolved.setdefault("channels", {})[raw] = {
                "id": raw,
                "name": value.name,
                "type": value.type,
                "permissions": str(perms),
                "parent_id": str(value.parent_id) if value.parent_id else None,
                "flags": 0,
            }
        elif isinstance(value, FakeRole):
            raw = str(value.id)
            resolved.setdefault("roles", {})[raw] = value.to_payload()
        elif otype in (OPT_USER, OPT_CHANNEL, OPT_ROLE, OPT_MENTIONABLE):
            raise ValueError(f"option {name!r}: pass a FakeUser/FakeChannel/FakeRole, not {value!r}")
        if definition and definition.get("choices"):
            allowed = [c["value"] for c in definition["choices"]]
            if raw not in allowed:
                raise ValueError(f"option {name!r}: {raw!r} is not one of the choices {allowed}")
        return {"name": name, "type": otype, "value": raw}

    def _build_options(
        self,
        definitions: list[dict[str, Any]] | None,
        path: list[str],
        values: Mapping[str, Any],
        resolved: dict[str, dict[str, Any]],
        guild: FakeGuild | None,
        focused: str | None,
        command: str,
    ) -> list[dict[str, Any]]:
        """The `options` tree for a command: subcommand levels first, then the leaf values."""
        if path:
            head, rest = path[0], path[1:]
            definition = None
            if definitions is not None:
                definition = next(
                    (
                        d
                        for d in definitions
                        if d["name"] == head and d["type"] in (OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP)
                    ),
                    None,
                )
                if definition is None:
                    raise ValueError(f"/{command}: the synced command has no subcommand {head!r}")
            otype = definition["type"] if definition else (OPT_SUB_COMMAND_GROUP if rest else OPT_SUB_COMMAND)
            children = definition.get("options") if definition else None
            return [
                {
                    "name": head,
                    "type": otype,
                    "options": self._build_options(
                        children if definition else None, rest, values, resolved, guild, focused, command
                    ),
                }
            ]
        by_name = {d["name"]: d for d in definitions or []}
        if definitions is not None:
            unknown = set(values) - set(by_name)
            if unknown:
                raise ValueError(f"/{command}: no option(s) {sorted(unknown)}; the command has {sorted(by_name)}")
            if focused is None:
                missing = [n for n, d in by_name.items() if d.get("required") and n not in values]
                if missing:
                    raise ValueError(f"/{command}: required option(s) {missing} not given")
        out = []
        for name, value in values.items():
            definition = by_name.get(name)
            if name == focused:
                # While typing, Discord sends the partial text as a string, whatever the option type.
                otype = definition["type"] if definition else OPT_STRING
                out.append({"name": name, "type": otype, "value": str(value), "focused": True})
            else:
                out.append(self._option_value(definition, name, value, resolved, guild))
        return out

    async def _command_interaction(
        self,
        itype: int,
        name: str,
        options: Mapping[str, Any] | None,
        *,
        user: FakeUser | str | None,
        guild: FakeGuild | None,
        channel: FakeChannel | None,
        locale: str,
        focused: str | None,
    ) -> InteractionHandle:
        user, guild, channel = self._resolve_scope(user, guild, channel)
        parts = name.split()
        root = parts[0]
        command = self.find_command(root, guild)
        if command is not None:
            cid = int(command["id"])
        else:
            # Not synced: still deliverable (the bot may match by name), with a stable made-up id.
            cid = self._synthetic_command_ids.setdefault(root, new_snowflake())
        resolved: dict[str, dict[str, Any]] = {}
        option_payload = self._build_options(
            command.get("options") if command else None, parts[1:], options or {}, resolved, guild, focused, root
        )
        data: dict[str, Any] = {"id": str(cid), "name": root, "type": 1}
        if option_payload:
            data["options"] = option_payload
        if resolved:
            data["resolved"] = resolved
        if command is not None and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        payload = self._base_interaction(itype, data, user, guild, channel, locale)
        return await self._deliver(payload, user, guild, channel)

    async def send_slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: FakeUser | str | None = None,
        guild: FakeGuild | None = None,
        channel: FakeChannel | None = None,
        locale: str = "en-GB",
    ) -> InteractionHandle:
        """A user runs `/name` (use "group sub" or "group subgroup sub" for subcommands).

        `options` maps option names to values; users, channels and roles are passed as the fake
        objects and land in `data.resolved`. If the bot synced the command, its definition supplies
        the option types, and unknown or missing required options raise ValueError (a user could not
        send them). Defaults: user "alice", the first guild, its first text channel.
        """
        return await self._command_interaction(
            APPLICATION_COMMAND, name, options, user=user, guild=guild, channel=channel, locale=locale, focused=None
        )

    async def send_autocomplete(
        self,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        user: FakeUser | str | None = None,
        guild: FakeGuild | None = None,
        channel: FakeChannel | None = None,
        locale: str = "en-GB",
    ) -> InteractionHandle:
        """A user is typing in option `focused` of `/name`; `options[focused]` is the partial text."""
        if focused not in options:
            raise ValueError(f"focused option {focused!r} must be in options")
        return await self._command_interaction(
            APPLICATION_COMMAND_AUTOCOMPLETE,
            name,
            options,
            user=user,
            guild=guild,
            channel=channel,
            locale=locale,
            focused=focused,
        )

    async def send_message_command(
        self,
        name: str,
        message: Mapping[str, Any],
        *,
        user: FakeUser | str | None = None,
        locale: str = "en-GB",
    ) -> InteractionHandle:
        """A user right-clicks ``message`` (a message dict), Apps, ``name``: a message context menu.

        The picked message travels in ``data.resolved.messages`` with its content, whatever the
        bot's intents, as Discord sends it. The command must have been synced as type 3.
        """
        channel = self.find_channel(int(message["channel_id"]))
        if channel is None:
            raise ValueError("the message's channel does not exist")
        user, guild, channel = self._resolve_scope(user, None, channel)
        command = self.find_command(name, guild, ctype=3)
        if command is None:
            raise ValueError(f"no message command {name!r} was synced")
        data: dict[str, Any] = {
            "id": str(command["id"]),
            "name": name,
            "type": 3,
            "target_id": str(message["id"]),
            "resolved": {"messages": {str(message["id"]): copy.deepcopy(dict(message))}},
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        payload = self._base_interaction(APPLICATION_COMMAND, data, user, guild, channel, locale)
        return await self._deliver(payload, user, guild, channel)

    def _message_for_component(self, message: Mapping[str, Any] | int) -> StoredMessage:
        mid = message if isinstance(message, int) else int(message["id"])
        stored = self.messages.get(mid)
        if stored is None or stored.deleted:
            raise ValueError(f"message {mid} does not exist (or was deleted)")
        return stored

    @staticmethod
    def _find_component(stored: StoredMessage, custom_id: str) -> dict[str, Any]:
        stack = list(stored.payload["components"])
        while stack:
            comp = stack.pop(0)
            if comp.get("custom_id") == custom_id:
                return dict(comp)
            stack.extend(comp.get("components") or [])
            if isinstance(comp.get("accessory"), dict):
                stack.append(comp["accessory"])
        raise ValueError(f"message {stored.id} has no component with custom_id {custom_id!r}")

    async def _component_interaction(
        self,
        message: Mapping[str, Any] | int,
        custom_id: str,
        user: FakeUser | str | None,
        values: list[str] | None,
        locale: str,
    ) -> InteractionHandle:
        stored = self._message_for_component(message)
        component = self._find_component(stored, custom_id)
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled; a user cannot use it")
        channel = self.find_channel(stored.channel_id)
        if channel is None:
            raise ValueError("the message's channel no longer exists")
        user, guild, channel = self._resolve_scope(user, None, channel)
        if stored.ephemeral and stored.interaction_id is not None:
            owner = self.interactions[stored.interaction_id].user
            if owner.id != user.id:
                raise ValueError(f"{user.username} cannot see an ephemeral message sent to {owner.username}")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if component["type"] in v.SELECT_TYPES:
            if values is None:
                raise ValueError(f"{custom_id!r} is a select menu: pass values")
            lo, hi = component.get("min_values", 1), component.get("max_values", 1)
            if not lo <= len(values) <= hi:
                raise ValueError(f"{len(values)} values chosen; the menu allows {lo}..{hi}")
            if component["type"] == 3:
                offered = {o["value"] for o in component.get("options") or []}
                if not set(values) <= offered:
                    raise ValueError(f"values {sorted(set(values) - offered)} are not options of {custom_id!r}")
            data["values"] = list(values)
        elif values is not None:
            raise ValueError(f"{custom_id!r} is not a select menu")
        payload = self._base_interaction(MESSAGE_COMPONENT, data, user, guild, channel, locale)
        payload["message"] = copy.deepcopy(stored.payload)
        return await self._deliver(payload, user, guild, channel, source_message_id=stored.id)

    async def press_button(
        self,
        message: Mapping[str, Any] | int,
        custom_id: str,
        *,
        user: FakeUser | str | None = None,
        locale: str = "en-GB",
    ) -> InteractionHandle:
        """A user clicks the button `custom_id` on `message` (a message dict or id)."""
        return await self._component_interaction(message, custom_id, user, None, locale)

    async def select(
        self,
        message: Mapping[str, Any] | int,
        custom_id: str,
        values: list[str],
        *,
        user: FakeUser | str | None = None,
        locale: str = "en-GB",
    ) -> InteractionHandle:
        """A user picks `values` in the select menu `custom_id` on `message`."""
        return await self._component_interaction(message, custom_id, user, values, locale)

    async def post_user_message(
        self, content: str, *, user: FakeUser | str | None = None, channel: FakeChannel | None = None
    ) -> dict[str, Any]:
        """A user writes in a channel; the bot gets MESSAGE_CREATE if its intents allow."""
        user, _, channel = self._resolve_scope(user, None, channel)
        stored = self._create_message(channel.id, user, {"content": content})
        await self._announce(stored)
        return copy.deepcopy(stored.payload)
