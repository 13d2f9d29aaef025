"""pytest fixtures for the emulator. Import them into a conftest.py:

from tests.emulator.fixtures import emulator  # noqa: F401
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .emulator import DiscordEmulator


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    """A started emulator; fails the test at teardown if the bot broke any Discord rule.

    Heartbeats every 0.5 s so that heartbeat handling is exercised even in short tests.
    A test that provokes violations on purpose must `emulator.take_violations()` them.
    """
    emu = DiscordEmulator(heartbeat_interval_ms=500)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    problems = emu.take_violations()
    assert not problems, "Discord emulator violations:\n  " + "\n  ".join(problems)
