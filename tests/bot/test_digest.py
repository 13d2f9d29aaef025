"""Scheduled digests, end to end through the emulator, with a controllable clock."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from bot.client import HansardBot
from bot.digest import DigestScheduler
from commands.catalogue import NameCatalogue
from commands.core import HansardCore
from commands.digest import DigestCore, DigestSettings
from storage.db import make_engine
from storage.digests import deliveries, get_subscription
from storage.importer import import_paths
from tests.bot.conftest import make_settings
from tests.conftest import DATA, sqlite_copy
from tests.emulator import DiscordEmulator, connect_client

MANAGE_CHANNELS = 1 << 4
SAMPLE = (DATA / "samples" / "CONTRIBUTION_622898.txt").read_text(encoding="utf-8")


class FakeClock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, *args: int) -> None:
        self.now = dt.datetime(*args, tzinfo=dt.UTC)  # type: ignore[misc]


def new_contribution(folder: Path, number: int, word: str, member: str = "Tim Loughton") -> None:
    """A contribution in the seed format (the real sample with another id, member and a marker word)."""
    text = SAMPLE.replace("CONTRIBUTION_622898", f"CONTRIBUTION_{number}")
    text = f"On {word}, a new point.\n" + text.replace("Tim Loughton", member)
    (folder / f"CONTRIBUTION_{number}.txt").write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory, bundled_sqlite: Engine) -> Path:
    """The bundled data, once; each test works on its own copy of the file."""
    path = tmp_path_factory.mktemp("digest-template") / "template.db"
    sqlite_copy(bundled_sqlite, path).dispose()
    return path


@pytest.fixture(scope="session")
def template_names(template_db: Path) -> Iterator[NameCatalogue]:
    """The template's names, built once: each test's copy of the store holds the same names."""
    engine = make_engine(f"sqlite:///{template_db}")
    yield NameCatalogue(engine)
    engine.dispose()


@pytest.fixture
def store(template_db: Path, tmp_path: Path) -> Iterator[Engine]:
    shutil.copy(template_db, tmp_path / "digest.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'digest.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2026, 6, 10, 5, 0, tzinfo=dt.UTC))


@pytest_asyncio.fixture
async def digest_bot(
    emulator: DiscordEmulator, store: Engine, clock: FakeClock, template_names: NameCatalogue
) -> AsyncIterator[HansardBot]:
    role = emulator.add_role(emulator.guild, "Channel manager", MANAGE_CHANNELS)
    emulator.add_user("editor", roles=[role])

    def factory() -> HansardBot:
        core = HansardCore(store, names=template_names)
        return HansardBot(
            make_settings(store), store, core=core, clock=clock, start_scheduler=False, guild_ready_timeout=0.05
        )

    async with connect_client(emulator, factory) as bot:
        await bot.tree.sync()
        yield bot


def add_news(engine: Engine, folder: Path, numbers: range, word: str, member: str = "Tim Loughton") -> None:
    folder.mkdir(exist_ok=True)
    for number in numbers:
        new_contribution(folder, number, word, member)
    assert import_paths(engine, [folder]).ok


async def subscribe(
    emulator: DiscordEmulator, options: dict[str, Any], user: str = "editor", channel: str = "hansard"
) -> str:
    handle = await emulator.send_slash_command(
        "digest subscribe", options, user=user, channel=emulator.guild.channel(channel)
    )
    message = await handle.wait_for_message()
    return str(message["content"])


def posted(emulator: DiscordEmulator, channel: str = "hansard") -> list[dict[str, Any]]:
    """Messages the bot posted on its own (type 0), not replies to commands (type 20)."""
    return [m for m in emulator.channel_messages(emulator.guild.channel(channel)) if m["type"] == 0]


def digest_text(message: dict[str, Any]) -> str:
    embed = message["embeds"][0]
    return "\n".join(
        [embed["title"], embed.get("description") or ""] + [f"{f['name']} {f['value']}" for f in embed["fields"]]
    )


async def test_digest_arrives_at_local_time_with_only_new_matching_contributions(
    digest_bot: HansardBot, emulator: DiscordEmulator, store: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    reply = await subscribe(emulator, {"frequency": "daily", "time": "08:00", "member": "Tim Loughton"})
    assert reply.startswith("Subscribed: #1: daily at 08:00 (Europe/London) by Tim Loughton")
    add_news(store, tmp_path / "news", range(900001, 900004), "lighthouses")
    add_news(store, tmp_path / "other", range(900010, 900012), "ferries", member="Jack Straw")

    # 08:00 in London is 07:00 UTC in June (BST).
    job = digest_bot.digest_scheduler.scheduler.get_job("digest-1")
    assert job is not None and isinstance(job.trigger, CronTrigger)
    assert job.trigger.get_next_fire_time(None, clock.now) == dt.datetime(2026, 6, 10, 7, 0, tzinfo=dt.UTC)

    clock.set(2026, 6, 10, 6, 59)
    assert await digest_bot.digest_scheduler.run_due() == 0
    assert posted(emulator) == []

    clock.set(2026, 6, 10, 7, 0)
    assert await digest_bot.digest_scheduler.run_due() == 1
    [message] = posted(emulator)
    text = digest_text(message)
    assert text.count("lighthouses") == 3
    assert "ferries" not in text and "Jack Straw" not in text
    assert "CONTRIBUTION_622898)" not in text  # imported before the subscription: not news
    assert message["mention_everyone"] is False

    clock.set(2026, 6, 10, 7, 30)
    assert await digest_bot.digest_scheduler.run_due() == 0
    assert len(posted(emulator)) == 1

    # Next day, nothing new: no post.
    clock.set(2026, 6, 11, 7, 0)
    assert await digest_bot.digest_scheduler.run_due() == 0
    assert len(posted(emulator)) == 1


async def test_managing_digests_needs_manage_channels(digest_bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_slash_command("digest subscribe", {"frequency": "daily"}, user="alice")
    message = await handle.wait_for_message()
    assert message["flags"] & 64 and "Manage Channels" in message["content"]
    assert digest_bot.digests.subscriptions(emulator.guild.id, None, digest_bot.digest_scheduler.clock()) == []


async def test_duplicates_weekly_list_preview_unsubscribe(
    digest_bot: HansardBot, emulator: DiscordEmulator, store: Engine, tmp_path: Path
) -> None:
    options = {"frequency": "weekly", "weekday": "Friday", "time": "17:30", "keywords": "lighthouses"}
    assert (await subscribe(emulator, options)).startswith("Subscribed: #1: weekly on Fridays at 17:30")
    again = await subscribe(emulator, options)
    assert "already has that exact digest" in again
    missing_day = await subscribe(emulator, {"frequency": "weekly"})
    assert "needs a weekday" in missing_day

    listing = await (
        await emulator.send_slash_command("digest list", user="editor", channel=emulator.guild.channel("hansard"))
    ).wait_for_message()
    assert "#1: weekly on Fridays at 17:30" in listing["content"] and "next <t:" in listing["content"]

    add_news(store, tmp_path / "news", range(900001, 900003), "lighthouses")
    add_news(store, tmp_path / "other", range(900005, 900006), "ferries")
    preview = await (
        await emulator.send_slash_command("digest preview", {"subscription": 1}, user="editor")
    ).wait_for_message()
    assert preview["content"].startswith("The next digest would hold 2 contributions")
    assert "lighthouses" in digest_text(preview) and "ferries" not in digest_text(preview)

    choices = await (
        await emulator.send_autocomplete(
            "digest unsubscribe", {"subscription": ""}, focused="subscription", user="editor"
        )
    ).choices()
    assert [c["value"] for c in choices] == [1]
    removed = await (
        await emulator.send_slash_command("digest unsubscribe", {"subscription": 1}, user="editor")
    ).wait_for_message()
    assert removed["content"] == "Removed digest #1."
    assert digest_bot.digest_scheduler.scheduler.get_job("digest-1") is None


async def test_guild_limit(digest_bot: HansardBot, emulator: DiscordEmulator) -> None:
    digest_bot.digests.settings = DigestSettings(guild_limit=2)
    assert (await subscribe(emulator, {"frequency": "daily", "time": "07:00"})).startswith("Subscribed")
    assert (await subscribe(emulator, {"frequency": "daily", "time": "08:00"})).startswith("Subscribed")
    refused = await subscribe(emulator, {"frequency": "daily", "time": "09:00"})
    assert "already has 2 digest subscriptions" in refused


async def test_restart_loses_nothing_and_repeats_nothing(
    digest_bot: HansardBot, emulator: DiscordEmulator, store: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    await subscribe(emulator, {"frequency": "daily", "time": "08:00"})
    add_news(store, tmp_path / "news", range(900001, 900003), "lighthouses")

    # The process claims the 08:00 delivery and dies before posting.
    clock.set(2026, 6, 10, 7, 0)
    first_life = DigestCore(digest_bot.core, claimant="first-process")
    assert len(first_life.due(clock.now)) == 1

    # Restarted a minute later: the dead claim still holds its lease, so nothing is posted twice...
    restarted = DigestScheduler(digest_bot, DigestCore(digest_bot.core, claimant="second-process"), clock)
    clock.set(2026, 6, 10, 7, 1)
    assert await restarted.run_due() == 0
    # ...and once the lease has run out, the period is delivered, once.
    clock.set(2026, 6, 10, 7, 12)
    assert await restarted.run_due() == 1
    clock.set(2026, 6, 10, 7, 30)
    assert await restarted.run_due() == 0
    assert len(posted(emulator)) == 1
    assert [d.status for d in deliveries(store, 1)] == ["sent"]

    # Down over the next 08:00, back at 10:00 (inside the 6-hour grace window): delivered once, late.
    add_news(store, tmp_path / "more", range(900010, 900011), "harbours")
    clock.set(2026, 6, 11, 9, 0)
    assert await restarted.run_due() == 1
    assert await restarted.run_due() == 0
    assert "harbours" in digest_text(posted(emulator)[-1])
    assert "lighthouses" not in digest_text(posted(emulator)[-1])


async def test_two_schedulers_on_one_postgres_post_once(
    emulator: DiscordEmulator, postgres_engine_session: Engine, tmp_path: Path
) -> None:
    from tests.conftest import _empty_postgres

    engine = _empty_postgres(postgres_engine_session)
    assert import_paths(engine, [DATA / "samples"]).ok
    clock = FakeClock(dt.datetime(2026, 6, 10, 5, 0, tzinfo=dt.UTC))
    core = HansardCore(engine)

    def factory() -> HansardBot:
        return HansardBot(
            make_settings(engine), engine, core=core, clock=clock, start_scheduler=False, guild_ready_timeout=0.05
        )

    async with connect_client(emulator, factory) as bot:
        await bot.tree.sync()
        await subscribe(emulator, {"frequency": "daily", "time": "08:00"}, user="owner")
        add_news(engine, tmp_path / "news", range(900001, 900003), "lighthouses")
        clock.set(2026, 6, 10, 7, 0)
        other_engine = make_engine(str(engine.url.render_as_string(hide_password=False)))
        schedulers = [
            DigestScheduler(bot, DigestCore(HansardCore(engine), claimant="process-a"), clock),
            DigestScheduler(bot, DigestCore(HansardCore(other_engine), claimant="process-b"), clock),
        ]
        results = await asyncio.gather(*(s.run_due() for s in schedulers))
        assert sorted(results) == [0, 1]
        assert len(posted(emulator)) == 1
        other_engine.dispose()


@pytest.mark.parametrize("status", [403, 404])
async def test_missing_access_or_deleted_channel_backs_off_then_pauses(
    digest_bot: HansardBot,
    emulator: DiscordEmulator,
    store: Engine,
    clock: FakeClock,
    tmp_path: Path,
    status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await subscribe(emulator, {"frequency": "daily", "time": "08:00"})
    await subscribe(emulator, {"frequency": "daily", "time": "08:00"}, channel="general")
    add_news(store, tmp_path / "news", range(900001, 900003), "lighthouses")
    hansard = emulator.guild.channel("hansard")
    emulator.inject("POST", rf"/channels/{hansard.id}/messages", status=status, times=100)
    scheduler = digest_bot.digest_scheduler

    clock.set(2026, 6, 10, 7, 0)
    # The failing channel does not hold up the other one.
    assert await scheduler.run_due() == 1
    assert len(posted(emulator, "general")) == 1
    attempts = lambda: len(emulator.requests_to("POST", rf"/channels/{hansard.id}/messages"))  # noqa: E731
    assert attempts() == 1

    # Back-off: 5, 10, 20, 40 minutes; no attempt before each is up.
    waits = [5, 10, 20, 40]
    for minutes in waits:
        clock.now += dt.timedelta(minutes=minutes - 1)
        await scheduler.run_due()
        before = attempts()
        clock.now += dt.timedelta(minutes=1)
        with caplog.at_level(logging.WARNING):
            await scheduler.run_due()
        assert attempts() == before + 1
    subscription = get_subscription(store, 1)
    assert subscription is not None and subscription.paused
    assert str(status) in (subscription.paused_reason or "")
    assert any("paused" in r.getMessage() for r in caplog.records)
    clock.now += dt.timedelta(hours=1)
    await scheduler.run_due()
    assert attempts() == 5
    emulator.clear_faults()


async def test_rate_limited_digest_is_retried_as_discord_says(
    digest_bot: HansardBot, emulator: DiscordEmulator, store: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    await subscribe(emulator, {"frequency": "daily", "time": "08:00"})
    add_news(store, tmp_path / "news", range(900001, 900002), "lighthouses")
    emulator.inject("POST", r"/channels/\d+/messages", status=429, retry_after=0.2, times=1)
    clock.set(2026, 6, 10, 7, 0)
    assert await digest_bot.digest_scheduler.run_due() == 1
    assert len(posted(emulator)) == 1


@pytest.mark.parametrize(
    ("day", "too_early", "on_time"),
    [
        # Clocks go forward at 01:00 UTC on 29 March 2026: 08:00 London is then 07:00 UTC.
        ((2026, 3, 29), (2026, 3, 29, 6, 59), (2026, 3, 29, 7, 0)),
        # Clocks go back at 01:00 UTC on 25 October 2026: 08:00 London is then 08:00 UTC.
        ((2026, 10, 25), (2026, 10, 25, 7, 59), (2026, 10, 25, 8, 0)),
    ],
)
async def test_dst_change_day_posts_once_at_the_wall_clock_time(
    digest_bot: HansardBot,
    emulator: DiscordEmulator,
    store: Engine,
    clock: FakeClock,
    tmp_path: Path,
    day: tuple[int, int, int],
    too_early: tuple[int, ...],
    on_time: tuple[int, ...],
) -> None:
    clock.set(day[0], day[1], day[2] - 1, 12, 0)
    await subscribe(emulator, {"frequency": "daily", "time": "08:00"})
    add_news(store, tmp_path / "news", range(900001, 900002), "lighthouses")
    job = digest_bot.digest_scheduler.scheduler.get_job("digest-1")
    assert job is not None
    assert job.trigger.get_next_fire_time(None, clock.now) == dt.datetime(*on_time, tzinfo=dt.UTC)
    clock.set(*too_early)
    assert await digest_bot.digest_scheduler.run_due() == 0
    clock.set(*on_time)
    assert await digest_bot.digest_scheduler.run_due() == 1
    for _ in range(3):
        clock.now += dt.timedelta(hours=1)
        assert await digest_bot.digest_scheduler.run_due() == 0
    assert len(posted(emulator)) == 1
