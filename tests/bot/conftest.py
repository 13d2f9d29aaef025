"""The real bot against the Discord emulator, on a store of the bundled real data."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import Engine

from bot.client import HansardBot
from bot.settings import Settings
from commands.core import HansardCore
from storage.db import make_engine, migrate
from storage.importer import import_paths
from tests.conftest import DATA, bundled_paths
from tests.emulator import DiscordEmulator, connect_client
from tests.emulator.fixtures import emulator  # noqa: F401  (the fixture, for the tests here)

HOSTILE_URI = "http://data.parliament.uk/pimsdata/hansard/CONTRIBUTION_999001"
HOSTILE_WORD = "zanzibarite"


def hostile_contribution() -> str:
    """The real sample, with a paragraph that tries to ping and to format."""
    sample = (DATA / "samples" / "CONTRIBUTION_622898.txt").read_text(encoding="utf-8")
    first_break = sample.index("\n")
    hostile = (
        f"@everyone and @here, read this {HOSTILE_WORD} note: <@123> <@&456> <#789> "
        "**not bold** __not underlined__ `not code` ||no spoiler|| [not a link](https://example.com)"
    )
    return (
        sample[:first_break]
        + "\n"
        + hostile
        + sample[first_break:].replace("CONTRIBUTION_622898", "CONTRIBUTION_999001")
    )


@pytest.fixture(scope="session")
def e2e_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    folder = tmp_path_factory.mktemp("e2e")
    extra = folder / "extra"
    extra.mkdir()
    (extra / "CONTRIBUTION_999001.txt").write_text(hostile_contribution(), encoding="utf-8")
    engine = make_engine(f"sqlite:///{folder / 'e2e.db'}")
    migrate(engine)
    summary = import_paths(engine, [*bundled_paths(), extra])
    assert summary.ok, summary.errors
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def e2e_core(e2e_engine: Engine) -> HansardCore:
    return HansardCore(e2e_engine)


def make_settings(engine: Engine, **overrides: Any) -> Settings:
    return Settings(_env_file=None, database_url=str(engine.url), **overrides)  # type: ignore[call-arg]


@pytest_asyncio.fixture
async def bot(emulator: DiscordEmulator, e2e_engine: Engine, e2e_core: HansardCore) -> AsyncIterator[HansardBot]:  # noqa: F811
    """The real HansardBot, connected, with its commands synced to the emulator."""

    def factory() -> HansardBot:
        return HansardBot(make_settings(e2e_engine), e2e_engine, core=e2e_core, guild_ready_timeout=0.05)

    async with connect_client(emulator, factory) as client:
        await client.tree.sync()
        yield client
