"""pytest fixtures for the emulator. Import them into a conftest.py:

from tests.emulator.fixtures import emulator  # noqa: F401
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from .emulator import DiscordEmulator


@contextlib.asynccontextmanager
async def checked_emulator(**options: Any) -> AsyncIterator[DiscordEmulator]:
    """A started emulator that fails the test at teardown if the bot broke any Discord rule.

    Heartbeats every 0.5 s so that heartbeat handling is exercised even in short tests.
    A test that provokes violations on purpose must `emulator.take_violations()` them.
    """
    emu = DiscordEmulator(heartbeat_interval_ms=500, **options)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    problems = emu.take_violations()
    assert not problems, "Discord emulator violations:\n  " + "\n  ".join(problems)


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    async with checked_emulator() as emu:
        yield emu
