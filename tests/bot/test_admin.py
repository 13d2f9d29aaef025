"""Admin re-import and operations, through the emulator, with HTTP sources on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import shutil
import time
import zipfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from sqlalchemy import Engine, text

from bot.admin import imports
from bot.client import HansardBot
from bot.settings import SourceSettings
from storage.db import make_engine, migrate
from storage.importer import imports as imports_module
from storage.importer.writer import Writer
from tests.bot.conftest import make_settings
from tests.conftest import DATA
from tests.emulator import DiscordEmulator, connect_client

EPHEMERAL = 64
TWFY = DATA / "hansard_twfy_xml_2010"
SAMPLE = DATA / "samples" / "CONTRIBUTION_622898.txt"


def sample_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(SAMPLE, "CONTRIBUTION_622898.txt")
    return buffer.getvalue()


@pytest_asyncio.fixture
async def http_server() -> AsyncIterator[str]:
    """Import sources over HTTP on 127.0.0.1: a good archive, a slow one, a huge one, a web page."""
    payload = sample_zip()

    async def good(request: web.Request) -> web.Response:
        return web.Response(body=payload, content_type="application/zip")

    async def slow(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/zip"})
        await response.prepare(request)
        await response.write(payload[:100])
        await asyncio.sleep(3)  # longer than the configured fetch timeout
        await response.write(payload[100:])
        return response

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/zip"})
        await response.prepare(request)
        for _ in range(64):  # 4 MB, over the 1 MB limit, with no Content-Length to warn
            await response.write(b"\0" * 65536)
        return response

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<html>not an archive</html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/good.zip", good)
    app.router.add_get("/slow.zip", slow)
    app.router.add_get("/huge.zip", huge)
    app.router.add_get("/page.zip", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
def admin_store(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'admin.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


def import_runs(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM import_run")).scalar_one())


def contributions(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM contribution")).scalar_one())


@pytest_asyncio.fixture
async def admin_bot(
    emulator: DiscordEmulator, admin_store: Engine, http_server: str, tmp_path: Path
) -> AsyncIterator[HansardBot]:
    copy = tmp_path / "twfy"
    shutil.copytree(TWFY, copy)
    sources = {
        "twfy": SourceSettings(location=str(copy)),
        "sample": SourceSettings(location=str(SAMPLE)),
        "web-good": SourceSettings(location=f"{http_server}/good.zip"),
        "web-slow": SourceSettings(location=f"{http_server}/slow.zip"),
        "web-huge": SourceSettings(location=f"{http_server}/huge.zip"),
        "web-page": SourceSettings(location=f"{http_server}/page.zip"),
    }
    alice = emulator.user("alice")
    settings = make_settings(
        admin_store,
        admin_user_ids=[alice.id],
        import_sources=sources,
        fetch_timeout_seconds=1.0,
        max_download_mb=1,
    )

    def factory() -> HansardBot:
        return HansardBot(settings, admin_store, start_scheduler=False, guild_ready_timeout=0.05)

    async with connect_client(emulator, factory) as bot:
        await bot.tree.sync()
        yield bot


async def command(emulator: DiscordEmulator, name: str, options: dict[str, Any] | None, user: str) -> dict[str, Any]:
    """The reply the user ends up with (after any "Importing…" progress edits)."""
    handle = await emulator.send_slash_command(name, options, user=user)

    def settled() -> dict[str, Any] | None:
        message = handle.final_message()
        if message is None or message["flags"] & 128 or (message.get("content") or "").startswith("Importing"):
            return None
        return message

    await emulator.wait_until(lambda: settled() is not None, 20, f"the final reply to /{name}")
    message = settled()
    assert message is not None
    return message


async def test_non_admin_is_refused_and_nothing_runs(
    admin_bot: HansardBot, emulator: DiscordEmulator, admin_store: Engine
) -> None:
    for name, options in (("admin reimport", {"source": "sample"}), ("admin status", None), ("admin errors", None)):
        message = await command(emulator, name, options, "bob")
        assert message["flags"] & EPHEMERAL
        assert "Only the bot's operators" in message["content"]
    assert import_runs(admin_store) == 0
    choices = await (
        await emulator.send_autocomplete("admin reimport", {"source": ""}, focused="source", user="bob")
    ).choices()
    assert choices == []


async def test_application_owner_is_an_admin(
    admin_bot: HansardBot, emulator: DiscordEmulator, admin_store: Engine
) -> None:
    message = await command(emulator, "admin reimport", {"source": "sample"}, "owner")
    assert message["content"].startswith("Imported sample: 1 files: 1 new")
    assert import_runs(admin_store) == 1


async def test_reimport_reports_progress_then_summary_while_searches_are_answered(
    admin_bot: HansardBot, emulator: DiscordEmulator, admin_store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "PROGRESS_INTERVAL_SECONDS", 0.0)
    monkeypatch.setattr(imports_module, "BATCH_SIZE", 300)
    original = Writer.write_batch

    def slow_batch(self: Writer, *args: Any) -> None:
        time.sleep(0.15)
        original(self, *args)

    monkeypatch.setattr(Writer, "write_batch", slow_batch)
    choices = await (
        await emulator.send_autocomplete("admin reimport", {"source": "tw"}, focused="source", user="alice")
    ).choices()
    assert [c["value"] for c in choices] == ["twfy"]

    handle = await emulator.send_slash_command("admin reimport", {"source": "twfy"}, user="alice")
    callback = await handle.response()
    assert callback["type"] == 5 and callback["data"]["flags"] & EPHEMERAL
    await handle.wait_for_edit(1, timeout=10)

    # While it runs: a second import is refused, naming who started the first; searches are answered.
    second = await command(emulator, "admin reimport", {"source": "sample"}, "owner")
    assert "already running" in second["content"] and "alice" in second["content"]
    search = await emulator.send_slash_command("hansard search", {"query": "government"}, user="bob")
    found = await search.wait_for_message(timeout=5)
    assert (search.latency < 3 and found["embeds"]) or "Nothing" in found["content"]
    assert admin_bot.admin.running() is not None

    await emulator.wait_until(
        lambda: "Imported twfy" in (handle.final_message() or {}).get("content", ""), 60, "summary"
    )
    final = handle.final_message()
    assert final is not None
    assert final["content"].startswith("Imported twfy: 27 files: 3,243 new, 0 updated, 0 unchanged, 0 failed")
    progress_edits = [
        r for r in emulator.requests_to("PATCH", r"/messages/@original") if "Importing twfy" in str(r.json)
    ]
    assert len(progress_edits) >= 2
    assert admin_bot.admin.running() is None
    # The name index sees the new data without a restart.
    assert admin_bot.core.names.members.match("Jack Straw").best is not None


async def test_unconfigured_source_is_refused(
    admin_bot: HansardBot, emulator: DiscordEmulator, admin_store: Engine
) -> None:
    message = await command(emulator, "admin reimport", {"source": "/etc/passwd"}, "alice")
    assert message["flags"] & EPHEMERAL and "No import source is named" in message["content"]
    assert import_runs(admin_store) == 0


@pytest.mark.parametrize(
    ("source", "reason"),
    [("web-slow", "timed out"), ("web-huge", "limit"), ("web-page", "content type")],
)
async def test_bad_http_sources_store_nothing(
    admin_bot: HansardBot, emulator: DiscordEmulator, admin_store: Engine, source: str, reason: str
) -> None:
    message = await command(emulator, "admin reimport", {"source": source}, "alice")
    handle_text = message["content"]
    assert "nothing was stored" in handle_text and reason in handle_text
    assert contributions(admin_store) == 0
    errors = await command(emulator, "admin errors", None, "alice")
    assert reason in errors["content"]


async def test_good_http_source_imports(admin_bot: HansardBot, emulator: DiscordEmulator, admin_store: Engine) -> None:
    message = await command(emulator, "admin reimport", {"source": "web-good"}, "alice")
    assert message["content"].startswith("Imported web-good: 1 files: 1 new")
    assert contributions(admin_store) == 1
    # Stored under the URL it came from (and its member), not the temporary file it was downloaded to.
    location = admin_bot.admin.sources["web-good"].location
    with admin_store.connect() as conn:
        sources = [row[0] for row in conn.execute(text("SELECT source FROM contribution"))]
    assert len(sources) == 1 and sources[0].startswith(f"{location}!"), sources


async def test_status_and_errors(
    admin_bot: HansardBot, emulator: DiscordEmulator, admin_store: Engine, tmp_path: Path
) -> None:
    broken = Path(admin_bot.admin.sources["twfy"].location) / "broken.txt"
    broken.write_text("Proceeding contribution from\n", encoding="utf-8")
    await command(emulator, "admin reimport", {"source": "twfy"}, "alice")
    status = await command(emulator, "admin status", None, "alice")
    fields = {f["name"]: f["value"] for f in status["embeds"][0]["fields"]}
    assert fields["Data"].startswith("3,243 contributions")
    assert fields["Database"].startswith("sqlite")
    assert "1 failed" in fields["Last import"] and "alice" in fields["Last import"]
    assert "Source twfy" in fields
    errors = await command(emulator, "admin errors", None, "alice")
    assert f"{broken}:" in errors["content"]


async def test_scheduled_source_has_a_cron_job_and_imports_under_the_same_lock(
    emulator: DiscordEmulator, admin_store: Engine
) -> None:
    settings = make_settings(
        admin_store, import_sources={"sample": SourceSettings(location=str(SAMPLE), schedule="30 6 * * 1-5")}
    )

    def factory() -> HansardBot:
        return HansardBot(settings, admin_store, start_scheduler=False, guild_ready_timeout=0.05)

    async with connect_client(emulator, factory) as bot:
        job = bot.import_scheduler.jobs["sample"]
        import datetime as dt

        friday_night = dt.datetime(2026, 11, 27, 22, 0, tzinfo=dt.UTC)
        assert job.trigger.get_next_fire_time(None, friday_night) == dt.datetime(2026, 11, 30, 6, 30, tzinfo=dt.UTC)

        from storage.import_lock import acquire, release

        assert acquire(admin_store, "another-process", "someone", "elsewhere") is None
        refused = await bot.import_scheduler.scheduled_import("sample")
        assert refused.refused is not None and "someone" in refused.refused
        release(admin_store, "another-process")

        outcome = await bot.import_scheduler.scheduled_import("sample")
        assert outcome.summary is not None and outcome.summary.new == 1
        assert contributions(admin_store) == 1


@pytest.mark.parametrize(
    ("expression", "weekdays"),
    [
        ("0 6 * * 1-5", "mon,tue,wed,thu,fri"),
        ("0 6 * * 0", "sun"),
        ("0 6 * * 7", "sun"),
        ("0 6 * * *", "*"),
        ("0 6 * * 6,0", "sat,sun"),
        ("0 6 * * */2", "sun,tue,thu,sat"),
        ("0 6 * * mon-fri", "mon-fri"),
    ],
)
def test_crontab_weekdays_are_standard(expression: str, weekdays: str) -> None:
    trigger = imports.crontab_trigger(expression)
    field = next(f for f in trigger.fields if f.name == "day_of_week")
    expected = imports.CronTrigger(day_of_week=weekdays, timezone="UTC")
    assert str(field) == str(next(f for f in expected.fields if f.name == "day_of_week"))


def test_bad_crontab_is_refused() -> None:
    for expression in ("0 6 * *", "0 6 * * 9", "0 6 * * 5-1"):
        with pytest.raises(ValueError):
            imports.crontab_trigger(expression)
