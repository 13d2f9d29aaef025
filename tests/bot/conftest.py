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
from storage.importer import import_paths
from tests.conftest import DATA, sqlite_copy
from tests.emulator import DiscordEmulator, connect_client
from tests.emulator.fixtures import emulator  # noqa: F401  (the fixture, for the tests here)

HOSTILE_URI = "http://data.parliament.uk/pimsdata/hansard/CONTRIBUTION_999001"
HOSTILE_WORD = "zanzibarite"
# A contribution whose every stored field (speech, title and bill, member, party, chamber,
# subjects) is Markdown that Discord would render and mentions it would ping.
HOSTILE_FIELDS_URI = "http://data.parliament.uk/pimsdata/hansard/CONTRIBUTION_999002"
HOSTILE_FIELDS_WORD = "zanzibarian"
HOSTILE_SPEECH_LINES = (
    "## heading",
    "### heading",
    "-# subtext",
    "> quote",
    ">>> block",
    "- item",
    "+ item",
    "1. item",
)


def hostile_line(tag: str) -> str:
    """One line of inline Markdown and mentions, told apart by ``tag``."""
    return f"**{tag}** @everyone ||{tag}|| <@&1> # {tag}"


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


def hostile_fields_contribution() -> str:
    """A contribution in the seed format (the real sample's layout) with hostile text in every field."""
    speech = "\n".join([f"The {HOSTILE_FIELDS_WORD} note {hostile_line('speech')}", *HOSTILE_SPEECH_LINES])
    title = f"{hostile_line('title')} Bill"
    return "\n".join(
        [
            speech,
            title,
            "Proceeding contribution from",
            hostile_line("member"),
            f"({hostile_line('party')})",
            "in the House of Commons on Tuesday, 23 February 2010.",
            f"It occurred during Debate on bills on {title}.",
            *("Type", "Proceeding contribution", "Reference", "506 c185-6", "Session", "2009-10"),
            *("Chamber / Committee", hostile_line("chamber"), "Subjects", hostile_line("subject")),
            *("Timestamp", "2024-12-30 18:03:24 +0000", "URI", HOSTILE_FIELDS_URI),
        ]
    )


@pytest.fixture(scope="session")
def e2e_engine(tmp_path_factory: pytest.TempPathFactory, bundled_sqlite: Engine) -> Iterator[Engine]:
    folder = tmp_path_factory.mktemp("e2e")
    extra = folder / "extra"
    extra.mkdir()
    (extra / "CONTRIBUTION_999001.txt").write_text(hostile_contribution(), encoding="utf-8")
    (extra / "CONTRIBUTION_999002.txt").write_text(hostile_fields_contribution(), encoding="utf-8")
    engine = sqlite_copy(bundled_sqlite, folder / "e2e.db")
    summary = import_paths(engine, [extra])
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
