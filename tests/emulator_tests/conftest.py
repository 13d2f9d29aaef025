"""The emulator's own tests use the shared fixture, but also check the emulator's answers against the spec."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.emulator import DiscordEmulator
from tests.emulator.fixtures import checked_emulator


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    # Here the emulator is the thing under test, so what it answers must match Discord's
    # published response schemas too.
    async with checked_emulator(validate_responses=True) as emu:
        yield emu
