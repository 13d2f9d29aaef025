"""The emulator's own tests use the shared fixture, but also check the emulator's answers against the spec."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.emulator import DiscordEmulator


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    # Same as tests.emulator.fixtures.emulator, plus validate_responses: here the emulator is the
    # thing under test, so what it answers must match Discord's published response schemas too.
    emu = DiscordEmulator(heartbeat_interval_ms=500, validate_responses=True)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    problems = emu.take_violations()
    assert not problems, "Discord emulator violations:\n  " + "\n  ".join(problems)
