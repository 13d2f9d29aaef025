"""An in-process Discord (REST + gateway) for end-to-end tests of the bot with the real discord.py.

    async with DiscordEmulator(heartbeat_interval_ms=500) as emu:
        async with connect_client(emu, make_bot) as bot:
            handle = await emu.send_slash_command("search", {"query": "NHS"})
            reply = await handle.wait_for_message()
        assert not emu.violations

See emulator.py for the REST side, gateway.py for the websocket, validation.py for what is checked.
"""

from .client import connect_client, pointed_at
from .emulator import DiscordEmulator, Fault, RecordedRequest, StoredMessage
from .interactions import InteractionHandle
from .models import FakeApplication, FakeChannel, FakeGuild, FakeMember, FakeRole, FakeUser
from .validation import OpenAPISpec, load_spec

__all__ = [
    "DiscordEmulator",
    "FakeApplication",
    "FakeChannel",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "Fault",
    "InteractionHandle",
    "OpenAPISpec",
    "RecordedRequest",
    "StoredMessage",
    "connect_client",
    "load_spec",
    "pointed_at",
]
