"""A TheyWorkForYou mirror as a configured source: /admin reimport, the schedule and the CLI follow it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from click.testing import CliRunner
from sqlalchemy import Engine, text

from bot.cli import main as cli
from bot.client import HansardBot
from bot.settings import SourceSettings, get_settings
from storage.db import make_engine, migrate
from tests.bot.conftest import make_settings
from tests.emulator import DiscordEmulator, connect_client
from tests.mirror_server import SCRAPED, MirrorServer, published, serve_mirror


@pytest.fixture
def mirror_server(tmp_path: Path) -> Iterator[MirrorServer]:
    with serve_mirror(SCRAPED, tmp_path / "scrapedxml") as server:
        yield server


@pytest.fixture
def feed_store(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'feed.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


async def reimport(emulator: DiscordEmulator, source: str) -> str:
    """The reply to /admin reimport once the import is over (after any "Importing…" edits)."""
    handle = await emulator.send_slash_command("admin reimport", {"source": source}, user="alice")

    def settled() -> dict[str, Any] | None:
        message = handle.final_message()
        if message is None or message["flags"] & 128 or (message.get("content") or "").startswith("Importing"):
            return None
        return message

    await emulator.wait_until(lambda: settled() is not None, 30, "the final reply to /admin reimport")
    message = settled()
    assert message is not None
    return str(message["content"])


def contributions(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM contribution")).scalar_one())


@pytest_asyncio.fixture
async def feed_bot(
    emulator: DiscordEmulator, feed_store: Engine, mirror_server: MirrorServer
) -> AsyncIterator[HansardBot]:
    sources = {"twfy": SourceSettings(location=f"{mirror_server.url}/debates/", schedule="15 7 * * *")}
    settings = make_settings(feed_store, admin_user_ids=[emulator.user("alice").id], import_sources=sources)

    def factory() -> HansardBot:
        return HansardBot(settings, feed_store, start_scheduler=False, guild_ready_timeout=0.05)

    async with connect_client(emulator, factory) as bot:
        await bot.tree.sync()
        yield bot


async def test_admin_reimport_follows_the_mirror_and_a_second_run_fetches_nothing(
    feed_bot: HansardBot, emulator: DiscordEmulator, feed_store: Engine, mirror_server: MirrorServer
) -> None:
    listed = published(mirror_server.root / "debates")
    first = await reimport(emulator, "twfy")
    assert first.startswith(f"Imported twfy: {len(listed)} files: ")
    assert mirror_server.xml_requests() == listed
    stored = contributions(feed_store)
    assert stored > 0

    mirror_server.requests.clear()
    second = await reimport(emulator, "twfy")
    assert second.startswith("Imported twfy: 0 files: 0 new")
    assert mirror_server.xml_requests() == [] and contributions(feed_store) == stored


async def test_the_schedule_follows_the_mirror(
    feed_bot: HansardBot, feed_store: Engine, mirror_server: MirrorServer
) -> None:
    assert feed_bot.scheduler.get_job("import-twfy") is not None
    outcome = await feed_bot.import_scheduler.scheduled_import("twfy")
    assert outcome.summary is not None and outcome.summary.files_done == len(published(mirror_server.root / "debates"))
    mirror_server.requests.clear()
    again = await feed_bot.import_scheduler.scheduled_import("twfy")
    assert again.summary is not None and again.summary.files_done == 0
    assert mirror_server.xml_requests() == []


def test_cli_reimport_follows_the_mirror(
    mirror_server: MirrorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("IMPORT_SOURCES", json.dumps({"twfy": {"location": f"{mirror_server.url}/"}}))
    get_settings.cache_clear()
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    try:
        first = CliRunner().invoke(cli, ["--database-url", url, "reimport", "--source", "twfy"])
        mirror_server.requests.clear()
        second = CliRunner().invoke(cli, ["--database-url", url, "reimport", "--source", "twfy"])
    finally:
        get_settings.cache_clear()
    listed = [*published(mirror_server.root / "debates"), *published(mirror_server.root / "lordspages")]
    assert f": {len(listed)} files," in first.output, first.output
    assert "Traceback" not in first.output
    assert second.exit_code == 0 and ": 0 files, 0 new" in second.output
    assert mirror_server.xml_requests() == []
