"""Run a real discord.py client against the emulator.

discord.py has no "base URL" option, but every REST call (including interaction callbacks and
webhook follow-ups) builds its URL from the class attribute `discord.http.Route.BASE`, and the
gateway URL comes from `discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY` (a `yarl.URL`). Pointing
those two at the emulator, and putting them back afterwards, is all the patching needed. Because
they are class attributes, only one emulator can be targeted at a time in a process.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TypeVar

import discord
import discord.gateway
import discord.http
import yarl

from .emulator import DiscordEmulator

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.contextmanager
def pointed_at(emulator: DiscordEmulator) -> Iterator[None]:
    """Point discord.py's REST base and default gateway at `emulator` for the duration."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = emulator.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emulator.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


async def _no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
    # discord.py sleeps 5 s before every IDENTIFY but the first (a real-Discord rate-limit courtesy);
    # against the emulator that only slows tests of op 9 / re-identify down.
    return None


@contextlib.asynccontextmanager
async def connect_client(
    emulator: DiscordEmulator,
    client_factory: Callable[[], ClientT],
    *,
    token: str = "emulator-bot-token",
    ready_timeout: float = 10.0,
    fast_identify: bool = True,
) -> AsyncIterator[ClientT]:
    """Start the client made by `client_factory` against `emulator`, wait for on_ready, close at exit.

    The factory should pass a small `guild_ready_timeout` (e.g. 0.05): discord.py waits that long
    after the last GUILD_CREATE before it fires on_ready (2 s by default). With `fast_identify`
    (default) the client's 5 s sleep before a re-IDENTIFY is skipped by overriding its public
    `before_identify_hook` on the instance.
    """
    with pointed_at(emulator):
        client = client_factory()
        if fast_identify:
            client.before_identify_hook = _no_identify_delay  # type: ignore[method-assign]
        await client.login(token)
        task = asyncio.create_task(client.connect(), name="discord-client-connect")
        try:
            ready = asyncio.create_task(client.wait_until_ready())
            done, _ = await asyncio.wait({ready, task}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED)
            if ready not in done:
                ready.cancel()
                if task in done:
                    task.result()  # re-raise why connect() ended
                raise TimeoutError(f"discord client not ready after {ready_timeout}s")
            yield client
        finally:
            await client.close()
            if not task.done():
                try:
                    await asyncio.wait_for(task, timeout=5)
                except (TimeoutError, asyncio.CancelledError):
                    task.cancel()
            elif not task.cancelled() and task.exception() is not None:
                # connect() died while the test ran. Raising here would hide the test's own
                # exception, so make it a violation, which the fixture reports at teardown.
                emulator.violation(f"discord client connect() ended with {task.exception()!r}")
